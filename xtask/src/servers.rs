//! Finding a server for each backend: the user's (by variable) or a container xtask starts.

use std::any::Any;

use crate::backend::Backend;
use crate::containers;

/// A server a backend's tests can use for the whole run.
pub struct Server {
    pub url: String,
    /// Shell commands that stop and start the server, for the fault tests.
    pub fault_commands: Option<(String, String)>,
    /// Where the URL came from, for the run's log.
    pub origin: String,
    /// Keeps a started container alive; dropping it removes the container.
    _container: Option<Box<dyn Any>>,
}

/// What to do for one backend, decided from the environment alone.
#[derive(Debug, PartialEq)]
pub enum Plan {
    Embedded,
    UseVariable {
        variable: &'static str,
        url: String,
        fault_commands: Option<(String, String)>,
    },
    StartContainer,
}

/// Decides from `env` (a variable lookup) how `backend` gets its server.
pub fn plan(backend: Backend, env: impl Fn(&str) -> Option<String>) -> Plan {
    let Some(variable) = backend.url_variable() else {
        return Plan::Embedded;
    };
    match env(variable).filter(|url| !url.trim().is_empty()) {
        Some(url) => {
            let fault_commands = backend
                .fault_variables()
                .and_then(|(stop, start)| Some((env(stop)?, env(start)?)));
            Plan::UseVariable {
                variable,
                url,
                fault_commands,
            }
        }
        None => Plan::StartContainer,
    }
}

/// A server for `backend`, starting a container when no variable names one.
pub async fn provide(backend: Backend) -> Result<Option<Server>, String> {
    match plan(backend, |name| std::env::var(name).ok()) {
        Plan::Embedded => Ok(None),
        Plan::UseVariable {
            variable,
            url,
            fault_commands,
        } => Ok(Some(Server {
            url,
            fault_commands,
            origin: format!("from {variable}"),
            _container: None,
        })),
        Plan::StartContainer => {
            let variable = backend.url_variable().unwrap_or_default();
            let started = containers::start(backend).await.map_err(|error| {
                format!(
                    "backend {backend}: {variable} is not set and no container could be started ({error}). \
                     Fix: set {variable} to a running server's URL, or make a Docker engine available, \
                     or leave the backend out with --backend"
                )
            })?;
            Ok(Some(Server {
                url: started.url,
                fault_commands: Some(started.fault_commands),
                origin: format!("container {}", started.description),
                _container: Some(started.guard),
            }))
        }
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
        assert_eq!(
            plan(
                Backend::RedisCluster,
                env(&[("AUTHLY_TEST_REDIS_CLUSTER_URLS", "  ")])
            ),
            Plan::StartContainer
        );
        // MariaDB has its own variable: the MySQL one does not count for it.
        assert_eq!(
            plan(
                Backend::Mariadb,
                env(&[("AUTHLY_TEST_MYSQL_URL", "mysql://x")])
            ),
            Plan::StartContainer
        );
    }
}
