#!/bin/sh
# three_copies.sh FUZZ INPUT: run the libFuzzer binary FUZZ once over a
# temporary corpus of three copies of INPUT, with no leak check at exit,
# as a campaign runs an input (libFuzzer's own per-input leak check only).
# A leak caught in any copy ends the run with libFuzzer's report.
d=$(mktemp -d) || exit 2
for n in 1 2 3; do
    cp "$2" "$d/copy$n" || { rm -rf "$d"; exit 2; }
done
ASAN_OPTIONS=leak_check_at_exit=0 "$1" -runs=0 -artifact_prefix="$d/" "$d"
rc=$?
rm -rf "$d"
exit $rc
