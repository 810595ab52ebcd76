-- authly-session MySQL / MariaDB: the schema-version table, created before any migration runs.
-- migrate() reads a sessions table's row here to decide which migrations it still needs, and
-- records each version it reaches. Run by hand, insert (table name, version) after each file.
CREATE TABLE IF NOT EXISTS authly_session_schema (
    table_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version    BIGINT NOT NULL,
    PRIMARY KEY (table_name)
) ENGINE = InnoDB;
