#!/usr/bin/env bash
# make deb: the Debian package libnginx-mod-meet from packaging/debian
# (Debian's style for nginx modules: dh with the nginx sequence of
# nginx-dev, see packaging/debian/rules), built in a copy of the sources
# under build/deb/, then checked by lintian (errors fail the build).
#   -> build/deb/libnginx-mod-meet_<version>_<arch>.deb
# Install it: apt-get install ./build/deb/libnginx-mod-meet_*.deb
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/deb
cd "$repo"

bash scripts/install-deps.sh deb

ver=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
stage=$out/libnginx-mod-meet-$ver
rm -rf "$out"
mkdir -p "$stage/build"
cp -r config ngx_meet_core ngx_meet_routing_module ngx_meet_signal_module \
      ngx_meet_rtp_stream_module scripts conf-examples README.md "$stage/"
cp -r packaging/debian "$stage/debian"
# the static libsrtp of the modules' build, when it is there (same script,
# same stamp: build-libsrtp.sh keeps it); else the build makes it
[ -f build/libsrtp/lib/libsrtp2.a ] && cp -a build/libsrtp "$stage/build/"

(cd "$stage" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -b -us -uc) > "$out/build.log" 2>&1 || {
    tail -40 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
    exit 1
}
deb=$(ls "$out"/libnginx-mod-meet_*.deb)
echo "build-deb: $deb"
dpkg-deb -I "$deb" | sed -n '/Package:/,$p'
dpkg-deb -c "$deb" | awk '{print $6}'
# lintian: errors fail; warnings are shown (packaging/debian/
# libnginx-mod-meet.lintian-overrides says why one is accepted)
if [ "${MEET_DEB_LINT:-1}" != 0 ]; then
    lintian --fail-on error --info "$out"/libnginx-mod-meet_*.changes
fi
