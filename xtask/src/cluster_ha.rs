//! The 3-primary + 3-replica Redis Cluster that the topology tests (semantic 29) move:
//! `AUTHLY_TEST_REDIS_CLUSTER_HA_URLS` with `AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL` (the command
//! that fails over, kills, reshards and heals its nodes) when set, or else the harness's own,
//! started with `.ci/redis-cluster-ha.sh` (which needs `redis-server` and `redis-cli`) and
//! stopped when the run ends.

use std::process::Command;

use crate::cargo::workspace_root;

/// The variable naming the cluster's nodes, comma-separated.
pub const URLS: &str = "AUTHLY_TEST_REDIS_CLUSTER_HA_URLS";

/// The variable naming the command that moves the cluster (`.ci/redis-cluster-ha.sh` takes the
/// same arguments).
pub const CONTROL: &str = "AUTHLY_TEST_REDIS_CLUSTER_HA_CONTROL";

/// The harness's own cluster script, from the workspace root.
const SCRIPT: &str = ".ci/redis-cluster-ha.sh";

/// A cluster for the topology tests, kept while this lives.
pub struct HaCluster {
    /// Its nodes' URLs, comma-separated.
    pub urls: String,
    /// The command that moves it.
    pub control: String,
    /// Whether this run started it (and so stops it).
    started: bool,
}

/// How the run gets its cluster, decided from the environment alone.
#[derive(Debug, PartialEq)]
enum Plan {
    /// The cluster the variables name.
    Use { urls: String, control: String },
    /// The harness's own.
    Start,
}

/// Decides from `env` (a variable lookup) where the cluster comes from.
fn plan(env: impl Fn(&str) -> Option<String>) -> Result<Plan, String> {
    let set = |name| env(name).filter(|value: &String| !value.trim().is_empty());
    match (set(URLS), set(CONTROL)) {
        (Some(urls), Some(control)) => Ok(Plan::Use { urls, control }),
        (Some(_), None) => Err(format!(
            "backend redis-cluster: {URLS} is set but {CONTROL} is not: the topology tests fail \
             over, kill and reshard nodes through it. Fix: set {CONTROL} to a command taking the \
             arguments of {SCRIPT}, or unset {URLS} to use the harness's own cluster"
        )),
        (None, _) => Ok(Plan::Start),
    }
}

impl HaCluster {
    /// The cluster of the variables, or the harness's own, started now.
    ///
    /// # Errors
    ///
    /// When only the URLs are set, or the harness's cluster cannot start (naming the fix).
    pub fn provide() -> Result<HaCluster, String> {
        match plan(|name| std::env::var(name).ok())? {
            Plan::Use { urls, control } => Ok(HaCluster {
                urls,
                control,
                started: false,
            }),
            Plan::Start => {
                let script = workspace_root().join(SCRIPT);
                let output = Command::new(&script).arg("start").output().map_err(|e| {
                    format!(
                        "backend redis-cluster: cannot run {}: {e}",
                        script.display()
                    )
                })?;
                if !output.status.success() {
                    return Err(format!(
                        "backend redis-cluster: {SCRIPT} start failed ({}): {}. Fix: install \
                         redis-server and redis-cli, or set {URLS} and {CONTROL}",
                        output.status,
                        String::from_utf8_lossy(&output.stderr).trim()
                    ));
                }
                let urls = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                Ok(HaCluster {
                    urls,
                    control: script.display().to_string(),
                    started: true,
                })
            }
        }
    }

    /// One line for the run's log.
    pub fn describe(&self) -> String {
        let origin = if self.started {
            format!("started with {SCRIPT}")
        } else {
            format!("from {URLS}")
        };
        format!("{} ({origin})", self.urls)
    }
}

impl Drop for HaCluster {
    fn drop(&mut self) {
        if self.started {
            let _ = Command::new(&self.control).arg("stop").status();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn both_variables_name_the_cluster() {
        let plan = plan(env(&[
            (URLS, "redis://a:1,redis://b:2"),
            (CONTROL, "move-it"),
        ]));
        assert_eq!(
            plan,
            Ok(Plan::Use {
                urls: "redis://a:1,redis://b:2".into(),
                control: "move-it".into()
            })
        );
    }

    #[test]
    fn no_urls_means_the_harness_starts_its_own() {
        assert_eq!(plan(env(&[])), Ok(Plan::Start));
        assert_eq!(plan(env(&[(URLS, " "), (CONTROL, "x")])), Ok(Plan::Start));
    }

    #[test]
    fn urls_without_a_control_command_are_an_error_naming_both() {
        let error = plan(env(&[(URLS, "redis://a:1")])).unwrap_err();
        assert!(error.contains(URLS) && error.contains(CONTROL), "{error}");
    }
}
