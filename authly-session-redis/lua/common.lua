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
-- (exact below 2^53) and only ever turned back into strings with '%.0f' (Lua's default would
-- round them).
--
-- Clocks: the application's clock (ARGV `now`) decides whether a session is live. Key expiry and
-- index pruning follow the server's clock instead, so no app instance, however skewed, can
-- remove what another instance still loads: a session key expires at its expires_at
-- (PEXPIREAT), and an index entry is pruned only once its score is PRUNE_GRACE older than the
-- server's time, or once its session is provably gone.

-- How long after its expiry (server clock, microseconds) an index entry may be pruned: 5 min.
local PRUNE_GRACE = 300000000

-- Index entries removed per call of a write script, at most (bounded work).
local PRUNE_ON_WRITE = 16

-- The server's time in unix microseconds.
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- The score below which index entries may be pruned, as a decimal string.
local function prune_cutoff()
  return string.format('%.0f', server_now() - PRUNE_GRACE)
end

-- Removes at most `limit` entries of `index` scored at or below `cutoff`; returns how many.
local function prune(index, cutoff, limit)
  local stale = redis.call('ZRANGEBYSCORE', index, '-inf', cutoff, 'LIMIT', 0, limit)
  if #stale > 0 then
    redis.call('ZREM', index, unpack(stale))
  end
  return #stale
end

local function session_key(prefix, handle)
  return prefix .. ':s:' .. handle
end

local function index_key(prefix, ik)
  return prefix .. ':{' .. string.sub(ik, 1, 2) .. '}:i:' .. ik
end

local function registry_key(prefix, ik)
  return prefix .. ':{' .. string.sub(ik, 1, 2) .. '}:r'
end

-- Makes `key` (an index or registry shard) live at least until PRUNE_GRACE after `expires_at`
-- by the server's clock (never shortens it).
local function keep_until(key, expires_at)
  local ttl = math.ceil((tonumber(expires_at) + PRUNE_GRACE - server_now()) / 1000)
  if ttl > 0 and redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, string.format('%.0f', ttl))
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
