#!/usr/bin/env bash
# Build one variant of the CPython core into the xidfuzz cache, once.
#
# A build lives in CACHE/cpython/VARIANT-KEY/ where KEY hashes everything that
# can change the result: the source (pinned tarball sha256, or a content hash
# of a user's tree), the patches applied, the variant's configure line and
# flags, the compiler's version and this script.  A finished build has a
# ".complete" stamp and is reused as is, so configuring the harness again (or
# in a new build directory, or a new clone) costs seconds.
#
# Usage: build_cpython.sh --cache DIR --variant NAME (--tarball F | --tree D)
#                         [--patch FILE]... [--base-patches N] [--jobs N]
#                         [--print-dir]
# On success prints the build's directory on stdout; progress goes to stderr.
# The directory holds build/ (the out-of-tree CPython build), src/ (the
# source as built) and xid_core.cmake (what the harness needs to link it).
set -euo pipefail

die() { echo "build_cpython: $*" >&2; exit 1; }
say() { echo "[xidfuzz] cpython $variant: $*" >&2; }

cache= variant= tarball= tree= print_dir= jobs=$(nproc) base_patches=0
patches=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cache) cache=$2; shift 2 ;;
        --variant) variant=$2; shift 2 ;;
        --tarball) tarball=$2; shift 2 ;;
        --tree) tree=$2; shift 2 ;;
        --patch) patches+=("$2"); shift 2 ;;
        --base-patches) base_patches=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --print-dir) print_dir=1; shift ;;
        *) die "unknown argument '$1'" ;;
    esac
done
[ -n "$cache" ] && [ -n "$variant" ] || die "--cache and --variant are required"
[ -n "$tarball$tree" ] || die "one of --tarball or --tree is required"
[ -z "$tarball" ] || [ -f "$tarball" ] || die "tarball '$tarball' not found"
[ -z "$tree" ] || [ -f "$tree/Python/crossinterp.c" ] \
    || die "'$tree' is not a CPython 3.13 source tree (no Python/crossinterp.c)"
for p in ${patches[@]+"${patches[@]}"}; do
    [ -f "$p" ] || die "patch '$p' not found"
done
[[ $base_patches =~ ^[0-9]+$ ]] && [ "$base_patches" -lt "${#patches[@]}" -o "$base_patches" -eq 0 ] \
    || die "--base-patches takes a number below the number of patches"

script_dir=$(cd "$(dirname "$0")" && pwd)
coverage_allowlist=

# ---- the variant's recipe -------------------------------------------------
# Every variant is a --with-pydebug static build: the harness links
# libpython3.13d.a and calls Py_BUILD_CORE internals directly.
cc=clang-19
extra_cflags="-g -fno-omit-frame-pointer"
extra_ldflags=""
# Flags configure's checks run without: they are written into the
# configured build afterwards, where configure itself would have put them
# (set_late_flags()).  See the asan recipe.
late_cflags=""
late_ldflags=""
configure_args=(--with-pydebug --disable-shared)
# Extension modules nothing here imports (the targets, the pool's helpers,
# the Python reproducers with test.support, ctypes and subprocess, the
# OSS-Fuzz bundle): not building them takes about a third off every core
# build (112 of its 353 objects; measured by rebuilding them in a copy of
# the asan core, 1 min 51 s on 2 cores).  configure's documented switch,
# py_cv_module_NAME=n/a, leaves each one out.
unused_modules=(_decimal _testcapi _testlimitedcapi _testclinic _testclinic_limited
    _testbuffer _testmultiphase _testsinglephase _testexternalinspection
    _testimportmultiple _ctypes_test xxlimited xxlimited_35 xxsubtype _xxtestfuzz
    _sqlite3 _ssl _hashlib _tkinter _curses _curses_panel _dbm _gdbm readline
    _elementtree pyexpat _codecs_cn _codecs_hk _codecs_iso2022 _codecs_jp
    _codecs_kr _codecs_tw _multibytecodec _lzma _bz2 _uuid)
for m in "${unused_modules[@]}"; do
    configure_args+=("py_cv_module_$m=n/a")
done
# Flags the harness itself compiles and links with, to match the core.
harness_cflags="-g -fno-omit-frame-pointer"
harness_ldflags=""
# Bump when the recipe changes in a way the configure line does not show.
readonly RECIPE_VERSION=2
case "$variant" in
    asan)
        # The production core: ASan + UBSan with libFuzzer coverage.
        # The sanitizer flags are passed by hand, not with
        # --with-address-sanitizer, because that switch also forces
        # --without-pymalloc: pymalloc stays compiled in, and each harness
        # chooses the allocator when it pre-initialises (the isolated config
        # ignores PYTHONMALLOC).  The production harness takes malloc with
        # the debug hooks -- what a --without-pymalloc debug build runs --
        # so that every object is its own malloc block: LeakSanitizer's
        # per-input leak check is exact and ASan guards every object.  The
        # pymalloc harness (XIDFUZZ_PYMALLOC_HARNESS, core/harness) takes
        # pymalloc on the same core, so that an object of a destroyed
        # interpreter is freed memory to ASan: one core build serves both.
        # The build's own python does the same with PYTHONMALLOC, which
        # whatever runs it (the Python reproducers) sets to malloc_debug.
        # -fno-sanitize=function: CPython calls functions through casted
        # pointers by design (PyCFunction and friends); clang-19's UBSan
        # reports each of those (~1,200 during the build alone).  Every other
        # UBSan check stays on and runs clean with halt_on_error=1.
        # These flags are late ones: with them, every one of configure's
        # ~700 test programs links the sanitizer runtimes, which made
        # configure, a quarter of the core's build on one core, 65% slower
        # (73 s against 44 s, run side by side).  Its answers are the same
        # without them: pyconfig.h and the Makefile came out identical but
        # for the flags themselves (3.13.5, clang-19).
        late_cflags+=" -fsanitize=address,undefined -fno-sanitize=function"
        late_ldflags+=" -fsanitize=address,undefined -fno-sanitize=function"
        late_cflags+=" -fsanitize=fuzzer-no-link"
        # No compare tracing: the comparisons against input bytes happen in
        # the harness's decoder, not in CPython, whose traced compares
        # (refcounts, immortality, NULL checks) only cost time -- 23% of a
        # tuple_nesting run, the largest single item.  Edge coverage stays.
        late_cflags+=" -fno-sanitize-coverage=trace-cmp"
        # Coverage counters only where they guide the fuzzer: see
        # coverage_allowlist.txt.  The flag is added below, once the build
        # directory (which holds a copy of the list) is known.
        coverage_allowlist="$script_dir/coverage_allowlist.txt"
        # The harness itself is not coverage-instrumented: its branches
        # (generator, comparer) would only add features that say nothing
        # about the core, and cost time in every input.
        harness_cflags+=" -fsanitize=address,undefined -fno-sanitize=function"
        harness_cflags+=" -DXIDFUZZ_PREINIT_ALLOCATOR=PYMEM_ALLOCATOR_MALLOC_DEBUG"
        harness_ldflags+=" -fsanitize=address,undefined -fno-sanitize=function"
        ;;
    tsan)
        # ThreadSanitizer core for the threaded stress programs (stress/):
        # no libFuzzer coverage, no other sanitizer (TSan excludes ASan).
        # CPython's build runs the new interpreter single-threaded; a
        # report there would only stop the build, not tell us anything.
        configure_args+=(--with-thread-sanitizer)
        export TSAN_OPTIONS=exitcode=0
        harness_cflags+=" -fsanitize=thread"
        harness_ldflags+=" -fsanitize=thread"
        ;;
    gcov)
        # gcc, no sanitizer, for two jobs that cannot run under the clang
        # cores: line/branch coverage (gcov, coverage/) and Valgrind's
        # memcheck (ci/valgrind.sh).  One build serves both because each
        # CPython build costs minutes on the 2-core machine; memcheck only
        # runs slower over the counters.
        # -O0 (after configure's own -Og for pydebug, so it wins): gcov
        # line and branch figures are only meaningful unoptimised, and it
        # is how CPython's own 74.4% / 54.5% / 94.7% were measured.
        # -fprofile-update=atomic: the stress scenarios run the core on
        # many threads at once; plain counter increments would race.
        # --without-pymalloc: every object is a malloc block, so memcheck
        # sees exact bounds and leaks.  It is fixed at build time because
        # the harness's isolated config ignores PYTHONMALLOC.
        cc=gcc
        configure_args+=(--without-pymalloc)
        extra_cflags+=" -O0 --coverage -fprofile-update=atomic"
        extra_ldflags+=" --coverage"
        harness_ldflags+=" --coverage"
        # The system allocator without the debug hooks' guard bytes, so that
        # memcheck reports an overrun where it happens, not at the free.
        harness_cflags+=" -DXIDFUZZ_PREINIT_ALLOCATOR=PYMEM_ALLOCATOR_MALLOC"
        ;;
    ossfuzz)
        # OSS-Fuzz / ClusterFuzzLite (ci/oss-fuzz/build.sh): the compiler and
        # flags the service passes ($CC, $CFLAGS with its sanitizer and
        # -fsanitize=fuzzer-no-link), so that the core is instrumented the
        # way the service expects.  Linking takes the same flags (CPython's
        # link lines do not use CFLAGS).  The harness gets them from CMake,
        # which reads $CFLAGS itself.
        cc=${CC:?the ossfuzz variant takes the compiler from \$CC}
        extra_cflags+=" ${CFLAGS:-}"
        extra_ldflags+=" ${CFLAGS:-}"
        # ASan: every object its own malloc block (exact leak checks), as in
        # the asan variant.  Harmless under the other sanitizers.
        configure_args+=(--without-pymalloc)
        case " ${CFLAGS:-} " in
            *-fsanitize=*)
                # CPython's deliberate function-pointer casts (see asan);
                # OSS-Fuzz's UBSan flags include -fsanitize=function.
                extra_cflags+=" -fno-sanitize=function"
                extra_ldflags+=" -fno-sanitize=function" ;;
        esac
        case " ${CFLAGS:-} " in
            *fuzzer-no-link*)
                # Fuzzing builds: counters only where they guide (as asan).
                extra_cflags+=" -fno-sanitize-coverage=trace-cmp"
                coverage_allowlist="$script_dir/coverage_allowlist.txt" ;;
        esac
        ;;
    *) die "unknown variant '$variant' (known: asan, tsan, gcov, ossfuzz)" ;;
esac
# The variants that derived builds are made from keep each object's real
# dependencies (-MMD: OBJ.d beside OBJ.o, CPython's own headers only), so
# that a derived build rebuilds the objects that include a patched header
# and no others (derive_rebuild_list()).
case "$variant" in
    asan|tsan) late_cflags+=" -MMD" ;;
esac
command -v "$cc" >/dev/null || die "$cc not found (apt-get install clang-19)"

# ---- the cache key ----------------------------------------------------------
if [ -n "$tarball" ]; then
    src_id="tarball:$(sha256sum < "$tarball" | cut -d' ' -f1)"
else
    # A deterministic tar stream of the tree (no VCS, no build products) is
    # both its content hash and, below, the copy we build from.
    tree_tar() {
        tar -C "$tree" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
            --exclude=.git --exclude='*.o' --exclude='*.a' --exclude='*.so' \
            --exclude='*.pyc' --exclude=__pycache__ --exclude=./build \
            -cf - .
    }
    say "hashing source tree $tree"
    src_id="tree:$(tree_tar | sha256sum | cut -d' ' -f1)"
fi
# ---- derived variants -------------------------------------------------------
# A patched asan or tsan core (patched, mutant) differs from the production core by
# a few files.  It is made from the production build (same variant, no
# patches), or with --base-patches N from the build of its first N patches
# (the mutant core from the patched one): copy the base's source and build
# trees, apply the other patches, and let make rebuild only what they touch
# (their objects, libpython, the programs).
# The base's key is part of this build's key, so a derived build is never
# reused for another base.  Only asan and tsan: the production core is
# always built beside its patched twins there; gcov and ossfuzz build only a
# patched core, where a base would cost a whole extra build.
base_dir=
if [ ${#patches[@]} -gt 0 ] && { [ "$variant" = asan ] || [ "$variant" = tsan ]; }; then
    base_args=(--cache "$cache" --variant "$variant" --jobs "$jobs")
    if [ -n "$tarball" ]; then base_args+=(--tarball "$tarball"); else base_args+=(--tree "$tree"); fi
    for p in "${patches[@]:0:$base_patches}"; do base_args+=(--patch "$p"); done
    base_dir=$("$0" "${base_args[@]}" --print-dir)
fi

key_material=$(
    [ -z "$base_dir" ] || echo "derived-from=$(basename "$base_dir")"
    echo "src=$src_id"
    for p in ${patches[@]+"${patches[@]}"}; do echo "patch=$(sha256sum < "$p")"; done
    echo "variant=$variant"
    echo "configure=${configure_args[*]}"
    echo "cflags=$extra_cflags$late_cflags ldflags=$extra_ldflags$late_ldflags"
    [ -z "$coverage_allowlist" ] || echo "coverage-allowlist=$(sha256sum < "$coverage_allowlist")"
    echo "cc=$("$cc" --version | head -n1)"
    echo "recipe=$RECIPE_VERSION"
)
key=$(echo "$key_material" | sha256sum | cut -c1-16)
out="$cache/cpython/$variant-$key"
if [ -n "$print_dir" ]; then
    echo "$out"
    exit 0
fi

# ---- what the harness needs to link against it ----------------------------
# Written on every run, cached or not, so that changes to this part of the
# script reach existing builds without rebuilding them.
mkvar() {
    make -s -C "$out/build" -f Makefile -f <(echo 'xidfuzz-print-%: ; @echo $($*)') \
        "xidfuzz-print-$1"
}
write_exports() {
    local ldversion lib
    ldversion=$(mkvar LDVERSION)
    lib="$out/build/libpython$ldversion.a"
    [ -f "$lib" ] || die "expected $lib after the build"
    cat > "$out/xid_core.cmake.tmp" <<CMAKE
# Generated by build_cpython.sh for variant '$variant' (key $key).
set(XID_CORE_VARIANT "$variant")
set(XID_CORE_DIR "$out")
set(XID_CORE_LIBRARY "$lib")
set(XID_CORE_INCLUDE_DIRS "$out/build" "$out/src/Include" "$out/src/Include/internal")
set(XID_CORE_PYTHON "$out/build/python")
set(XID_CORE_LIBS "$(mkvar LIBS) $(mkvar MODLIBS) $(mkvar SYSLIBS)")
set(XID_CORE_LINKFORSHARED "$(mkvar LINKFORSHARED)")
set(XID_CORE_HARNESS_CFLAGS "$harness_cflags")
set(XID_CORE_HARNESS_LDFLAGS "$harness_ldflags")
CMAKE
    mv "$out/xid_core.cmake.tmp" "$out/xid_core.cmake"
}

if [ -f "$out/.complete" ]; then
    write_exports
    say "cached at $out"
    echo "$out"
    exit 0
fi

mkdir -p "$cache/cpython"
exec 9>"$out.lock"
flock 9    # another configure may be building the same key right now
if [ -f "$out/.complete" ]; then
    write_exports
    say "cached at $out (built by a concurrent run)"
    echo "$out"
    exit 0
fi
rm -rf "$out"

# Progress while make runs: objects (re)built since the build began (newer
# than key.txt, written first), time elapsed.
heartbeat() {
    # The sleep holds none of our descriptors: CMake's execute_process reads
    # our stdout and stderr to their end, and the sleep left running after
    # the kill in make_and_finish() would keep them open up to 20 s longer.
    while sleep 20 < /dev/null > /dev/null 2>&1; do
        n=$(find "$out/build" -name '*.o' -newer "$out/key.txt" 2>/dev/null | wc -l)
        say "... $n objects built, $(( $(date +%s) - start ))s elapsed (log: $log)"
    done
}

# make the harness's targets with progress, then record the finished build:
# 'python' + 'platform' (pybuilddir.txt, which lets the embedded
# interpreter find the build tree's extension modules) + 'sharedmods'.
# $1 says how it was made ("built", "derived").
make_and_finish() {
    # Its stdout is not ours (see heartbeat()).
    heartbeat > /dev/null &
    hb=$!
    trap 'kill $hb 2>/dev/null || true' EXIT
    if ! make -C "$out/build" -j"$jobs" python platform sharedmods >> "$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "make failed; see $log"
    fi
    kill $hb 2>/dev/null || true
    write_exports
    touch "$out/.complete"
    say "$1 in $(( $(date +%s) - start ))s at $out"
    echo "$out"
}

# In a derived build, after the patches: make the objects that include a
# patched header (or a patched .c.h) rebuild, and only those.  CPython's
# Makefile makes every object depend on every header, so one patched
# header (XF-022's pycore_ceval.h) would rebuild all 241; the base's
# OBJ.d files (-MMD) say which objects really include it (49 of them).
# The header gets its time back, so that the blanket rule does not fire,
# and those objects go, so that make builds them again.  A patched .c is
# newer than its object, which make sees by itself.  Without a .d for
# every object (a base built before -MMD), or when a patch changes
# anything else (the Makefile's sources, configure), make decides alone.
derive_rebuild_list() {
    local f o n=0 total
    total=$(find "$out/build" -name '*.o' | wc -l)
    while IFS= read -r o; do
        if [ ! -f "${o%.o}.d" ]; then
            echo "---- $o has no .d: every object depending on a patched header rebuilds" >> "$log"
            return 0
        fi
    done < <(find "$out/build" -name '*.o')
    for f in "${!was[@]}"; do
        case "$f" in
            *.c|*.h) ;;
            *) echo "---- $f is patched: make decides what to rebuild" >> "$log"
               return 0 ;;
        esac
    done
    for f in "${!was[@]}"; do
        case "$f" in *.c) continue ;; esac
        while IFS= read -r d; do
            o=${d%.d}.o
            if [ -f "$o" ]; then
                rm -f "$o"
                echo "---- $o includes $f: rebuilt" >> "$log"
                n=$((n + 1))
            fi
        done < <(grep -rlF --include='*.d' -e "$out/src/$f" "$out/build")
        touch -d "${was[$f]}" "$out/src/$f"
    done
    say "the patched headers are included by $n of the base's $total objects"
}

if [ -n "$base_dir" ]; then
    start=$(date +%s)
    # The base is built (or found cached) first, under its own lock.
    "$0" "${base_args[@]}" > /dev/null
    say "deriving from $(basename "$base_dir") (copy, patch, rebuild what the patches touch)"
    mkdir -p "$out"
    cp -a "$base_dir/src" "$base_dir/build" "$out/"
    [ ! -f "$base_dir/coverage_allowlist.txt" ] || cp -a "$base_dir/coverage_allowlist.txt" "$out/"
    # The build tree names its directory in text files (Makefile,
    # config.status, sysconfigdata, ...).  Point them at the copy and keep
    # their times, so that make sees nothing to redo but the patches.
    grep -rlIF --null "$base_dir" "$out/build" | while IFS= read -r -d '' f; do
        ref=$(mktemp)
        touch -r "$f" "$ref"
        sed -i "s|$base_dir|$out|g" "$f"
        touch -r "$ref" "$f"
        rm -f "$ref"
    done
    echo "$key_material" > "$out/key.txt"
    # The files the patches change, and their times before.
    declare -A was=()
    for p in "${patches[@]:$base_patches}"; do
        while IFS= read -r f; do
            [ -e "$out/src/$f" ] && was[$f]=$(stat -c %y "$out/src/$f")
        done < <(sed -n 's|^+++ b/||p' "$p" | cut -f1)
    done
    for p in "${patches[@]:$base_patches}"; do
        say "applying $(basename "$p")"
        patch -d "$out/src" -p1 --quiet --forward < "$p" || die "patch $p does not apply"
    done
    log="$out/build.log"
    echo "---- derived from $base_dir; rebuilding what the patches touch" >> "$log"
    derive_rebuild_list
    export ASAN_OPTIONS=detect_leaks=0 LSAN_OPTIONS=detect_leaks=0
    say "rebuilding with -j$jobs (log: $log)"
    make_and_finish derived
    exit 0
fi

mkdir -p "$out/src" "$out/build"
echo "$key_material" > "$out/key.txt"

# ---- source ---------------------------------------------------------------
if [ -n "$tarball" ]; then
    say "unpacking $(basename "$tarball")"
    tar -xf "$tarball" -C "$out/src" --strip-components=1
else
    say "copying $tree"
    tree_tar | tar -xf - -C "$out/src"
    [ ! -f "$out/src/Makefile" ] || die "'$tree' is configured in-tree; run 'make distclean' there first"
fi
for p in ${patches[@]+"${patches[@]}"}; do
    say "applying $(basename "$p")"
    patch -d "$out/src" -p1 --quiet --forward < "$p" || die "patch $p does not apply"
done

if [ -n "$coverage_allowlist" ]; then
    cp "$coverage_allowlist" "$out/coverage_allowlist.txt"
    if [ -n "$late_cflags" ]; then
        late_cflags+=" -fsanitize-coverage-allowlist=$out/coverage_allowlist.txt"
    else
        extra_cflags+=" -fsanitize-coverage-allowlist=$out/coverage_allowlist.txt"
    fi
fi

# ---- configure and make -----------------------------------------------------
log="$out/build.log"
# CPython runs the freshly built interpreter during its own build; with
# LeakSanitizer on, every such run would fail on interpreter-lifetime leaks.
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1
export LSAN_OPTIONS=detect_leaks=0

start=$(date +%s)

# Put the late flags where configure would have put them, had it been
# given them with the rest: after what it made of CFLAGS and LDFLAGS in
# CONFIGURE_CFLAGS and CONFIGURE_LDFLAGS (--with-thread-sanitizer adds to
# LDFLAGS), and in CONFIG_ARGS (what it was given), in Makefile.pre and
# Makefile (Makefile stays the newer, as make wants it), and in
# config.status's CFLAGS and LDFLAGS, should make ever regenerate them.
# $1: the build directory; $2, $3: the CFLAGS and LDFLAGS configure was
# given; $4, $5: the late ones.
set_late_flags() {
    local dir=$1 f
    export GIVEN_C=$2 GIVEN_LD=$3 LATE_C=$4 LATE_LD=$5
    # add(A, B): A followed by B, B's leading blanks dropped after nothing.
    local add='sub add { my ($a, $b) = @_; $b =~ s/^ +// if $a eq ""; return $a . $b }'
    for f in Makefile.pre Makefile; do
        perl -0pi -e "$add"'
            s/^(CONFIGURE_CFLAGS=\t)(.*)$/$1 . add($2, $ENV{LATE_C})/me or die "no CONFIGURE_CFLAGS\n";
            s/^(CONFIGURE_LDFLAGS=\t)(.*)$/$1 . add($2, $ENV{LATE_LD})/me or die "no CONFIGURE_LDFLAGS\n";
            s/^(CONFIG_ARGS=.*)\x27CFLAGS=\Q$ENV{GIVEN_C}\E\x27 \x27LDFLAGS=\Q$ENV{GIVEN_LD}\E\x27$/$1 . "\x27CFLAGS=" . add($ENV{GIVEN_C}, $ENV{LATE_C}) . "\x27 \x27LDFLAGS=" . add($ENV{GIVEN_LD}, $ENV{LATE_LD}) . "\x27"/me or die "no CONFIG_ARGS\n";
        ' "$dir/$f" || return 1
    done
    perl -0pi -e "$add"'
        s/^(S\["CFLAGS"\]=")(.*)"$/$1 . add($2, $ENV{LATE_C}) . "\""/me or die "no CFLAGS\n";
        s/^(S\["LDFLAGS"\]=")(.*)"$/$1 . add($2, $ENV{LATE_LD}) . "\""/me or die "no LDFLAGS\n";
    ' "$dir/config.status" || return 1
    unset GIVEN_C GIVEN_LD LATE_C LATE_LD
    touch -r "$dir/Makefile.pre" "$dir/config.status"
    touch "$dir/Makefile"
}

say "configuring in $out/build (log: $log)"
(cd "$out/build" && CC="$cc" CFLAGS="$extra_cflags" LDFLAGS="$extra_ldflags" \
    "$out/src/configure" "${configure_args[@]}" > "$log" 2>&1) \
    || { tail -n 30 "$log" >&2; die "configure failed; see $log"; }
if [ -n "$late_cflags$late_ldflags" ]; then
    set_late_flags "$out/build" "$extra_cflags" "$extra_ldflags" \
        "$late_cflags" "$late_ldflags" \
        || die "could not add the late flags to the configured build"
fi

say "building python, libpython and the shared modules with -j$jobs"
make_and_finish built
