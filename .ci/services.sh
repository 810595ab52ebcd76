#!/usr/bin/env bash
# Makes sure this machine's database servers are up, starting any that is down, and exports the
# variables naming each server and the commands that stop and start it (the fault tests run
# those). Source it: it exports variables.
# Usage: source .ci/services.sh

# authly_service NAME URL START STOP CHECK...: exports AUTHLY_TEST_<NAME>_URL (unless already
# set), AUTHLY_TEST_<NAME>_START and AUTHLY_TEST_<NAME>_STOP; runs START unless CHECK passes,
# then waits up to 60 s for CHECK to pass.
authly_service() {
  local name=$1 url=$2 start=$3 stop=$4
  shift 4
  local url_variable=AUTHLY_TEST_${name}_URL
  export "$url_variable=${!url_variable:-$url}" \
    "AUTHLY_TEST_${name}_START=$start" "AUTHLY_TEST_${name}_STOP=$stop"
  if ! "$@" >/dev/null 2>&1; then
    echo "services: starting $name"
    sh -c "$start"
  fi
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "services: $name did not come up" >&2
  return 1
}

pg_cluster="pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -n | tail -n 1) main"
authly_service POSTGRES postgres://postgres@127.0.0.1:5432/test \
  "$pg_cluster start" "$pg_cluster stop -m fast" \
  pg_isready -q -h 127.0.0.1 -p 5432

# The local MySQL-protocol server is MariaDB: the MySQL crate's own tests and xtask's `mariadb`
# backend both use it.
mariadb_start="start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
mariadb_stop="mariadb-admin -uroot -h127.0.0.1 shutdown"
for name in MYSQL MARIADB; do
  authly_service "$name" "${AUTHLY_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}" \
    "$mariadb_start" "$mariadb_stop" \
    mariadb-admin -uroot -h127.0.0.1 ping
done

authly_service REDIS redis://127.0.0.1:6379 \
  "mkdir -p /var/lib/redis /var/log/redis && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log" \
  "redis-cli -p 6379 shutdown nosave" \
  redis-cli -p 6379 ping
