-- Shared by every script of authly-session-redis (prepended to each).
--
-- Key layout (mirrors src/keys.rs and src/stored.rs; change them together):
--   {prefix}:s:{handle}             string  expires_at (19 digits) .. created_at (19) ..
--                                           last_seen_at (19) .. identity key (64 hex) ..
--                                           payload JSON; the key expires at expires_at (PXAT)
--   {prefix}:{xy}:i:{identity_key}  zset    handles of that identity, scored by expires_at
--   {prefix}:schema                 hash    v = schema version, since = time of the upgrade
-- Schema versions 1 and 2 kept a session in a hash (d = payload, e, k, c, l; no c and l in
-- version 1): scripts read such a hash as the string it stands for, and write strings.
--
-- Times are unix microseconds as decimal text. They are compared with tonumber (exact below
-- 2^53) and never turned back into text by Lua, which would round them.

-- Where the header's fields end (1-based, inclusive) and the payload starts.
local EXPIRES_END, CREATED_END, SEEN_END, OWNER_END = 19, 38, 57, 121

-- A time as the header holds it: 19 digits, zero-padded.
local function pad(time)
  return string.rep('0', 19 - #time) .. time
end

-- The session stored at `key` as a string in the current layout, or false when there is none.
-- A hash of schema version 1 or 2 is read as the string it stands for; `fallback` is the
-- created_at and last_seen_at of a version-1 hash, which had neither.
local function current(key, fallback)
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'string' then
    return redis.call('GET', key)
  end
  if kind ~= 'hash' then
    return false
  end
  local f = redis.call('HMGET', key, 'd', 'e', 'k', 'c', 'l')
  if not (f[1] and f[2] and f[3]) then
    return false
  end
  return pad(f[2]) .. pad(f[4] or fallback) .. pad(f[5] or fallback) .. f[3] .. f[1]
end

-- A stored session's expires_at and identity key.
local function expires_of(value)
  return string.sub(value, 1, EXPIRES_END)
end

local function owner_of(value)
  return string.sub(value, SEEN_END + 1, OWNER_END)
end

-- Whether a stored expiry (text) is still in the future by the application's clock `now`.
local function is_live(expires_at, now)
  local e = tonumber(expires_at)
  return e ~= nil and e > tonumber(now)
end

-- Raises the handle's score in the identity's index to at least `score` (never lowers it) and
-- keeps the index until at least `until_ms` (its sessions' last expiry plus the pruning grace).
local function raise(index, handle, score, until_ms)
  redis.call('ZADD', index, 'GT', score, handle)
  redis.call('PEXPIREAT', index, until_ms, 'NX')
  redis.call('PEXPIREAT', index, until_ms, 'GT')
end
