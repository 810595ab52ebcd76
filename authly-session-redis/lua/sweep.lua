-- sweep (single node and cluster): prune the expired entries of the indexes that are due in the
-- given registry shards, visiting at most `limit` indexes. Returns how many it visited; the
-- caller repeats while that equals `limit`. Each index shares its shard's slot (same hash tag):
-- on a cluster the caller passes one shard per call, on a single node all of them at once.
-- KEYS: registry shards
-- ARGV: now, limit, prefix
local now, limit, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]

local visited = 0
for _, registry in ipairs(KEYS) do
  if visited >= limit then
    break
  end
  local due = redis.call('ZRANGEBYSCORE', registry, '-inf', now, 'LIMIT', 0, limit - visited)
  for _, ik in ipairs(due) do
    local index = index_key(prefix, ik)
    redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
    register(index, registry, ik)
  end
  visited = visited + #due
end
return visited
