#!/usr/bin/env bash
# Valgrind replay: every committed input of each target (seeds,
# regressions, found) through its standalone replay driver under memcheck,
# on the gcov build (gcc, no sanitizer, patched core, system allocator; see
# core/cpython/build_cpython.sh).  Any memcheck error, and any definite or indirect
# leak at exit, fails the target.  "Possibly lost" and "still reachable"
# blocks are not errors: the programs exit without finalizing CPython, on
# purpose (everything the pool owns stays reachable), and CPython points
# into its own blocks (the GC header sits before each tracked object).
#
# Usage: ci/valgrind.sh BUILD_DIR LOG_DIR TARGET...
# Prints one line per target; exit 1 when a target fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: ci/valgrind.sh BUILD_DIR LOG_DIR TARGET..." >&2; exit 2; }
build=$1 logs=$2; shift 2
mkdir -p "$logs"

# The gcov build writes coverage counters at exit: keep them out of the
# shared cache (and out of a coverage run's counters).
export GCOV_PREFIX=$logs/gcda
# memcheck is ~30x slower than native: allow an input 10 minutes.
timeout=600
status=0
for t in "$@"; do
    mapfile -t dirs < <("$root/xidfuzz" corpus-dirs "$t")
    n=$(find "${dirs[@]}" -type f ! -name '.*' | wc -l)
    echo "[xidfuzz] valgrind $t: $n inputs (log: $logs/$t.log)" >&2
    start=$(date +%s)
    rc=0
    valgrind --tool=memcheck --error-exitcode=99 \
        --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --num-callers=40 \
        --suppressions="$root/ci/valgrind.supp" \
        "$build/fuzz/${t}_replay" --timeout "$timeout" --quiet "${dirs[@]}" \
        > "$logs/$t.log" 2>&1 || rc=$?
    secs=$(( $(date +%s) - start ))
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$logs/$t.log" | tail -n1)
    if [ "$rc" -eq 0 ]; then
        printf '%-16s PASS  %4d inputs  %5ds  %s errors\n' "$t" "$n" "$secs" "${errors:-?}"
    else
        status=1
        printf '%-16s FAIL  %4d inputs  %5ds  exit %d, %s errors (see %s)\n' \
            "$t" "$n" "$secs" "$rc" "${errors:-?}" "$logs/$t.log"
        grep -m5 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly))|ORACLE FAILURE|TIMEOUT' \
            "$logs/$t.log" | sed 's/^/    /' || true
    fi
done
exit $status
