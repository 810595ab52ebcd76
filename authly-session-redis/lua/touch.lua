-- touch: move a live session's expiry and set its last_seen_at to now, if it still belongs to
-- the identity the caller indexed it under; end it when the new expiry has passed. With a second
-- key (a single node) the index entry follows, atomically. Returns 1 when a live session was
-- moved or ended, 0 when none was live, -1 when it now belongs to another identity.
-- KEYS: session [, index]
-- ARGV: identity key, new expires_at (19 digits), key expiry (unix ms), now (19 digits),
--       version-1 fallback time, handle, index expiry (unix ms)
local stored = current(KEYS[1], ARGV[5])
if not stored or not is_live(expires_of(stored), ARGV[4]) then
  return 0
end
if owner_of(stored) ~= ARGV[1] then
  return -1
end
if not is_live(ARGV[2], ARGV[4]) then
  redis.call('DEL', KEYS[1])
  if KEYS[2] then
    redis.call('ZREM', KEYS[2], ARGV[6])
  end
  return 1
end
local value = ARGV[2] .. string.sub(stored, EXPIRES_END + 1, CREATED_END) .. ARGV[4]
  .. string.sub(stored, SEEN_END + 1)
redis.call('SET', KEYS[1], value, 'PXAT', ARGV[3])
if KEYS[2] then
  raise(KEYS[2], ARGV[6], ARGV[2], ARGV[7])
end
return 1
