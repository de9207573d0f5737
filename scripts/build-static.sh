#!/usr/bin/env bash
# Builds a complete nginx binary with the ngx_meet modules compiled in
# (--add-module), from Debian's nginx source package (debian/patches
# applied by dpkg-source -x) and the configure flags of Debian's nginx.
# Usage: build-static.sh <outdir> [<extra-cflags>]   -> <outdir>/nginx
#   (the test build passes -DNGX_MEET_TEST_HOOKS)
#
# <outdir>/src holds the downloaded and extracted source; it is reused.
# configure runs again only when its flags or the repo's `config` change,
# otherwise only `make` runs (nginx's Makefile rebuilds what changed).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 <outdir> [<extra-cflags>]" >&2
    exit 2
fi
extra=${2:-}

repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
srcdir=$out/src
flags_file=${NGX_SRC:-/usr/share/nginx/src}/conf_flags

log() { echo "build-static: $*"; }
die() { echo "build-static: $*" >&2; exit 1; }

[ -f "$flags_file" ] || die "$flags_file not found; install nginx-dev"
command -v dpkg-buildflags >/dev/null || die "dpkg-buildflags not found; install dpkg-dev"

# ---------------------------------------------------------------- source

# the extracted tree's path is recorded in $srcdir/.tree once complete
tree=
if [ -f "$srcdir/.tree" ]; then
    tree=$(cat "$srcdir/.tree")
    if [ ! -x "$tree/configure" ] || [ ! -d "$tree/src/core" ]; then
        tree=
    fi
fi

# shellcheck source=debian-source.sh
. "$repo/scripts/debian-source.sh"

if [ -z "$tree" ]; then
    command -v dpkg-source >/dev/null || die "dpkg-source not found; install dpkg-dev"

    dsc=$(debian_source_fetch nginx "$srcdir")
    dl=$(dirname "$dsc")
    v=${dl##*/download-}
    tree=$srcdir/nginx-$v
    rm -rf "$tree"
    # unpacks the orig tarball and applies debian/patches
    (cd "$dl" && dpkg-source -x "$dsc" "$tree") || die "dpkg-source -x $dsc failed"
    rm -f "$srcdir"/nginx_*.orig.tar.*   # dpkg-source's copy, not needed
    echo "$tree" > "$srcdir/.tree"
fi
log "source tree $tree"

# ------------------------------------------------------------- libsrtp

# the OpenSSL-backed static libsrtp2 (build/libsrtp), read by `config`
srtp=$repo/build/libsrtp
bash "$repo/scripts/build-libsrtp.sh" "$srtp"
export MEET_SRTP_INC="$srtp/include" MEET_SRTP_LIB="$srtp/lib"

# ------------------------------------------------------------- configure

# dpkg-buildflags maps the current directory away (-ffile-prefix-map):
# call it from the tree so the flags do not depend on the caller's cwd
cd "$tree"
# shellcheck disable=SC1090
. "$flags_file"
# NGX_CONF_FLAGS are the "core" flags of Debian's packages; the nginx
# binary package also builds these modules in (nginx -V): add them so the
# static binary is a drop-in replacement (the dynamic geoip, image_filter,
# perl, xslt and mail modules are left out)
conf_args=("${NGX_CONF_FLAGS[@]}"
    --with-http_addition_module --with-http_flv_module
    --with-http_gunzip_module --with-http_gzip_static_module
    --with-http_mp4_module --with-http_random_index_module
    --with-http_secure_link_module --with-http_sub_module
    --with-stream --with-stream_ssl_module
    --with-stream_realip_module --with-stream_ssl_preread_module
    --with-cc-opt="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS) $extra"
    --with-ld-opt="$(dpkg-buildflags --get LDFLAGS)"
    --add-module="$repo")

stamp=$(printf '%s\n' "$tree" "${conf_args[@]}" "$MEET_SRTP_INC" "$MEET_SRTP_LIB" "$(cat "$repo/config" "$repo"/ngx_meet_signal_module/*.proto "$MEET_SRTP_LIB/libsrtp2.a" | md5sum)" | md5sum | cut -d' ' -f1)

if [ ! -f objs/Makefile ] || [ ! -f .ngx-meet-configured ] \
   || [ "$(cat .ngx-meet-configured)" != "$stamp" ]; then
    log "configure (log: $out/configure.log)"
    rm -rf objs Makefile .ngx-meet-configured
    ./configure "${conf_args[@]}" > "$out/configure.log" 2>&1 || {
        echo "build-static: configure failed, tail of $out/configure.log:" >&2
        tail -40 "$out/configure.log" >&2
        exit 1
    }
    echo "$stamp" > .ngx-meet-configured
fi

# ----------------------------------------------------------------- build

log "make -j$(nproc) (log: $out/make.log)"
make -j"$(nproc)" > "$out/make.log" 2>&1 || {
    echo "build-static: make failed, tail of $out/make.log:" >&2
    tail -60 "$out/make.log" >&2
    exit 1
}
grep -E 'warning:' "$out/make.log" | grep -F "$repo" >&2 || true

install -m 0755 objs/nginx "$out/nginx"
log "built $out/nginx"
