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

# Campaign files that replay clean, explained from what libFuzzer printed
# for them in the campaign's log (DIR/fuzz.log beside DIR/crashes/): a
# leak that an earlier input of the process lost (here XF-011's) is that
# known bug, not reproduced alone; a slow unit is no failure at all.
camp=$tmp/campaign
mkdir -p "$camp/crashes"
leak=leak-$(printf '1%.0s' {1..40})
slow=slow-unit-$(printf '2%.0s' {1..40})
cp "$repo/corpus/tuple_nesting/seeds/empty" "$camp/crashes/$leak"
cp "$repo/corpus/tuple_nesting/seeds/empty" "$camp/crashes/$slow"
cat > "$camp/fuzz.log" <<LOG
INFO: Seed: 1
Slowest unit: 12 s:
artifact_prefix='$camp/crashes/'; Test unit written to $camp/crashes/$slow
#9	NEW    cov: 6 ft: 6 corp: 2/2b
==1==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 64 byte(s) in 1 object(s) allocated from:
    #0 0x1 in malloc (/x/tuple_nesting_fuzz+0x1)
    #1 0x2 in _tuple_shared /s/Python/crossinterp_data_lookup.h:514:5
    #2 0x3 in _PyObject_GetCrossInterpreterData /s/Python/crossinterp.c:260:9

INFO: to ignore leaks on libFuzzer side use -detect_leaks=0.
artifact_prefix='$camp/crashes/'; Test unit written to $camp/crashes/$leak
LOG
"$repo/xidfuzz" triage --core pristine tuple_nesting "$camp/crashes" > "$tmp/camp.out" 2>&1
rc=$?
sed 's/^/    /' "$tmp/camp.out" >&2
[ $rc -eq 0 ] || fail "campaign files: exit status $rc, wanted 0"
grep -qx "    $camp/crashes/$leak (not reproduced: leaked-by-earlier-input)" "$tmp/camp.out" \
    || fail "campaign leak: not explained as leaked by an earlier input"
sed -n '/^KNOWN XF-011 /,/^$/p' "$tmp/camp.out" | grep -q "crashes/$leak" \
    || fail "campaign leak: not in XF-011's group"
grep -qx 'EXPLAINED slow-unit (the input does not fail: see "not reproduced")' "$tmp/camp.out" \
    || fail "slow unit: not explained"
grep -q '^  not reproduced: slow-unit: .*(12 s there' "$tmp/camp.out" \
    || fail "slow unit: its time"
grep -qx 'triage: 2 files, 1 known group (XF-011), 0 new groups, 1 explained group (slow-unit)' \
    "$tmp/camp.out" || fail "campaign files: summary"

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

# A pristine campaign triages what it saved with its avoidances (xidfuzz
# fuzz_target): an input that went past the known bugs it steers around
# is grouped under the bug it then meets, and the reproduce line carries
# the same settings.  This one (a pristine campaign's, kept as
# corpus/namespace/regressions/avoided-XF-015-*) meets XF-003 first
# without them, and XF-015 (a match: line) with them.
av=$(ls "$repo"/corpus/namespace/regressions/avoided-XF-015-*)
mkdir "$tmp/avoided"
cp "$av" "$tmp/avoided/crash-avoided"
sites=_PyCrossInterpreterData_InitWithSize,alloc_threadstate,under:_convert_exc_to_TracebackException
XIDFUZZ_AVOID=XF-001,XF-003,XF-007,XF-008 XIDFUZZ_FAULT_AVOID=$sites \
    "$repo/xidfuzz" triage --core pristine namespace "$tmp/avoided" > "$tmp/avoided.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "avoided: exit status $rc, wanted 0"
grep -q '^KNOWN XF-015 ' "$tmp/avoided.out" || fail "avoided: not XF-015"
grep -q "^  reproduce: .*XIDFUZZ_FAULT_AVOID=$sites XIDFUZZ_AVOID=XF-001,XF-003,XF-007,XF-008 \./xidfuzz repro" \
    "$tmp/avoided.out" || fail "avoided: the reproduce line lacks the avoidances"
"$repo/xidfuzz" triage --core pristine namespace "$tmp/avoided" > "$tmp/plain.out" 2>&1
grep -q '^KNOWN XF-003 ' "$tmp/plain.out" || fail "avoided: without them, not XF-003"

[ $failed -eq 0 ] && echo "triage_regressions: passed"
exit $failed
