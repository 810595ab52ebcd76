//! A server for each backend: the user's, named by its variable, or else a container.

use std::any::Any;

use tokio::runtime::Runtime;

use crate::{Backend, containers};

/// A server a backend's tests or measurements can use for the whole run.
pub struct Server {
    /// The URL to connect to (a cluster's: its nodes, comma-separated).
    pub url: String,
    /// Shell commands that stop and start the server, for the fault tests (`None`: the user
    /// named the server but not those commands).
    pub fault_commands: Option<(String, String)>,
    /// Where the URL came from, for the run's log.
    pub origin: String,
    /// Keeps a started container alive; dropping it removes the container.
    _container: Option<Box<dyn Any>>,
}

impl Server {
    /// One line for the run's log: the URL without its password, and where it came from.
    pub fn describe(&self) -> String {
        format!("{} ({})", redact_url(&self.url), self.origin)
    }
}

/// How one backend gets its server, decided from the environment alone.
#[derive(Debug, PartialEq)]
enum Plan {
    /// No server: SQLite.
    Embedded,
    /// The server `variable` names, with the stop and start commands when both are set.
    UseVariable {
        /// The backend's URL variable.
        variable: &'static str,
        /// Its value.
        url: String,
        /// The values of the backend's stop and start variables, when both are set.
        fault_commands: Option<(String, String)>,
    },
    /// The variable is unset or blank: a container.
    StartContainer,
}

/// Decides from `env` (a variable lookup) how `backend` gets its server.
fn plan(backend: Backend, env: impl Fn(&str) -> Option<String>) -> Plan {
    let Some(variable) = backend.url_variable() else {
        return Plan::Embedded;
    };
    match env(variable).filter(|url| !url.trim().is_empty()) {
        Some(url) => Plan::UseVariable {
            variable,
            url,
            fault_commands: backend
                .fault_variables()
                .and_then(|(stop, start)| Some((env(stop)?, env(start)?))),
        },
        None => Plan::StartContainer,
    }
}

/// The server for `backend` (`None`: embedded), starting a container when no variable names one.
async fn provide(backend: Backend) -> Result<Option<Server>, String> {
    let (url, fault_commands, origin, container) = match plan(backend, |name| {
        std::env::var(name).ok()
    }) {
        Plan::Embedded => return Ok(None),
        Plan::UseVariable {
            variable,
            url,
            fault_commands,
        } => (url, fault_commands, format!("from {variable}"), None),
        Plan::StartContainer => {
            let started = containers::start(backend).await.map_err(|error| {
                    let variable = backend.url_variable().unwrap_or_default();
                    format!(
                        "backend {backend}: {variable} is not set and no container could be started \
                         ({error}). Fix: set {variable} to a running server's URL, or make a Docker \
                         engine available, or leave the backend out with --backend"
                    )
                })?;
            let origin = format!("container {}", started.description);
            (
                started.url,
                Some(started.fault_commands),
                origin,
                Some(started.guard),
            )
        }
    };
    Ok(Some(Server {
        url,
        fault_commands,
        origin,
        _container: container,
    }))
}

/// A server for each selected backend, kept while this lives: dropping it removes the
/// containers it started.
pub struct Servers {
    servers: Vec<(Backend, Option<Server>)>,
    /// The runtime the containers were started on, which also removes them.
    runtime: Runtime,
}

impl Servers {
    /// Finds or starts the server of each of `backends`, in order.
    ///
    /// # Errors
    ///
    /// One line for each backend that has no server, naming the fix.
    pub fn provide(backends: &[Backend]) -> Result<Servers, String> {
        let runtime = Runtime::new().map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
        let mut servers = Vec::new();
        let mut missing = Vec::new();
        for &backend in backends {
            match runtime.block_on(provide(backend)) {
                Ok(server) => servers.push((backend, server)),
                Err(message) => missing.push(message),
            }
        }
        let servers = Servers { servers, runtime };
        if missing.is_empty() {
            Ok(servers)
        } else {
            Err(missing.join("\n"))
        }
    }

    /// Each backend with its server (`None`: embedded), in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (Backend, Option<&Server>)> {
        self.servers
            .iter()
            .map(|(backend, server)| (*backend, server.as_ref()))
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        // A container removes itself on drop through the current runtime's handle.
        let _context = self.runtime.enter();
        self.servers.clear();
    }
}

/// `url` without its password, for the log.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn sqlite_needs_no_server() {
        assert_eq!(plan(Backend::Sqlite, env(&[])), Plan::Embedded);
    }

    #[test]
    fn a_set_variable_wins_over_a_container() {
        let plan = plan(
            Backend::Postgres,
            env(&[
                ("AUTHLY_TEST_POSTGRES_URL", "postgres://db/test"),
                ("AUTHLY_TEST_POSTGRES_STOP", "stop-it"),
                ("AUTHLY_TEST_POSTGRES_START", "start-it"),
            ]),
        );
        assert_eq!(
            plan,
            Plan::UseVariable {
                variable: "AUTHLY_TEST_POSTGRES_URL",
                url: "postgres://db/test".into(),
                fault_commands: Some(("stop-it".into(), "start-it".into())),
            }
        );
    }

    #[test]
    fn stop_and_start_commands_need_both_variables() {
        let plan = plan(
            Backend::Redis,
            env(&[
                ("AUTHLY_TEST_REDIS_URL", "redis://x"),
                ("AUTHLY_TEST_REDIS_STOP", "stop"),
            ]),
        );
        assert!(matches!(
            plan,
            Plan::UseVariable {
                fault_commands: None,
                ..
            }
        ));
    }

    #[test]
    fn unset_or_blank_variables_mean_a_container() {
        assert_eq!(plan(Backend::Mariadb, env(&[])), Plan::StartContainer);
        let blank = env(&[("AUTHLY_TEST_REDIS_CLUSTER_URLS", "  ")]);
        assert_eq!(plan(Backend::RedisCluster, blank), Plan::StartContainer);
        // MariaDB has its own variable: the MySQL one does not count for it.
        let mysql = env(&[("AUTHLY_TEST_MYSQL_URL", "mysql://x")]);
        assert_eq!(plan(Backend::Mariadb, mysql), Plan::StartContainer);
    }

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("mysql://root:hunter2@db:3306/test"),
            "mysql://root:***@db:3306/test"
        );
        assert_eq!(redact_url("mysql://root@db/test"), "mysql://root@db/test");
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
