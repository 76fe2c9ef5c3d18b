#!/usr/bin/env bash
# Coverage of the xid core: run the whole test suite of the gcov build
# (unit tests, oracle self-tests, every corpus -- seeds, regressions,
# found -- the known-bug inputs, the seed checks and a brief run of each
# stress scenario) with fresh counters, then let gcovr report on the three
# files of the core only.
#
# Counters: the core is a static library whose objects live in the shared
# cache, and libgcov writes each object's .gcda next to it.  GCOV_PREFIX
# redirects them into OUT/gcda/<absolute object path> instead, so every run
# starts from zero and concurrent runs (other clones, other build dirs) do
# not mix; the matching .gcno files are copied beside them for gcov.
#
# Usage: coverage/collect.sh BUILD_DIR OUT_DIR
# Writes OUT_DIR/index.html (+ per-file pages), coverage.xml (Cobertura),
# coverage.json (gcovr's per-line JSON), summary.json, summary.txt and
# reach.txt (coverage/reach.py: the figures without assert() branches, and
# every line and branch left, FATAL paths marked); and OUT_DIR/modules/
# (index.html, summary.json, summary.txt) for the interpreter modules.
# Exit status: 0, or 1 when a test failed (the report is written anyway).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: coverage/collect.sh BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$1 out=$2
say() { echo "[xidfuzz] coverage: $*" >&2; }

core_dir=$(cat "$build/xid_core_dir.txt")
[ -f "$core_dir/key.txt" ] && grep -qx 'variant=gcov' "$core_dir/key.txt" \
    || { echo "coverage: $build is not a gcov build" >&2; exit 2; }

# Only what this script writes is removed: OUT_DIR may be the user's.
mkdir -p "$out"
out=$(cd "$out" && pwd)    # gcovr runs from the source tree, below
rm -rf "$out/gcda" "$out"/index*.html "$out"/coverage.* "$out"/summary.* "$out/reach.txt"
mkdir -p "$out/gcda"
export GCOV_PREFIX
GCOV_PREFIX=$(cd "$out/gcda" && pwd)

say "running the test suite on the gcov core (ctest; log: $out/ctest.log)"
start=$(date +%s)
tests_ok=1
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure > "$out/ctest.log" 2>&1 || tests_ok=0
grep -E 'tests passed|Total Test time' "$out/ctest.log" | sed 's/^/    /' >&2
say "tests ran in $(( $(date +%s) - start ))s"

# Two paths can name the core when the cache is reached through a symlink
# (a ~/.cache on another disk): libgcov writes each .gcda under its
# object's directory as the compiler's getcwd() saw it, the physical path,
# while the .gcno files name the sources as configure was given them (the
# core's srcdir).  gcovr takes that srcdir as its root, which names the
# files in the reports as Python/crossinterp.c and so on, and runs from it
# with relative filters, which it matches against the resolved paths.
objs=
for c in "$(cd "$core_dir" && pwd -P)" "$core_dir"; do
    if [ -d "$GCOV_PREFIX$c/build" ]; then
        objs=$GCOV_PREFIX$c/build
        break
    fi
done
[ -n "$objs" ] || { echo "coverage: no counters were written under $GCOV_PREFIX" >&2; exit 1; }
src=$(sed -n 's/^srcdir=[[:space:]]*//p' "$core_dir/build/Makefile")
[ -d "$src" ] || { echo "coverage: no srcdir in $core_dir/build/Makefile" >&2; exit 1; }
# gcov needs each .gcda's .gcno beside it.
(cd "$core_dir/build" && find . -name '*.gcno') | while read -r f; do
    [ ! -f "$objs/${f%.gcno}.gcda" ] || cp "$core_dir/build/$f" "$objs/$f"
done

say "gcovr over Python/crossinterp.c, crossinterp_data_lookup.h, crossinterp_exceptions.h"
# The three files: crossinterp.c includes the two headers, so all three
# get their counters from crossinterp.o.  gcov must be gcc's own version.
(cd "$src" && gcovr --root "$src" --gcov-executable "gcov-$(gcc -dumpversion)" \
    --filter 'Python/crossinterp\.c' \
    --filter 'Python/crossinterp_data_lookup\.h' \
    --filter 'Python/crossinterp_exceptions\.h' \
    --html-details "$out/index.html" --html-title "xid core coverage (xidfuzz)" \
    --cobertura "$out/coverage.xml" \
    --json "$out/coverage.json" \
    --json-summary "$out/summary.json" --json-summary-pretty \
    --txt "$out/summary.txt" \
    "$objs/Python") >&2
# The interpreter modules the modules target drives (and programs use):
# their own report and baseline, in OUT/modules/.
say "gcovr over Modules/_interpretersmodule.c, _interpqueuesmodule.c, _interpchannelsmodule.c"
mkdir -p "$out/modules"
rm -rf "$out/modules"/index*.html "$out/modules"/summary.*
if [ -d "$objs/Modules" ]; then
    (cd "$src" && gcovr --root "$src" --gcov-executable "gcov-$(gcc -dumpversion)" \
        --filter 'Modules/_interp(reters|queues|channels)module\.c' \
        --html-details "$out/modules/index.html" \
        --html-title "interpreter modules coverage (xidfuzz)" \
        --json-summary "$out/modules/summary.json" --json-summary-pretty \
        --txt "$out/modules/summary.txt" \
        "$objs/Modules") >&2
else
    say "no counters for Modules/ (no test imported the modules)"
fi
# What is left, and why (FATAL paths, assert() branches): reach.txt.
python3 "$(dirname "$0")/reach.py" "$out/coverage.json" "$src" > "$out/reach.txt"
sed -n '1,4p' "$out/reach.txt" | sed 's/^/    /' >&2
[ "$tests_ok" -eq 1 ] || { say "some tests FAILED (see $out/ctest.log)"; exit 1; }
