#!/usr/bin/env bash
# Builds the C test tools (t/tools/*.c, e.g. meet_peer) into build/tools:
# one binary per file, linked with the project sources its
# "/* sources: ... */" lines name (as t/unit tests do), the OpenSSL-backed
# static libsrtp2 of build-libsrtp.sh, OpenSSL and zlib.
#
# Usage: build-tools.sh [<output-dir>]   (default build/tools)
# A binary is rebuilt when its source, a listed source, a header of
# ngx_meet_rtp_stream_module/lib, this script or the command line changed.
# CC and TOOLS_CFLAGS (default -O2 -g) override the compiler and flags.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/build/tools}
cc=${CC:-gcc}
cflags="-Wall -Wextra -Wno-unused-parameter -Werror ${TOOLS_CFLAGS:--O2 -g}"

srtp="$repo/build/libsrtp"
bash "$repo/scripts/build-libsrtp.sh" "$srtp"
incs="-I$repo/ngx_meet_rtp_stream_module/lib -I$srtp/include"
libs="$srtp/lib/libsrtp2.a -lssl -lcrypto -lz"

mkdir -p "$out"
status=0

for tool in "$repo"/t/tools/*.c; do
    name=$(basename "$tool" .c)
    bin="$out/$name"

    sources=()
    for s in $(sed -n 's|^[[:space:]]*/\*[[:space:]]*sources:\(.*\)\*/.*$|\1|p' \
                   "$tool"); do
        if [ ! -f "$repo/$s" ]; then
            echo "build-tools: $tool: source $s not found" >&2
            status=1
            continue 2
        fi
        sources+=("$repo/$s")
    done

    cmd="$cc $cflags $incs $tool ${sources[*]} -o"

    stale=
    if [ ! -x "$bin" ] || [ "$(cat "$bin.cmd" 2>/dev/null)" != "$cmd" ]; then
        stale=1
    else
        for dep in "$tool" "${sources[@]}" "$repo"/ngx_meet_rtp_stream_module/lib/*.h \
                   "$0" "$srtp/lib/libsrtp2.a"; do
            if [ "$dep" -nt "$bin" ]; then
                stale=1
                break
            fi
        done
    fi

    [ -n "$stale" ] || continue

    # a temporary file first: a test running meanwhile never sees half a binary
    echo "build-tools: $cc $name" >&2
    tmp="$bin.tmp.$$"
    # shellcheck disable=SC2086
    if $cmd "$tmp" $libs; then
        mv -f "$tmp" "$bin"
        echo "$cmd" > "$bin.cmd"
    else
        rm -f "$tmp"
        status=1
    fi
done

exit $status
