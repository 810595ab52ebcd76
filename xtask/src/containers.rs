//! Containers for the server backends (PostgreSQL 16, MySQL 8.4, MariaDB 11, Redis 7 and a
//! 3-master Redis Cluster), on fixed host ports so the fault tests can stop and start them.

use std::any::Any;
use std::net::TcpListener;
use std::time::Duration;

use testcontainers::core::{ContainerPort, IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, Image, ImageExt};
use testcontainers_modules::{mariadb::Mariadb, mysql::Mysql, postgres::Postgres, redis::Redis};

use crate::backend::Backend;

/// A running container: its URL, the commands that stop and start it, and the guard that
/// removes it when dropped (testcontainers' watchdog also removes it on Ctrl-C).
pub struct Started {
    pub url: String,
    pub fault_commands: (String, String),
    pub description: String,
    pub guard: Box<dyn Any>,
}

const STARTUP: Duration = Duration::from_secs(180);

pub async fn start(backend: Backend) -> Result<Started, String> {
    match backend {
        Backend::Postgres => {
            let port = free_port()?;
            let image = Postgres::default().with_host_auth();
            run(
                image,
                "postgres:16-alpine",
                port,
                5432,
                format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            )
            .await
        }
        Backend::Mysql => {
            let port = free_port()?;
            run(
                Mysql::default(),
                "mysql:8.4",
                port,
                3306,
                format!("mysql://root@127.0.0.1:{port}/test"),
            )
            .await
        }
        Backend::Mariadb => {
            let port = free_port()?;
            run(
                Mariadb::default(),
                "mariadb:11",
                port,
                3306,
                format!("mysql://root@127.0.0.1:{port}/test"),
            )
            .await
        }
        Backend::Redis => {
            let port = free_port()?;
            run(
                Redis::default(),
                "redis:7",
                port,
                6379,
                format!("redis://127.0.0.1:{port}"),
            )
            .await
        }
        Backend::RedisCluster => redis_cluster().await,
        Backend::Sqlite => Err("sqlite needs no container".into()),
    }
}

async fn run<I: Image + 'static>(
    image: I,
    reference: &str,
    host_port: u16,
    port: u16,
    url: String,
) -> Result<Started, String> {
    let tag = reference.split_once(':').map_or("latest", |(_, tag)| tag);
    let container = image
        .with_tag(tag)
        .with_mapped_port(host_port, port.tcp())
        .with_startup_timeout(STARTUP)
        .start()
        .await
        .map_err(|e| e.to_string())?;
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
