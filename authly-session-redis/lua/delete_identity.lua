-- delete_identity (single node): end up to `batch` sessions of one identity, whatever their
-- expiry, and drop their index entries. Returns {how many of them were live, entries left}: the
-- caller repeats until none are left, so no call does unbounded work.
-- KEYS: index, registry
-- ARGV: identity key, now, prefix, batch
local index, registry = KEYS[1], KEYS[2]
local ik, now, prefix, batch = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local removed = 0
local handles = redis.call('ZRANGE', index, 0, batch - 1)
for _, handle in ipairs(handles) do
  local session = session_key(prefix, handle)
  local fields = redis.call('HMGET', session, 'e', 'k')
  if fields[2] == ik then
    redis.call('DEL', session)
    if is_live(fields[1], now) then
      removed = removed + 1
    end
  end
end
if #handles > 0 then
  redis.call('ZREM', index, unpack(handles))
end
local left = redis.call('ZCARD', index)
if left == 0 then
  redis.call('ZREM', registry, ik)
end
return {removed, left}
