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
stamp=$(cat "$self" "$(dirname "$self")/debian-source.sh" | md5sum | cut -d' ' -f1)

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

# shellcheck source=debian-source.sh
. "$(dirname "$self")/debian-source.sh"

# the downloaded .dsc is recorded in $srcdir/.dsc
dsc=
if [ -f "$srcdir/.dsc" ] && [ -f "$(cat "$srcdir/.dsc")" ]; then
    dsc=$(cat "$srcdir/.dsc")
fi

if [ -z "$dsc" ]; then
    dsc=$(debian_source_fetch libsrtp2 "$srcdir")
    echo "$dsc" > "$srcdir/.dsc"
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
