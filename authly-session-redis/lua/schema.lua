-- schema: the keyspace's schema version, brought up to `newest`. A keyspace without a record was
-- written by version 1 (or is new). Records the time of the upgrade once; it is the created_at
-- and last_seen_at of sessions written by version 1. Never lowers a version.
-- Returns {version found, time of the upgrade or false}.
-- KEYS: schema
-- ARGV: newest version, now
local found = tonumber(redis.call('HGET', KEYS[1], 'v')) or 1
if found < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'v', ARGV[1])
  redis.call('HSETNX', KEYS[1], 'since', ARGV[2])
end
return {found, redis.call('HGET', KEYS[1], 'since')}
