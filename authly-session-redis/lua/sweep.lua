-- sweep (single node and cluster): prune the expired entries of up to `limit` indexes of one
-- registry shard that are due. Returns how many indexes it visited; the caller repeats while that
-- equals `limit`. Each index shares the shard's slot (same hash tag).
-- KEYS: registry shard
-- ARGV: now, limit, prefix
local registry = KEYS[1]
local now, limit, prefix = ARGV[1], ARGV[2], ARGV[3]

local due = redis.call('ZRANGEBYSCORE', registry, '-inf', now, 'LIMIT', 0, limit)
for _, ik in ipairs(due) do
  local index = index_key(prefix, ik)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
  register(index, registry, ik)
end
return #due
