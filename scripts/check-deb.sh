#!/usr/bin/env bash
# CI check of the Debian package (make deb): installs build/deb's
# libnginx-mod-meet into this host's stock nginx as a user would
# (apt-get install ./libnginx-mod-meet_*.deb), checks the maintainer
# scripts' modules-enabled link and "nginx -t" of the stock configuration,
# runs a second nginx (its own prefix and loopback ports, the stock
# binary, the package's snippet through /etc/nginx/modules-enabled) and
# asks its /healthz, then purges the package (the link goes too).
# Needs root.  Starts no system service (policy-rc.d).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deb=$(ls "$repo"/build/deb/libnginx-mod-meet_*.deb)
fail() { echo "check-deb: FAILED: $*" >&2; exit 1; }
log() { echo "check-deb: $*"; }

export DEBIAN_FRONTEND=noninteractive
policy_added=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
fi
tmp=$(mktemp -d /tmp/meet-deb-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null || true
    [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
    rm -rf "$tmp"
}
trap cleanup EXIT

log "installing $deb"
apt-get install -y -q --no-install-recommends "$deb" > "$tmp/apt.log" 2>&1 \
    || { cat "$tmp/apt.log" >&2; fail "apt-get install"; }
link=/etc/nginx/modules-enabled/60-mod-meet.conf
[ "$(readlink "$link")" = /usr/share/nginx/modules-available/mod-meet.conf ] \
    || fail "$link does not point to the package's snippet"
for m in core_module routing_module signal_module rtp_stream_module; do
    [ -f "/usr/lib/nginx/modules/ngx_meet_$m.so" ] || fail "ngx_meet_$m.so missing"
done
dpkg-query -W -f='${Depends}\n' libnginx-mod-meet | tee "$tmp/depends"
grep -q libnginx-mod-stream "$tmp/depends" || fail "no Depends on libnginx-mod-stream"
grep -q libsrtp "$tmp/depends" && fail "Depends on libsrtp (it is linked in)"
ls /etc/nginx/modules-enabled/ | sort | tr '\n' ' '; echo
log "nginx -t (the stock configuration, with the package enabled)"
nginx -t 2>&1 | tee "$tmp/t.log"
grep -q 'test is successful' "$tmp/t.log" || fail "nginx -t"

port=$(perl -I"$repo/t/lib" -MTest::Meet::Util=free_port -e 'print free_port("tcp")')
uport=$(perl -I"$repo/t/lib" -MTest::Meet::Util=free_port -e 'print free_port("udp")')
mkdir -p "$tmp/logs"
cat > "$tmp/nginx.conf" <<EOC
include /etc/nginx/modules-enabled/*.conf;
error_log $tmp/logs/error.log info;
pid $tmp/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        meet_routes {
            = /healthz  health;
            /rtc        signal;
        }
    }
}
stream {
    server {
        listen 127.0.0.1:$uport udp;
        meet_rtp;
    }
}
EOC
nginx -c "$tmp/nginx.conf" -t 2>&1 || fail "nginx -t of a meet configuration"
nginx -c "$tmp/nginx.conf"
for _ in $(seq 1 50); do [ -s "$tmp/nginx.pid" ] && break; sleep 0.1; done
pid=$(cat "$tmp/nginx.pid")
body=$(curl -fsS --max-time 10 "http://127.0.0.1:$port/healthz") || fail "/healthz"
echo "$body"
log "/healthz answers"
kill -QUIT "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
pid=

log "purging the package"
apt-get purge -y -q libnginx-mod-meet > "$tmp/apt.log" 2>&1 \
    || { cat "$tmp/apt.log" >&2; fail "apt-get purge"; }
[ -e "$link" ] || [ -L "$link" ] && fail "$link is still there after purge"
nginx -t > /dev/null 2>&1 || fail "nginx -t after the purge"
log "ok"
