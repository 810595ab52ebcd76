-- index (cluster): raise the handle's score in its identity index to at least expires_at, before
-- the session itself is written (see the README: an index score is never below the expiry of a
-- live session of that identity).
-- KEYS: index, registry
-- ARGV: identity key, handle, expires_at
local index, registry = KEYS[1], KEYS[2]
local ik, handle, expires_at = ARGV[1], ARGV[2], ARGV[3]

redis.call('ZADD', index, 'GT', expires_at, handle)
prune(index, prune_cutoff(), PRUNE_ON_WRITE)
keep_until(index, expires_at)
register(index, registry, ik)
keep_until(registry, expires_at)
return 1
