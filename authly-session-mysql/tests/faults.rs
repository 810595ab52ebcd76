//! Semantics 16 and 17 against a real MySQL or MariaDB server that this test stops and starts
//! again (`AUTHLY_TEST_MYSQL_URL`, with the commands in `AUTHLY_TEST_MYSQL_STOP` and
//! `AUTHLY_TEST_MYSQL_START`; `cargo xtask test` sets them for the `mysql` and `mariadb`
//! backends alike). It disturbs every client of that server, so it lives in its own target and
//! its name starts with `fault_` (runners use `--skip fault_` for the rest); it always leaves the
//! server running.

authly_session_sql::fault_test! {
    authly_session_mysql::MySqlDialect,
    url: "AUTHLY_TEST_MYSQL_URL",
    switch: "AUTHLY_TEST_MYSQL",
    ignore: "needs AUTHLY_TEST_MYSQL_URL, AUTHLY_TEST_MYSQL_STOP and AUTHLY_TEST_MYSQL_START",
}
