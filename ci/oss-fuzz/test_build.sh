#!/usr/bin/env bash
# The OSS-Fuzz contract test: run ci/oss-fuzz/build.sh the way OSS-Fuzz and
# ClusterFuzzLite do (their environment variables, clang, libFuzzer, ASan;
# a copy of this repository in $SRC, the pinned CPython tarball beside it,
# $SRC/$OUT/$WORK fresh temporary directories), then move the source and
# the build tree away and the $OUT directory elsewhere, as the runner does,
# and run every fuzzer from there for a few seconds on its seed corpus.
# Any missing file, crash or start-up failure fails the test.
#
# Builds CPython from scratch (several minutes on 2 cores); not part of
# `./xidfuzz test`.  Run as `./xidfuzz oss-fuzz-test`.
# Env: XIDFUZZ_OSSFUZZ_KEEP=1 keeps the temporary directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XIDFUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xidfuzz}
say() { echo "[xidfuzz oss-fuzz-test] $*" >&2; }
fail() { echo "oss-fuzz-test: FAILED: $*" >&2; exit 1; }

for tool in zip unzip clang-19 cmake; do
    command -v "$tool" > /dev/null || { echo "oss-fuzz-test: $tool is not installed (apt-get install $tool)" >&2; exit 2; }
done
tarball=$("$root/core/cpython/fetch_cpython.sh" "$cache")
tmp=$(mktemp -d /tmp/xidfuzz-ossfuzz.XXXXXX)
[ -n "${XIDFUZZ_OSSFUZZ_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/out" "$tmp/work"

say "copying the repository (working tree, without build/) to \$SRC/xidfuzz"
tar -C "$root" --exclude=./build --exclude=.git -cf - . | (mkdir -p "$tmp/src/xidfuzz" && tar -C "$tmp/src/xidfuzz" -xf -)
cp "$tarball" "$tmp/src/"
cp "$root/ci/oss-fuzz/build.sh" "$tmp/src/build.sh"

# What OSS-Fuzz's base-builder exports for a libFuzzer + ASan build.
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
start=$(date +%s)
say "running build.sh (log: $tmp/build.log; builds CPython, several minutes)"
if ! env -i PATH="$PATH" HOME="$HOME" \
        CC=clang-19 CXX=clang++-19 CFLAGS="$flags" CXXFLAGS="$flags -stdlib=libc++" \
        LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer \
        ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
        SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" \
        bash -eu "$tmp/src/build.sh" > "$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log" >&2
    fail "build.sh failed (log above)"
fi
say "build.sh took $(( $(date +%s) - start ))s"

# The runner sees only $OUT, at another path.
mv "$tmp/src" "$tmp/src.gone"
mv "$tmp/work" "$tmp/work.gone"
mv "$tmp/out" "$tmp/runner-out"
out=$tmp/runner-out

mapfile -t targets < <(sed -n 's/^xidfuzz_add_target(\([a-z_]*\)[ )].*/\1/p' "$root/fuzz/CMakeLists.txt")
for t in "${targets[@]}"; do
    for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
        [ -s "$out/$f" ] || fail "\$OUT/$f is missing"
    done
    [ -x "$out/$t" ] || fail "\$OUT/$t is not executable"
    corpus=$tmp/corpus-$t
    mkdir -p "$corpus"
    unzip -q "$out/${t}_seed_corpus.zip" -d "$corpus"
    # As the runner does: the options file's flags, the dictionary, the
    # seed corpus, and no XIDFUZZ_* variable.
    mapfile -t opts < <(awk '/^\[libfuzzer\]/{on=1; next} /^\[/{on=0} on && /=/ {
                                gsub(/[ \t]/, ""); split($0, kv, "="); print "-" kv[1] "=" kv[2] }' "$out/$t.options")
    say "$t: 5 s from $(ls "$corpus" | wc -l) seeds"
    if ! (cd "$tmp" && env -u XIDFUZZ_PYTHONHOME "$out/$t" "${opts[@]}" -dict="$out/$t.dict" \
            -max_total_time=5 -artifact_prefix="$tmp/crash-$t-" "$corpus" > "$tmp/run-$t.log" 2>&1); then
        tail -n 30 "$tmp/run-$t.log" >&2
        fail "$t crashed or failed to start from \$OUT (log above)"
    fi
    grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "$tmp/run-$t.log" | tail -n1 | sed "s/^/    $t: /" >&2 || true
done
# And the stdlib they used was $OUT's: without it they cannot start.
mv "$out/xidfuzz-python" "$out/xidfuzz-python.gone"
if "$out/${targets[0]}" -runs=1 "$tmp/corpus-${targets[0]}" > "$tmp/run-no-home.log" 2>&1; then
    fail "${targets[0]} started without \$OUT/xidfuzz-python: its stdlib comes from elsewhere"
fi
mv "$out/xidfuzz-python.gone" "$out/xidfuzz-python"
say "PASSED: ${targets[*]} built by build.sh and ran from a relocated \$OUT (stdlib from \$OUT/xidfuzz-python)"
