#!/usr/bin/env bash
# The coverage ratchet (coverage/ratchet.py) on made-up gcovr summaries,
# without building anything: the same figures pass, a drop in any one
# figure fails, a rise passes, a drop within --tolerance passes, --update
# writes a baseline that then passes, and bad input exits 2.
# Usage: ratchet_test.sh REPO
set -u
ratchet="$1/coverage/ratchet.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# summary FILE LINES BRANCHES FUNCTIONS (covered counts of one file; the
# totals are fixed: 100 lines, 50 branches, 10 functions).
summary() {
    cat > "$1" <<JSON
{"line_covered": $2, "line_total": 100, "branch_covered": $3, "branch_total": 50,
 "function_covered": $4, "function_total": 10,
 "files": [{"filename": "Python/crossinterp.c", "line_covered": $2, "line_total": 100,
            "branch_covered": $3, "branch_total": 50,
            "function_covered": $4, "function_total": 10}]}
JSON
}

# expect STATUS DESCRIPTION COMMAND...
expect() {
    local want=$1 what=$2; shift 2
    "$@" > "$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what: exit $rc, wanted $want" >&2
        sed 's/^/    /' "$tmp/out" >&2
    fi
}

summary "$tmp/base.json" 80 30 9
expect 0 "--update writes a baseline" "$ratchet" "$tmp/base.json" "$tmp/baseline.txt" --update
expect 0 "same figures" "$ratchet" "$tmp/base.json" "$tmp/baseline.txt"
summary "$tmp/lines.json" 79 30 9
expect 1 "one line fewer" "$ratchet" "$tmp/lines.json" "$tmp/baseline.txt"
summary "$tmp/branches.json" 80 29 9
expect 1 "one branch fewer" "$ratchet" "$tmp/branches.json" "$tmp/baseline.txt"
summary "$tmp/functions.json" 80 30 8
expect 1 "one function fewer" "$ratchet" "$tmp/functions.json" "$tmp/baseline.txt"
summary "$tmp/up.json" 90 40 10
expect 0 "a rise" "$ratchet" "$tmp/up.json" "$tmp/baseline.txt"
expect 0 "a 1-point drop within --tolerance 1" "$ratchet" "$tmp/lines.json" "$tmp/baseline.txt" --tolerance 1
expect 1 "a 2-point drop beyond --tolerance 1" "$ratchet" "$tmp/branches.json" "$tmp/baseline.txt" --tolerance 1
grep -v crossinterp.c "$tmp/baseline.txt" > "$tmp/nofile.txt"
echo "Python/gone.c 1/1 1/1 1/1" >> "$tmp/nofile.txt"
expect 1 "a baseline file missing from the report" "$ratchet" "$tmp/base.json" "$tmp/nofile.txt"
echo '{"not": "gcovr"}' > "$tmp/bad.json"
expect 2 "not a gcovr summary" "$ratchet" "$tmp/bad.json" "$tmp/baseline.txt"
echo "TOTAL 1/2" > "$tmp/bad.txt"
expect 2 "malformed baseline" "$ratchet" "$tmp/base.json" "$tmp/bad.txt"
expect 2 "unknown option" "$ratchet" "$tmp/base.json" "$tmp/baseline.txt" --fast
expect 2 "missing summary" "$ratchet" "$tmp/missing.json" "$tmp/baseline.txt"

echo "ratchet: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
