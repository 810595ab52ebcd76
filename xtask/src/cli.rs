//! Command-line parsing, kept free of I/O so it is unit-tested.

use std::ffi::OsString;

use authly_test_servers::{Backend, values};
use lexopt::prelude::*;

/// How to call xtask.
pub const USAGE: &str = "\
usage:
  cargo xtask test  [--backend NAME]... [--no-faults]
  cargo xtask bench [--backend NAME]... [--seconds N] [--concurrency 1,32] [--tls] [--scale ROWS | --cleanup ROWS]
                    (JSON and summary.md in target/bench/)
  cargo xtask [COMMAND] --help

backends: sqlite, postgres, mysql, mariadb, redis, redis-cluster (default: all; a comma list works too)

Each server backend uses the server its variable names (AUTHLY_TEST_POSTGRES_URL, AUTHLY_TEST_MYSQL_URL,
AUTHLY_TEST_MARIADB_URL, AUTHLY_TEST_REDIS_URL, AUTHLY_TEST_REDIS_CLUSTER_URLS) or else starts a container.
Server-backed tests run with --include-ignored, and so does the sqlite backend's browser test, which needs
chromium and chromedriver (AUTHLY_TEST_CHROMIUM, AUTHLY_TEST_CHROMEDRIVER, else found on PATH). Fault tests
stop and start each server: with a variable URL they need AUTHLY_TEST_<NAME>_STOP and AUTHLY_TEST_<NAME>_START;
--no-faults leaves them out, and says so. The redis-cluster run's topology tests move the 3+3 cluster of
AUTHLY_TEST_REDIS_CLUSTER_HA_URLS through AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL, or else start their own
with .ci/redis-cluster-ha.sh (redis-server and redis-cli needed).
bench --tls: SQL servers with TLS required on every side (the tower-sessions side is left out).
bench --scale ROWS: SQL backends: load and save on a table of ROWS sessions beside 10,000.
bench --cleanup ROWS: SQL backends: delete_expired through ROWS expired rows while loads run.
(See `cargo run -p authly-bench -- --help`.)";

/// What xtask was asked to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Print the usage.
    Help,
    /// `cargo xtask test`.
    Test(TestOptions),
    /// `cargo xtask bench`.
    Bench(BenchOptions),
}

/// `cargo xtask test`: which backends, and whether the fault tests run after the others.
#[derive(Debug, PartialEq)]
pub struct TestOptions {
    /// The backends, in canonical order.
    pub backends: Vec<Backend>,
    /// Whether the fault tests run.
    pub faults: bool,
}

/// `cargo xtask bench`: which backends, how long per cell and side, which concurrency levels.
#[derive(Debug, PartialEq)]
pub struct BenchOptions {
    /// The backends, in canonical order.
    pub backends: Vec<Backend>,
    /// Measured seconds per cell and side.
    pub seconds: f64,
    /// Concurrency levels, in the order given.
    pub concurrency: Vec<u32>,
    /// Options passed through to authly-bench as given (`--tls`, `--scale ROWS`,
    /// `--cleanup ROWS`), which checks them.
    pub extra: Vec<String>,
}

/// Reads the arguments after the program name; `-h`/`--help` anywhere asks for the usage.
pub fn parse(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command, lexopt::Error> {
    let mut parser = lexopt::Parser::from_args(args);
    let command = match parser.next()? {
        None | Some(Short('h') | Long("help")) => return Ok(Command::Help),
        Some(Value(command)) => command.string()?,
        Some(other) => return Err(other.unexpected()),
    };
    let test = match command.as_str() {
        "help" => return Ok(Command::Help),
        "test" => true,
        "bench" => false,
        other => return Err(format!("unknown command {other:?}").into()),
    };
    let mut backends = Vec::new();
    let mut faults = true;
    let mut seconds = 5.0;
    let mut concurrency = vec![1, 32];
    let mut extra = Vec::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("backend") => backends.extend(parser.value()?.parse_with(values::backends)?),
            Long("no-faults") if test => faults = false,
            Long("seconds") if !test => seconds = parser.value()?.parse_with(values::seconds)?,
            Long("concurrency") if !test => {
                concurrency = parser.value()?.parse_with(values::levels)?
            }
            Long("tls") if !test => extra.push("--tls".to_owned()),
            Long(mode @ ("scale" | "cleanup")) if !test => {
                let flag = format!("--{mode}");
                let rows: usize = parser.value()?.parse_with(|n| values::positive(n, &flag))?;
                extra.extend([flag, rows.to_string()]);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let backends = selected(backends);
    Ok(if test {
        Command::Test(TestOptions { backends, faults })
    } else {
        Command::Bench(BenchOptions {
            backends,
            seconds,
            concurrency,
            extra,
        })
    })
}

/// No selection means every backend; a selection runs once each, in canonical order.
fn selected(mut backends: Vec<Backend>) -> Vec<Backend> {
    if backends.is_empty() {
        return Backend::ALL.to_vec();
    }
    backends.sort();
    backends.dedup();
    backends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Command, String> {
        parse(text.split_whitespace()).map_err(|e| e.to_string())
    }

    #[test]
    fn help_is_a_command_not_an_error() {
        for help in [
            "",
            "-h",
            "--help",
            "help",
            "test --help",
            "bench -h",
            "test --no-faults -h",
        ] {
            assert_eq!(parse_text(help), Ok(Command::Help), "{help:?}");
        }
    }

    #[test]
    fn unknown_options_and_commands_are_errors() {
        let error = |text| parse_text(text).unwrap_err();
        assert_eq!(error("test --verbose"), "invalid option '--verbose'");
        assert_eq!(error("bench --no-faults"), "invalid option '--no-faults'");
        assert_eq!(error("test --seconds 1"), "invalid option '--seconds'");
        assert_eq!(error("deploy"), "unknown command \"deploy\"");
        assert_eq!(
            error("test --backend"),
            "missing argument for option '--backend'"
        );
        assert!(error("test --backend db2").contains("unknown backend \"db2\""));
    }

    #[test]
    fn test_defaults_to_every_backend_with_faults() {
        let every = TestOptions {
            backends: Backend::ALL.to_vec(),
            faults: true,
        };
        assert_eq!(parse_text("test"), Ok(Command::Test(every)));
    }

    #[test]
    fn backends_accumulate_in_canonical_order_without_duplicates() {
        let options = TestOptions {
            backends: vec![Backend::Sqlite, Backend::Postgres, Backend::Redis],
            faults: false,
        };
        let text = "test --backend redis --backend=sqlite,postgres --backend redis --no-faults";
        assert_eq!(parse_text(text), Ok(Command::Test(options)));
    }

    #[test]
    fn bench_passes_tls_and_the_scale_modes_through() {
        let Ok(Command::Bench(options)) =
            parse_text("bench --backend postgres --tls --scale 1000000 --cleanup 5")
        else {
            panic!("not a bench command");
        };
        assert_eq!(
            options.extra,
            ["--tls", "--scale", "1000000", "--cleanup", "5"].map(String::from)
        );
        assert_eq!(options.backends, vec![Backend::Postgres]);
    }

    #[test]
    fn bench_takes_seconds_and_levels_and_defaults_to_5_seconds_at_1_and_32() {
        let options = |backends: Vec<Backend>, seconds, concurrency| {
            Ok(Command::Bench(BenchOptions {
                backends,
                seconds,
                concurrency,
                extra: Vec::new(),
            }))
        };
        assert_eq!(
            parse_text("bench"),
            options(Backend::ALL.to_vec(), 5.0, vec![1, 32])
        );
        let sorted = vec![Backend::Sqlite, Backend::Mariadb, Backend::Redis];
        assert_eq!(
            parse_text(
                "bench --backend redis,sqlite --seconds 2.5 --concurrency 1,8,64 --backend=mariadb"
            ),
            options(sorted, 2.5, vec![1, 8, 64])
        );
        for bad in [
            "bench --seconds",
            "bench --seconds 0",
            "bench --concurrency 0,32",
            "bench --scale 0",
            "bench --cleanup",
            "test --tls",
            "test --scale 10",
        ] {
            assert!(parse_text(bad).is_err(), "{bad}");
        }
    }
}
