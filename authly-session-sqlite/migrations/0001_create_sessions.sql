-- authly-session SQLite schema, version 1.
-- Written for the default table name `authly_sessions`; SqliteStore::migrate() renames it for a
-- custom table. A DBA can run this file as it is with any SQLite tool.

-- One row per session, keyed by the session handle (hex SHA-256 of the id), never the id itself.
CREATE TABLE IF NOT EXISTS authly_sessions (
    handle       TEXT    NOT NULL PRIMARY KEY,  -- session_handle(id): 64 lowercase hex digits
    identity_key TEXT    NOT NULL,              -- identity_key(provider_id, external_id): 64 hex digits
    data         TEXT    NOT NULL,              -- {"v":1,"identity":{...}}
    expires_at   INTEGER NOT NULL               -- microseconds since the Unix epoch, UTC
);

-- delete_expired scans by expiry.
CREATE INDEX IF NOT EXISTS authly_sessions_expires_idx ON authly_sessions (expires_at);

-- list_identity_sessions and delete_identity_sessions look sessions up by identity.
CREATE INDEX IF NOT EXISTS authly_sessions_identity_idx ON authly_sessions (identity_key, expires_at);
