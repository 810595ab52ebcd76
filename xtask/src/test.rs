//! `cargo xtask test`: every selected backend's tests against a real server, then the fault
//! tests (which stop and start each server) after all the others.

use std::process::Command;

use crate::backend::{Backend, TestFilter};
use crate::cli::TestOptions;
use crate::servers::{self, Server};

pub fn run(options: &TestOptions) -> Result<(), String> {
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
    let mut servers: Vec<(Backend, Option<Server>)> = Vec::new();
    let mut unreachable = Vec::new();
    for &backend in &options.backends {
        match runtime.block_on(servers::provide(backend)) {
            Ok(server) => {
                if let Some(server) = &server {
                    println!(
                        "xtask: {backend}: server {} ({})",
                        redact_url(&server.url),
                        server.origin
                    );
                }
                servers.push((backend, server));
            }
            Err(message) => unreachable.push(message),
        }
    }
    if !unreachable.is_empty() {
        return Err(unreachable.join("\n"));
    }

    let mut failed = Vec::new();
    for (backend, server) in &servers {
        println!("xtask: == {backend}: tests");
        if !cargo_test(*backend, server.as_ref(), None)? {
            failed.push(format!("{backend} tests"));
        }
    }

    if options.faults {
        for (backend, server) in &servers {
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
            if !cargo_test(*backend, Some(server), Some(commands))? {
                failed.push(format!("{backend} fault tests"));
            }
        }
    } else {
        println!("xtask: fault tests left out (--no-faults)");
    }
    drop(servers);

    if failed.is_empty() {
        println!(
            "xtask: all selected backends passed: {}",
            names(&options.backends)
        );
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}

/// Runs the backend's tests (or, with `faults`, only its fault tests); `Ok(false)` when a test failed.
fn cargo_test(
    backend: Backend,
    server: Option<&Server>,
    faults: Option<&(String, String)>,
) -> Result<bool, String> {
    let args = cargo_args(backend, faults.is_some());
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(&args).env("AUTHLY_TEST_REQUIRE_SERVERS", "1");
    if let (Some(server), Some(variable)) = (server, backend.test_variable()) {
        command.env(variable, &server.url);
    }
    if let (Some((stop, start)), Some((stop_var, start_var))) =
        (faults, backend.fault_test_variables())
    {
        command.env(stop_var, stop).env(start_var, start);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(status.success())
}

/// The `cargo` arguments for one backend's run.
pub fn cargo_args(backend: Backend, faults: bool) -> Vec<String> {
    let mut args: Vec<String> = vec!["test".into()];
    for package in backend.packages() {
        args.extend(["-p".into(), (*package).into()]);
    }
    args.push("--all-features".into());
    if faults {
        args.extend([
            "--test".into(),
            "faults".into(),
            "--".into(),
            "fault_".into(),
        ]);
    } else {
        args.extend(["--".into(), "--skip".into(), "fault_".into()]);
    }
    match backend.test_filter() {
        TestFilter::All => {}
        TestFilter::Only(name) => args.push(name.into()),
        TestFilter::Skip(name) => args.extend(["--skip".into(), name.into()]),
    }
    args
}

fn names(backends: &[Backend]) -> String {
    backends
        .iter()
        .map(|b| b.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The URL without any password, for the log.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_runs_leave_out_the_fault_target_which_runs_after() {
        let main = cargo_args(Backend::Postgres, false).join(" ");
        assert_eq!(
            main,
            "test -p authly-session-postgres --all-features -- --skip fault_"
        );
        let faults = cargo_args(Backend::Postgres, true).join(" ");
        assert_eq!(
            faults,
            "test -p authly-session-postgres --all-features --test faults -- fault_"
        );
    }

    #[test]
    fn redis_runs_split_single_node_from_cluster() {
        assert!(
            cargo_args(Backend::Redis, false)
                .join(" ")
                .ends_with("--skip fault_ --skip cluster")
        );
        assert!(
            cargo_args(Backend::RedisCluster, false)
                .join(" ")
                .ends_with("--skip fault_ cluster")
        );
    }

    #[test]
    fn sqlite_covers_the_core_and_xtask_too() {
        let args = cargo_args(Backend::Sqlite, false).join(" ");
        assert!(args.starts_with(
            "test -p authly-session -p authly-session-sqlite -p xtask --all-features"
        ));
    }

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("mysql://root:hunter2@db:3306/test"),
            "mysql://root:***@db:3306/test"
        );
        assert_eq!(redact_url("mysql://root@db/test"), "mysql://root@db/test");
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
