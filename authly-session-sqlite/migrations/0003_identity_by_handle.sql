-- authly-session SQLite schema, version 3: the identity index holds (identity_key, handle)
-- instead of (identity_key, expires_at). Listing and signing out everywhere page through an
-- identity by handle, which never changes, so a save or touch that moves a session's expiry no
-- longer rewrites its identity-index entry: SQLite changes an index only when one of its
-- columns changes.
CREATE INDEX IF NOT EXISTS authly_sessions_owner_idx ON authly_sessions (identity_key, handle);
DROP INDEX IF EXISTS authly_sessions_identity_idx;
