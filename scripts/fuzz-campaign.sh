#!/usr/bin/env bash
# A long local fuzzing campaign (not run by CI, which runs t/fuzz.t's short
# smoke runs): each libFuzzer target in build/fuzz/ (make fuzz) runs on a
# copy of its seed corpus (t/fuzz/corpus/<name>) until it has executed RUNS
# inputs or spent SECONDS, whichever comes first.  One line per target goes
# to stdout and to $OUT: executions, wall seconds, execs/s, corpus growth,
# crashes (artifacts are kept under $WORK/<name>/artifacts).
#
#   bash scripts/fuzz-campaign.sh [target ...]
#   RUNS=10000000 SECONDS_MAX=3600 WORK=/tmp/meet-fuzz OUT=fuzz-campaign.txt
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10000000}
SECONDS_MAX=${SECONDS_MAX:-3600}
WORK=${WORK:-/tmp/meet-fuzz}
OUT=${OUT:-$WORK/campaign.txt}
mkdir -p "$WORK"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in build/fuzz/fuzz_*; do
        case "$f" in *.cmd) continue ;; esac
        targets+=("${f#build/fuzz/fuzz_}")
    done
fi
for t in "${targets[@]}"; do
    bin="build/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "$t: $bin missing (make fuzz)" >&2; continue; }
    d="$WORK/$t"
    rm -rf "$d"; mkdir -p "$d/corpus" "$d/artifacts"
    cp -r "t/fuzz/corpus/$t/." "$d/corpus/" 2>/dev/null
    seeds=$(find "$d/corpus" -type f | wc -l)
    start=$(date +%s)
    "$bin" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -print_final_stats=1 \
        -artifact_prefix="$d/artifacts/" -close_fd_mask=3 "$d/corpus" \
        > "$d/log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$d/log" | tail -1)
    grown=$(find "$d/corpus" -type f | wc -l)
    crashes=$(find "$d/artifacts" -type f | wc -l)
    line=$(printf '%-10s execs=%s secs=%s execs/s=%s peak_rss_mb=%s corpus=%s->%s crashes=%s rc=%s' \
        "$t" "${execs:-?}" "$secs" "${rate:-?}" "${rss:-?}" "$seeds" "$grown" "$crashes" "$rc")
    echo "$line" | tee -a "$OUT"
done
