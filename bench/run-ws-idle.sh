#!/usr/bin/env bash
# Benchmark: idle LiveKit signaling connections held by one nginx worker,
# and the worker's memory per connection.  Loopback only.
#   bash bench/run-ws-idle.sh [N ...]        (default: 1000 5000 10000)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
counts=${*:-1000 5000 10000}
nginx=${NGINX:-/usr/sbin/nginx}
mods=${MODULES:-$repo/build/modules}
port=${PORT:-17990}

[ -d "$repo/t/node/node_modules" ] || (cd "$repo/t/node" && npm ci --no-audit --no-fund >/dev/null)
# the client uses the test suite's pinned npm packages
ln -sfn "$repo/t/node/node_modules" "$repo/bench/node_modules"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

prefix=$(mktemp -d /tmp/meet-bench-XXXXXX)
mkdir -p "$prefix/logs"
[ -n "${KEEP:-}" ] || trap 'kill -QUIT "$(cat "$prefix/logs/nginx.pid" 2>/dev/null)" 2>/dev/null || true; sleep 0.5; rm -rf "$prefix"' EXIT
cat > "$prefix/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
load_module $mods/ngx_meet_routing_module.so;
load_module $mods/ngx_meet_signal_module.so;
worker_processes 1;
worker_rlimit_nofile 65536;
error_log logs/error.log warn;
pid logs/nginx.pid;
events { worker_connections 30000; }
http {
    access_log off;
    large_client_header_buffers 4 8k;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location /rtc { meet_signal; }
    }
}
CONF

printf '%-8s %-8s %-10s %-12s %-12s %-10s %-10s\n' N joined rss_kB delta_kB B/conn join_p50 join_p95

rss() { awk '/VmRSS/ {print $2}' "/proc/$worker/status"; }

# a fresh nginx for each N, so that one step's freed memory does not count
# as the next step's baseline
for n in $counts; do
    "$nginx" -p "$prefix" -c "$prefix/nginx.conf"
    sleep 0.5
    master=$(cat "$prefix/logs/nginx.pid")
    worker=$(pgrep -P "$master" | head -1)
    base=$(rss)
    log="$prefix/node-$n.log"
    (cd "$repo/t/node" && HOLD_MS=6000 exec node "$repo/bench/ws_idle.mjs" \
        "ws://127.0.0.1:$port" "$n" > "$log" 2>&1) &
    pid=$!
    # sample the worker while every connection is joined and held
    for _ in $(seq 1 600); do
        grep -q '"joined"' "$log" 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.2
    done
    sleep 2
    held=$(rss)
    wait $pid || true
    j=$(grep '"joined"' "$log" || { cat "$log" >&2; echo '{}'; })
    joined=$(echo "$j" | sed -n 's/.*"joined":\([0-9]*\).*/\1/p')
    p50=$(echo "$j" | sed -n 's/.*"join_ms_p50":\([0-9]*\).*/\1/p')
    p95=$(echo "$j" | sed -n 's/.*"join_ms_p95":\([0-9]*\).*/\1/p')
    printf '%-8s %-8s %-10s %-12s %-12s %-10s %-10s\n' "$n" "${joined:-0}" \
        "$held" "$((held - base))" "$(( (held - base) * 1024 / n ))" \
        "${p50:-?}" "${p95:-?}"
    kill -QUIT "$master"
    for _ in $(seq 1 50); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
done
