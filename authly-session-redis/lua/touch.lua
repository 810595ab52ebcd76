-- touch (single node): move a live session's expiry, or end it when the new time has passed.
-- Returns 1 when a live session was found, 0 otherwise. The payload is not rewritten; last_seen_at
-- becomes now.
-- KEYS: session
-- ARGV: handle, new expires_at, expiry of the key (unix ms), now, prefix
local session = KEYS[1]
local handle, expires_at, expire_ms, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local fields = redis.call('HMGET', session, 'e', 'k')
if not is_live(fields[1], now) then
  return 0
end
local ik = fields[2]
if not is_live(expires_at, now) then
  redis.call('DEL', session)
  if ik then
    unindex(prefix, ik, handle)
  end
  return 1
end
redis.call('HSET', session, 'e', expires_at, 'l', now)
redis.call('PEXPIREAT', session, expire_ms)
if ik then
  local index, registry = index_key(prefix, ik), registry_key(prefix, ik)
  redis.call('ZADD', index, expires_at, handle)
  keep_until(index, expires_at)
  register(index, registry, ik)
  keep_until(registry, expires_at)
end
return 1
