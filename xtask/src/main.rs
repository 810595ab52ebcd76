//! Project automation for authly-session.
//!
//! - `cargo xtask test [--backend NAME]...` runs the workspace tests with every selected backend
//!   against a real server: the one an `AUTHLY_TEST_*` variable names, or else a container.
//! - `cargo xtask bench ...` measures each store beside its raw driver.

mod backend;
mod bench;
mod cli;
mod containers;
mod servers;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("xtask: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let outcome = match command {
        cli::Command::Help => {
            println!("{}", cli::USAGE);
            Ok(())
        }
        cli::Command::Test(options) => test::run(&options),
        cli::Command::Bench(options) => bench::run(&options),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
