#!/bin/sh
# The container's command (Dockerfile): checks what the image cannot hold
# (the API key file, the public address), writes the media address into
# /run/ngx_meet/media.conf, then runs nginx in the foreground on
# /etc/ngx_meet/nginx.conf (conf-examples/container.conf).
# MEET_EXTERNAL_IP: the address (or addresses, space separated) clients
# send media to.
set -eu
conf=/etc/ngx_meet/nginx.conf
if [ ! -s /etc/ngx_meet/keys.yaml ]; then
    echo "ngx_meet: mount the API key file at /etc/ngx_meet/keys.yaml" \
         "(\"key: secret\" lines; make one with:" \
         "printf 'meet: %s\\n' \"\$(openssl rand -base64 32)\" > keys.yaml)" >&2
    exit 1
fi
if [ -z "${MEET_EXTERNAL_IP:-}" ]; then
    echo "ngx_meet: set MEET_EXTERNAL_IP to the public address clients" \
         "send media to (-e MEET_EXTERNAL_IP=203.0.113.10)" >&2
    exit 1
fi
mkdir -p /run/ngx_meet
: > /run/ngx_meet/media.conf
for ip in $MEET_EXTERNAL_IP; do
    case $ip in
        *[!0-9a-fA-F:.]*) echo "ngx_meet: bad MEET_EXTERNAL_IP: $ip" >&2; exit 1 ;;
    esac
    echo "meet_rtp_external_ip  $ip;" >> /run/ngx_meet/media.conf
done
exec nginx -c "$conf" -g 'daemon off;'
