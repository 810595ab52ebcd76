#!/usr/bin/env bash
# A 3-master Redis Cluster on loopback ports 7000-7002, for the cluster tests.
# Usage: .ci/redis-cluster.sh start|stop   (start prints the AUTHLY_TEST_REDIS_CLUSTER_URLS value)
set -euo pipefail
ports=(7000 7001 7002)
dir=${AUTHLY_REDIS_CLUSTER_DIR:-/tmp/authly-redis-cluster}

stop() {
  for port in "${ports[@]}"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}

start() {
  stop
  mkdir -p "$dir"
  for port in "${ports[@]}"; do
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --cluster-enabled yes --cluster-config-file "$dir/nodes-$port.conf" --cluster-node-timeout 5000 \
      --dir "$dir" --logfile "$dir/redis-$port.log"
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >/dev/null
  for _ in $(seq 1 100); do
    if redis-cli -p "${ports[0]}" cluster info | grep -q 'cluster_state:ok'; then
      printf 'redis://127.0.0.1:%s,' "${ports[@]}" | sed 's/,$/\n/'
      return 0
    fi
    sleep 0.1
  done
  echo "redis-cluster: cluster did not reach state ok" >&2
  return 1
}

"${1:?usage: $0 start|stop}"
