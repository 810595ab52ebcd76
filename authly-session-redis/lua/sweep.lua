-- sweep (single node and cluster): prune the index entries that expired PRUNE_GRACE ago by the
-- server's clock, in the indexes that are due in the given registry shards, removing at most
-- `budget` entries (each index visited costs at least one). Returns 1 when it stopped at its budget (the caller calls again), else 0.
-- Each index shares its shard's slot (same hash tag): on a cluster the caller passes one shard
-- per call, on a single node all of them at once.
-- KEYS: registry shards
-- ARGV: budget, prefix
local budget, prefix = tonumber(ARGV[1]), ARGV[2]
local cutoff = prune_cutoff()

for _, registry in ipairs(KEYS) do
  local due = redis.call('ZRANGEBYSCORE', registry, '-inf', cutoff, 'LIMIT', 0, budget)
  for _, ik in ipairs(due) do
    local index = index_key(prefix, ik)
    budget = budget - math.max(1, prune(index, cutoff, budget))
    register(index, registry, ik)
    if budget <= 0 then
      return 1
    end
  end
end
return 0
