#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script (the services run it as
# $SRC/build.sh, or from this repository as .clusterfuzzlite/build.sh).
#
# Honours the build contract: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $SANITIZER $SRC $OUT (and $WORK when set).  Builds
# the patched CPython core with the compiler and flags given (see the
# ossfuzz variant in core/cpython/build_cpython.sh), links each target's fuzzer
# against $LIB_FUZZING_ENGINE, and writes to $OUT:
#   TARGET                   the fuzzer
#   TARGET_seed_corpus.zip   corpus/TARGET/{seeds,regressions,found}
#   TARGET.dict, TARGET.options
#   xidfuzz-python/          the stdlib (lib/python3.13) and the core's
#                            extension modules (lib/python3.13/lib-dynload),
#                            which each fuzzer finds beside itself
#                            (XIDFUZZ_HOME_RELATIVE, core/harness/pool.c)
# The CPython source is the pinned tarball, which the Dockerfile puts in
# $SRC (python3.13_3.13.5.orig.tar.xz); its sha256 is checked here.
repo=${XIDFUZZ_REPO:-$SRC/xidfuzz}
work=${WORK:-$SRC/work}
tarball_name=python3.13_3.13.5.orig.tar.xz
home_dir=xidfuzz-python

say() { echo "[xidfuzz oss-fuzz] $*" >&2; }
die() { echo "xidfuzz oss-fuzz build: $*" >&2; exit 1; }

[ -f "$repo/core/cpython/build_cpython.sh" ] || die "no xidfuzz checkout at $repo (set XIDFUZZ_REPO)"
[ -n "${OUT:-}" ] && [ -n "${SRC:-}" ] || die "\$SRC and \$OUT must be set"
[ -n "${LIB_FUZZING_ENGINE:-}" ] || die "\$LIB_FUZZING_ENGINE must be set"
case "${SANITIZER:-address}" in
    address|undefined|coverage|none) ;;
    *) die "SANITIZER=$SANITIZER is not supported (CPython would need every dependency rebuilt)" ;;
esac

# The cache (CPython build) lives in $WORK, outside $OUT: only what the
# fuzzers need at run time is copied out.
export XIDFUZZ_CACHE=$work/xidfuzz-cache
mkdir -p "$XIDFUZZ_CACHE/src"
if [ ! -f "$XIDFUZZ_CACHE/src/$tarball_name" ]; then
    [ -f "$SRC/$tarball_name" ] || die "$SRC/$tarball_name is missing (the Dockerfile downloads it)"
    cp "$SRC/$tarball_name" "$XIDFUZZ_CACHE/src/"
fi
# fetch_cpython.sh only verifies a tarball that is already there.
"$repo/core/cpython/fetch_cpython.sh" "$XIDFUZZ_CACHE" > /dev/null \
    || die "$tarball_name does not match the pinned sha256 (core/cpython/fetch_cpython.sh)"

build=$work/xidfuzz-build
say "configuring $build (CPython core built with \$CC=$CC and \$CFLAGS)"
# CMake takes CMAKE_C_FLAGS from $CFLAGS for the harness; the core's
# recipe reads $CC and $CFLAGS itself.
cmake -S "$repo" -B "$build" -DXIDFUZZ_VARIANT=ossfuzz -DBUILD_TESTING=OFF \
    -DCMAKE_C_COMPILER="$CC" -DXIDFUZZ_HOME_RELATIVE="$home_dir" >&2
mapfile -t targets < <("$repo/xidfuzz" targets)
cmake --build "$build" -j"$(nproc)" --target $(printf "%s_fuzz " "${targets[@]}") >&2

core=$(cat "$build/xid_core_dir.txt")
ldversion=$(ls "$core/build" | sed -n 's/^libpython\(.*\)\.a$/\1/p')
say "copying the stdlib and extension modules to \$OUT/$home_dir"
lib=$OUT/$home_dir/lib/python${ldversion%d}
rm -rf "${OUT:?}/$home_dir"
mkdir -p "$lib/lib-dynload"
# The stdlib without its test suite and GUI/packaging bits (none is
# imported by the targets; together they are most of Lib/).
tar -C "$core/src/Lib" --exclude=test --exclude=idlelib --exclude=tkinter \
    --exclude=turtledemo --exclude=ensurepip --exclude=__pycache__ -cf - . \
    | tar -C "$lib" -xf -
# Except test.support: the modules target's interpreters import
# test.support.interpreters (the queue and channel classes the modules
# register), which the build tree has and $OUT did not.
tar -C "$core/src/Lib" --exclude=__pycache__ -cf - test/__init__.py test/support \
    | tar -C "$lib" -xf -
# Extension modules and _sysconfigdata from the build tree (what
# pybuilddir.txt points the build's own python at).  -L: there they are
# relative symlinks into Modules/, which would dangle in $OUT (the modules
# target imports _interpreters and failed to start on them).
cp -rL "$core/build/$(cat "$core/build/pybuilddir.txt")"/. "$lib/lib-dynload/"

for t in "${targets[@]}"; do
    say "$t -> \$OUT/$t"
    cp "$build/fuzz/${t}_fuzz" "$OUT/$t"
    cp "$repo/corpus/$t/$t.dict" "$OUT/$t.dict"
    # libFuzzer's section only: [xidfuzz] is this project's own data.
    awk '/^\[/{on = ($0 == "[libfuzzer]")} on' "$repo/corpus/$t/$t.options" > "$OUT/$t.options"
    rm -f "$OUT/${t}_seed_corpus.zip"
    mapfile -t dirs < <("$repo/xidfuzz" corpus-dirs "$t")
    # -j: flat (names are unique: sha1s and descriptive names).
    find "${dirs[@]}" -type f ! -name '.*' -print0 | xargs -0 zip -q -j "$OUT/${t}_seed_corpus.zip"
done
say "done: ${targets[*]}"
