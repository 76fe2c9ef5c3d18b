#!/usr/bin/env bash
# The nightly job: within a time budget, fuzz every target, merge what
# adds coverage into corpus/TARGET/found/, run the stress scenarios long
# under ASan and TSan, produce the coverage report and the Valgrind replay,
# and write one summary (summary.md) with the crash inputs into an
# artifacts directory.
#
#   ci/nightly.sh [--budget MINUTES] [--out DIR] [--jobs N]
#
# --budget (default 60) is the wall time the whole job aims at.  The
#   builds and the Valgrind replay of the committed corpus come first
#   (their cost is fixed: ~15 s and ~90 s on 2 cores today); merging and
#   the coverage run at the end are reserved 4 minutes; what is left goes
#   70% to fuzzing (split evenly across targets) and 30% to stress (split
#   between ASan and TSan, then across scenarios).  Each piece gets at
#   least a floor (20 s per target, 5 s per scenario), so a tiny budget
#   overruns rather than skipping a step; the summary reports the real
#   time.
# --out (default build/nightly) receives summary.md, logs/, crashes/TARGET/
#   (every crash, timeout or leak input), new-inputs/TARGET/ (what was
#   merged into corpus/), coverage/ and valgrind/.
# --jobs (default: all cores) libFuzzer fork-mode workers per target.
#
# Found inputs: libFuzzer's -merge=1 keeps, of the campaign's new inputs,
# a minimal set that adds coverage (libFuzzer features) over everything
# already committed (seeds, regressions, found); they must then replay
# clean on the patched core before they are copied into
# corpus/TARGET/found/ (so `./xidfuzz test`, this job's coverage run and
# later Valgrind replays pick them up).  The job never commits: the
# workflow uploads new-inputs/ and a human commits them.  The Valgrind
# replay runs before fuzzing, on the corpus as committed: its time (about
# a second per input for targets that create interpreters) then does not
# depend on what a night found.
#
# Exit status: 0 when every step passed and nothing new was found (known
# findings, matched by ./xidfuzz triage against KNOWN_BUGS.md, are listed
# but do not fail the night), 1 when a step failed or a new finding was
# triaged, 2 on bad usage.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
xidfuzz=$root/xidfuzz

die() { echo "nightly: $*" >&2; exit 2; }
say() { echo "[xidfuzz nightly] $(date +%H:%M:%S) $*" >&2; }

budget=60 out=$root/build/nightly jobs=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
        --budget) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--budget takes whole minutes (e.g. 60)"
                  budget=$2; shift 2 ;;
        --out) [ -n "${2:-}" ] || die "--out takes a directory"; out=$2; shift 2 ;;
        --jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--jobs takes a number"
                jobs=$2; shift 2 ;;
        *) die "unknown argument '$1' (usage: ci/nightly.sh [--budget MINUTES] [--out DIR] [--jobs N])" ;;
    esac
done
[ ! -e "$out" ] || [ -d "$out" ] || die "--out: '$out' is not a directory"
mkdir -p "$out" || die "cannot create '$out'"
out=$(cd "$out" && pwd)
rm -rf "$out/logs" "$out/crashes" "$out/new-inputs" "$out/work" "$out/summary.md"
mkdir -p "$out/logs" "$out/crashes" "$out/new-inputs" "$out/work"

# The ASan build the job uses (the test build's, unless overridden).
export XIDFUZZ_BUILD_DIR=${XIDFUZZ_BUILD_DIR:-$root/build/asan}
build=$XIDFUZZ_BUILD_DIR
mapfile -t targets < <("$xidfuzz" targets)
mapfile -t scenarios < <("$xidfuzz" scenarios)
job_start=$(date +%s)
failures=()          # steps that failed
steps=()             # "name|status|seconds" for the summary

now() { date +%s; }
elapsed() { echo $(( $(now) - job_start )); }

# step NAME LOG COMMAND...: run a step, log it, record its time and status.
step() {
    local name=$1 log=$2; shift 2
    local t0 rc=0
    t0=$(now)
    say "$name (log: $log)"
    "$@" > "$log" 2>&1 || rc=$?
    local secs=$(( $(now) - t0 ))
    if [ $rc -eq 0 ]; then
        steps+=("$name|passed|$secs")
    else
        steps+=("$name|FAILED (exit $rc)|$secs")
        failures+=("$name")
        say "$name FAILED (exit $rc); last lines of $log:"
        tail -n 5 "$log" | sed 's/^/    /' >&2
    fi
    return $rc
}

# ---- builds ------------------------------------------------------------------
# All three builds first: with a warm cache they cost seconds, and the
# budget is then split knowing what is left.
step "build (asan: production and patched cores)" "$out/logs/build-asan.log" "$xidfuzz" build
# xidstress under TSan, and the gcov build, through their own commands'
# configure steps (a zero-length stress run only builds).
step "build (tsan)" "$out/logs/build-tsan.log" \
    "$xidfuzz" stress --tsan pingpong -- --iterations 1 --threads 1 --interps 1 --seed 1
step "build (gcov)" "$out/logs/build-gcov.log" \
    bash -c 'CC=gcc cmake -S "$0" -B "$0/build/gcov" -DCMAKE_BUILD_TYPE=Debug -DXIDFUZZ_VARIANT=gcov && cmake --build "$0/build/gcov" -j"$(nproc)"' "$root"

suffix="" core_name=pristine
if compgen -G "$build/fuzz/*_fuzz_patched" > /dev/null; then
    suffix=_patched core_name=patched
fi

# ---- Valgrind ------------------------------------------------------------------------
step "valgrind (committed corpus)" "$out/logs/valgrind.log" \
    "$root/ci/valgrind.sh" "$root/build/gcov" "$out/valgrind" "${targets[@]}"

# ---- the budget ----------------------------------------------------------------
# Measured on 2 cores with a 10-minute budget: merging and replaying what
# 4 x 1 minute found, ~40 s; the coverage run, ~90 s on the committed
# corpus and ~130 s with 575 found inputs more.
readonly TAIL_RESERVE=240
left=$(( budget * 60 - $(elapsed) - TAIL_RESERVE ))
[ $left -gt 0 ] || left=0
fuzz_secs=$(( left * 70 / 100 / ${#targets[@]} ))
stress_secs=$(( left * 30 / 100 / 2 / ${#scenarios[@]} ))
[ $fuzz_secs -ge 20 ] || fuzz_secs=20
[ $stress_secs -ge 5 ] || stress_secs=5
say "budget ${budget} min, $(elapsed) s spent on builds and Valgrind: fuzz ${fuzz_secs} s per target (fork=$jobs), stress ${stress_secs} s per scenario under ASan and TSan"

# ---- fuzzing ---------------------------------------------------------------------
declare -A execs_per_sec total_execs new_found crashes_of triage_status
for t in "${targets[@]}"; do
    work=$out/work/$t
    # The CLI's own campaign (fork mode on every core, going on past
    # crashes, timeouts and OOMs, new inputs into $work/corpus, never into
    # corpus/), which triages what it saved into $work/triage.txt: exit 0
    # for nothing or known findings only, 1 for a new one.
    rc=0
    step "fuzz $t (${fuzz_secs} s)" "$out/logs/fuzz-$t.log" \
        "$xidfuzz" fuzz "$t" --core "$core_name" --time "$fuzz_secs" --jobs "$jobs" --out "$out/work" \
        || rc=$?
    mkdir -p "$out/crashes/$t"
    cp "$work/crashes"/* "$out/crashes/$t/" 2>/dev/null || true
    [ ! -f "$work/triage.txt" ] || triage_status[$t]=$rc
    # libFuzzer's own figures: the last status line's exec/s and run count.
    execs_per_sec[$t]=$(grep -oE 'exec/s:? [0-9]+' "$out/logs/fuzz-$t.log" | tail -n1 | awk '{print $NF}')
    total_execs[$t]=$(grep -oE '^#[0-9]+' "$out/logs/fuzz-$t.log" | tail -n1 | tr -d '#')
    crashes_of[$t]=$(find "$out/crashes/$t" -type f | wc -l)
done

# ---- merging new inputs ------------------------------------------------------------
# merge_target T: merge T's campaign corpus into corpus/T/found/.
merge_target() {
    local t=$1 work=$out/work/$1 f n=0
    local merged=$work/merged fresh=$work/fresh
    rm -rf "$merged" "$fresh"
    mkdir -p "$merged" "$fresh" "$out/new-inputs/$t"
    # Everything committed first, so that merge keeps only what adds to it.
    for d in $("$xidfuzz" corpus-dirs "$t"); do
        cp "$d"/* "$merged/" 2>/dev/null || true
    done
    ls "$merged" | sort > "$work/before.txt"
    mapfile -t flags < <("$xidfuzz" flags "$t")
    ASAN_OPTIONS="$("$xidfuzz" campaign-asan-options)" \
        "$build/fuzz/${t}_fuzz$suffix" "${flags[@]}" -merge=1 \
        -artifact_prefix="$out/crashes/$t/" "$merged" "$work/corpus" || return 1
    ls "$merged" | sort | comm -13 "$work/before.txt" - | while read -r f; do
        cp "$merged/$f" "$fresh/"
    done
    [ -n "$(ls -A "$fresh")" ] || { echo "merge $t: nothing new"; return 0; }
    # Only inputs that replay clean on the patched core join corpus/: all
    # at once (one process), or one by one when that fails.
    if ! "$build/fuzz/${t}_replay$suffix" --quiet "$fresh"; then
        for f in "$fresh"/*; do
            "$build/fuzz/${t}_replay$suffix" --quiet "$f" \
                || mv "$f" "$out/crashes/$t/replay-fails-$(basename "$f")"
        done
    fi
    mkdir -p "$root/corpus/$t/found"
    for f in "$fresh"/*; do
        [ -f "$f" ] || continue
        cp "$f" "$root/corpus/$t/found/"
        cp "$f" "$out/new-inputs/$t/"
        n=$((n + 1))
    done
    echo "merge $t: $n new input(s) into corpus/$t/found/"
}

for t in "${targets[@]}"; do
    step "merge $t" "$out/logs/merge-$t.log" merge_target "$t"
    new_found[$t]=$(find "$out/new-inputs/$t" -type f | wc -l)
    crashes_of[$t]=$(find "$out/crashes/$t" -type f | wc -l)
    say "merge $t: ${new_found[$t]} new input(s) into corpus/$t/found/"
done

# ---- stress ------------------------------------------------------------------------
step "stress ASan (${stress_secs} s x ${#scenarios[@]})" "$out/logs/stress-asan.log" \
    "$xidfuzz" stress -- --duration "$stress_secs"
step "stress TSan (${stress_secs} s x ${#scenarios[@]})" "$out/logs/stress-tsan.log" \
    "$xidfuzz" stress --tsan -- --duration "$stress_secs"

# ---- coverage (with what was merged) ---------------------------------------------------
step "coverage" "$out/logs/coverage.log" "$xidfuzz" coverage --out "$out/coverage"

# ---- findings ---------------------------------------------------------------------------
# What each campaign saved is triaged by the fuzz command itself (grouped by
# signature, matched against KNOWN_BUGS.md, on the core it ran on) into
# work/TARGET/triage.txt; triage_status[TARGET] is its exit status: 0
# known findings only, anything else a new one or a failed triage.

total=$(elapsed)
found_any=0
{
    echo "# xidfuzz nightly, $(date -u +'%Y-%m-%d %H:%M UTC')"
    echo
    echo "commit \`$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\`, budget ${budget} min, took $((total / 60)) min $((total % 60)) s on $(nproc) cores; fuzzing on the $core_name core, libFuzzer -fork=$jobs."
    echo
    echo "## Steps"
    echo
    echo "| step | result | seconds |"
    echo "| --- | --- | --- |"
    for s in "${steps[@]}"; do
        IFS='|' read -r name status secs <<< "$s"
        echo "| $name | $status | $secs |"
    done
    echo
    echo "## Fuzzing"
    echo
    echo "| target | seconds | executions | exec/s (last status line) | new inputs merged | crash files |"
    echo "| --- | --- | --- | --- | --- | --- |"
    for t in "${targets[@]}"; do
        echo "| $t | $fuzz_secs | ${total_execs[$t]:-?} | ${execs_per_sec[$t]:-?} | ${new_found[$t]:-0} | ${crashes_of[$t]:-0} |"
    done
    echo
    echo "New inputs were copied into \`corpus/TARGET/found/\` of this checkout and into \`new-inputs/\`; commit them to keep them."
    echo
    echo "## Stress"
    echo
    for v in asan tsan; do
        echo "- $v: $(grep -E 'xidstress [a-z]+: (PASSED|FAILED)' "$out/logs/stress-$v.log" 2>/dev/null | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
    done
    echo
    echo "## Coverage (gcc -O0 pydebug, patched core, whole test suite incl. found/)"
    echo
    if [ -f "$out/coverage/summary.txt" ]; then
        echo '```'
        cat "$out/coverage/ratchet.txt" 2>/dev/null || sed -n '/^File/,$p' "$out/coverage/summary.txt"
        echo
        sed -n '1,4p' "$out/coverage/reach.txt" 2>/dev/null
        echo '```'
        echo "Report: \`coverage/index.html\`, \`coverage/coverage.xml\`, \`coverage/coverage.json\`; what is left: \`coverage/reach.txt\`."
    else
        echo "No report (see \`logs/coverage.log\`)."
    fi
    echo
    echo "## Valgrind replay (memcheck, every input committed before this run)"
    echo
    echo '```'
    grep -E '^[a-z_]+ +(PASS|FAIL) ' "$out/logs/valgrind.log" || echo "no result (see logs/valgrind.log)"
    echo '```'
    echo
    echo "## Findings"
    echo
    for t in "${targets[@]}"; do
        [ -n "$(ls -A "$out/crashes/$t" 2>/dev/null)" ] || continue
        found_any=1
        echo "### $t"
        echo
        echo '```'
        cat "$out/work/$t/triage.txt" 2>/dev/null || echo "no triage report (see logs/fuzz-$t.log)"
        echo '```'
        echo
    done
    [ $found_any -eq 1 ] || echo "None: no crash, timeout or leak input in any target."
    new_in=() known_in=()
    for t in "${!triage_status[@]}"; do
        case ${triage_status[$t]} in
            0) known_in+=("$t") ;;
            *) new_in+=("$t") ;;
        esac
    done
    if [ $found_any -eq 1 ]; then
        echo "Known findings only in: ${known_in[*]:-none}. NEW findings (or triage failures) in: ${new_in[*]:-none}."
    fi
} > "$out/summary.md"
rm -rf "$out/work"

say "summary: $out/summary.md ($(( total / 60 )) min $(( total % 60 )) s)"
# Known findings do not fail the night (they are in KNOWN_BUGS.md); a new
# one, or a failed step, does.
if [ ${#failures[@]} -gt 0 ] || [ ${#new_in[@]} -gt 0 ]; then
    say "FAILED steps: ${failures[*]:-none}; NEW findings in: ${new_in[*]:-none}"
    exit 1
fi
if [ $found_any -eq 1 ]; then
    say "all steps passed; known findings only (in ${known_in[*]})"
else
    say "all steps passed, nothing found"
fi
