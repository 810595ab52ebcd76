//! `cargo xtask bench`: provisions each selected backend's server as `cargo xtask test` does,
//! runs the release-mode `authly-bench` binary once per backend (JSON under `target/bench/`),
//! then prints the combined Markdown table.

use std::path::{Path, PathBuf};

use authly_test_servers::Backend;

use crate::cargo;
use crate::cli::BenchOptions;

/// `cargo` arguments that run the release-mode bench binary; its own follow.
const RUN_BENCH: [&str; 6] = ["run", "--release", "-q", "-p", "authly-bench", "--"];

/// Measures every selected backend, then prints (and writes) the combined table.
pub fn run(options: &BenchOptions) -> Result<(), String> {
    let servers = crate::provide(&options.backends)?;
    let out_dir = cargo::target_dir().join("bench");
    println!("xtask: building authly-bench (release)");
    if !cargo::succeeds(&mut cargo::command([
        "build",
        "--release",
        "-p",
        "authly-bench",
    ]))? {
        return Err("authly-bench did not build".into());
    }
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for (backend, server) in servers.iter() {
        println!("xtask: == {backend}: bench");
        let out = out_dir.join(report_name(options, backend));
        let args = bench_args(options, backend, server.map(|s| s.url.as_str()), &out);
        if cargo::succeeds(&mut cargo::command(args))? {
            written.push(out);
        } else {
            failed.push(backend.name());
        }
    }
    drop(servers);

    if !written.is_empty() {
        println!("\nxtask: == all backends ({})\n", out_dir.display());
        if !cargo::succeeds(&mut cargo::command(report_args(&written, &out_dir)))? {
            failed.push("report");
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("bench failed: {}", failed.join(", ")))
    }
}

/// The JSON file of `backend`'s run: `postgres.json`, or for a run with `--tls`, `--scale` or
/// `--cleanup`, `postgres-tls.json`, `postgres-scale.json`, `postgres-cleanup.json`, so a mode's
/// run does not overwrite the comparison's.
pub fn report_name(options: &BenchOptions, backend: Backend) -> String {
    let modes: String = options
        .extra
        .iter()
        .filter_map(|arg| arg.strip_prefix("--"))
        .map(|mode| format!("-{mode}"))
        .collect();
    format!("{backend}{modes}.json")
}

/// The `cargo` arguments that measure one backend.
pub fn bench_args(
    options: &BenchOptions,
    backend: Backend,
    url: Option<&str>,
    out: &Path,
) -> Vec<String> {
    let mut args: Vec<String> = RUN_BENCH.map(String::from).to_vec();
    args.extend(["--backend".into(), backend.name().into()]);
    if let Some(url) = url {
        args.extend(["--url".into(), url.into()]);
    }
    let levels: Vec<String> = options.concurrency.iter().map(u32::to_string).collect();
    args.extend([
        "--seconds".into(),
        options.seconds.to_string(),
        "--concurrency".into(),
        levels.join(","),
        "--out".into(),
        out.display().to_string(),
    ]);
    args.extend(options.extra.iter().cloned());
    args
}

/// The `cargo` arguments that combine the JSON reports into `summary.md` in `out_dir`.
fn report_args(reports: &[PathBuf], out_dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = RUN_BENCH.map(String::from).to_vec();
    args.push("report".into());
    args.extend(reports.iter().map(|path| path.display().to_string()));
    args.extend([
        "--out".into(),
        out_dir.join("summary.md").display().to_string(),
    ]);
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> BenchOptions {
        BenchOptions {
            backends: vec![Backend::Sqlite, Backend::Postgres],
            seconds: 5.0,
            concurrency: vec![1, 32],
            extra: Vec::new(),
        }
    }

    #[test]
    fn runs_the_release_binary_with_the_server_url() {
        let args = bench_args(
            &options(),
            Backend::Postgres,
            Some("postgres://db/test"),
            Path::new("target/bench/postgres.json"),
        );
        assert_eq!(
            args.join(" "),
            "run --release -q -p authly-bench -- --backend postgres --url postgres://db/test \
             --seconds 5 --concurrency 1,32 --out target/bench/postgres.json"
        );
    }

    #[test]
    fn sqlite_needs_no_url_and_fractions_pass_through() {
        let options = BenchOptions {
            seconds: 0.5,
            concurrency: vec![4],
            ..options()
        };
        let args = bench_args(&options, Backend::Sqlite, None, Path::new("s.json")).join(" ");
        assert!(args.ends_with("--backend sqlite --seconds 0.5 --concurrency 4 --out s.json"));
    }

    #[test]
    fn extra_options_follow_the_others() {
        let options = BenchOptions {
            extra: vec!["--cleanup".into(), "1000000".into()],
            ..options()
        };
        let args = bench_args(&options, Backend::Sqlite, None, Path::new("s.json")).join(" ");
        assert!(args.ends_with("--out s.json --cleanup 1000000"), "{args}");
        assert_eq!(
            report_name(&options, Backend::Sqlite),
            "sqlite-cleanup.json"
        );
        assert_eq!(
            report_name(&self::options(), Backend::Mariadb),
            "mariadb.json"
        );
    }

    #[test]
    fn the_report_combines_every_json_into_summary_md() {
        let reports = [
            PathBuf::from("b/sqlite.json"),
            PathBuf::from("b/redis.json"),
        ];
        assert_eq!(
            report_args(&reports, Path::new("b")).join(" "),
            "run --release -q -p authly-bench -- report b/sqlite.json b/redis.json --out b/summary.md"
        );
    }
}
