# Sourced by build-libsrtp.sh and build-static.sh: fetches a Debian source
# package with apt (a deb-src list is added when there is none, as root).
# The caller defines log() and die().
#
#   dsc=$(debian_source_fetch <package> <folder>)
#
# downloads the newest source version that downloads (Debian's mirrors may
# list one that is gone, e.g. nginx -u11) into <folder>/download-<version>
# and prints the path of its .dsc.

debian_source_versions() {
    apt-cache showsrc "$1" 2>/dev/null | awk '/^Version:/ { print $2 }'
}

# newest first, by Debian version ordering
debian_source_sort_desc() {
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

debian_source_fetch() {
    local pkg=$1 dir=$2 parts deb v dl dsc
    local -a listed versions

    if [ -z "$(debian_source_versions "$pkg")" ]; then
        [ "$(id -u)" = 0 ] || die "no deb-src entry for $pkg; run as root to add one"
        parts=/etc/apt/sources.list.d
        eval "$(apt-config shell parts Dir::Etc::sourceparts/d)"
        parts=${parts%/}
        deb=$parts/debian.sources
        [ -f "$deb" ] || die "$deb not found; add a deb-src entry for $pkg by hand"
        log "adding deb-src list $parts/ngx-meet-src.sources" >&2
        sed 's/^Types:.*/Types: deb-src/' "$deb" > "$parts/ngx-meet-src.sources"
        apt-get update -q >&2
        [ -n "$(debian_source_versions "$pkg")" ] \
            || die "apt-cache showsrc $pkg still lists nothing"
    fi

    mapfile -t listed < <(debian_source_versions "$pkg" | sort -u)
    mapfile -t versions < <(debian_source_sort_desc "${listed[@]}")
    log "source versions of $pkg: ${versions[*]}" >&2

    mkdir -p "$dir"
    for v in "${versions[@]}"; do
        dl=$dir/download-$v
        rm -rf "$dl"
        mkdir -p "$dl"
        log "fetching $pkg=$v" >&2
        if ! (cd "$dl" && apt-get source -q --download-only "$pkg=$v") >&2; then
            log "$pkg=$v: download failed, trying an older version" >&2
            rm -rf "$dl"
            continue
        fi
        dsc=$(find "$dl" -maxdepth 1 -name "${pkg}_*.dsc" | head -1)
        if [ -z "$dsc" ]; then
            log "$pkg=$v: no .dsc downloaded" >&2
            rm -rf "$dl"
            continue
        fi
        printf '%s\n' "$dsc"
        return 0
    done

    die "no $pkg source version could be downloaded"
}
