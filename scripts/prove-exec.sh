#!/usr/bin/env bash
# prove --exec wrapper (the Makefile's PROVE_FLAGS): runs one test file
# with perl, as prove would.  When MEET_TEST_STDERR_DIR is set (.ci/run
# sets it), the test's stderr also goes to a file there, named after the
# test, so that a failure's diagnostics can be shown again at the end of
# a long run (.ci/run prints them under "why the failing tests failed").
# When MEET_TEST_TAP_DIR is set (scripts/run-tests.sh sets it), its TAP
# (stdout) is kept there too: the suites summary finds every skip in it.
set -u
t="$1"
name=$(printf '%s' "$t" | tr '/' '_')
err="${MEET_TEST_STDERR_DIR:-}"
tap="${MEET_TEST_TAP_DIR:-}"
if [ -n "$err" ]; then
    mkdir -p "$err"
    : > "$err/$name.stderr"
    exec 2> >(tee -a "$err/$name.stderr" >&2)
fi
if [ -n "$tap" ]; then
    mkdir -p "$tap"
    : > "$tap/$name.tap"
    exec > >(tee -a "$tap/$name.tap")
fi
exec perl "$t"
