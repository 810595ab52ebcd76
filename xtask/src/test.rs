//! `cargo xtask test`: every selected backend's tests against a real server, ignored
//! (server-backed) tests included, then the fault tests (which stop and start each server) after
//! all the others. The SQLite run includes the browser test, so it needs Chromium and
//! chromedriver: without them it fails, saying so. The Redis Cluster run also gets the
//! 3-primary + 3-replica cluster of its topology tests (`cluster_ha.rs`).

use authly_test_servers::{Backend, Server};

use crate::cargo;
use crate::cli::TestOptions;
use crate::cluster_ha::{self, HaCluster};

/// Runs the tests; the error names what failed.
pub fn run(options: &TestOptions) -> Result<(), String> {
    let servers = crate::provide(&options.backends)?;
    let ha = if options.backends.contains(&Backend::RedisCluster) {
        let ha = HaCluster::provide()?;
        println!(
            "xtask: redis-cluster: topology tests' cluster {}",
            ha.describe()
        );
        Some(ha)
    } else {
        None
    };
    let mut failed = Vec::new();
    for (backend, server) in servers.iter() {
        println!("xtask: == {backend}: tests");
        if backend == Backend::Sqlite {
            match crate::browser::programs() {
                Ok(programs) => println!("xtask: browser test with {programs:?}"),
                Err(missing) => failed.push(format!("{backend} tests: {missing}")),
            }
        }
        if !cargo_test(backend, server, None, ha.as_ref())? {
            failed.push(format!("{backend} tests"));
        }
    }

    if options.faults {
        for (backend, server) in servers.iter() {
            let (Some(server), Some((stop_var, start_var))) = (server, backend.fault_variables())
            else {
                continue;
            };
            let Some(commands) = &server.fault_commands else {
                failed.push(format!(
                    "{backend} fault tests: set {stop_var} and {start_var} to the commands that stop and start \
                     the server (or pass --no-faults to leave the fault tests out)"
                ));
                continue;
            };
            println!("xtask: == {backend}: fault tests (the server is stopped and started)");
            if !cargo_test(backend, Some(server), Some(commands), None)? {
                failed.push(format!("{backend} fault tests"));
            }
        }
    } else {
        println!("xtask: fault tests left out (--no-faults)");
    }
    drop(servers);
    drop(ha);

    if failed.is_empty() {
        let names: Vec<&str> = options.backends.iter().map(|b| b.name()).collect();
        println!("xtask: all selected backends passed: {}", names.join(", "));
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}

/// Runs the backend's tests (with `faults`: only its fault tests, given the stop and start
/// commands; with `ha`: the cluster of the Redis Cluster topology tests); `Ok(false)` when a
/// test failed.
fn cargo_test(
    backend: Backend,
    server: Option<&Server>,
    faults: Option<&(String, String)>,
    ha: Option<&HaCluster>,
) -> Result<bool, String> {
    let mut command = cargo::command(cargo_args(backend, faults.is_some()));
    command.env("AUTHLY_TEST_REQUIRE_SERVERS", "1");
    let tested = tested_as(backend);
    if let (Some(server), Some(variable)) = (server, tested.url_variable()) {
        command.env(variable, &server.url);
    }
    if let (Some((stop, start)), Some((stop_var, start_var))) = (faults, tested.fault_variables()) {
        command.env(stop_var, stop).env(start_var, start);
    }
    if let (Backend::RedisCluster, Some(ha)) = (backend, ha) {
        command
            .env(cluster_ha::URLS, &ha.urls)
            .env(cluster_ha::CONTROL, &ha.control);
    }
    cargo::succeeds(&mut command)
}

/// The backend whose variables the tests read: MariaDB runs the MySQL crate's tests, which know
/// only the MySQL names.
fn tested_as(backend: Backend) -> Backend {
    match backend {
        Backend::Mariadb => Backend::Mysql,
        other => other,
    }
}

/// The crates whose tests cover `backend`; the embedded run covers the crates that need no
/// server (the axum layer and the browser test included), tooling included.
fn packages(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "authly-session",
            "authly-session-axum",
            "authly-session-sqlite",
            "authly-test-servers",
            "authly-bench",
            "xtask",
        ],
        Backend::Postgres => &["authly-session-postgres"],
        Backend::Mysql | Backend::Mariadb => &["authly-session-mysql"],
        Backend::Redis | Backend::RedisCluster => &["authly-session-redis"],
    }
}

/// The `cargo` arguments of one backend's run: its crates with every feature, ignored
/// (server-backed and browser) tests included, the fault tests alone or left out, and the Redis
/// crate's tests split between the single node and the cluster by whether their name holds
/// `cluster`.
pub fn cargo_args(backend: Backend, faults: bool) -> Vec<&'static str> {
    let mut args = vec!["test"];
    for package in packages(backend) {
        args.extend(["-p", package]);
    }
    args.push("--all-features");
    if faults {
        args.extend(["--test", "faults", "--", "--include-ignored", "fault_"]);
    } else {
        args.extend(["--", "--include-ignored"]);
        // Only server backends have fault tests; the skip matches substrings, so elsewhere it
        // would also drop tests such as `the_default_cookie_...`.
        if backend.needs_url() {
            args.extend(["--skip", "fault_"]);
        }
    }
    match backend {
        Backend::Redis => args.extend(["--skip", "cluster"]),
        Backend::RedisCluster => args.push("cluster"),
        _ => {}
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_tests_run_with_the_ignored_ones_and_faults_alone_after() {
        let main = cargo_args(Backend::Postgres, false).join(" ");
        assert_eq!(
            main,
            "test -p authly-session-postgres --all-features -- --include-ignored --skip fault_"
        );
        let faults = cargo_args(Backend::Postgres, true).join(" ");
        assert_eq!(
            faults,
            "test -p authly-session-postgres --all-features --test faults -- --include-ignored fault_"
        );
    }

    #[test]
    fn redis_runs_split_single_node_from_cluster() {
        let single = cargo_args(Backend::Redis, false).join(" ");
        assert!(single.ends_with("--skip fault_ --skip cluster"), "{single}");
        let cluster = cargo_args(Backend::RedisCluster, false).join(" ");
        assert!(cluster.ends_with("--skip fault_ cluster"), "{cluster}");
    }

    #[test]
    fn sqlite_covers_the_core_and_the_tooling_too() {
        let args = cargo_args(Backend::Sqlite, false).join(" ");
        assert!(
            args.starts_with(
                "test -p authly-session -p authly-session-axum -p authly-session-sqlite \
                 -p authly-test-servers -p authly-bench -p xtask --all-features"
            ),
            "{args}"
        );
        assert!(
            args.ends_with("--all-features -- --include-ignored"),
            "no fault tests to skip, so no name is skipped: {args}"
        );
    }

    #[test]
    fn mariadb_runs_the_mysql_crate_under_the_mysql_variables() {
        assert_eq!(packages(Backend::Mariadb), packages(Backend::Mysql));
        assert_eq!(
            tested_as(Backend::Mariadb).url_variable(),
            Some("AUTHLY_TEST_MYSQL_URL")
        );
        assert_eq!(tested_as(Backend::Redis), Backend::Redis);
    }
}
