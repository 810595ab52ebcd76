//! Project automation for authly-session.
//!
//! - `cargo xtask test [--backend NAME]...` runs the workspace tests with every selected backend
//!   against a real server: the one an `AUTHLY_TEST_*` variable names, or else a container; the
//!   SQLite run includes the browser test (headless Chromium through chromedriver).
//! - `cargo xtask bench ...` measures each store beside its raw driver.

mod bench;
mod browser;
mod cargo;
mod cli;
mod cluster_ha;
mod test;

use std::process::ExitCode;

use authly_test_servers::{Backend, Servers};

fn main() -> ExitCode {
    let outcome = match cli::parse(std::env::args_os().skip(1)) {
        Err(error) => {
            eprintln!("xtask: {error}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
        Ok(cli::Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(cli::Command::Test(options)) => test::run(&options),
        Ok(cli::Command::Bench(options)) => bench::run(&options),
    };
    if let Err(message) = outcome {
        eprintln!("xtask: {message}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// A server for each of `backends` (the user's or a container), each named in the log.
fn provide(backends: &[Backend]) -> Result<Servers, String> {
    let servers = Servers::provide(backends)?;
    for (backend, server) in servers.iter() {
        if let Some(server) = server {
            println!("xtask: {backend}: server {}", server.describe());
        }
    }
    Ok(servers)
}
