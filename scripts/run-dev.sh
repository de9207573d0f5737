#!/usr/bin/env bash
# "make run": nginx in the foreground on conf-examples/dev.conf, with the
# modules built in build/modules.  Ctrl-C stops it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=${MEET_PREFIX:-$repo/build/run}
conf=${MEET_CONF:-$repo/conf-examples/dev.conf}
nginx=${NGINX:-/usr/sbin/nginx}
modules=${MEET_MODULES_DIR:-$repo/build/modules}
stream_so=${NGINX_STREAM_MODULE:-/usr/lib/nginx/modules/ngx_stream_module.so}

mkdir -p "$prefix/logs" "$prefix/tmp" "$prefix/modules"
ln -sf "$stream_so" "$prefix/modules/ngx_stream_module.so"
for m in ngx_meet_routing_module ngx_meet_signal_module ngx_meet_rtp_stream_module; do
    ln -sf "$modules/$m.so" "$prefix/modules/$m.so"
done

"$nginx" -t -q -p "$prefix" -c "$conf"
echo "ngx_meet: http://127.0.0.1:7880/healthz  (media udp 127.0.0.1:7882)"
exec "$nginx" -p "$prefix" -c "$conf" -g 'daemon off;'
