-- remove (single node): delete a session and its index entry. Returns 1 if it existed.
-- KEYS: session
-- ARGV: handle, prefix
local session, handle, prefix = KEYS[1], ARGV[1], ARGV[2]
local ik = redis.call('HGET', session, 'k')
local existed = redis.call('DEL', session)
if ik then
  unindex(prefix, ik, handle)
end
return existed
