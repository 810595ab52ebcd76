-- save and update (single node): write the session and index it, in one atomic step. In update
-- mode only a live session is written, and its created_at is kept. Returns 1 when written.
-- KEYS: session, index, registry
-- ARGV: payload, expires_at, identity key, handle, expiry of the key (unix ms), now, prefix,
--       created_at, last_seen_at, mode ('save' or 'update')
local session, index, registry = KEYS[1], KEYS[2], KEYS[3]
local payload, expires_at, ik, handle, expire_ms, now, prefix, created_at, last_seen_at, mode =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]

local stored = redis.call('HMGET', session, 'e', 'k')
if mode == 'update' and not is_live(stored[1], now) then
  return 0
end
local previous = stored[2]
if previous and previous ~= ik then
  unindex(prefix, previous, handle)
end
redis.call('HSET', session, 'd', payload, 'e', expires_at, 'k', ik, 'l', last_seen_at)
if mode == 'save' then
  redis.call('HSET', session, 'c', created_at)
end
redis.call('PEXPIREAT', session, expire_ms)

redis.call('ZADD', index, expires_at, handle)
prune(index, prune_cutoff(), PRUNE_ON_WRITE)
keep_until(index, expires_at)
register(index, registry, ik)
keep_until(registry, expires_at)
return 1
