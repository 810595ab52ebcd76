-- save (single node): write the session and raise its index entry, atomically.
-- KEYS: session, index
-- ARGV: value, key expiry (unix ms), handle, index score, index expiry (unix ms)
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
raise(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
