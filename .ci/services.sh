#!/usr/bin/env bash
# Makes sure this machine's database servers are up, starting any that is down, and names the
# commands that stop and start each (used by the fault tests). Source it: it exports variables.
# Usage: source .ci/services.sh

pg_version() { ls /etc/postgresql | sort -n | tail -n 1; }

export AUTHLY_TEST_POSTGRES_START="pg_ctlcluster --skip-systemctl-redirect $(pg_version) main start"
export AUTHLY_TEST_POSTGRES_STOP="pg_ctlcluster --skip-systemctl-redirect $(pg_version) main stop -m fast"
export AUTHLY_TEST_MYSQL_START="start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
export AUTHLY_TEST_MYSQL_STOP="mariadb-admin -uroot -h127.0.0.1 shutdown"
# The local MySQL-protocol server is MariaDB: xtask's `mariadb` backend reads these names.
export AUTHLY_TEST_MARIADB_START="$AUTHLY_TEST_MYSQL_START"
export AUTHLY_TEST_MARIADB_STOP="$AUTHLY_TEST_MYSQL_STOP"
export AUTHLY_TEST_REDIS_START="redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
export AUTHLY_TEST_REDIS_STOP="redis-cli -p 6379 shutdown nosave"

export AUTHLY_TEST_POSTGRES_URL="${AUTHLY_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export AUTHLY_TEST_MYSQL_URL="${AUTHLY_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"
export AUTHLY_TEST_MARIADB_URL="${AUTHLY_TEST_MARIADB_URL:-$AUTHLY_TEST_MYSQL_URL}"
export AUTHLY_TEST_REDIS_URL="${AUTHLY_TEST_REDIS_URL:-redis://127.0.0.1:6379}"

wait_for() { # wait_for NAME CHECK-COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "services: $name did not come up" >&2
  return 1
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "services: starting PostgreSQL"
    sh -c "$AUTHLY_TEST_POSTGRES_START"
  fi
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
}

ensure_mariadb() {
  if ! mariadb-admin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then
    echo "services: starting MariaDB"
    sh -c "$AUTHLY_TEST_MYSQL_START"
  fi
  wait_for MariaDB mariadb-admin -uroot -h127.0.0.1 ping
}

ensure_redis() {
  if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    sh -c "$AUTHLY_TEST_REDIS_START"
  fi
  wait_for Redis redis-cli -p 6379 ping
}

ensure_postgres && ensure_mariadb && ensure_redis
