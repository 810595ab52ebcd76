-- authly-session PostgreSQL schema, version 3: the identity index holds (identity_key, handle)
-- instead of (identity_key, expires_at). Listing and signing out everywhere page through an
-- identity by handle, which never changes. (PostgreSQL writes a new entry into every index on
-- an update that changes any indexed column, so here this saves no work on a save or touch; it
-- keeps one listing for every database, and pages that never shift while expiries move.)
-- Building the index locks the table against writes for as long as it takes: on a large table,
-- migrate from a store given a longer timeout.
CREATE INDEX IF NOT EXISTS authly_sessions_owner_idx ON authly_sessions (identity_key, handle);
DROP INDEX IF EXISTS authly_sessions_identity_idx;
