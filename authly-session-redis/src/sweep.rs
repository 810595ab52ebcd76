//! `delete_expired`: Redis drops session keys by itself, so no session is left to remove; what
//! remains is index entries of sessions that ended. This finds the prefix's identity indexes
//! with `SCAN` (a page of keys per command, on every primary of a cluster) and prunes from each
//! the entries more than the grace past their expiry by the server's clock.

use authly_session::SessionError;
use futures_util::future::try_join_all;
use redis::FromRedisValue;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};

use crate::RedisStore;
use crate::cluster::Cluster;
use crate::connection::Connection;
use crate::error::During;
use crate::scripts::PAGE;

const OPERATION: &str = "delete_expired";

impl RedisStore {
    /// Prunes every identity index of the prefix, on every node.
    pub(crate) async fn sweep(&self) -> Result<(), SessionError> {
        match &self.connection {
            Connection::Single(_) => self.sweep_node(None).await,
            Connection::Cluster(cluster) => {
                for node in primaries(cluster).await? {
                    self.sweep_node(Some(node)).await?;
                }
                Ok(())
            }
        }
    }

    /// Prunes the identity indexes on one node (`None`: the single server).
    async fn sweep_node(&self, node: Option<(String, u16)>) -> Result<(), SessionError> {
        let pattern = self.keys.index_pattern();
        let mut cursor = 0u64;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(PAGE);
            let (next, indexes): (u64, Vec<String>) = match (&self.connection, &node) {
                (Connection::Cluster(cluster), Some((host, port))) => {
                    let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                        host: host.clone(),
                        port: *port,
                    });
                    let reply = cluster
                        .route_command(scan, routing)
                        .await
                        .during(OPERATION)?;
                    FromRedisValue::from_redis_value(reply)
                        .map_err(|e| SessionError::backend(OPERATION, e))?
                }
                _ => scan
                    .query_async(&mut self.connection.clone())
                    .await
                    .during(OPERATION)?,
            };
            try_join_all(indexes.iter().map(|index| async move {
                while self.prune(OPERATION, index).await? == PAGE as u64 {}
                Ok::<(), SessionError>(())
            }))
            .await?;
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

/// `host:port` of every primary of the cluster, from `CLUSTER NODES`.
async fn primaries(cluster: &Cluster) -> Result<Vec<(String, u16)>, SessionError> {
    let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random);
    let reply = cluster
        .route_command(redis::cmd("CLUSTER").arg("NODES").clone(), routing)
        .await
        .during(OPERATION)?;
    let nodes: String =
        FromRedisValue::from_redis_value(reply).map_err(|e| SessionError::backend(OPERATION, e))?;
    Ok(nodes
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let address = fields.nth(1)?;
            let flags = fields.next()?;
            let primary = flags.split(',').any(|f| f == "master")
                && !flags.split(',').any(|f| f == "fail" || f == "noaddr");
            let address = address.split('@').next()?;
            let (host, port) = address.rsplit_once(':')?;
            (primary && !host.is_empty())
                .then(|| Some((host.to_owned(), port.parse().ok()?)))
                .flatten()
        })
        .collect())
}
