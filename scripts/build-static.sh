#!/usr/bin/env bash
# Builds a complete nginx binary with the ngx_meet modules compiled in
# (--add-module), from Debian's nginx source package (debian/patches
# applied by dpkg-source -x) and the configure flags of Debian's nginx.
# Usage: build-static.sh <outdir>          -> <outdir>/nginx
#
# <outdir>/src holds the downloaded and extracted source; it is reused.
# configure runs again only when its flags or the repo's `config` change,
# otherwise only `make` runs (nginx's Makefile rebuilds what changed).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 <outdir>" >&2
    exit 2
fi

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

showsrc_versions() {
    apt-cache showsrc nginx 2>/dev/null | awk '/^Version:/ { print $2 }'
}

# newest first, by Debian version ordering
sort_versions_desc() {
    local -a v=("$@")
    local i j t n=${#v[@]}
    for ((i = 1; i < n; i++)); do
        for ((j = i; j > 0; j--)); do
            if dpkg --compare-versions "${v[j]}" gt "${v[j-1]}"; then
                t=${v[j]}; v[j]=${v[j-1]}; v[j-1]=$t
            else
                break
            fi
        done
    done
    [ "$n" -gt 0 ] && printf '%s\n' "${v[@]}"
    return 0
}

if [ -z "$tree" ]; then
    command -v dpkg-source >/dev/null || die "dpkg-source not found; install dpkg-dev"

    if [ -z "$(showsrc_versions)" ]; then
        [ "$(id -u)" = 0 ] || die "no deb-src entry for nginx; run as root to add one"
        parts=/etc/apt/sources.list.d
        eval "$(apt-config shell parts Dir::Etc::sourceparts/d)"
        parts=${parts%/}
        deb=$parts/debian.sources
        [ -f "$deb" ] || die "$deb not found; add a deb-src entry for nginx by hand"
        log "adding deb-src list $parts/ngx-meet-src.sources"
        sed 's/^Types:.*/Types: deb-src/' "$deb" > "$parts/ngx-meet-src.sources"
        apt-get update -q
        [ -n "$(showsrc_versions)" ] || die "apt-cache showsrc nginx still lists nothing"
    fi

    mapfile -t listed < <(showsrc_versions | sort -u)
    mapfile -t versions < <(sort_versions_desc "${listed[@]}")
    log "source versions: ${versions[*]}"

    mkdir -p "$srcdir"
    for v in "${versions[@]}"; do
        dl=$srcdir/download-$v
        rm -rf "$dl"
        mkdir -p "$dl"
        log "fetching nginx=$v"
        if ! (cd "$dl" && apt-get source -q --download-only "nginx=$v"); then
            log "nginx=$v: download failed, trying an older version"
            rm -rf "$dl"
            continue
        fi
        dsc=$(find "$dl" -maxdepth 1 -name 'nginx_*.dsc' | head -1)
        [ -n "$dsc" ] || { log "nginx=$v: no .dsc downloaded"; rm -rf "$dl"; continue; }
        tree=$srcdir/nginx-$v
        rm -rf "$tree"
        # unpacks the orig tarball and applies debian/patches
        (cd "$dl" && dpkg-source -x "$dsc" "$tree") || die "dpkg-source -x $dsc failed"
        rm -f "$srcdir"/nginx_*.orig.tar.*   # dpkg-source's copy, not needed
        echo "$tree" > "$srcdir/.tree"
        break
    done
    [ -n "$tree" ] || die "no nginx source version could be downloaded"
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
    --with-cc-opt="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
    --with-ld-opt="$(dpkg-buildflags --get LDFLAGS)"
    --add-module="$repo")

stamp=$(printf '%s\n' "$tree" "${conf_args[@]}" "$MEET_SRTP_INC" "$MEET_SRTP_LIB" "$(cat "$repo/config" "$repo/ngx_meet_signal_module/livekit_signal.proto" "$MEET_SRTP_LIB/libsrtp2.a" | md5sum)" | md5sum | cut -d' ' -f1)

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
