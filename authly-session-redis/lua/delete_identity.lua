-- delete_identity (single node): end every session of one identity. Returns how many were live.
-- KEYS: index, registry
-- ARGV: identity key, now, prefix
local index, registry = KEYS[1], KEYS[2]
local ik, now, prefix = ARGV[1], ARGV[2], ARGV[3]

local removed = 0
for _, handle in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  local session = session_key(prefix, handle)
  local fields = redis.call('HMGET', session, 'e', 'k')
  if fields[2] == ik then
    redis.call('DEL', session)
    if is_live(fields[1], now) then
      removed = removed + 1
    end
  end
end
redis.call('DEL', index)
redis.call('ZREM', registry, ik)
return removed
