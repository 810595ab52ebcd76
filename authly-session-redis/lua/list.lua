-- list (single node): one page of the sessions of one identity, as a flat array
-- {next cursor, handle, payload, expires_at, created_at, last_seen_at, ...} holding the live ones
-- (created_at and last_seen_at false in a version-1 hash). Pages follow ZSCAN, so an entry
-- indexed for the whole listing is returned at least once however its score moves meanwhile
-- (the caller drops repeats). Prunes the page's entries whose session is gone or now belongs to
-- another identity. Cursor 0 starts a listing; a next cursor of 0 ends it.
-- KEYS: index
-- ARGV: identity key, now, prefix, cursor, page size
local index = KEYS[1]
local ik, now, prefix, cursor, page = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local scanned = redis.call('ZSCAN', index, cursor, 'COUNT', page)
local out = {scanned[1]}
local entries = scanned[2]
for i = 1, #entries, 2 do
  local handle = entries[i]
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
return out
