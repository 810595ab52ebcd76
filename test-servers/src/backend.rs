//! The backends, by name, and the variables that name their servers.

use std::fmt;
use std::str::FromStr;

/// A storage backend under test or measurement. MySQL and MariaDB share one crate but are
/// separate servers, and so are Redis and Redis Cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    /// `SqliteStore`: embedded, no server.
    Sqlite,
    /// `PostgresStore`.
    Postgres,
    /// `MySqlStore` on MySQL.
    Mysql,
    /// `MySqlStore` on MariaDB.
    Mariadb,
    /// `RedisStore` on one server.
    Redis,
    /// `RedisStore` on a Redis Cluster (its URL lists nodes, comma-separated).
    RedisCluster,
}

impl Backend {
    /// Every backend, in the order runs and reports take them.
    pub const ALL: [Backend; 6] = [
        Backend::Sqlite,
        Backend::Postgres,
        Backend::Mysql,
        Backend::Mariadb,
        Backend::Redis,
        Backend::RedisCluster,
    ];

    /// Its name on command lines and in reports.
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

    /// Every backend's name, comma-separated, for messages.
    pub fn names() -> String {
        Backend::ALL.map(Backend::name).join(", ")
    }

    /// The variable naming a server of this backend (`None`: embedded, no server).
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

    /// Whether it needs a server URL (SQLite is embedded).
    pub fn needs_url(self) -> bool {
        self.url_variable().is_some()
    }

    /// The variables naming the shell commands that stop and start the server named by
    /// [`Backend::url_variable`], for the fault tests (`None`: no fault test).
    pub fn fault_variables(self) -> Option<(&'static str, &'static str)> {
        match self {
            Backend::Postgres => Some(("AUTHLY_TEST_POSTGRES_STOP", "AUTHLY_TEST_POSTGRES_START")),
            Backend::Mysql => Some(("AUTHLY_TEST_MYSQL_STOP", "AUTHLY_TEST_MYSQL_START")),
            Backend::Mariadb => Some(("AUTHLY_TEST_MARIADB_STOP", "AUTHLY_TEST_MARIADB_START")),
            Backend::Redis => Some(("AUTHLY_TEST_REDIS_STOP", "AUTHLY_TEST_REDIS_START")),
            Backend::Sqlite | Backend::RedisCluster => None,
        }
    }
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(name: &str) -> Result<Backend, String> {
        Backend::ALL
            .into_iter()
            .find(|backend| backend.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown backend {name:?}; expected one of {}",
                    Backend::names()
                )
            })
    }
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
    fn every_name_parses_back_and_unknown_names_list_the_choices() {
        assert!(
            Backend::ALL
                .iter()
                .all(|b| b.name().parse::<Backend>() == Ok(*b))
        );
        let error = "oracle".parse::<Backend>().unwrap_err();
        assert!(error.contains(&Backend::names()), "{error}");
    }

    #[test]
    fn only_sqlite_is_embedded_and_only_the_cluster_lacks_stop_commands() {
        for backend in Backend::ALL {
            assert_eq!(backend.needs_url(), backend != Backend::Sqlite);
            let faults = !matches!(backend, Backend::Sqlite | Backend::RedisCluster);
            assert_eq!(backend.fault_variables().is_some(), faults, "{backend}");
        }
        // MariaDB has variables of its own: a MySQL server does not count for it.
        assert_eq!(
            Backend::Mariadb.url_variable(),
            Some("AUTHLY_TEST_MARIADB_URL")
        );
    }
}
