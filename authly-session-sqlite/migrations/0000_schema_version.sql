-- authly-session SQLite: the schema-version table, created before any migration runs.
-- migrate() reads a sessions table's row here to decide which migrations it still needs, and
-- records each version it reaches. Run by hand, insert (table name, version) after each file.
CREATE TABLE IF NOT EXISTS authly_session_schema (
    table_name TEXT    NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL
);
