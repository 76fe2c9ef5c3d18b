#!/usr/bin/env bash
# Print the cache directory name (VARIANT-KEY) of each CPython core a job
# needs, one per line, without building anything: CI caches
# ~/.cache/xidfuzz/cpython under a key made of these names, so a cache is
# reused exactly when no core would be rebuilt.  Needs the pinned tarball
# (core/cpython/fetch_cpython.sh) and the compilers the variants use.
#
# Usage: ci/core_keys.sh VARIANT...   (asan, tsan, gcov)
# asan and gcov print the cores with core/cpython/patches/ applied too (asan:
# pristine, patched and mutant; tsan: pristine and patched; gcov: patched
# only), as
# core/cpython/CMakeLists.txt builds them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XIDFUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xidfuzz}
[ $# -ge 1 ] || { echo "usage: ci/core_keys.sh VARIANT..." >&2; exit 2; }
tarball=$("$root/core/cpython/fetch_cpython.sh" "$cache")
patches=()
for p in $(ls "$root"/core/cpython/patches/*.patch 2>/dev/null | sort); do
    patches+=(--patch "$p")
done
name() {
    basename "$("$root/core/cpython/build_cpython.sh" --cache "$cache" --tarball "$tarball" --print-dir "$@")"
}
for v in "$@"; do
    case "$v" in
        asan) name --variant asan
              if [ ${#patches[@]} -gt 0 ]; then
                  name --variant asan "${patches[@]}"
                  name --variant asan "${patches[@]}" --base-patches $(( ${#patches[@]} / 2 )) \
                       --patch "$root/core/cpython/mutants/oracle-mutants.patch"
              fi ;;
        gcov) name --variant gcov ${patches[@]+"${patches[@]}"} ;;
        tsan) name --variant tsan
              [ ${#patches[@]} -eq 0 ] || name --variant tsan "${patches[@]}" ;;
        *) echo "core_keys: unknown variant '$v'" >&2; exit 2 ;;
    esac
done
