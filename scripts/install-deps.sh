#!/usr/bin/env bash
# Installs the Debian 12 packages ngx_meet needs to build, run and test.
# Idempotent: does nothing when every package is already installed.
# Usage: scripts/install-deps.sh [--list] [build|run|test|deb|image|ci]
#        (default: test; ci: everything .ci/run needs)
#        --list prints the package names and installs nothing.
set -euo pipefail

list=
if [ "${1:-}" = --list ]; then
    list=1
    shift
fi
what=${1:-test}

build_pkgs="build-essential nginx nginx-dev libnginx-mod-stream libssl-dev
  zlib1g-dev libpcre2-dev libsrtp2-dev libhiredis-dev libpq-dev libjansson-dev
  libprotobuf-c-dev protobuf-c-compiler libusrsctp-dev pkg-config dpkg-dev"
run_pkgs="nginx libnginx-mod-stream"
# postgresql, redis-server: real servers started by t/lib/Test/Meet/Postgres.pm
# and Redis.pm (as root the cluster runs as the postgres user, via setpriv
# from util-linux); openssl also checks the OIDC test tokens' signatures.
test_pkgs="$build_pkgs libtest-base-perl libio-socket-ssl-perl libjson-pp-perl
  openssl curl ca-certificates redis-server postgresql util-linux valgrind
  libclang-rt-14-dev clang iproute2 procps psmisc
  chromium"
# Node.js for the web app build (web/: npm ci, esbuild; node 18 or newer)
# and for t/node (livekit-client, playwright-core, esbuild): Debian's
# nodejs and npm only when no node is on PATH, so that a newer
# Node.js installed otherwise (e.g. a NodeSource package) is neither
# shadowed nor replaced.  The browser tests need node 20 or newer
# (playwright-core 1.65), and so does the test OpenID Provider
# (oidc-provider 9, t/lib/Test/Meet/OIDC.pm); with an older node they skip.
if ! command -v node >/dev/null 2>&1; then
    build_pkgs="$build_pkgs nodejs npm"
    test_pkgs="$test_pkgs nodejs npm"
fi

# make deb (scripts/build-deb.sh): Debian's packaging tools
deb_pkgs="$build_pkgs debhelper lintian"
# make image (scripts/build-image.sh): a debootstrap base and buildah
image_pkgs="debootstrap buildah curl ca-certificates"

case $what in
    build) pkgs=$build_pkgs ;;
    run)   pkgs="$build_pkgs $run_pkgs" ;;
    test)  pkgs=$test_pkgs ;;
    deb)   pkgs=$deb_pkgs ;;
    image) pkgs=$image_pkgs ;;
    ci)    pkgs="$test_pkgs $deb_pkgs $image_pkgs" ;;
    *) echo "usage: $0 [--list] [build|run|test|deb|image|ci]" >&2; exit 2 ;;
esac

if [ -n "$list" ]; then
    echo $pkgs
    exit 0
fi

missing=
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root, or: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Installing nginx, redis-server or postgresql must not start system services.
policy_added=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
fi
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
if [ -n "$policy_added" ]; then
    rm -f /usr/sbin/policy-rc.d
fi
