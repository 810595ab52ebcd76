//! The browser test's programs: headless Chromium and chromedriver, which the SQLite run needs
//! for `authly-session-sqlite`'s browser test. Missing ones fail the run, never skip the test.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A program the browser test runs: the variable that names it, else the names tried on `PATH`.
struct Program {
    variable: &'static str,
    names: &'static [&'static str],
}

const PROGRAMS: [Program; 2] = [
    Program {
        variable: "AUTHLY_TEST_CHROMIUM",
        names: &["chromium", "chromium-browser"],
    },
    Program {
        variable: "AUTHLY_TEST_CHROMEDRIVER",
        names: &["chromedriver"],
    },
];

/// Where Chromium and chromedriver are, as the browser test will find them; the error says what
/// is missing and how to install it.
pub fn programs() -> Result<Vec<PathBuf>, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for program in &PROGRAMS {
        let variable = std::env::var_os(program.variable).filter(|v| !v.is_empty());
        match locate(program, variable, &path) {
            Some(location) => found.push(location),
            None => missing.push(format!("{} (or {})", program.names[0], program.variable)),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(format!(
            "the browser test needs {} : on Debian `apt-get install chromium chromium-driver` \
             (.ci/run installs them)",
            missing.join(" and ")
        ))
    }
}

/// The program the variable names, else the first of its names found in `path`.
fn locate(program: &Program, variable: Option<OsString>, path: &OsString) -> Option<PathBuf> {
    if let Some(location) = variable {
        return Some(PathBuf::from(location)).filter(|p| is_executable(p));
    }
    std::env::split_paths(path)
        .flat_map(|dir| program.names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_through_the_variable_or_on_the_path_and_never_as_a_directory() {
        let shell = PathBuf::from("/bin/sh");
        let program = Program {
            variable: "UNUSED",
            names: &["no-such-program", "sh"],
        };
        let path = OsString::from("/nonexistent:/bin");
        assert_eq!(locate(&program, None, &path), Some(shell.clone()));
        assert_eq!(
            locate(&program, Some(shell.clone().into()), &"".into()),
            Some(shell)
        );
        assert_eq!(locate(&program, Some("/bin".into()), &path), None);
        assert_eq!(locate(&program, None, &"/nonexistent".into()), None);
    }
}
