-- authly-session PostgreSQL schema, version 1.
-- Written for the default table name `authly_sessions`; PostgresStore::migrate() renames it for a
-- custom table (and puts every object in that table's schema). A DBA can run this file as it is
-- with any PostgreSQL tool, then record the version (see the README).

-- One row per session, keyed by the session handle (hex SHA-256 of the id), never the id itself.
-- The payload is TEXT, not JSONB: JSONB rejects the escaped NUL (\u0000) a string may hold.
CREATE TABLE IF NOT EXISTS authly_sessions (
    handle       TEXT COLLATE "C" NOT NULL PRIMARY KEY, -- session_handle(id): 64 lowercase hex digits
    identity_key TEXT COLLATE "C" NOT NULL,             -- identity_key(provider_id, external_id): 64 hex digits
    data         TEXT             NOT NULL,             -- {"v":1,"identity":{...}}
    expires_at   TIMESTAMPTZ      NOT NULL              -- when the session ends (microseconds kept)
);

-- delete_expired scans by expiry.
CREATE INDEX IF NOT EXISTS authly_sessions_expires_idx ON authly_sessions (expires_at);

-- list_identity_sessions and delete_identity_sessions look sessions up by identity.
CREATE INDEX IF NOT EXISTS authly_sessions_identity_idx ON authly_sessions (identity_key, expires_at);
