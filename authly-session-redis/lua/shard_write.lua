-- write (cluster): store the session hash with its TTL, after shard_index.
-- KEYS: session
-- ARGV: payload, expires_at, identity key, ttl ms
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'e', ARGV[2], 'k', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
