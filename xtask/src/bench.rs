//! `cargo xtask bench`: provisions each selected backend's server as `cargo xtask test` does,
//! runs the release-mode `authly-bench` binary once per backend (JSON under `target/bench/`),
//! then prints the combined Markdown table.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::backend::Backend;
use crate::cli::BenchOptions;
use crate::servers::{self, Server};

pub fn run(options: &BenchOptions) -> Result<(), String> {
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
    let mut servers: Vec<(Backend, Option<Server>)> = Vec::new();
    let mut unreachable = Vec::new();
    for &backend in &options.backends {
        match runtime.block_on(servers::provide(backend)) {
            Ok(server) => {
                if let Some(server) = &server {
                    println!("xtask: {backend}: server {}", server.origin);
                }
                servers.push((backend, server));
            }
            Err(message) => unreachable.push(message),
        }
    }
    if !unreachable.is_empty() {
        return Err(unreachable.join("\n"));
    }

    let root = workspace_root();
    let out_dir = target_dir(&root).join("bench");
    println!("xtask: building authly-bench (release)");
    if !cargo(&root, &["build", "--release", "-p", "authly-bench"])? {
        return Err("authly-bench did not build".into());
    }
    let mut written = Vec::new();
    let mut failed = Vec::new();
    for (backend, server) in &servers {
        println!("xtask: == {backend}: bench");
        let out = out_dir.join(format!("{backend}.json"));
        let args = bench_args(
            options,
            *backend,
            server.as_ref().map(|s| s.url.as_str()),
            &out,
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if cargo(&root, &args)? {
            written.push(out);
        } else {
            failed.push(backend.name());
        }
    }
    drop(servers);

    if !written.is_empty() {
        let summary = out_dir.join("summary.md");
        let mut args: Vec<String> = [
            "run",
            "--release",
            "-q",
            "-p",
            "authly-bench",
            "--",
            "report",
        ]
        .map(String::from)
        .to_vec();
        args.extend(written.iter().map(|p| p.display().to_string()));
        args.extend(["--out".into(), summary.display().to_string()]);
        println!("\nxtask: == all backends ({})\n", out_dir.display());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if !cargo(&root, &args)? {
            failed.push("report");
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("bench failed: {}", failed.join(", ")))
    }
}

/// The `cargo` arguments that measure one backend.
pub fn bench_args(
    options: &BenchOptions,
    backend: Backend,
    url: Option<&str>,
    out: &Path,
) -> Vec<String> {
    let mut args: Vec<String> = ["run", "--release", "-q", "-p", "authly-bench", "--"]
        .map(String::from)
        .to_vec();
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
    args
}

fn cargo(root: &Path, args: &[&str]) -> Result<bool, String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(status.success())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> BenchOptions {
        BenchOptions {
            backends: vec![Backend::Sqlite, Backend::Postgres],
            seconds: 5.0,
            concurrency: vec![1, 32],
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
}
