//! Each backend's setup: its store, its raw sides, fresh tables, and cleanup afterwards.

pub mod mysql;
pub mod postgres;
pub mod redis;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use authly_session::SessionStore;

use crate::report::{CellResult, Role, SideInfo};
use crate::run::{Plan, Side};
use crate::targets::{BenchError, StoreTarget, Target};
use crate::workload::Workload;

/// A backend the benchmark can measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `SqliteStore` on a file database.
    Sqlite,
    /// `PostgresStore`.
    Postgres,
    /// `MySqlStore` on MySQL.
    Mysql,
    /// `MySqlStore` on MariaDB.
    Mariadb,
    /// `RedisStore` on one server.
    Redis,
    /// `RedisStore` on a Redis Cluster (`--url` lists nodes, comma-separated).
    RedisCluster,
}

impl Backend {
    /// Every backend.
    pub const ALL: [Backend; 6] = [
        Backend::Sqlite,
        Backend::Postgres,
        Backend::Mysql,
        Backend::Mariadb,
        Backend::Redis,
        Backend::RedisCluster,
    ];

    /// The backend called `name`.
    pub fn parse(name: &str) -> Result<Backend, String> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| {
                let names: Vec<_> = Backend::ALL.iter().map(|b| b.name()).collect();
                format!(
                    "unknown backend {name:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }

    /// Its name on the command line and in reports.
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

    /// Whether it needs `--url` (SQLite is embedded).
    pub fn needs_url(self) -> bool {
        self != Backend::Sqlite
    }
}

/// What measuring one backend produced.
pub struct Measured {
    /// Server (or library) and version.
    pub server: String,
    /// The sides compared.
    pub sides: Vec<SideInfo>,
    /// Every side's figures in every cell.
    pub cells: Vec<CellResult>,
}

/// Sets up `backend`, measures every cell, and removes what it created (also after a failure).
/// `work_dir` is where an embedded database may keep its files.
pub async fn measure(
    backend: Backend,
    url: Option<&str>,
    work_dir: &Path,
    workload: &Arc<Workload>,
    plan: &Plan,
    aa: bool,
) -> Result<Measured, BenchError> {
    let url = || url.ok_or_else(|| format!("backend {} needs a URL", backend.name()));
    match backend {
        Backend::Sqlite => sqlite::measure(work_dir, workload, plan, aa).await,
        Backend::Postgres => postgres::measure(url()?, workload, plan, aa).await,
        Backend::Mysql | Backend::Mariadb => {
            mysql::measure(backend.name(), url()?, workload, plan, aa).await
        }
        Backend::Redis | Backend::RedisCluster => {
            let urls: Vec<&str> = url()?
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .collect();
            if urls.is_empty() {
                return Err(format!("backend {} needs a URL", backend.name()).into());
            }
            let cluster = backend == Backend::RedisCluster;
            redis::measure(backend.name(), &urls, cluster, workload, plan, aa).await
        }
    }
}

/// The store side; for an A/A run (`aa`), a raw twin on the store's table in its place.
pub fn store_side<S: SessionStore, R: Target>(
    aa: bool,
    setup: String,
    store: S,
    twin: impl FnOnce() -> R,
) -> Side {
    let info = |setup| SideInfo {
        name: "store".into(),
        setup,
        role: Role::Store,
    };
    if aa {
        let setup = "A/A check: a second copy of the `raw` side in place of the store".to_owned();
        Side::new(info(setup), twin())
    } else {
        Side::new(info(setup), StoreTarget(store))
    }
}

/// A fresh table name (or Redis key prefix) for one side of this run:
/// `authly_bench_<pid>_<side>`.
pub fn table_name(side: &str) -> String {
    format!(
        "authly_bench_{}_{}",
        std::process::id(),
        side.replace('-', "_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for backend in Backend::ALL {
            assert_eq!(Backend::parse(backend.name()), Ok(backend));
        }
        assert!(Backend::parse("oracle").is_err());
    }

    #[test]
    fn table_names_are_valid_identifiers() {
        let name = table_name("raw-naive");
        assert!(authly_session::TableName::new(&name).is_ok(), "{name}");
        assert_ne!(table_name("store"), table_name("raw"));
    }
}
