-- touch (cluster): move the expiry (and set last_seen_at to now) of a live session that still belongs to the identity whose
-- index was raised first. Returns 1 when moved, 0 when no live session, -1 when the session now
-- belongs to another identity (the caller starts over).
-- KEYS: session
-- ARGV: identity key, new expires_at, expiry of the key (unix ms), now
local fields = redis.call('HMGET', KEYS[1], 'e', 'k')
if not is_live(fields[1], ARGV[4]) then
  return 0
end
if fields[2] ~= ARGV[1] then
  return -1
end
redis.call('HSET', KEYS[1], 'e', ARGV[2], 'l', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
