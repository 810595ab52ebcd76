-- authly-session SQLite schema, version 2: when each session began and was last used.
-- Sessions stored by version 1 get the time of the upgrade for both (microseconds since the
-- epoch, UTC), never 1970; their payload stays {"v":1,...} and reads with empty metadata.
ALTER TABLE authly_sessions ADD COLUMN created_at   INTEGER NOT NULL DEFAULT 0; -- sign-in time
ALTER TABLE authly_sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0; -- last save, update or touch

UPDATE authly_sessions
    SET created_at   = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER),
        last_seen_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
    WHERE created_at = 0;
