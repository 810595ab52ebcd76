-- index (cluster): raise the handle's score in its identity index to at least expires_at, before
-- the session itself is written (see the README: an index score is never below the expiry of a
-- live session of that identity).
-- KEYS: index, registry
-- ARGV: identity key, handle, expires_at, ttl ms, now
local index, registry = KEYS[1], KEYS[2]
local ik, handle, expires_at, ttl, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

redis.call('ZADD', index, 'GT', expires_at, handle)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
extend_ttl(index, ttl)
register(index, registry, ik)
extend_ttl(registry, ttl)
return 1
