-- authly-session MySQL / MariaDB schema, version 1 (MySQL 8.0+, MariaDB 10.11+).
-- Written for the default table name `authly_sessions`; MySqlStore::migrate() renames it for a
-- custom table. A DBA can run this file as it is with any MySQL tool, then record the version
-- (see the README).

-- One row per session, keyed by the session handle (hex SHA-256 of the id), never the id itself.
-- Keys are ASCII with a binary collation: compared byte for byte, never case-insensitively.
-- Expiry is DATETIME(6) holding UTC (not TIMESTAMP: no time-zone conversion, no 2038 limit).
-- The indexes live in CREATE TABLE because MySQL 8 has no CREATE INDEX IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS authly_sessions (
    handle       CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, -- session_handle(id)
    identity_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, -- identity_key(provider_id, external_id)
    data         MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL,               -- {"v":1,"identity":{...}}
    expires_at   DATETIME(6) NOT NULL,                                    -- UTC, microseconds kept
    PRIMARY KEY (handle),
    KEY authly_sessions_expires_idx (expires_at),                         -- delete_expired
    KEY authly_sessions_identity_idx (identity_key, expires_at)           -- list / sign out everywhere
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
