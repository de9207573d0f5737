#!/usr/bin/env bash
# Builds libsrtp2 from Debian's libsrtp2 source package with the OpenSSL
# crypto backend (Debian's binary package uses NSS, which allocates on every
# protect/unprotect) as a static PIC archive:
#     <outdir>/include/srtp2/*.h  <outdir>/lib/libsrtp2.a
# The module build (config: MEET_SRTP_INC, MEET_SRTP_LIB) and the unit
# tests link it instead of the system -lsrtp2.
# Usage: build-libsrtp.sh <outdir>
#
# Idempotent: nothing is done when the archive exists and was built by this
# version of the script.  <outdir>/src keeps the downloaded source package.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 <outdir>" >&2
    exit 2
fi

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
mkdir -p "$1"
out=$(cd "$1" && pwd)
srcdir=$out/src
stamp=$(md5sum < "$self" | cut -d' ' -f1)

log() { echo "build-libsrtp: $*"; }
die() { echo "build-libsrtp: $*" >&2; exit 1; }

done_already() {
    [ -f "$out/lib/libsrtp2.a" ] && [ -f "$out/include/srtp2/srtp.h" ] \
        && [ -f "$out/.built" ] && [ "$(cat "$out/.built")" = "$stamp" ]
}

done_already && exit 0

# builds of the modules, the asan modules and the unit tests may run at once
exec 9> "$out/.lock"
flock 9
done_already && exit 0

command -v dpkg-source >/dev/null || die "dpkg-source not found; install dpkg-dev"
command -v dpkg-buildflags >/dev/null || die "dpkg-buildflags not found; install dpkg-dev"

# ---------------------------------------------------------------- source

showsrc_versions() {
    apt-cache showsrc libsrtp2 2>/dev/null | awk '/^Version:/ { print $2 }'
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

# the downloaded .dsc is recorded in $srcdir/.dsc
dsc=
if [ -f "$srcdir/.dsc" ] && [ -f "$(cat "$srcdir/.dsc")" ]; then
    dsc=$(cat "$srcdir/.dsc")
fi

if [ -z "$dsc" ]; then
    if [ -z "$(showsrc_versions)" ]; then
        [ "$(id -u)" = 0 ] || die "no deb-src entry for libsrtp2; run as root to add one"
        parts=/etc/apt/sources.list.d
        eval "$(apt-config shell parts Dir::Etc::sourceparts/d)"
        parts=${parts%/}
        deb=$parts/debian.sources
        [ -f "$deb" ] || die "$deb not found; add a deb-src entry for libsrtp2 by hand"
        log "adding deb-src list $parts/ngx-meet-src.sources"
        sed 's/^Types:.*/Types: deb-src/' "$deb" > "$parts/ngx-meet-src.sources"
        apt-get update -q
        [ -n "$(showsrc_versions)" ] || die "apt-cache showsrc libsrtp2 still lists nothing"
    fi

    mapfile -t listed < <(showsrc_versions | sort -u)
    mapfile -t versions < <(sort_versions_desc "${listed[@]}")
    log "source versions: ${versions[*]}"

    mkdir -p "$srcdir"
    for v in "${versions[@]}"; do
        dl=$srcdir/download-$v
        rm -rf "$dl"
        mkdir -p "$dl"
        log "fetching libsrtp2=$v"
        if ! (cd "$dl" && apt-get source -q --download-only "libsrtp2=$v"); then
            log "libsrtp2=$v: download failed, trying an older version"
            rm -rf "$dl"
            continue
        fi
        dsc=$(find "$dl" -maxdepth 1 -name 'libsrtp2_*.dsc' | head -1)
        if [ -z "$dsc" ]; then
            log "libsrtp2=$v: no .dsc downloaded"
            rm -rf "$dl"
            continue
        fi
        echo "$dsc" > "$srcdir/.dsc"
        break
    done
    [ -n "$dsc" ] || die "no libsrtp2 source version could be downloaded"
fi

# ----------------------------------------------------------------- build

# a fresh tree each time (debian/patches applied by dpkg-source -x)
tree=$srcdir/tree
rm -rf "$tree"
dsclog=$srcdir/dpkg-source.log
(cd "$(dirname "$dsc")" && dpkg-source -x "$dsc" "$tree") > "$dsclog" 2>&1 || {
    echo "build-libsrtp: dpkg-source -x $dsc failed, tail of $dsclog:" >&2
    tail -30 "$dsclog" >&2
    exit 1
}
log "building $(basename "$dsc" .dsc) with OpenSSL (log: $out/build.log)"

cd "$tree"
cflags="$(dpkg-buildflags --get CFLAGS) -fPIC -D_REENTRANT"
cppflags=$(dpkg-buildflags --get CPPFLAGS)
{
    CFLAGS=$cflags CPPFLAGS=$cppflags \
        ./configure --enable-openssl --disable-nss --disable-pcap \
        && make -j"$(nproc)" libsrtp2.a
} > "$out/build.log" 2>&1 || {
    echo "build-libsrtp: build failed, tail of $out/build.log:" >&2
    tail -40 "$out/build.log" >&2
    exit 1
}

# the OpenSSL backend, never NSS
grep -q '^#define OPENSSL 1' crypto/include/config.h \
    && ! grep -q '^#define NSS 1' crypto/include/config.h \
    || die "configure did not select the OpenSSL backend (see $out/build.log)"

# install into a staging folder, then swap: readers never see half of it
stage=$out/.stage.$$
rm -rf "$stage"
mkdir -p "$stage/include/srtp2" "$stage/lib"
cp include/srtp.h crypto/include/cipher.h crypto/include/auth.h \
   crypto/include/crypto_types.h "$stage/include/srtp2/"
cp libsrtp2.a "$stage/lib/"
rm -rf "$out/include" "$out/lib"
mv "$stage/include" "$stage/lib" "$out/"
rmdir "$stage"
rm -rf "$tree"
echo "$stamp" > "$out/.built"
log "built $out/lib/libsrtp2.a"
