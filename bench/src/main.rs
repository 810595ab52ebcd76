//! `authly-bench`: each session store beside its raw driver doing the same queries and the same
//! JSON work (the floor no store can beat), on 10,000 pre-populated sessions.
//!
//! For every operation (`load`, `save`, `create+delete`) and concurrency level it records ops/s,
//! p50 and p99 of each side, writes them as JSON, and prints a Markdown table with the ratio
//! store/raw. Run it in release mode; `cargo xtask bench` provisions the servers and runs it.

mod backends;
mod cli;
mod machine;
mod measure;
mod report;
mod run;
mod targets;
mod workload;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use backends::Job;
use cli::{Command, MeasureOptions};
use machine::Machine;
use report::{BackendReport, Role};
use workload::Workload;

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("authly-bench: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let outcome = match command {
        Command::Help => {
            println!("{}", cli::USAGE);
            Ok(())
        }
        Command::Measure(options) => measure(&options),
        Command::Report { inputs, out } => combine(&inputs, out.as_deref()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("authly-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Measures one backend, writes its JSON and prints its table. Fails if the store side had any
/// error (after writing the report, so the error is on record).
fn measure(options: &MeasureOptions) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!("authly-bench: warning: a debug build; measure with --release");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
    let job = Job {
        workload: Arc::new(Workload::new(options.sessions)),
        plan: options.plan.clone(),
        aa: options.aa,
        tls: options.tls,
        mode: options.mode,
    };
    let work_dir = options
        .out
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = options.backend.name();
    let measured = runtime
        .block_on(backends::measure(
            options.backend,
            options.url.as_deref(),
            work_dir,
            &job,
        ))
        .map_err(|e| format!("{name}: {e}"))?;
    let report = BackendReport {
        backend: name.to_owned(),
        server: measured.server,
        machine: Machine::current(),
        seconds: options.plan.seconds,
        rounds: options.plan.rounds,
        sessions: options.sessions,
        payload_bytes: job.workload.payload_bytes(),
        sides: measured.sides,
        cells: measured.cells,
        cleanup: measured.cleanup,
    };
    report.write_json(&options.out)?;
    println!("{}", report::markdown(std::slice::from_ref(&report)));
    eprintln!("authly-bench: {name}: wrote {}", options.out.display());
    let store_errors: u64 = report
        .sides
        .iter()
        .filter(|side| side.role == Role::Store)
        .flat_map(|side| report.cells.iter().filter(|c| c.side == side.name))
        .map(|c| c.errors)
        .sum();
    if store_errors > 0 {
        return Err(format!(
            "{name}: the store failed {store_errors} operations"
        ));
    }
    Ok(())
}

/// Prints (and with `out`, writes) the combined table of several JSON reports.
fn combine(inputs: &[std::path::PathBuf], out: Option<&Path>) -> Result<(), String> {
    let reports = inputs
        .iter()
        .map(|path| BackendReport::read_json(path))
        .collect::<Result<Vec<_>, _>>()?;
    let table = report::markdown(&reports);
    print!("{table}");
    if let Some(out) = out {
        std::fs::write(out, &table).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    Ok(())
}
