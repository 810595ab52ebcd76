//! The backends xtask knows, and what each needs: its crate, its variables, its tests.

use std::fmt;

/// A storage backend under test. MySQL and MariaDB share one crate but are separate servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
    Mariadb,
    Redis,
    RedisCluster,
}

impl Backend {
    pub const ALL: [Backend; 6] = [
        Backend::Sqlite,
        Backend::Postgres,
        Backend::Mysql,
        Backend::Mariadb,
        Backend::Redis,
        Backend::RedisCluster,
    ];

    pub fn parse(name: &str) -> Result<Backend, String> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown backend {name:?}; expected one of {}",
                    Backend::names()
                )
            })
    }

    pub fn names() -> String {
        Backend::ALL.map(|b| b.name()).join(", ")
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
            Backend::Mariadb => "mariadb",
            Backend::Redis => "redis",
            Backend::RedisCluster => "redis-cluster",
        }
    }

    /// The crates whose tests cover this backend.
    pub fn packages(self) -> &'static [&'static str] {
        match self {
            Backend::Sqlite => &["authly-session", "authly-session-sqlite", "xtask"],
            Backend::Postgres => &["authly-session-postgres"],
            Backend::Mysql | Backend::Mariadb => &["authly-session-mysql"],
            Backend::Redis | Backend::RedisCluster => &["authly-session-redis"],
        }
    }

    /// The variable a user sets to test against their own server (`None`: embedded).
    pub fn url_variable(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some("AUTHLY_TEST_POSTGRES_URL"),
            Backend::Mysql => Some("AUTHLY_TEST_MYSQL_URL"),
            Backend::Mariadb => Some("AUTHLY_TEST_MARIADB_URL"),
            Backend::Redis => Some("AUTHLY_TEST_REDIS_URL"),
            Backend::RedisCluster => Some("AUTHLY_TEST_REDIS_CLUSTER_URLS"),
        }
    }

    /// The variable the crate's tests read the URL from (MariaDB runs the MySQL crate's tests).
    pub fn test_variable(self) -> Option<&'static str> {
        match self {
            Backend::Mariadb => Some("AUTHLY_TEST_MYSQL_URL"),
            other => other.url_variable(),
        }
    }

    /// The variables naming the commands that stop and start the server, for the fault tests
    /// (`None`: this backend has no fault test).
    pub fn fault_variables(self) -> Option<(&'static str, &'static str)> {
        match self {
            Backend::Postgres => Some(("AUTHLY_TEST_POSTGRES_STOP", "AUTHLY_TEST_POSTGRES_START")),
            Backend::Mysql => Some(("AUTHLY_TEST_MYSQL_STOP", "AUTHLY_TEST_MYSQL_START")),
            Backend::Mariadb => Some(("AUTHLY_TEST_MARIADB_STOP", "AUTHLY_TEST_MARIADB_START")),
            Backend::Redis => Some(("AUTHLY_TEST_REDIS_STOP", "AUTHLY_TEST_REDIS_START")),
            Backend::Sqlite | Backend::RedisCluster => None,
        }
    }

    /// The names the crate's fault test reads its stop/start commands from.
    pub fn fault_test_variables(self) -> Option<(&'static str, &'static str)> {
        match self {
            Backend::Mariadb => Backend::Mysql.fault_variables(),
            other => other.fault_variables(),
        }
    }

    /// Test-name filters for `cargo test`: the crate's Redis tests are split between the single
    /// node and the cluster by whether their name holds `cluster`.
    pub fn test_filter(self) -> TestFilter {
        match self {
            Backend::Redis => TestFilter::Skip("cluster"),
            Backend::RedisCluster => TestFilter::Only("cluster"),
            _ => TestFilter::All,
        }
    }
}

/// Which of a crate's tests belong to a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestFilter {
    All,
    Only(&'static str),
    Skip(&'static str),
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for backend in Backend::ALL {
            assert_eq!(Backend::parse(backend.name()), Ok(backend));
        }
        assert!(
            Backend::parse("oracle")
                .unwrap_err()
                .contains("redis-cluster")
        );
    }

    #[test]
    fn mariadb_runs_the_mysql_crate_under_the_mysql_variable() {
        assert_eq!(Backend::Mariadb.packages(), Backend::Mysql.packages());
        assert_eq!(
            Backend::Mariadb.test_variable(),
            Some("AUTHLY_TEST_MYSQL_URL")
        );
        assert_eq!(
            Backend::Mariadb.url_variable(),
            Some("AUTHLY_TEST_MARIADB_URL")
        );
        assert_eq!(
            Backend::Mariadb.fault_test_variables(),
            Backend::Mysql.fault_variables()
        );
    }

    #[test]
    fn every_server_backend_has_a_variable() {
        for backend in Backend::ALL {
            assert_eq!(backend.url_variable().is_none(), backend == Backend::Sqlite);
        }
    }
}
