-- update: replace a live session, keeping its created_at; with a second key (a single node),
-- also raise its entry in the identity index, atomically. Returns 1 when written, 0 when no live
-- session was there (nothing written).
-- KEYS: session [, index]
-- ARGV: new value, key expiry (unix ms), now, version-1 fallback time, handle, index score,
--       index expiry (unix ms)
local stored = current(KEYS[1], ARGV[4])
if not stored or not is_live(expires_of(stored), ARGV[3]) then
  return 0
end
local value = ARGV[1]
value = string.sub(value, 1, EXPIRES_END) .. string.sub(stored, EXPIRES_END + 1, CREATED_END)
  .. string.sub(value, CREATED_END + 1)
redis.call('SET', KEYS[1], value, 'PXAT', ARGV[2])
if KEYS[2] then
  raise(KEYS[2], ARGV[5], ARGV[6], ARGV[7])
end
return 1
