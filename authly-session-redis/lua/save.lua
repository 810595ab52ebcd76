-- save (single node): write the session and index it, in one atomic step.
-- KEYS: session, index, registry
-- ARGV: payload, expires_at, identity key, handle, ttl ms, now, prefix
local session, index, registry = KEYS[1], KEYS[2], KEYS[3]
local payload, expires_at, ik, handle, ttl, now, prefix =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]

local previous = redis.call('HGET', session, 'k')
if previous and previous ~= ik then
  unindex(prefix, previous, handle)
end
redis.call('HSET', session, 'd', payload, 'e', expires_at, 'k', ik)
redis.call('PEXPIRE', session, ttl)

redis.call('ZADD', index, expires_at, handle)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
extend_ttl(index, ttl)
register(index, registry, ik)
extend_ttl(registry, ttl)
return 1
