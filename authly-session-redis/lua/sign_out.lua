-- sign out: delete the given sessions that belong to the identity; with the index as first key
-- (a single node), also drop their entries. Returns how many sessions it deleted.
-- KEYS: [index,] one session key per handle
-- ARGV: identity key, version-1 fallback time, 'index' or 'sessions', then the handles
local first = 1
if ARGV[3] == 'index' then
  first = 2
end
local deleted = 0
for i = first, #KEYS do
  local stored = current(KEYS[i], ARGV[2])
  if stored and owner_of(stored) == ARGV[1] then
    deleted = deleted + redis.call('DEL', KEYS[i])
  end
  if first == 2 then
    redis.call('ZREM', KEYS[1], ARGV[i + 2])
  end
end
return deleted
