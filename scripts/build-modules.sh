#!/usr/bin/env bash
# Builds the ngx_meet dynamic modules against Debian's nginx-dev tree.
# Usage: build-modules.sh <work-dir> <output-dir> <extra-cflags>
set -euo pipefail

work=$1
out=$2
extra=${3:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${NGX_SRC:-/usr/share/nginx/src}

if [ ! -f "$src/conf_flags" ]; then
    echo "build-modules: $src/conf_flags not found; install nginx-dev" >&2
    exit 1
fi

# the OpenSSL-backed static libsrtp2 (build/libsrtp), read by `config`
srtp=$repo/build/libsrtp
bash "$repo/scripts/build-libsrtp.sh" "$srtp"
export MEET_SRTP_INC="$srtp/include" MEET_SRTP_LIB="$srtp/lib"

# configure writes into the tree: work on a copy, configure once per
# set of flags (the stamp holds them), then only rebuild our objects
stamp="$extra|$MEET_SRTP_INC|$MEET_SRTP_LIB|$(cat "$repo/config" "$repo"/ngx_meet_signal_module/*.proto "$MEET_SRTP_LIB/libsrtp2.a" | md5sum | cut -d' ' -f1)"
if [ ! -f "$work/.configured" ] || [ "$(cat "$work/.configured")" != "$stamp" ]; then
    rm -rf "$work"
    mkdir -p "$(dirname "$work")"
    cp -r "$src" "$work"
    cd "$work"
    # shellcheck disable=SC1091
    . ./conf_flags
    ./configure "${NGX_CONF_FLAGS[@]}" \
        --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS) -Wall -Werror $extra" \
        --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC $extra" \
        --with-stream=dynamic --with-stream_ssl_module \
        --with-stream_realip_module --with-stream_ssl_preread_module \
        --add-dynamic-module="$repo" > "$work/configure.log" 2>&1 || {
            tail -30 "$work/configure.log" >&2; exit 1; }
    echo "$stamp" > "$work/.configured"
fi

cd "$work"
make -f objs/Makefile objs/ngx_meet_core_module.so \
    objs/ngx_meet_routing_module.so objs/ngx_meet_signal_module.so \
    objs/ngx_meet_rtp_stream_module.so

mkdir -p "$out"
for m in ngx_meet_core_module ngx_meet_routing_module ngx_meet_signal_module \
         ngx_meet_rtp_stream_module; do
    install -m 0644 "objs/$m.so" "$out/$m.so"
done
echo "build-modules: modules in $out"
