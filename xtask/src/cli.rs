//! Command-line parsing, kept free of I/O so it is unit-tested.

use crate::backend::Backend;

pub const USAGE: &str = "\
usage:
  cargo xtask test  [--backend NAME]... [--no-faults]
  cargo xtask bench [--backend NAME]... [--seconds N] [--concurrency 1,32]

backends: sqlite, postgres, mysql, mariadb, redis, redis-cluster (default: all; a comma list works too)

Each server backend uses the server its variable names (AUTHLY_TEST_POSTGRES_URL, AUTHLY_TEST_MYSQL_URL,
AUTHLY_TEST_MARIADB_URL, AUTHLY_TEST_REDIS_URL, AUTHLY_TEST_REDIS_CLUSTER_URLS) or else starts a container.
Fault tests stop and start each server: with a variable URL they need AUTHLY_TEST_<NAME>_STOP and
AUTHLY_TEST_<NAME>_START; --no-faults leaves them out, and says so.";

#[derive(Debug, PartialEq)]
pub enum Command {
    Help,
    Test(TestOptions),
}

#[derive(Debug, PartialEq)]
pub struct TestOptions {
    pub backends: Vec<Backend>,
    pub faults: bool,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "test" => parse_test(rest).map(Command::Test),
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
    fn bad_input_is_an_error_not_a_default() {
        assert!(parse(&args("test --backend")).is_err());
        assert!(parse(&args("test --backend db2")).is_err());
        assert!(parse(&args("test --verbose")).is_err());
        assert!(parse(&args("deploy")).is_err());
        assert_eq!(parse(&[]), Ok(Command::Help));
    }
}
