#!/usr/bin/env bash
# Forwarding hot path benchmark (bench/fwd_bench.c): builds it against the
# project's SRTP wrapper and RTP rewrite (lib/meet_srtp.c, lib/meet_rtp.c)
# and whatever libsrtp2 the modules link, runs it for
# both SRTP profiles.  Sends only to a socket of its own on 127.0.0.1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/bench
mkdir -p "$out"
inc="-I$repo/ngx_meet_rtp_stream_module/lib"
lib="-lsrtp2"
# SRTP=system measures Debian's NSS-backed libsrtp2 instead
if [ "${SRTP:-}" != system ] && [ -f "$repo/build/libsrtp/lib/libsrtp2.a" ]; then
    inc="$inc -I$repo/build/libsrtp/include"
    lib="$repo/build/libsrtp/lib/libsrtp2.a -lssl -lcrypto"
fi
gcc -O2 -g $inc -o "$out/fwd_bench" "$repo/bench/fwd_bench.c" \
    "$repo/ngx_meet_rtp_stream_module/lib/meet_rtp.c" \
    "$repo/ngx_meet_rtp_stream_module/lib/meet_srtp.c" $lib
if ldd "$out/fwd_bench" | grep -q libnss3; then
    echo "SRTP: Debian's libsrtp2 (NSS)"
else
    echo "SRTP: libsrtp2 built with OpenSSL (build/libsrtp)"
fi
"$out/fwd_bench" "${SECONDS_PER_STEP:-3}" gcm
"$out/fwd_bench" "${SECONDS_PER_STEP:-3}" cm
