#!/usr/bin/env bash
# Runs the test suite the way every "make test*" target does: checks that
# each suite can run here (t/lib/Test/Meet/Suites.pm preflight: a missing
# component stops the run at once, with what to install, unless the suite
# is named in SKIP), runs prove, then prints which suites ran and which
# were skipped, and fails on any skip that was not asked for by name.
# Usage: scripts/run-tests.sh <results-dir> <prove> <prove flags...> -- <tests...>
#   MEET_SKIP: suites to skip (make test SKIP=browser,fuzz)
set -uo pipefail
cd "$(dirname "$0")/.."

results=$1
shift
prove=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    prove+=("$1")
    shift
done
[ "${1:-}" = -- ] && shift
tests=("$@")

rm -rf "$results"
mkdir -p "$results"
export MEET_SUITES_LOG="$results/suites.log" MEET_TEST_TAP_DIR="$results/tap"
: > "$MEET_SUITES_LOG"

# the whole suite: every component must be there (or skipped by name)
if [ "${tests[*]}" = t ]; then
    perl -It/lib -MTest::Meet::Suites -e 'exit Test::Meet::Suites::preflight()' \
        || exit 1
fi

"${prove[@]}" "${tests[@]}"
status=$?

perl -It/lib -MTest::Meet::Suites \
    -e 'exit Test::Meet::Suites::summary(@ARGV)' \
    "$MEET_SUITES_LOG" "$MEET_TEST_TAP_DIR" || status=1
exit $status
