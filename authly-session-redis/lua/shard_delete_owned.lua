-- delete if owned (cluster): delete the session if it belongs to the identity. Returns 1 if it
-- was live.
-- KEYS: session
-- ARGV: identity key, now
local fields = redis.call('HMGET', KEYS[1], 'e', 'k')
if fields[2] ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
if is_live(fields[1], ARGV[2]) then
  return 1
end
return 0
