//! Containers for the server backends (PostgreSQL 16, MySQL 8.4, MariaDB 11, Redis 7 and a
//! 3-master Redis Cluster), each on host ports picked free at its start and fixed from then on,
//! so a container the fault tests stop and start comes back at the same URL.

use std::any::Any;
use std::net::TcpListener;
use std::time::Duration;

use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, Image, ImageExt};
use testcontainers_modules::{mariadb::Mariadb, mysql::Mysql, postgres::Postgres, redis::Redis};

use crate::Backend;

/// A running container: its URL, the commands that stop and start it, and the guard that
/// removes it when dropped (testcontainers' watchdog also removes it on Ctrl-C).
pub struct Started {
    /// The URL of its server on a host port.
    pub url: String,
    /// `docker stop` and `docker start` of the container.
    pub fault_commands: (String, String),
    /// The image and the container's short id, for the log.
    pub description: String,
    /// The container itself.
    pub guard: Box<dyn Any>,
}

/// How long an image may take to pull and start.
const STARTUP: Duration = Duration::from_secs(180);

/// A single-server image: its reference, the port its server listens on inside the container,
/// and its URL with `{addr}` for the host address.
type Spec = (&'static str, u16, &'static str);

const POSTGRES: Spec = (
    "postgres:16-alpine",
    5432,
    "postgres://postgres@{addr}/postgres",
);
const MYSQL: Spec = ("mysql:8.4", 3306, "mysql://root@{addr}/test");
const MARIADB: Spec = ("mariadb:11", 3306, "mysql://root@{addr}/test");
const REDIS: Spec = ("redis:7", 6379, "redis://{addr}");

/// Starts a server for `backend` in a container.
pub async fn start(backend: Backend) -> Result<Started, String> {
    match backend {
        Backend::Postgres => run(Postgres::default().with_host_auth(), POSTGRES).await,
        Backend::Mysql => run(Mysql::default(), MYSQL).await,
        Backend::Mariadb => run(Mariadb::default(), MARIADB).await,
        Backend::Redis => run(Redis::default(), REDIS).await,
        Backend::RedisCluster => redis_cluster().await,
        Backend::Sqlite => Err("sqlite needs no container".into()),
    }
}

/// Runs `image` as `spec` says, its server's port mapped to a free host port.
async fn run<I: Image + 'static>(
    image: I,
    (reference, port, url): Spec,
) -> Result<Started, String> {
    let host_port = free_port()?;
    let tag = reference.split_once(':').map_or("latest", |(_, tag)| tag);
    let container = image
        .with_tag(tag)
        .with_mapped_port(host_port, ContainerPort::Tcp(port))
        .with_startup_timeout(STARTUP)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let url = url.replace("{addr}", &format!("127.0.0.1:{host_port}"));
    Ok(started(container, reference, url))
}

fn started<I: Image + 'static>(
    container: ContainerAsync<I>,
    reference: &str,
    url: String,
) -> Started {
    let id = container.id().to_owned();
    Started {
        url,
        fault_commands: (format!("docker stop {id}"), format!("docker start {id}")),
        description: format!("{reference} ({})", &id[..id.len().min(12)]),
        guard: Box::new(container),
    }
}

/// Three cluster nodes in one container, announcing 127.0.0.1 and the host ports they are
/// mapped to, so clients outside the container follow redirects to reachable addresses.
async fn redis_cluster() -> Result<Started, String> {
    let ports = [free_port()?, free_port()?, free_port()?];
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let script = format!(
        "for p in {p0} {p1} {p2}; do redis-server --port $p --cluster-enabled yes --cluster-config-file nodes-$p.conf \
         --cluster-announce-ip 127.0.0.1 --save '' --appendonly no --daemonize yes; done; \
         for p in {p0} {p1} {p2}; do until redis-cli -p $p ping >/dev/null 2>&1; do sleep 0.1; done; done; \
         redis-cli --cluster create {nodes} --cluster-replicas 0 --cluster-yes >/dev/null; \
         until redis-cli -p {p0} cluster info | grep -q cluster_state:ok; do sleep 0.1; done; \
         echo authly-cluster-ready; tail -f /dev/null",
        p0 = ports[0],
        p1 = ports[1],
        p2 = ports[2],
        nodes = nodes.join(" "),
    );
    let mut request = GenericImage::new("redis", "7")
        .with_wait_for(WaitFor::message_on_stdout("authly-cluster-ready"))
        .with_entrypoint("sh")
        .with_cmd(["-c", script.as_str()])
        .with_startup_timeout(STARTUP);
    for port in ports {
        request = request.with_mapped_port(port, ContainerPort::Tcp(port));
    }
    let container = request.start().await.map_err(|e| e.to_string())?;
    let url = ports
        .iter()
        .map(|p| format!("redis://127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    Ok(started(container, "redis:7 (3-master cluster)", url))
}

/// A port no one listens on right now (the OS picks it; it is released at once for the container).
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free local port: {e}"))
}
