-- authly-session MySQL / MariaDB schema, version 3: the identity index holds
-- (identity_key, handle) instead of (identity_key, expires_at). Listing and signing out
-- everywhere page through an identity by handle, which never changes, so a save or touch that
-- moves a session's expiry no longer rewrites its identity-index entry: InnoDB changes a
-- secondary index only when one of its columns changes. One statement, so the table never has
-- both indexes or neither.
ALTER TABLE authly_sessions
    ADD INDEX authly_sessions_owner_idx (identity_key, handle),
    DROP INDEX authly_sessions_identity_idx;
