#!/usr/bin/env bash
# make image: the Dockerfile built with Debian's buildah
# (buildah bud --isolation chroot) -> localhost/ngx_meet.
#
# Its base, debian:bookworm, is taken from buildah's storage when there;
# else it is made here as the official image is: debootstrap (minbase)
# from the Debian mirror this host's apt uses, the mirror written as
# /etc/apt/sources.list.d/debian.sources (deb822, bookworm,
# bookworm-updates, bookworm-security), imported as debian:bookworm.  The
# root file system is kept as build/image/bookworm-rootfs.tar, so a
# second run in the same tree (CI: make image after make deb) skips
# debootstrap.
#
# HTTPS fetches in the build (npm) trust the CA bundle MEET_IMAGE_CA
# (default: this host's, /etc/ssl/certs/ca-certificates.crt, which holds
# the CA of a TLS-intercepting proxy when the host trusts one): given as
# the build secret "ca", not kept in the image.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=$repo/build/image
image=${MEET_IMAGE:-localhost/ngx_meet}
ca=${MEET_IMAGE_CA:-/etc/ssl/certs/ca-certificates.crt}

bash scripts/install-deps.sh image
mkdir -p "$out"

log() { echo "build-image: $*"; }

# the Debian mirror of this host's apt (deb822 or one-line lists)
mirror() {
    local m
    m=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    [ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)
    echo "${m:-http://deb.debian.org/debian}"
}

if ! buildah inspect --type image docker.io/library/debian:bookworm >/dev/null 2>&1; then
    tarball=$out/bookworm-rootfs.tar
    if [ ! -s "$tarball" ]; then
        m=$(mirror)
        sec=${m%/debian}/debian-security
        log "debootstrap bookworm from $m"
        root=$out/rootfs
        rm -rf "$root"
        debootstrap --variant=minbase bookworm "$root" "$m" > "$out/debootstrap.log" 2>&1 || {
            tail -20 "$out/debootstrap.log" >&2
            exit 1
        }
        rm -f "$root/etc/apt/sources.list"
        cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOS
Types: deb
URIs: $m
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $sec
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
        rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
        tar -C "$root" -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
    fi
    log "importing $tarball as debian:bookworm"
    ctr=$(buildah from scratch)
    buildah add "$ctr" "$tarball" / > /dev/null
    buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah commit --rm "$ctr" docker.io/library/debian:bookworm > /dev/null
fi

secret=()
if [ -s "$ca" ]; then
    secret=(--secret "id=ca,src=$ca")
    log "the build trusts $ca"
fi
log "buildah bud -> $image"
st=0
buildah bud --isolation chroot --pull=never "${secret[@]}" \
    -t "$image" -f Dockerfile . > "$out/bud.log" 2>&1 || st=$?
grep -E '^(STEP|COMMIT)' "$out/bud.log" || true
[ "$st" = 0 ] || { tail -40 "$out/bud.log" >&2; echo "build-image: buildah bud failed ($out/bud.log)" >&2; exit 1; }
buildah images "$image"
