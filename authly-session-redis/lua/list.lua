-- list (single node): the live sessions of one identity as a flat array
-- {handle, payload, expires_at, created_at, last_seen_at, ...} (the last two false in a
-- version-1 hash). Prunes expired entries, and entries whose session is gone
-- or now belongs to another identity.
-- KEYS: index, registry
-- ARGV: identity key, now, prefix
local index, registry = KEYS[1], KEYS[2]
local ik, now, prefix = ARGV[1], ARGV[2], ARGV[3]

redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
local out = {}
for _, handle in ipairs(redis.call('ZRANGEBYSCORE', index, '(' .. now, '+inf')) do
  local fields = redis.call('HMGET', session_key(prefix, handle), 'd', 'e', 'k', 'c', 'l')
  if not fields[1] or fields[3] ~= ik then
    redis.call('ZREM', index, handle)
  elseif is_live(fields[2], now) then
    out[#out + 1] = handle
    out[#out + 1] = fields[1]
    out[#out + 1] = fields[2]
    out[#out + 1] = fields[4]
    out[#out + 1] = fields[5]
  end
end
register(index, registry, ik)
return out
