#!/usr/bin/env bash
# prove --exec wrapper (the Makefile's PROVE_FLAGS): runs one test file
# with perl, as prove would.  When MEET_TEST_STDERR_DIR is set (.ci/run
# sets it), the test's stderr also goes to a file there, named after the
# test, so that a failure's diagnostics can be shown again at the end of
# a long run (.ci/run prints them under "why the failing tests failed").
set -u
t="$1"
dir="${MEET_TEST_STDERR_DIR:-}"
if [ -z "$dir" ]; then
    exec perl "$t"
fi
mkdir -p "$dir"
f="$dir/$(printf '%s' "$t" | tr '/' '_').stderr"
: > "$f"
exec perl "$t" 2> >(tee -a "$f" >&2)
