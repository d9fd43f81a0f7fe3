#!/usr/bin/env bash
# A local three-master Redis Cluster on loopback for the tests and CI (no replicas, no persistence).
# Idempotent: when the cluster already answers with every slot served, it is reused as it is.
#   scripts/redis-cluster.sh [start]      start it (default)
#   scripts/redis-cluster.sh stop         shut the three servers down
# REDIS_CLUSTER_PORTS (default "7101 7102 7103") and REDIS_CLUSTER_DIR (default /tmp/dialer-redis-cluster)
# choose where. A master's nodes.conf stays in its folder, so a master started again rejoins with its slots.
set -euo pipefail
ports=(${REDIS_CLUSTER_PORTS:-7101 7102 7103})
dir=${REDIS_CLUSTER_DIR:-/tmp/dialer-redis-cluster}

# Every node answers, sees the cluster as ok, and every slot is served.
cluster_ok() {
  for port in "${ports[@]}"; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  done
  [ "$(redis-cli -h 127.0.0.1 -p "${ports[0]}" cluster info | sed -n 's/^cluster_slots_ok:\([0-9]*\).*/\1/p')" = 16384 ]
}

start_master() {
  local port=$1
  # 9>&-: the server must not inherit the lock taken below, or it would hold it for as long as it runs.
  mkdir -p "$dir/$port"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then return; fi
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$port/nodes.conf" \
    --cluster-node-timeout 2000 --dir "$dir/$port" --save "" --appendonly no --daemonize yes --logfile "$dir/$port/redis.log" 9>&-
}

case "${1:-start}" in
  stop)
    for port in "${ports[@]}"; do redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac

mkdir -p "$dir"
# Test files may ask for the cluster at the same moment: one starts it, the others then find it up.
exec 9>"$dir/.lock"
flock 9
if cluster_ok; then exit 0; fi
for port in "${ports[@]}"; do start_master "$port"; done
for port in "${ports[@]}"; do
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
# A master that already knows its slots (nodes.conf) rejoins by itself; only a fresh set is created.
if [ "$(redis-cli -h 127.0.0.1 -p "${ports[0]}" cluster info | sed -n 's/^cluster_slots_assigned:\([0-9]*\).*/\1/p')" = 0 ]; then
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >"$dir/create.log"
fi
for _ in $(seq 1 100); do
  if cluster_ok; then exit 0; fi
  sleep 0.1
done
echo "redis cluster on ports ${ports[*]} did not reach cluster_state:ok; see $dir/*/redis.log" >&2
exit 1
