-- list page (single node): the sessions of one page of an identity's index entries, as a flat
-- array {handle, value, ...} of those still stored for that identity (live or not: the caller
-- judges); entries whose session is gone or now belongs to another identity are removed from the
-- index, which is exact on a single node because every write there is atomic.
-- KEYS: index, then one session key per handle
-- ARGV: identity key, version-1 fallback time, then the handles
local out = {}
for i = 2, #KEYS do
  local handle = ARGV[i + 1]
  local stored = current(KEYS[i], ARGV[2])
  if stored and owner_of(stored) == ARGV[1] then
    out[#out + 1] = handle
    out[#out + 1] = stored
  else
    redis.call('ZREM', KEYS[1], handle)
  end
end
return out
