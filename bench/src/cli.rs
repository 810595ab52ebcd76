//! Command-line parsing, free of I/O so it is unit-tested.

use std::path::PathBuf;

use crate::backends::Backend;
use crate::run::Plan;
use crate::workload::{DEFAULT_SESSIONS, Op};

/// How to call the binary.
pub const USAGE: &str = "\
usage:
  authly-bench --backend NAME [--url URL] [--seconds N] [--concurrency 1,32] [--rounds R]
               [--sessions N] [--ops load,save,create+delete] [--aa] [--out FILE.json]
  authly-bench report [--out FILE.md] FILE.json...

backends: sqlite, postgres, mysql, mariadb, redis, redis-cluster
--url: the server (redis-cluster: comma-separated node URLs); sqlite needs none (its databases go
       in a fresh directory beside --out).
--rounds: alternating rounds per cell and side (default: one per half second of --seconds).
--aa:  replace the store by a second raw side (an A/A run: shows the noise between equal sides).
Normally run by `cargo xtask bench`.";

/// What the binary was asked to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Print the usage.
    Help,
    /// Measure one backend.
    Measure(MeasureOptions),
    /// Combine JSON reports into one Markdown table.
    Report {
        /// The JSON files, in order.
        inputs: Vec<PathBuf>,
        /// Where to write the Markdown too (it is always printed).
        out: Option<PathBuf>,
    },
}

/// Options of a measuring run.
#[derive(Debug, PartialEq)]
pub struct MeasureOptions {
    /// The backend measured.
    pub backend: Backend,
    /// Its server, when it has one.
    pub url: Option<String>,
    /// Durations, concurrency levels and rounds.
    pub plan: Plan,
    /// Sessions pre-populated per table.
    pub sessions: usize,
    /// Where the JSON report goes.
    pub out: PathBuf,
    /// A/A check: the store side is replaced by a second copy of the raw floor, to show how
    /// far apart two identical sides measure.
    pub aa: bool,
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => Ok(Command::Help),
        Some("report") => parse_report(&args[1..]),
        Some(_) => parse_measure(args).map(Command::Measure),
    }
}

fn parse_report(args: &[String]) -> Result<Command, String> {
    let mut inputs = Vec::new();
    let mut out = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a path")?)),
            other if other.starts_with("--") => return Err(format!("unknown option {other:?}")),
            path => inputs.push(PathBuf::from(path)),
        }
    }
    if inputs.is_empty() {
        return Err("report needs at least one JSON file".into());
    }
    Ok(Command::Report { inputs, out })
}

fn parse_measure(args: &[String]) -> Result<MeasureOptions, String> {
    let mut backend = None;
    let mut url = None;
    let mut plan = Plan {
        seconds: 5.0,
        concurrency: vec![1, 32],
        rounds: 0,
        ops: Op::ALL.to_vec(),
    };
    let mut aa = false;
    let mut sessions = DEFAULT_SESSIONS;
    let mut out = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--backend" => backend = Some(Backend::parse(&value("--backend")?)?),
            "--url" => url = Some(value("--url")?),
            "--seconds" => plan.seconds = parse_seconds(&value("--seconds")?)?,
            "--concurrency" => plan.concurrency = parse_concurrency(&value("--concurrency")?)?,
            "--rounds" => {
                plan.rounds = parse_positive(&value("--rounds")?, "--rounds")?;
            }
            "--sessions" => {
                sessions = parse_positive::<usize>(&value("--sessions")?, "--sessions")?;
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--ops" => {
                plan.ops = value("--ops")?
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Op::parse)
                    .collect::<Result<_, _>>()?;
                if plan.ops.is_empty() {
                    return Err("--ops needs at least one operation".into());
                }
            }
            "--aa" => aa = true,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if plan.rounds == 0 {
        plan.rounds = Plan::default_rounds(plan.seconds);
    }
    let backend = backend.ok_or("--backend is required")?;
    if backend.needs_url() && url.is_none() {
        return Err(format!("backend {} needs --url", backend.name()));
    }
    let out = out.unwrap_or_else(|| PathBuf::from(format!("target/bench/{}.json", backend.name())));
    Ok(MeasureOptions {
        backend,
        url,
        plan,
        sessions,
        out,
        aa,
    })
}

/// Seconds: a positive number, fractions allowed.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err(format!("--seconds must be a positive number, not {text:?}")),
    }
}

/// A comma-separated list of positive concurrency levels, kept in the order given.
pub fn parse_concurrency(text: &str) -> Result<Vec<u32>, String> {
    let levels = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_positive(s, "--concurrency"))
        .collect::<Result<Vec<u32>, _>>()?;
    if levels.is_empty() {
        return Err("--concurrency needs at least one level".into());
    }
    Ok(levels)
}

fn parse_positive<T: std::str::FromStr + PartialOrd + Default>(
    text: &str,
    option: &str,
) -> Result<T, String> {
    match text.parse::<T>() {
        Ok(n) if n > T::default() => Ok(n),
        _ => Err(format!("{option} must be a positive integer, not {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn measure_defaults() {
        let Ok(Command::Measure(options)) = parse(&args("--backend sqlite")) else {
            panic!("parse failed")
        };
        assert_eq!(options.backend, Backend::Sqlite);
        assert_eq!(options.url, None);
        assert_eq!(options.plan.seconds, 5.0);
        assert_eq!(options.plan.concurrency, vec![1, 32]);
        assert_eq!(options.plan.rounds, 10);
        assert_eq!(options.sessions, 10_000);
        assert_eq!(options.out, PathBuf::from("target/bench/sqlite.json"));
        assert_eq!(options.plan.ops, Op::ALL.to_vec());
        assert!(!options.aa);
    }

    #[test]
    fn measure_options() {
        let Ok(Command::Measure(options)) = parse(&args(
            "--backend postgres --url postgres://db/test --seconds 0.5 --concurrency 4,64 \
             --rounds 3 --sessions 100 --out x.json --ops save,load --aa",
        )) else {
            panic!("parse failed")
        };
        assert_eq!(options.backend, Backend::Postgres);
        assert_eq!(options.url.as_deref(), Some("postgres://db/test"));
        assert_eq!(options.plan.seconds, 0.5);
        assert_eq!(options.plan.concurrency, vec![4, 64]);
        assert_eq!(options.plan.rounds, 3);
        assert_eq!(options.sessions, 100);
        assert_eq!(options.out, PathBuf::from("x.json"));
        assert_eq!(options.plan.ops, vec![Op::Save, Op::Load]);
        assert!(options.aa);
    }

    #[test]
    fn bad_input_is_an_error() {
        for bad in [
            "--backend",
            "--backend oracle",
            "--url x",
            "--backend postgres",
            "--backend sqlite --seconds 0",
            "--backend sqlite --seconds abc",
            "--backend sqlite --concurrency 0",
            "--backend sqlite --concurrency ,",
            "--backend sqlite --rounds 0",
            "--backend sqlite --verbose",
            "--backend sqlite --ops update",
            "--backend sqlite --ops ,",
            "report",
            "report --bogus a.json",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse(&[]), Ok(Command::Help));
    }

    #[test]
    fn report_takes_files_and_an_output() {
        assert_eq!(
            parse(&args("report a.json b.json --out t.md")),
            Ok(Command::Report {
                inputs: vec!["a.json".into(), "b.json".into()],
                out: Some("t.md".into()),
            })
        );
    }
}
