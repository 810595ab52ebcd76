-- delete if owned (cluster): delete the session if it belongs to the identity. Returns 1 if it
-- did.
-- KEYS: session
-- ARGV: identity key
if redis.call('HGET', KEYS[1], 'k') ~= ARGV[1] then
  return 0
end
return redis.call('DEL', KEYS[1])
