-- Shared by every script of authly-session-redis (prepended to each).
--
-- Key layout (mirrors src/keys.rs; change both together):
--   {prefix}:s:{handle}            hash  d = payload JSON (identity, metadata), e = expires_at,
--                                        k = identity key, c = created_at, l = last_seen_at
--                                        (times in unix micros; c and l absent in version-1 hashes)
--   {prefix}:schema                hash  v = schema version, since = time of the upgrade to it
--   {prefix}:{xy}:i:{identity_key} zset  handles of that identity, scored by expires_at
--   {prefix}:{xy}:r                zset  identity keys of shard xy, scored by their index's lowest score
-- where xy is the first two hex digits of the identity key, so an index and its registry shard
-- always share a cluster slot.
--
-- Times are unix microseconds and arrive as decimal strings; they are compared with tonumber
-- (exact below 2^53) but never converted back to strings, which Lua would round.

local function session_key(prefix, handle)
  return prefix .. ':s:' .. handle
end

local function index_key(prefix, ik)
  return prefix .. ':{' .. string.sub(ik, 1, 2) .. '}:i:' .. ik
end

local function registry_key(prefix, ik)
  return prefix .. ':{' .. string.sub(ik, 1, 2) .. '}:r'
end

-- Makes `key` live at least `ttl` more milliseconds (never shortens it).
local function extend_ttl(key, ttl)
  if redis.call('PTTL', key) < tonumber(ttl) then
    redis.call('PEXPIRE', key, ttl)
  end
end

-- Records in the registry shard when the index next holds an expired entry (its lowest score),
-- or forgets the identity once its index is empty.
local function register(index, registry, ik)
  local first = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
  if first[2] then
    redis.call('ZADD', registry, first[2], ik)
  else
    redis.call('ZREM', registry, ik)
  end
end

-- Removes `handle` from the index of identity `ik` and updates the registry.
local function unindex(prefix, ik, handle)
  local index = index_key(prefix, ik)
  redis.call('ZREM', index, handle)
  register(index, registry_key(prefix, ik), ik)
end

-- Whether a stored expiry (a string, or false when absent) is still in the future.
local function is_live(expires_at, now)
  local e = tonumber(expires_at)
  return e ~= nil and e > tonumber(now)
end
