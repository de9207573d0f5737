#!/usr/bin/env bash
# Builds the C unit tests (t/unit/test_*.c, gcc + ASan/UBSan) or the
# libFuzzer targets (t/fuzz/fuzz_*.c, clang + fuzzer/ASan/UBSan): one binary
# per file, named after it, in the output folder.
#
# Usage: build-unit.sh unit|fuzz [<output-dir>]   (default build/unit|fuzz)
#
# A test names the project sources it is linked with in a comment line at
# its top, paths relative to the repository (several lines add up):
#     /* sources: ngx_meet_signal_module/lib/meet_ws.c */
# Include path: t/unit (tap.h), t/fuzz and every folder with a header.  A binary is
# rebuilt when its test, a listed source, a header of those folders, this
# script or the command line changed.  CC (unit) and FUZZ_CC (fuzz)
# override the compilers.
set -euo pipefail

mode=${1:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
self="$repo/scripts/build-unit.sh"

# every folder of the modules that holds a header (module folders, their
# subfolders and lib/ folders)
incs="-I$repo/t/unit -I$repo/t/fuzz"
dirs=$(cd "$repo" && find ngx_meet_core ngx_meet_signal_module \
           ngx_meet_rtp_stream_module ngx_meet_routing_module \
           -name '*.h' -printf '%h\n' | sort -u)
for d in $dirs; do
    incs="$incs -I$repo/$d"
done
# the OpenSSL-backed static libsrtp2 the modules link (build-libsrtp.sh)
srtp="$repo/build/libsrtp"
bash "$repo/scripts/build-libsrtp.sh" "$srtp"
incs="$incs -I$srtp/include"
libs="$srtp/lib/libsrtp2.a -lssl -lcrypto -ljansson -lz -lprotobuf-c"

# the LiveKit protobuf subset, generated as the module build does (config)
gen="$repo/build/gen"
for name in livekit_signal livekit_data; do
    proto="$repo/ngx_meet_signal_module/$name.proto"
    if [ ! -f "$gen/$name.pb-c.c" ] || [ "$proto" -nt "$gen/$name.pb-c.c" ]
    then
        mkdir -p "$gen"
        protoc-c --proto_path="$repo/ngx_meet_signal_module" --c_out="$gen" \
            "$name.proto"
    fi
done
incs="$incs -I$gen"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
san="$san -fno-omit-frame-pointer"

case $mode in
    unit)
        src="$repo/t/unit"
        prefix=test_
        out=${2:-$repo/build/unit}
        cc=${CC:-gcc}
        cflags="-Wall -Werror -g -O1 $san"
        ;;
    fuzz)
        src="$repo/t/fuzz"
        prefix=fuzz_
        out=${2:-$repo/build/fuzz}
        if [ -n "${FUZZ_CC:-}" ]; then
            cc=$FUZZ_CC
        elif command -v clang-14 > /dev/null; then
            cc=clang-14
        elif command -v clang > /dev/null; then
            cc=clang
        else
            echo "build-unit: clang not found (apt-get install clang" \
                 "libclang-rt-14-dev)" >&2
            exit 1
        fi
        cflags="-Wall -Werror -g -O1 -fsanitize=fuzzer $san"
        ;;
    *)
        echo "usage: $0 unit|fuzz [<output-dir>]" >&2
        exit 2
        ;;
esac

mkdir -p "$out"
shopt -s nullglob

# headers any test may include
headers=("$repo"/t/unit/*.h "$repo"/t/fuzz/*.h "$gen"/*.h)
for d in $dirs; do
    headers+=("$repo/$d"/*.h)
done

# binaries whose test file is gone
for bin in "$out/$prefix"*; do
    case $bin in *.cmd|*.cmd.*|*.tmp.*) continue ;; esac
    [ -e "$src/$(basename "$bin").c" ] || rm -f "$bin" "$bin.cmd"
done

status=0

for test in "$src/$prefix"*.c; do
    name=$(basename "$test" .c)
    bin="$out/$name"

    sources=()
    while read -r line; do
        for s in $line; do
            if [ ! -f "$repo/$s" ]; then
                echo "build-unit: $test: source $s not found" >&2
                status=1
                continue 3
            fi
            sources+=("$repo/$s")
        done
    done < <(sed -n 's|^[[:space:]]*/\*[[:space:]]*sources:\(.*\)\*/.*$|\1|p' \
                 "$test")

    # the command line, also the stamp of what the binary was built with
    cmd="$cc $cflags $incs $test ${sources[*]} -o"

    stale=
    if [ ! -x "$bin" ] || [ ! -f "$bin.cmd" ] \
       || [ "$(cat "$bin.cmd")" != "$cmd" ]; then
        stale=1
    else
        for dep in "$test" "${sources[@]}" "${headers[@]}" "$self" \
                   "$srtp/lib/libsrtp2.a"; do
            if [ "$dep" -nt "$bin" ]; then
                stale=1
                break
            fi
        done
    fi

    [ -n "$stale" ] || continue

    # into a temporary file: concurrent builds never see a partial binary
    echo "build-unit: $cc $name"
    tmp="$bin.tmp.$$"
    # shellcheck disable=SC2086
    if $cmd "$tmp" $libs; then
        mv -f "$tmp" "$bin"
        echo "$cmd" > "$bin.cmd.$$"
        mv -f "$bin.cmd.$$" "$bin.cmd"
    else
        rm -f "$tmp"
        status=1
    fi
done

exit $status
