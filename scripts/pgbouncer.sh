#!/usr/bin/env bash
# A local PgBouncer in transaction pooling mode in front of the local Postgres, for the tests and CI.
# Idempotent: when it already answers, it is reused.
#   scripts/pgbouncer.sh [start]    start it (default)
#   scripts/pgbouncer.sh stop       stop it
# PGBOUNCER_PORT (default 6432), PGBOUNCER_DIR (default /tmp/dialer-pgbouncer), POSTGRES_HOST and
# POSTGRES_PORT (default 127.0.0.1:5432) choose where. Every database name is passed through to that
# server (the "*" entry), as user postgres with trust authentication: loopback only, for tests.
set -euo pipefail
port=${PGBOUNCER_PORT:-6432}
dir=${PGBOUNCER_DIR:-/tmp/dialer-pgbouncer}
upstream_host=${POSTGRES_HOST:-127.0.0.1}
upstream_port=${POSTGRES_PORT:-5432}

answers() { psql "postgresql://postgres@127.0.0.1:$port/postgres" -tAc 'SELECT 1' >/dev/null 2>&1; }

# PgBouncer refuses to run as root: as root (CI), it runs as the postgres user.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  stop)
    if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac

if answers; then exit 0; fi
command -v pgbouncer >/dev/null || {
  echo "pgbouncer is not installed (Debian: apt-get install -y pgbouncer)" >&2
  exit 1
}
mkdir -p "$dir"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$upstream_host port=$upstream_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
; One server connection per transaction: what a managed pooler in front of a large Postgres does.
pool_mode = transaction
default_pool_size = 10
max_client_conn = 1000
; node-postgres asks for none of these, other clients (psql, JDBC) for some: harmless to ignore.
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"postgres" ""' >"$dir/userlist.txt"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
as_owner pgbouncer -d -q "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do
  if answers; then exit 0; fi
  sleep 0.1
done
echo "pgbouncer on 127.0.0.1:$port did not answer; see $dir/pgbouncer.log" >&2
exit 1
