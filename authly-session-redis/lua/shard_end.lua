-- end (cluster): delete the session if it is live. Returns 1 if it was.
-- KEYS: session
-- ARGV: now
if is_live(redis.call('HGET', KEYS[1], 'e'), ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
