#!/usr/bin/env bash
# Churn soak (issue 16): native LiveKit participants (@livekit/rtc-node,
# t/node/soak-churn.mjs) join a few rooms, publish a microphone and a small
# camera, subscribe to each other, leave after a few seconds and are
# replaced, in cycles, against one nginx worker, for MINUTES.  At every
# quiet point (no room, participant or media session left) the worker's
# RSS, open files and, with the tests' build, its malloc heap in use
# (meet_test_heap) are sampled.  Loopback only; nginx is stopped by PID.
#
#   bash bench/soak.sh [MINUTES]                  (default 30)
#
# Environment: MODULES (default build/modules; build/test/modules adds the
# heap figure), NGINX (/usr/sbin/nginx), PORT (17970: HTTP, +1 ICE-TCP, +2
# UDP), ROOMS (3), PER_ROOM (3), TURNS (2), STAY_MS (2000-5000),
# DEPARTURE (meet_signal_departure_timeout, 2s: rooms close soon after a
# cycle, so quiet points come often), KEEP=1 (keep the prefix and logs).
# The samples go to the prefix's soak.jsonl; the last line is the summary
# that bench/README.md quotes.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
minutes=${1:-30}
nginx=${NGINX:-/usr/sbin/nginx}
mods=${MODULES:-$repo/build/modules}
port=${PORT:-17970}

[ -f "$mods/ngx_meet_core_module.so" ] || { echo "no modules in $mods (make modules)" >&2; exit 1; }
[ -d "$repo/t/node/node_modules/@livekit/rtc-node" ] || make -C "$repo" node-deps >/dev/null

prefix=$(mktemp -d /tmp/meet-soak-XXXXXX)
mkdir -p "$prefix/logs" "$prefix/tmp"
cleanup() {
    kill -QUIT "$(cat "$prefix/logs/nginx.pid" 2>/dev/null)" 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then echo "soak: kept $prefix" >&2
    else sleep 0.5; rm -rf "$prefix"; fi
}
trap cleanup EXIT

# the heap figure needs the tests' build (the directive exists only there)
heap=
grep -q meet_test_heap "$mods/ngx_meet_core_module.so" && heap='meet_test_heap;'

# what a new user runs (conf-examples/dev.conf): routes, access log, ICE-TCP
cat > "$prefix/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
load_module $mods/ngx_meet_core_module.so;
load_module $mods/ngx_meet_routing_module.so;
load_module $mods/ngx_meet_signal_module.so;
load_module $mods/ngx_meet_rtp_stream_module.so;
worker_processes 1;
$heap
error_log logs/error.log info;
pid logs/nginx.pid;
events { worker_connections 4096; }
http {
    access_log logs/access.log;
    client_body_temp_path $prefix/tmp;
    proxy_temp_path $prefix/tmp;
    fastcgi_temp_path $prefix/tmp;
    uwsgi_temp_path $prefix/tmp;
    scgi_temp_path $prefix/tmp;
    large_client_header_buffers 4 32k;
    server {
        listen 127.0.0.1:$port;
        meet_signal_departure_timeout ${DEPARTURE:-2s};
        meet_routes {
            = /healthz health;
            /rtc signal;
        }
    }
}
stream {
    server {
        listen 127.0.0.1:$((port + 2)) udp rcvbuf=4m;
        listen 127.0.0.1:$((port + 1));
        meet_rtp;
    }
}
CONF

"$nginx" -p "$prefix" -c "$prefix/nginx.conf"
sleep 0.5
master=$(cat "$prefix/logs/nginx.pid")
worker=$(pgrep -P "$master" | head -1)
echo "soak: nginx $master, worker $worker, $minutes min, prefix $prefix" >&2

# the driver again when it dies (rtc-node's native code aborted, rarely,
# in our runs): the counts and the clock go on, the summary spans the runs
t0=$(date +%s%3N)
end=$(( $(date +%s) + minutes * 60 ))
runs=0
while [ "$(date +%s)" -lt $((end - 30)) ] && [ $runs -lt 10 ]; do
    runs=$((runs + 1))
    last=$(grep '"event":"sample"' "$prefix/soak.jsonl" 2>/dev/null | tail -1 || true)
    joins=$(echo "$last" | sed -n 's/.*"joins":\([0-9]*\).*/\1/p')
    cycles=$(echo "$last" | sed -n 's/.*"cycle":\([0-9]*\).*/\1/p')
    [ $runs -gt 1 ] && echo "soak: the driver ended early; again (run $runs)" >&2
    (cd "$repo/t/node" && MEET_URL="ws://127.0.0.1:$port" MEET_WORKER_PID="$worker" \
        SOAK_T0=$t0 SOAK_SECONDS=$((minutes * 60)) \
        SOAK_BASE_JOINS=${joins:-0} SOAK_BASE_CYCLES=${cycles:-0} \
        SOAK_ROOMS="${ROOMS:-3}" SOAK_PER_ROOM="${PER_ROOM:-3}" \
        SOAK_TURNS="${TURNS:-2}" SOAK_STAY_MS="${STAY_MS:-2000-5000}" \
        node soak-churn.mjs 2>>"$prefix/node.log") \
        | grep --line-buffered -v '"name":"lk-rtc"' | tee -a "$prefix/soak.jsonl" \
        | grep --line-buffered '"event":"sample"' || true
    grep -q '"event":"done"' "$prefix/soak.jsonl" && break
done

echo "soak: summary (bench/README.md)" >&2
(cd "$repo/t/node" && node soak-churn.mjs --summary "$prefix/soak.jsonl")
