#!/usr/bin/env bash
# Benchmark: exec/s per fuzz target, measured by libFuzzer itself while it
# fuzzes from the committed seeds with the target's own .options, on one
# core, with the campaign's sanitizer settings (xidfuzz fuzz) and a fixed
# mutation seed (XIDFUZZ_BENCH_SEED, default 1) so that runs compare: with
# a time-based seed the same 60 s ranged from 3,950 to 5,640 exec/s.
# Compared against each target's floor (bench_floor in the [xidfuzz]
# section of corpus/TARGET/TARGET.options).  This is a
# measurement, not a test: ctest never times anything.
#
# Targets that can create and end interpreters (release_race) are measured
# twice: as they are, and with XIDFUZZ_STATIC_POOL=1, which turns their
# create/end operations into no-ops so that no input creates an
# interpreter (~100 ms each under ASan).  The floor of such a target
# applies to that "TARGET/static-pool" row; the full row is reported
# without a floor.
#
# With XIDFUZZ_BENCH_CAMPAIGN=1 (--campaign), each target's campaign
# (./xidfuzz fuzz) runs for as long, then the bench again from the corpus
# that campaign started from (its base/: the committed corpus, merged),
# both with the same mutation seed, so that the two fuzz the same inputs
# and differ only in how the campaign runs libFuzzer;
# XIDFUZZ_BENCH_ROUNDS times (--rounds, default 1), with the median ratio
# of the rounds.  A bench from the seeds alone fuzzes smaller, faster
# inputs than any campaign.
#
# Usage: ci/bench.sh BUILD_DIR SECONDS TARGET...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: ci/bench.sh BUILD_DIR SECONDS TARGET..." >&2; exit 2; }
build=$1 time=$2; shift 2

# The target's own data ([xidfuzz] in corpus/TARGET/TARGET.options).
floor_of() {
    "$root/xidfuzz" target-option "$1" bench_floor
}

# Targets whose inputs can create interpreters get a static-pool run too.
creates_interpreters() {
    [ "$("$root/xidfuzz" target-option "$1" bench_static_pool)" = yes ]
}

# bench_once T LABEL STATIC MODE [FROM]: fuzz T from its seeds (or from
# the inputs in directory FROM, with no floor) for $time s and print its
# row; sets rate (empty when there is no measurement).
bench_once() {
    local t=$1 label=$2 static=$3 mode=$4 from=${5:-} bin work rc execs floor verdict
    # The campaign binary: the patched core when there is one.
    bin="$build/fuzz/${t}_fuzz${XIDFUZZ_BENCH_SUFFIX:-}"
    [ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 2; }
    # The corpus gets a directory of its own: libFuzzer reads every file
    # under it at start-up, and a log or crash file there would become a
    # (large, textual) input that skews the run.
    work=$(mktemp -d)
    mkdir "$work/corpus"
    cp -r "${from:-$root/corpus/$t/seeds}/." "$work/corpus/"
    mapfile -t flags < <("$root/xidfuzz" flags "$t")
    echo "[bench] $label: fuzzing for ${time}s from ${from:-corpus/$t/seeds}" >&2
    mkdir -p "$work/crashes"
    rc=0
    XIDFUZZ_STATIC_POOL=$static \
    ASAN_OPTIONS="$("$root/xidfuzz" campaign-asan-options)" \
    "$bin" "${flags[@]}" -seed="${XIDFUZZ_BENCH_SEED:-1}" -max_total_time="$time" -print_final_stats=1 \
        -artifact_prefix="$work/crashes/" "$work/corpus" > "$work/log" 2>&1 || rc=$?
    execs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$work/log")
    rate=$(awk '/stat::average_exec_per_sec/ { print $NF }' "$work/log")
    floor=
    [ "$mode" = full ] || [ -n "$from" ] || floor=$(floor_of "$t")
    verdict=ok
    if [ $rc -ne 0 ] || [ -n "$(ls "$work/crashes")" ]; then
        # A finding stops libFuzzer early: the rate is not a measurement.
        local keep="$root/build/bench/$label"
        mkdir -p "$keep"
        cp "$work/log" "$keep/log"
        cp "$work"/crashes/* "$keep/" 2>/dev/null || true
        verdict="FINDING (run stopped early; log and input in build/bench/$label/)"
        status=1 rate=
    elif [ -z "$rate" ]; then
        verdict="no stats (see below)"; tail -5 "$work/log" >&2; status=1
    elif [ -n "$floor" ] && [ "$rate" -lt "$floor" ]; then
        verdict="BELOW FLOOR"; status=1
    fi
    printf '%-24s %10s %10s %8s  %s\n' "$label" "${execs:-?}" "${rate:-?}" "${floor:--}" "$verdict"
    rm -rf "$work"
}

# campaign_once T LABEL: the campaign as users run it (./xidfuzz fuzz,
# restarts and all) for $time s, then the bench (row LABEL/same-start) from
# the corpus the campaign started from, for as long: both rows, and ratio
# (the campaign's rate as a percentage of that bench's, empty when either
# is missing).
campaign_once() {
    local t=$1 label=$2 work crate cexecs
    work=$(mktemp -d)
    echo "[bench] $t/campaign: ./xidfuzz fuzz $t for ${time}s" >&2
    # With the bench's mutation seed: from the same corpus, the campaign
    # then fuzzes what the bench does, and only libFuzzer's seed decides
    # which inputs a short window explores (tuple_nesting, 10 s: 68% of
    # the bench's rate with a seed of the clock's, 98% with the same).
    "$root/xidfuzz" fuzz "$t" --time "$time" ${XIDFUZZ_BENCH_CORE:+--core "$XIDFUZZ_BENCH_CORE"} \
        --out "$work/campaign" -- -seed="${XIDFUZZ_BENCH_SEED:-1}" > "$work/campaign.log" 2>&1 || true
    # The stats file run_campaign (xidfuzz) writes.
    crate=$(sed -n 's/^exec_per_s=//p' "$work/campaign/$t/stats" 2>/dev/null || true)
    cexecs=$(sed -n 's/^inputs=//p' "$work/campaign/$t/stats" 2>/dev/null || true)
    rate=
    if [ -d "$work/campaign/$t/base" ]; then
        bench_once "$t" "$label/same-start" 0 "" "$work/campaign/$t/base"
    else
        echo "[bench] $t/campaign left no base/ (see below)" >&2
        tail -5 "$work/campaign.log" >&2
    fi
    ratio=
    [ -z "$crate" ] || [ -z "$rate" ] || [ "$rate" -eq 0 ] || ratio=$(( crate * 100 / rate ))
    printf '%-24s %10s %10s %8s  %s\n' "$t/campaign" "${cexecs:-?}" "${crate:-?}" - \
        "${ratio:-?}% of the same-start bench's rate"
    rm -rf "$work"
}

status=0
printf '%-24s %10s %10s %8s  %s\n' target execs exec/s floor verdict
runs=()
for t in "$@"; do
    if creates_interpreters "$t"; then
        runs+=("$t:full" "$t:static-pool")
    else
        runs+=("$t:")
    fi
done
rounds=${XIDFUZZ_BENCH_ROUNDS:-1}
for run in "${runs[@]}"; do
    t=${run%%:*} mode=${run#*:}
    label=$t static=0
    case "$mode" in
        full) label="$t/full" ;;
        static-pool) label="$t/static-pool" static=1 ;;
    esac
    if [ "${XIDFUZZ_BENCH_CAMPAIGN:-0}" != 1 ] || [ "$mode" = static-pool ]; then
        bench_once "$t" "$label" "$static" "$mode"
        continue
    fi
    # With --campaign, ROUNDS pairs of a campaign and a bench from the
    # same start, one after the other: on a shared machine one window of
    # each moves the ratio, so with more than one round the median ratio
    # is printed.
    ratios=()
    for ((r = 1; r <= rounds; r++)); do
        campaign_once "$t" "$label"
        [ -z "$ratio" ] || ratios+=("$ratio")
    done
    if [ "$rounds" -gt 1 ] && [ ${#ratios[@]} -gt 0 ]; then
        median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '
            { v[NR] = $1 }
            END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
        printf '%-24s %10s %10s %8s  %s\n' "$t/campaign" - - - \
            "median ${median}% of the same-start bench's rate (${#ratios[@]} of $rounds rounds: $(IFS=' '; echo "${ratios[*]}"))"
    fi
done
exit $status
