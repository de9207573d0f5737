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
web=${MEET_WEB_DIR:-$repo/build/web}

mkdir -p "$prefix/logs" "$prefix/tmp" "$prefix/modules"
ln -sf "$stream_so" "$prefix/modules/ngx_stream_module.so"
for m in ngx_meet_core_module ngx_meet_routing_module ngx_meet_signal_module \
         ngx_meet_rtp_stream_module; do
    ln -sf "$modules/$m.so" "$prefix/modules/$m.so"
done
# the web app built by "make web" (dev.conf: "/ spa web;")
if [ ! -f "$web/index.html" ]; then
    echo "run-dev: $web/index.html is missing: run make web" >&2
    exit 1
fi
ln -sfn "$web" "$prefix/web"

# Started by root, nginx runs its worker as "nobody", which must read the
# web app.  A checkout in a private folder (/root is mode 0700) hides it:
# then the worker stays root (dev.conf listens on 127.0.0.1 only).
globals='daemon off;'
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1 \
   && ! runuser -u nobody -- test -r "$prefix/web/index.html" 2>/dev/null; then
    echo "run-dev: user nobody cannot read $prefix/web (a private folder): the nginx worker runs as root" >&2
    globals="$globals user root;"
fi

"$nginx" -t -q -p "$prefix" -c "$conf" -g "$globals"
echo "ngx_meet: open http://127.0.0.1:7880/ in two browser windows  (health: /healthz, media udp 127.0.0.1:7882)"
exec "$nginx" -p "$prefix" -c "$conf" -g "$globals"
