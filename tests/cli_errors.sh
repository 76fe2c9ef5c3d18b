#!/usr/bin/env bash
# Bad input to every command gets one clear line on stderr and exit
# status 2, and changes nothing.  Usage: cli_errors.sh REPO BUILD_DIR
set -u
repo=$1 build=$2
replay="$build/fuzz/tuple_nesting_replay"
export XIDFUZZ_BUILD_DIR=$build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty"
ln -s "$tmp/nowhere" "$tmp/dangling"
passed=0 failed=0

# expect_error PATTERN COMMAND...: exit 2, exactly one stderr line
# matching PATTERN, nothing on stdout.
expect_error() {
    local pattern=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$? lines
    lines=$(wc -l < "$tmp/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$tmp/err" \
            && [ ! -s "$tmp/out" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $* (rc=$rc, $lines stderr lines, wanted /$pattern/):" >&2
        sed 's/^/    /' "$tmp/err" >&2
    fi
}

expect_error "no such file" "$replay" "$tmp/missing"
expect_error "no such file" "$replay" "$repo/corpus/tuple_nesting/seeds" "$tmp/missing"
expect_error "unknown option '--bogus'" "$replay" --bogus "$repo/corpus"
expect_error "no inputs found" "$replay" "$tmp/empty"
expect_error "no such file" "$replay" "$tmp/dangling"
expect_error "timeout takes" "$replay" --timeout soon "$repo/corpus"
expect_error "usage" "$replay"
expect_error "unknown command 'frobnicate'" "$repo/xidfuzz" frobnicate
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" fuzz no_such_target
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" replay no_such_target x
expect_error "no such file" "$repo/xidfuzz" repro tuple_nesting "$tmp/missing"
expect_error "time takes seconds" "$repo/xidfuzz" fuzz --time soon
expect_error "unknown option '--fast'" "$repo/xidfuzz" bench --fast
expect_error "--rounds goes with --campaign or --against" "$repo/xidfuzz" bench tuple_nesting --rounds 3
expect_error "not a directory" "$repo/xidfuzz" build --cpython-src "$tmp/missing"
expect_error "test takes no arguments" "$repo/xidfuzz" test now
expect_error "core takes 'pristine' or 'patched'" "$repo/xidfuzz" repro --core shiny tuple_nesting "$repo/corpus/tuple_nesting/seeds/empty"
expect_error "core takes 'pristine' or 'patched'" "$repo/xidfuzz" fuzz --core shiny
expect_error "usage: ./xidfuzz flags TARGET" "$repo/xidfuzz" flags
expect_error "unknown scenario 'bogus'" "$repo/xidfuzz" stress bogus
expect_error "unknown option '--fast'" "$repo/xidfuzz" stress --fast
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" triage no_such_target "$tmp/empty"
expect_error "no such file or directory '$tmp/missing'" "$repo/xidfuzz" triage tuple_nesting "$tmp/missing"
expect_error "no such file or directory" "$repo/xidfuzz" triage tuple_nesting "$repo/corpus/tuple_nesting/seeds/empty" "$tmp/dangling"
expect_error "no files in directory" "$repo/xidfuzz" triage tuple_nesting "$tmp/empty"
expect_error "usage: ./xidfuzz triage" "$repo/xidfuzz" triage tuple_nesting
expect_error "unknown option '--fast'" "$repo/xidfuzz" triage --fast tuple_nesting "$tmp/empty"
expect_error "--frames takes a whole number" "$repo/xidfuzz" triage --frames many tuple_nesting "$tmp/empty"
expect_error "core takes 'pristine' or 'patched'" "$repo/xidfuzz" triage --core shiny tuple_nesting "$tmp/empty"
expect_error "can be given once" "$repo/xidfuzz" triage tuple_nesting - - < /dev/null
expect_error "jobs takes a number" "$repo/xidfuzz" fuzz --jobs 0
expect_error "--out: '$repo/README.md' is not a directory" "$repo/xidfuzz" fuzz --out "$repo/README.md"
expect_error "core takes 'pristine' or 'patched'" "$repo/xidfuzz" bench --core shiny
expect_error "api: unknown argument '--fast'" "$repo/xidfuzz" api --fast
expect_error "usage: ./xidfuzz corpus-dirs TARGET" "$repo/xidfuzz" corpus-dirs
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" target-option no_such_target bench_floor
expect_error "coverage: unknown argument '--fast'" "$repo/xidfuzz" coverage --fast
expect_error "tolerance takes percentage points" "$repo/xidfuzz" coverage --tolerance lots
expect_error "is not a directory" "$repo/xidfuzz" coverage --out "$repo/README.md"
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" valgrind no_such_target
expect_error "valgrind: unknown option '--fast'" "$repo/xidfuzz" valgrind --fast
expect_error "budget takes whole minutes" "$repo/xidfuzz" nightly --budget soon
expect_error "unknown argument '--fast'" "$repo/xidfuzz" nightly --fast
expect_error "is not a directory" "$repo/xidfuzz" nightly --out "$repo/README.md"
expect_error "oss-fuzz-test takes no arguments" "$repo/xidfuzz" oss-fuzz-test now
expect_error "sweep-max takes" "$replay" --sweep --sweep-max 0 "$repo/corpus"
expect_error "sweep-max needs --sweep" "$replay" --sweep-max 5 "$repo/corpus"
expect_error "XIDFUZZ_FAULT_NTH must be a positive number, not 'soon'" \
    env XIDFUZZ_FAULT_NTH=soon "$replay" "$repo/corpus/tuple_nesting/seeds/empty"
expect_error "usage: ./xidfuzz sweep" "$repo/xidfuzz" sweep
expect_error "unknown target 'no_such_target'" "$repo/xidfuzz" sweep no_such_target
expect_error "sweep: --max takes a whole number" "$repo/xidfuzz" sweep --max many tuple_nesting
expect_error "sweep: unknown option '--fast'" "$repo/xidfuzz" sweep --fast tuple_nesting
expect_error "no such file" "$repo/xidfuzz" sweep tuple_nesting "$tmp/missing"
expect_error "core takes 'pristine' or 'patched'" "$repo/xidfuzz" sweep --core shiny tuple_nesting
stress="$build/stress/xidstress"
expect_error "no scenario given" "$stress"
expect_error "unknown scenario 'bogus'" "$stress" bogus
expect_error "unknown option '--fast'" "$stress" pingpong --fast 1
expect_error "--threads takes a whole number from 1 to 64, not 'many'" "$stress" churn --threads many
expect_error "--seed needs a value" "$stress" registry --seed
share="$repo/ci/harness_share.py"
expect_error "unknown target 'no_such_target'" python3 "$share" no_such_target
expect_error "no build in $tmp/missing" python3 "$share" --build "$tmp/missing" tuple_nesting
expect_error "argument --time: invalid int value: 'soon'" python3 "$share" --time soon
# Without perf on PATH (and everything else the script runs before it
# looks for perf).
mkdir "$tmp/bin"
for tool in bash sed dirname nm addr2line; do
    ! command -v $tool > /dev/null || ln -s "$(command -v $tool)" "$tmp/bin/"
done
expect_error "perf is not installed" \
    env PATH="$tmp/bin" "$(python3 -c 'import sys; print(sys.executable)')" "$share" \
    --build "$build" tuple_nesting

# A failed command left the corpus as it was.
if git -C "$repo" status --porcelain -- corpus | grep -q .; then
    echo "note: corpus/ has uncommitted changes (not made by this test)" >&2
fi
echo "cli_errors: $passed passed, $failed failed"
[ $failed -eq 0 ]
