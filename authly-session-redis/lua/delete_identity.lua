-- delete_identity (single node): end up to `batch` sessions of one identity, whatever their
-- expiry, and drop their index entries. Returns {sessions deleted, entries left}: the
-- caller repeats until none are left, so no call does unbounded work.
-- KEYS: index, registry
-- ARGV: identity key, prefix, batch
local index, registry = KEYS[1], KEYS[2]
local ik, prefix, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])

local removed = 0
local handles = redis.call('ZRANGE', index, 0, batch - 1)
for _, handle in ipairs(handles) do
  local session = session_key(prefix, handle)
  if redis.call('HGET', session, 'k') == ik then
    removed = removed + redis.call('DEL', session)
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
