-- authly-session PostgreSQL schema, version 2: when each session began and was last used.
-- Sessions stored by version 1 get the time of the upgrade for both (the server's clock at the
-- migration), never 1970; their payload stays {"v":1,...} and reads with empty metadata.
ALTER TABLE authly_sessions
    ADD COLUMN IF NOT EXISTS created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),  -- sign-in time
    ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now();  -- last save, update or touch

-- Every write names both columns; the defaults only filled the rows that were already there.
ALTER TABLE authly_sessions
    ALTER COLUMN created_at DROP DEFAULT,
    ALTER COLUMN last_seen_at DROP DEFAULT;
