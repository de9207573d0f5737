#!/usr/bin/env bash
# Forwarding benchmark through a real nginx with synthetic WebRTC peers
# (t/tools/meet_peer: ICE, DTLS 1.2, SRTP): one publisher at a fixed packet
# rate, K subscribers; the nginx worker's CPU, forwarded packets/s, loss and
# latency at the subscribers (bench/peer_bench.pl).  Loopback only; nginx
# runs in a temporary prefix and is stopped by its PID.
#   bash bench/run-peer.sh [K ...]            (default: 1 10 50)
#   RATE=1000 SIZE=1200 DURATION=10 SRTP=gcm|cm PORT=17994 MODULES=build/modules
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mods=${MODULES:-$repo/build/modules}
[ -f "$mods/ngx_meet_rtp_stream_module.so" ] || {
    echo "run-peer: $mods has no modules; run make modules first" >&2
    exit 1
}
bash "$repo/scripts/build-tools.sh"
# one subscriber process per K, each with a few sockets
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

MEET_PEER=$repo/build/tools/meet_peer MODULES=$mods \
    exec perl "$repo/bench/peer_bench.pl" "$@"
