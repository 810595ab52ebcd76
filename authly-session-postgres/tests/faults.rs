//! Semantics 16 and 17 against a real PostgreSQL server that this test stops and starts again
//! (`AUTHLY_TEST_POSTGRES_URL`, with the commands in `AUTHLY_TEST_POSTGRES_STOP` and
//! `AUTHLY_TEST_POSTGRES_START`). It disturbs every client of that server, so it lives in its own
//! target and its name starts with `fault_` (runners use `--skip fault_` for the rest); it always
//! leaves the server running.

authly_session_sql::fault_test! {
    authly_session_postgres::PostgresDialect,
    url: "AUTHLY_TEST_POSTGRES_URL",
    switch: "AUTHLY_TEST_POSTGRES",
    ignore: "needs AUTHLY_TEST_POSTGRES_URL, AUTHLY_TEST_POSTGRES_STOP and AUTHLY_TEST_POSTGRES_START",
}
