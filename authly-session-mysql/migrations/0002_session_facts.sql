-- authly-session MySQL / MariaDB schema, version 2: when each session began and was last used.
-- Sessions stored by version 1 get the time of the upgrade for both (UTC, the server's clock at
-- the migration), never 1970; their payload stays {"v":1,...} and reads with empty metadata.
-- Three steps, because MySQL 8 takes no expression default in ADD COLUMN on every version.
ALTER TABLE authly_sessions
    ADD COLUMN created_at   DATETIME(6) NULL,  -- sign-in time, UTC
    ADD COLUMN last_seen_at DATETIME(6) NULL;  -- last save, update or touch, UTC

UPDATE authly_sessions
    SET created_at = UTC_TIMESTAMP(6), last_seen_at = UTC_TIMESTAMP(6)
    WHERE created_at IS NULL;

ALTER TABLE authly_sessions
    MODIFY created_at   DATETIME(6) NOT NULL,
    MODIFY last_seen_at DATETIME(6) NOT NULL;
