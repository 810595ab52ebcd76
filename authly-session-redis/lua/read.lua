-- read: the session as a string in the current layout (a hash of an older schema version
-- converted), or false. Used for keys a plain GET cannot read.
-- KEYS: session
-- ARGV: created_at and last_seen_at of a version-1 hash
return current(KEYS[1], ARGV[1])
