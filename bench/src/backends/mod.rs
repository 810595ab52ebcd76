//! Each backend's setup: its store, its raw sides, fresh tables, and cleanup afterwards.

pub mod fill;
pub mod redis;
pub mod scale;
pub mod sql_server;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use authly_session::SessionStore;
use authly_session_mysql::MySqlDialect;
use authly_session_postgres::PostgresDialect;
use authly_session_sql::sqlx::{Database, Pool};
use authly_test_servers::{Backend, values};

use crate::report::{CellResult, Role};
use crate::run::{Plan, Side};
use crate::targets::{BenchError, StoreTarget, Target};
use crate::workload::Workload;

/// What every backend's measurement takes: the sessions, the cells, and the kind of run.
pub struct Job {
    /// The sessions every table is filled with.
    pub workload: Arc<Workload>,
    /// The cells and their timing.
    pub plan: Plan,
    /// An A/A run: a second copy of the raw side stands in for the store.
    pub aa: bool,
    /// Every SQL server side connects with TLS required (the peer, which cannot, is left out).
    pub tls: bool,
    /// What is measured.
    pub mode: Mode,
}

/// What a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The store beside its raw floor and its peers, every table filled with the job's sessions.
    Compare,
    /// The store on a table of `rows` sessions beside the same store on the job's sessions
    /// (SQL backends; both tables bulk-filled).
    Scale {
        /// Sessions in the large table.
        rows: usize,
    },
    /// The store's `delete_expired` through `rows` expired rows, with the job's sessions live
    /// and loaded meanwhile (SQL backends).
    Cleanup {
        /// Expired rows in the table.
        rows: usize,
    },
}

/// What measuring one backend produced.
pub struct Measured {
    /// Server (or library) and version.
    pub server: String,
    /// The sides compared.
    pub sides: Vec<crate::report::SideInfo>,
    /// Every side's figures in every cell.
    pub cells: Vec<CellResult>,
    /// What a cleanup run measured.
    pub cleanup: Option<crate::report::Cleanup>,
}

/// Sets up `backend`, measures every cell, and removes what it created (also after a failure).
/// `url` is its server (a cluster's: nodes, comma-separated); `work_dir` is where an embedded
/// database may keep its files.
pub async fn measure(
    backend: Backend,
    url: Option<&str>,
    work_dir: &Path,
    job: &Job,
) -> Result<Measured, BenchError> {
    let urls = url.map(values::urls).unwrap_or_default();
    if backend.needs_url() && urls.is_empty() {
        return Err(format!("backend {backend} needs a URL").into());
    }
    let sql_server = matches!(
        backend,
        Backend::Postgres | Backend::Mysql | Backend::Mariadb
    );
    if job.tls && !sql_server {
        return Err(format!("backend {backend}: TLS is measured on SQL servers only").into());
    }
    if job.mode != Mode::Compare && !(sql_server || backend == Backend::Sqlite) {
        return Err(format!("backend {backend}: the scale modes are for SQL backends").into());
    }
    match backend {
        Backend::Sqlite => sqlite::measure(work_dir, job).await,
        Backend::Postgres => sql_server::measure::<PostgresDialect>(backend, urls[0], job).await,
        Backend::Mysql | Backend::Mariadb => {
            sql_server::measure::<MySqlDialect>(backend, urls[0], job).await
        }
        Backend::Redis | Backend::RedisCluster => redis::measure(backend, &urls, job).await,
    }
}

/// The store side; for an A/A run (`aa`), a raw twin on the store's table in its place.
pub fn store_side<S: SessionStore, R: Target>(
    aa: bool,
    setup: String,
    store: S,
    twin: impl FnOnce() -> R,
) -> Side {
    if aa {
        let setup = "A/A check: a second copy of the `raw` side in place of the store".to_owned();
        Side::new("store", Role::Store, setup, twin())
    } else {
        Side::new("store", Role::Store, setup, StoreTarget(store))
    }
}

/// How a pool is set up, read from the pool itself and named as sqlx's `PoolOptions` name it,
/// for a side's description.
pub fn pool_setup<DB: Database>(pool: &Pool<DB>) -> String {
    let options = pool.options();
    format!(
        "max_connections={}, acquire_timeout={:?}, test_before_acquire={}",
        options.get_max_connections(),
        options.get_acquire_timeout(),
        options.get_test_before_acquire()
    )
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
    fn table_names_are_valid_identifiers() {
        let name = table_name("raw-naive");
        assert!(authly_session_sql::TableName::new(&name).is_ok(), "{name}");
        assert_ne!(table_name("store"), table_name("raw"));
    }
}
