#!/usr/bin/env bash
# Speed as a ratio: the bench of this tree's build against the bench of
# revision REV, run side by side on the same machine in one run.
#
#   ci/bench_against.sh BUILD_DIR REV SECONDS ROUNDS TARGET...
#
# REV is checked out in a worktree under build/against/ and built there by
# its own scripts (its CPython cores come from the shared cache when their
# keys match; only the campaign binaries are built).  Then, per target,
# ROUNDS times, the two builds' benches run alternately (this tree's first,
# then REV's: a machine that gets busier or quieter during the run moves
# both), each with its own ci/bench.sh, .options and seeds, and the script
# prints both exec/s and this tree's rate as a percentage of REV's, from
# the sums over the rounds.  On a shared machine an absolute exec/s is not
# a result; this ratio is.
#
# Exit status 0 when it measured, 2 on bad usage or a failed build; it
# judges nothing (the floors are ci/bench.sh's job).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "xidfuzz: bench --against: $*" >&2; exit 2; }
say() { echo "[bench] $*" >&2; }

[ $# -ge 5 ] || die "usage: ci/bench_against.sh BUILD_DIR REV SECONDS ROUNDS TARGET..."
build=$1 rev=$2 time=$3 rounds=$4
shift 4

sha=$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}") \
    || die "'$rev' is not a revision of this repository"
short=${sha:0:12}
wt=$root/build/against/$short
if [ ! -d "$wt" ]; then
    say "checking out $rev ($short) in $wt"
    mkdir -p "$root/build/against"
    git -C "$root" worktree add --detach "$wt" "$sha" > /dev/null 2>&1 \
        || die "git worktree add $wt failed"
fi
rev_build=$wt/build/asan
say "building $short's campaign binaries in $rev_build (log: $wt/build.log)"
{
    CC=clang-19 cmake -S "$wt" -B "$rev_build" -DCMAKE_BUILD_TYPE=Debug \
        -DXIDFUZZ_MUTANT_CORE=OFF -DXIDFUZZ_PYMALLOC_HARNESS=OFF -DBUILD_TESTING=OFF
} > "$wt/build.log" 2>&1 || die "configuring $short failed (see $wt/build.log)"

# Each side's campaign binary (the patched core when the build has it, as
# the bench itself picks it) and its bench script.
binary_suffix() {
    compgen -G "$1/fuzz/*_fuzz_patched" > /dev/null && echo _patched || true
}
rev_targets=$("$wt/xidfuzz" targets)
for t in "$@"; do
    grep -qx "$t" <<< "$rev_targets" || die "$short has no target '$t'"
done
binaries=()
for t in "$@"; do
    binaries+=("${t}_fuzz" "${t}_fuzz_patched")
done
cmake --build "$rev_build" -j"$(nproc)" --target "${binaries[@]}" \
    >> "$wt/build.log" 2>&1 || die "building $short failed (see $wt/build.log)"

# rows LOG: "LABEL RATE" for each row of a bench's table (a target, or
# TARGET/full and TARGET/static-pool for one that creates interpreters).
rows() {
    awk 'NR > 1 && $3 ~ /^[0-9]+$/ { print $1, $3 }' "$1"
}

head=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo worktree)
# Uncommitted changes are what is measured: say so in the column's name.
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    head=${head:0:10}+
fi
printf '%-26s %12s %12s %8s\n' row "$head" "$short" ratio
for t in "$@"; do
    declare -A sum_here=() sum_rev=()
    for ((r = 1; r <= rounds; r++)); do
        say "$t round $r/$rounds: this tree"
        XIDFUZZ_BENCH_SUFFIX=$(binary_suffix "$build") \
            "$root/ci/bench.sh" "$build" "$time" "$t" > "$wt/here.log" 2>/dev/null
        say "$t round $r/$rounds: $short"
        XIDFUZZ_BENCH_SUFFIX=$(binary_suffix "$rev_build") \
            "$wt/ci/bench.sh" "$rev_build" "$time" "$t" > "$wt/rev.log" 2>/dev/null
        [ -n "$(rows "$wt/here.log")" ] || die "no rate from this tree's bench of $t (see $wt/here.log)"
        [ -n "$(rows "$wt/rev.log")" ] || die "no rate from $short's bench of $t (see $wt/rev.log)"
        while read -r label rate; do
            sum_here[$label]=$(( ${sum_here[$label]:-0} + rate ))
        done < <(rows "$wt/here.log")
        while read -r label rate; do
            sum_rev[$label]=$(( ${sum_rev[$label]:-0} + rate ))
        done < <(rows "$wt/rev.log")
    done
    for label in $(printf '%s\n' "${!sum_here[@]}" | sort); do
        here=${sum_here[$label]} there=${sum_rev[$label]:-}
        ratio=-
        [ -z "$there" ] || [ "$there" -eq 0 ] || ratio=$((here * 100 / there))%
        printf '%-26s %12s %12s %8s\n' "$label" $((here / rounds)) \
            "${there:+$((there / rounds))}" "$ratio"
    done
    unset sum_here sum_rev
done
