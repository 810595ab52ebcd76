//! Command-line parsing, kept free of I/O so it is unit-tested.

use crate::backend::Backend;

pub const USAGE: &str = "\
usage:
  cargo xtask test  [--backend NAME]... [--no-faults]
  cargo xtask bench [--backend NAME]... [--seconds N] [--concurrency 1,32]   (JSON and summary.md in target/bench/)

backends: sqlite, postgres, mysql, mariadb, redis, redis-cluster (default: all; a comma list works too)

Each server backend uses the server its variable names (AUTHLY_TEST_POSTGRES_URL, AUTHLY_TEST_MYSQL_URL,
AUTHLY_TEST_MARIADB_URL, AUTHLY_TEST_REDIS_URL, AUTHLY_TEST_REDIS_CLUSTER_URLS) or else starts a container.
Fault tests stop and start each server: with a variable URL they need AUTHLY_TEST_<NAME>_STOP and
AUTHLY_TEST_<NAME>_START; --no-faults leaves them out, and says so.";

#[derive(Debug, PartialEq)]
pub enum Command {
    Help,
    Test(TestOptions),
    Bench(BenchOptions),
}

#[derive(Debug, PartialEq)]
pub struct TestOptions {
    pub backends: Vec<Backend>,
    pub faults: bool,
}

/// `cargo xtask bench`: which backends, how long per cell and side, which concurrency levels.
#[derive(Debug, PartialEq)]
pub struct BenchOptions {
    pub backends: Vec<Backend>,
    pub seconds: f64,
    pub concurrency: Vec<u32>,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "test" => parse_test(rest).map(Command::Test),
        "bench" => parse_bench(rest).map(Command::Bench),
        other => Err(format!("unknown command {other:?}")),
    }
}

fn parse_test(args: &[String]) -> Result<TestOptions, String> {
    let mut backends = Vec::new();
    let mut faults = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--backend" => {
                let value = args.next().ok_or("--backend needs a name")?;
                push_backends(&mut backends, value)?;
            }
            "--no-faults" => faults = false,
            other => match other.strip_prefix("--backend=") {
                Some(value) => push_backends(&mut backends, value)?,
                None => return Err(format!("unknown option {other:?}")),
            },
        }
    }
    Ok(TestOptions {
        backends: selected(backends),
        faults,
    })
}

fn parse_bench(args: &[String]) -> Result<BenchOptions, String> {
    let mut backends = Vec::new();
    let mut seconds = 5.0;
    let mut concurrency = vec![1, 32];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--backend" => push_backends(&mut backends, &value()?)?,
            "--seconds" => {
                let text = value()?;
                seconds = match text.parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 => s,
                    _ => return Err(format!("--seconds must be a positive number, not {text:?}")),
                };
            }
            "--concurrency" => {
                let text = value()?;
                concurrency = text
                    .split(',')
                    .map(str::trim)
                    .filter(|level| !level.is_empty())
                    .map(|level| match level.parse::<u32>() {
                        Ok(n) if n > 0 => Ok(n),
                        _ => Err(format!(
                            "--concurrency takes positive integers separated by commas, not {text:?}"
                        )),
                    })
                    .collect::<Result<_, _>>()?;
                if concurrency.is_empty() {
                    return Err("--concurrency needs at least one level".into());
                }
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(BenchOptions {
        backends: selected(backends),
        seconds,
        concurrency,
    })
}

pub fn push_backends(into: &mut Vec<Backend>, list: &str) -> Result<(), String> {
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let backend = Backend::parse(name)?;
        if !into.contains(&backend) {
            into.push(backend);
        }
    }
    Ok(())
}

/// No selection means every backend; a selection runs in the canonical order.
pub fn selected(mut backends: Vec<Backend>) -> Vec<Backend> {
    if backends.is_empty() {
        return Backend::ALL.to_vec();
    }
    backends.sort();
    backends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn test_defaults_to_every_backend_with_faults() {
        assert_eq!(
            parse(&args("test")),
            Ok(Command::Test(TestOptions {
                backends: Backend::ALL.to_vec(),
                faults: true
            }))
        );
    }

    #[test]
    fn backends_accumulate_in_canonical_order_without_duplicates() {
        let Ok(Command::Test(options)) = parse(&args(
            "test --backend redis --backend=sqlite,postgres --backend redis --no-faults",
        )) else {
            panic!("parse failed")
        };
        assert_eq!(
            options.backends,
            vec![Backend::Sqlite, Backend::Postgres, Backend::Redis]
        );
        assert!(!options.faults);
    }

    #[test]
    fn bench_defaults_to_every_backend_5_seconds_at_1_and_32() {
        assert_eq!(
            parse(&args("bench")),
            Ok(Command::Bench(BenchOptions {
                backends: Backend::ALL.to_vec(),
                seconds: 5.0,
                concurrency: vec![1, 32],
            }))
        );
    }

    #[test]
    fn bench_options() {
        assert_eq!(
            parse(&args(
                "bench --backend redis,sqlite --seconds 2.5 --concurrency 1,8,64 --backend=mariadb"
            )),
            Ok(Command::Bench(BenchOptions {
                backends: vec![Backend::Sqlite, Backend::Mariadb, Backend::Redis],
                seconds: 2.5,
                concurrency: vec![1, 8, 64],
            }))
        );
        assert_eq!(
            parse(&args("bench --seconds=10 --concurrency=32")),
            Ok(Command::Bench(BenchOptions {
                backends: Backend::ALL.to_vec(),
                seconds: 10.0,
                concurrency: vec![32],
            }))
        );
    }

    #[test]
    fn bench_rejects_bad_values() {
        for bad in [
            "bench --seconds",
            "bench --seconds 0",
            "bench --seconds -1",
            "bench --seconds five",
            "bench --concurrency",
            "bench --concurrency 0,32",
            "bench --concurrency ,",
            "bench --concurrency 1;32",
            "bench --backend db2",
            "bench --no-faults",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_default() {
        assert!(parse(&args("test --backend")).is_err());
        assert!(parse(&args("test --backend db2")).is_err());
        assert!(parse(&args("test --verbose")).is_err());
        assert!(parse(&args("deploy")).is_err());
        assert_eq!(parse(&[]), Ok(Command::Help));
    }
}
