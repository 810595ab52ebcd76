-- write (cluster): store the session hash with its TTL, after shard_index. In update mode only a
-- live session is written, and its created_at is kept. Returns 1 when written.
-- KEYS: session
-- ARGV: payload, expires_at, identity key, expiry of the key (unix ms), created_at,
--       last_seen_at, mode, now
if ARGV[7] == 'update' and not is_live(redis.call('HGET', KEYS[1], 'e'), ARGV[8]) then
  return 0
end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'e', ARGV[2], 'k', ARGV[3], 'l', ARGV[6])
if ARGV[7] == 'save' then
  redis.call('HSET', KEYS[1], 'c', ARGV[5])
end
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
