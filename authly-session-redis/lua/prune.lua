-- prune (cluster): remove at most `limit` entries of an identity index whose score lies more than
-- the grace in the past by the server's clock. A cluster cannot check a session in another slot
-- atomically, so its indexes are pruned by time alone, and never by an app instance's clock.
-- Returns how many it removed.
-- KEYS: index
-- ARGV: grace (microseconds), limit
local t = redis.call('TIME')
local cutoff = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]) - tonumber(ARGV[1]))
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, ARGV[2])
if #stale > 0 then
  redis.call('ZREM', KEYS[1], unpack(stale))
end
return #stale
