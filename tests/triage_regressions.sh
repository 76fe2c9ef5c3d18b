#!/usr/bin/env bash
# `./xidfuzz triage` on the pristine core: a folder of every committed
# regression input of a target (named like libFuzzer's crash files) gives
# one KNOWN group per XF id holding exactly that id's inputs, and exit 0;
# an input that reproduces nothing, and a report of no known bug (the
# oracle self-test's), are NEW with exit 1.
#   triage_regressions.sh REPO BUILD_DIR
set -u
repo=$1
export XIDFUZZ_BUILD_DIR=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() { echo "FAIL: $*" >&2; failed=1; }

for dir in "$repo"/corpus/*/regressions; do
    t=$(basename "$(dirname "$dir")")
    inputs=("$dir"/XF-*)
    [ -e "${inputs[0]}" ] || continue
    mkdir "$tmp/$t"
    for f in "${inputs[@]}"; do
        # The id stays findable; the file looks like a campaign's.
        cp "$f" "$tmp/$t/crash-$(basename "$f")"
    done
    "$repo/xidfuzz" triage --core pristine "$t" "$tmp/$t" > "$tmp/$t.out" 2>&1
    rc=$?
    sed 's/^/    /' "$tmp/$t.out" | grep -v '^     *#' >&2
    [ $rc -eq 0 ] || fail "$t: exit status $rc, wanted 0"
    ids=$(for f in "${inputs[@]}"; do basename "$f" | cut -d- -f1,2; done | sort -u)
    [ "$(grep -c '^KNOWN ' "$tmp/$t.out")" -eq "$(echo "$ids" | wc -l)" ] \
        || fail "$t: not one KNOWN group per id ($(echo $ids))"
    grep -q '^NEW' "$tmp/$t.out" && fail "$t: a NEW group"
    for id in $ids; do
        want=$(ls "$dir" | grep -c "^$id-")
        # The group's block: from its KNOWN line to the blank line.
        block=$(sed -n "/^KNOWN $id /,/^\$/p" "$tmp/$t.out")
        echo "$block" | grep -qx "  count: $want" || fail "$t: $id: not one group of $want"
        for f in "$dir/$id"-*; do
            echo "$block" | grep -qx "    $tmp/$t/crash-$(basename "$f")" \
                || fail "$t: $id: $(basename "$f") not in its group"
        done
    done
done

# A crash file that replays clean is not a known bug.
cp "$repo/corpus/tuple_nesting/seeds/empty" "$tmp/crash-clean"
"$repo/xidfuzz" triage --core pristine tuple_nesting "$tmp/crash-clean" > "$tmp/clean.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "clean input: exit status $rc, wanted 1"
grep -q '^  signature: no report (the input replays clean)' "$tmp/clean.out" \
    || fail "clean input: not reported as replaying clean"
grep -qx 'NEW' "$tmp/clean.out" || fail "clean input: not NEW"

# A real report of no known bug (a refcount drift the oracle self-test
# makes on purpose), read from stdin, is NEW.
ASAN_OPTIONS=detect_leaks=0 "$XIDFUZZ_BUILD_DIR/tests/oracle_selftest" leaked-ref > "$tmp/drift.txt" 2>&1
"$repo/xidfuzz" triage tuple_nesting - < "$tmp/drift.txt" > "$tmp/drift.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "drift report: exit status $rc, wanted 1"
grep -q '^  signature: ORACLE FAILURE: total refcount drifted by N over the input' "$tmp/drift.out" \
    || fail "drift report: signature"
grep -qx 'triage: 1 file, 0 known groups, 1 new group' "$tmp/drift.out" \
    || fail "drift report: summary"

[ $failed -eq 0 ] && echo "triage_regressions: passed"
exit $failed
