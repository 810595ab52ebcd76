#!/usr/bin/env bash
# A 3-master + 3-replica Redis Cluster on loopback ports 7100-7105 (node timeout 2 s, nothing
# kept on disk), for the topology tests (semantic 29), and the operator's moves those tests make.
#
# Usage: .ci/redis-cluster-ha.sh COMMAND
#   start                   (re)creates the cluster; prints the AUTHLY_TEST_REDIS_CLUSTER_HA_URLS value
#   stop                    shuts every node down and removes the cluster's files
#   failover PORT           CLUSTER FAILOVER on the replica at PORT (it becomes a master)
#   kill PORT               kill -9 of the node at PORT
#   restart PORT            starts the node at PORT again (it rejoins under its old identity)
#   reshard FROM TO SLOTS   moves SLOTS slots from the master at FROM to the master at TO
#                           (100 keys per MIGRATE)
#   heal                    restarts every stopped node and waits until the cluster is ok and
#                           every master has a replica in sync (fixing slots a cut-short
#                           reshard left open)
# AUTHLY_REDIS_CLUSTER_HA_DIR overrides where nodes keep their files (default /tmp/authly-redis-cluster-ha).
set -euo pipefail
ports=(7100 7101 7102 7103 7104 7105)
dir=${AUTHLY_REDIS_CLUSTER_HA_DIR:-/tmp/authly-redis-cluster-ha}

cli() { redis-cli -h 127.0.0.1 -p "$@"; }

up() { cli "$1" ping 2>/dev/null | grep -q PONG; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s.
wait_for() {
  local tries=$(($1 * 10)) what=$2
  shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "redis-cluster-ha: $what" >&2
  return 1
}

launch() {
  local port=$1
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --cluster-enabled yes --cluster-config-file "$dir/nodes-$port.conf" --cluster-node-timeout 2000 \
    --pidfile "$dir/redis-$port.pid" --dir "$dir" --logfile "$dir/redis-$port.log"
  wait_for 10 "node $port did not start" up "$port"
}

stop() {
  for port in "${ports[@]}"; do
    cli "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}

node_id() { cli "$1" cluster myid; }

# Every node answers, agrees the cluster is ok, and sees 3 masters each with a replica whose
# link is up.
healthy() {
  for port in "${ports[@]}"; do
    up "$port" || return 1
    cli "$port" cluster info | grep -q 'cluster_state:ok' || return 1
  done
  local nodes
  nodes=$(cli "${ports[0]}" cluster nodes)
  [ "$(grep -c 'master' <<<"$nodes")" -eq 3 ] || return 1
  [ "$(grep -c 'slave' <<<"$nodes")" -eq 3 ] || return 1
  ! grep -qE 'fail|handshake|noaddr' <<<"$nodes" || return 1
  for port in "${ports[@]}"; do
    if cli "$port" role | head -n 1 | grep -q slave; then
      cli "$port" info replication | grep -q 'master_link_status:up' || return 1
    fi
  done
}

start() {
  stop
  mkdir -p "$dir"
  for port in "${ports[@]}"; do launch "$port"; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 \
    --cluster-yes >/dev/null
  wait_for 30 "cluster did not become healthy" healthy
  printf 'redis://127.0.0.1:%s,' "${ports[@]}" | sed 's/,$/\n/'
}

heal() {
  for port in "${ports[@]}"; do
    up "$port" || launch "$port"
  done
  wait_for 15 "cluster not healthy yet; fixing its slots" healthy && return 0
  # A reshard cut short leaves slots open (migrating/importing) or unassigned: close them.
  redis-cli --cluster fix "127.0.0.1:${ports[0]}" --cluster-yes >"$dir/fix.log" 2>&1 || true
  wait_for 30 "cluster did not become healthy" healthy
}

command=${1:?usage: $0 start|stop|failover PORT|kill PORT|restart PORT|reshard FROM TO SLOTS|heal}
case $command in
  start) start ;;
  stop) stop ;;
  heal) heal ;;
  failover) cli "${2:?port}" cluster failover >/dev/null ;;
  kill) kill -9 "$(cat "$dir/redis-${2:?port}.pid")" ;;
  restart) launch "${2:?port}" ;;
  reshard)
    redis-cli --cluster reshard "127.0.0.1:${2:?from port}" --cluster-from "$(node_id "$2")" \
      --cluster-to "$(node_id "${3:?to port}")" --cluster-slots "${4:?slots}" --cluster-yes \
      --cluster-pipeline 100 \
      >"$dir/reshard.log" 2>&1 ;;
  *) echo "redis-cluster-ha: unknown command $command" >&2; exit 2 ;;
esac
