//! Command-line parsing, free of I/O so it is unit-tested.

use std::ffi::OsString;
use std::path::PathBuf;

use authly_test_servers::{Backend, values};
use lexopt::prelude::*;

use crate::backends::Mode;
use crate::run::Plan;
use crate::workload::{DEFAULT_SESSIONS, Op};

/// How to call the binary.
pub const USAGE: &str = "\
usage:
  authly-bench --backend NAME [--url URL] [--seconds N] [--concurrency 1,32] [--rounds R]
               [--sessions N] [--ops load,save,create+delete] [--aa] [--tls]
               [--scale ROWS | --cleanup ROWS] [--out FILE.json]
  authly-bench report [--out FILE.md] FILE.json...
  authly-bench --help

backends: sqlite, postgres, mysql, mariadb, redis, redis-cluster
--url: the server (redis-cluster: comma-separated node URLs); sqlite needs none (its databases go
       in a fresh directory beside --out).
--rounds: alternating rounds per cell and side (default: one per half second of --seconds).
--aa:  replace the store by a second raw side (an A/A run: shows the noise between equal sides).
--tls: SQL servers only: every side requires TLS (default: TLS off on every side); the
       tower-sessions side, whose sqlx has no TLS backend, is left out.
--scale ROWS: SQL backends: the store on a table of ROWS sessions beside the same store on
       --sessions sessions (both filled by multi-row INSERTs of the rows the store writes);
       measures load and save unless --ops says otherwise.
--cleanup ROWS: SQL backends: ROWS expired rows and --sessions live ones; loads at the highest
       --concurrency, then the store's delete_expired until it returns 0 while loads go on.
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
    /// Every SQL server side requires TLS.
    pub tls: bool,
    /// Comparison, scale or cleanup.
    pub mode: Mode,
}

/// Parses the arguments after the program name; none, or `-h`/`--help` anywhere, asks for the
/// usage.
pub fn parse(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command, lexopt::Error> {
    let mut args = args.into_iter().map(Into::into).peekable();
    match args.peek().and_then(|first| first.to_str()) {
        None => Ok(Command::Help),
        Some("report") => parse_report(lexopt::Parser::from_args(args.skip(1))),
        Some(_) => parse_measure(lexopt::Parser::from_args(args)),
    }
}

fn parse_report(mut parser: lexopt::Parser) -> Result<Command, lexopt::Error> {
    let mut inputs = Vec::new();
    let mut out = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("out") => out = Some(parser.value()?.into()),
            Value(path) => inputs.push(path.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    if inputs.is_empty() {
        return Err("report needs at least one JSON file".into());
    }
    Ok(Command::Report { inputs, out })
}

fn parse_measure(mut parser: lexopt::Parser) -> Result<Command, lexopt::Error> {
    let mut backend: Option<Backend> = None;
    let mut url = None;
    let mut plan = Plan {
        seconds: 5.0,
        concurrency: vec![1, 32],
        rounds: 0,
        ops: Op::ALL.to_vec(),
    };
    let mut aa = false;
    let mut tls = false;
    let mut mode = Mode::Compare;
    let mut ops_given = false;
    let mut sessions = DEFAULT_SESSIONS;
    let mut out = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("backend") => backend = Some(parser.value()?.parse()?),
            Long("url") => url = Some(parser.value()?.string()?),
            Long("seconds") => plan.seconds = parser.value()?.parse_with(values::seconds)?,
            Long("concurrency") => plan.concurrency = parser.value()?.parse_with(values::levels)?,
            Long("rounds") => {
                plan.rounds = parser
                    .value()?
                    .parse_with(|n| values::positive(n, "--rounds"))?
            }
            Long("sessions") => {
                sessions = parser
                    .value()?
                    .parse_with(|n| values::positive(n, "--sessions"))?
            }
            Long("ops") => {
                ops_given = true;
                plan.ops = parser
                    .value()?
                    .parse_with(|ops| values::list(ops, "--ops", Op::parse))?
            }
            Long("aa") => aa = true,
            Long("tls") => tls = true,
            Long(name @ ("scale" | "cleanup")) => {
                let scale = name == "scale";
                let flag = if scale { "--scale" } else { "--cleanup" };
                let rows = parser.value()?.parse_with(|n| values::positive(n, flag))?;
                if mode != Mode::Compare {
                    return Err("--scale and --cleanup are separate runs: give one".into());
                }
                mode = if scale {
                    Mode::Scale { rows }
                } else {
                    Mode::Cleanup { rows }
                };
            }
            Long("out") => out = Some(PathBuf::from(parser.value()?)),
            _ => return Err(arg.unexpected()),
        }
    }
    if plan.rounds == 0 {
        plan.rounds = Plan::default_rounds(plan.seconds);
    }
    if matches!(mode, Mode::Scale { .. }) && !ops_given {
        plan.ops = vec![Op::Load, Op::Save];
    }
    if aa && mode != Mode::Compare {
        return Err("--aa compares the store's sides: not with --scale or --cleanup".into());
    }
    let backend = backend.ok_or("--backend is required")?;
    if backend.needs_url() && url.is_none() {
        return Err(format!("backend {backend} needs --url").into());
    }
    let out = out.unwrap_or_else(|| PathBuf::from(format!("target/bench/{backend}.json")));
    Ok(Command::Measure(MeasureOptions {
        backend,
        url,
        plan,
        sessions,
        out,
        aa,
        tls,
        mode,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Command, String> {
        parse(text.split_whitespace()).map_err(|e| e.to_string())
    }

    fn measure(text: &str) -> MeasureOptions {
        match parse_text(text) {
            Ok(Command::Measure(options)) => options,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn help_is_a_command_not_an_error() {
        for help in ["", "--help", "-h", "--backend sqlite -h", "report --help"] {
            assert_eq!(parse_text(help), Ok(Command::Help), "{help:?}");
        }
    }

    #[test]
    fn measure_defaults() {
        let options = measure("--backend sqlite");
        assert_eq!(options.backend, Backend::Sqlite);
        assert_eq!(options.url, None);
        assert_eq!(options.plan.seconds, 5.0);
        assert_eq!(options.plan.concurrency, vec![1, 32]);
        assert_eq!(options.plan.rounds, 10);
        assert_eq!(options.sessions, 10_000);
        assert_eq!(options.out, PathBuf::from("target/bench/sqlite.json"));
        assert_eq!(options.plan.ops, Op::ALL.to_vec());
        assert!(!options.aa);
        assert!(!options.tls);
        assert_eq!(options.mode, Mode::Compare);
    }

    #[test]
    fn scale_and_cleanup_modes() {
        let scale = measure("--backend postgres --url u --scale 1000000");
        assert_eq!(scale.mode, Mode::Scale { rows: 1_000_000 });
        assert_eq!(scale.plan.ops, vec![Op::Load, Op::Save]);
        assert_eq!(scale.sessions, 10_000);
        let all = measure("--backend sqlite --ops create+delete,load --scale 50");
        assert_eq!(all.plan.ops, vec![Op::CreateDelete, Op::Load]);
        let cleanup = measure("--backend sqlite --cleanup 1000000 --concurrency 32");
        assert_eq!(cleanup.mode, Mode::Cleanup { rows: 1_000_000 });
        assert_eq!(cleanup.plan.ops, Op::ALL.to_vec());
        assert!(measure("--backend mariadb --url u --tls").tls);
    }

    #[test]
    fn measure_options() {
        let options = measure(
            "--backend postgres --url postgres://db/test --seconds 0.5 --concurrency 4,64 \
             --rounds 3 --sessions 100 --out x.json --ops save,load --aa",
        );
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
    fn bad_input_is_an_error_that_says_why() {
        let backends = authly_test_servers::Backend::names();
        for (bad, message) in [
            ("--backend", "missing argument for option '--backend'"),
            ("--url x", "--backend is required"),
            ("--backend postgres", "backend postgres needs --url"),
            (
                "--backend oracle",
                &format!(
                    "cannot parse argument \"oracle\": unknown backend \"oracle\"; expected one of {backends}"
                ),
            ),
            (
                "--backend sqlite --seconds 0",
                "cannot parse argument \"0\": --seconds must be a positive number",
            ),
            (
                "--backend sqlite --concurrency ,",
                "cannot parse argument \",\": --concurrency needs at least one value",
            ),
            (
                "--backend sqlite --rounds 0",
                "cannot parse argument \"0\": --rounds must be a positive integer",
            ),
            (
                "--backend sqlite --ops update",
                "cannot parse argument \"update\": unknown operation \"update\"; expected load, save or create+delete",
            ),
            ("--backend sqlite --verbose", "invalid option '--verbose'"),
            (
                "--backend sqlite --scale 0",
                "cannot parse argument \"0\": --scale must be a positive integer",
            ),
            (
                "--backend sqlite --cleanup x",
                "cannot parse argument \"x\": --cleanup must be a positive integer",
            ),
            (
                "--backend sqlite --scale 5 --cleanup 5",
                "--scale and --cleanup are separate runs: give one",
            ),
            (
                "--backend sqlite --aa --scale 5",
                "--aa compares the store's sides: not with --scale or --cleanup",
            ),
            ("sqlite", "unexpected argument \"sqlite\""),
            ("report", "report needs at least one JSON file"),
            ("report --bogus a.json", "invalid option '--bogus'"),
        ] {
            assert_eq!(parse_text(bad), Err(message.to_owned()), "{bad}");
        }
    }

    #[test]
    fn report_takes_files_and_an_output() {
        assert_eq!(
            parse_text("report a.json b.json --out t.md"),
            Ok(Command::Report {
                inputs: vec!["a.json".into(), "b.json".into()],
                out: Some("t.md".into()),
            })
        );
    }
}
