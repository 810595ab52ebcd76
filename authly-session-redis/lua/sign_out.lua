-- sign out: delete the session if it belongs to the identity. Returns 1 if it did, else 0.
-- KEYS: session
-- ARGV: identity key, version-1 fallback time
local stored = current(KEYS[1], ARGV[2])
if stored and owner_of(stored) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
