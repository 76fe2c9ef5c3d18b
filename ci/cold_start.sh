#!/usr/bin/env bash
# Cold start, as a newcomer or a cold CI run meets it: a fresh clone, an
# empty CPython cache, and (with --purge-packages, as root) the Debian
# packages a new machine lacks removed first, so that `setup` installs
# them.  Times `./xidfuzz all` and then `./xidfuzz test` (with --ci:
# `.ci/run` alone, as a cold CI job runs it), and prints one line each with
# the commit measured.
#
#   ci/cold_start.sh [--purge-packages] [--ci] [--dir DIR] [REV]
#
# DIR (default /tmp/xidfuzz-cold, emptied first) holds the clone, the
# cache (XIDFUZZ_CACHE) and all.log / test.log (or ci-run.log), each
# line stamped with the seconds since its command began.  REV defaults to HEAD.
# Nothing outside DIR is touched, except the packages with --purge.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "cold_start: $*" >&2; exit 2; }
purge= dir=/tmp/xidfuzz-cold rev=HEAD cmds=(all test)
while [ $# -gt 0 ]; do
    case "$1" in
        --purge-packages) purge=1; shift ;;
        --ci) cmds=(.ci/run); shift ;;
        --dir) [ -n "${2:-}" ] || die "--dir takes a directory"; dir=$2; shift 2 ;;
        -*) die "unknown option '$1'" ;;
        *) rev=$1; shift ;;
    esac
done
commit=$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}") || die "unknown revision '$rev'"
case "$dir" in /|"$root"|"$root"/*) die "--dir must be outside the clone" ;; esac
rm -rf "$dir" && mkdir -p "$dir"
git clone -q "$root" "$dir/xidfuzz"
git -C "$dir/xidfuzz" checkout -q --detach "$commit"
if [ -n "$purge" ]; then
    [ "$(id -u)" -eq 0 ] || die "--purge-packages needs root"
    echo "cold_start: removing clang-19 libclang-rt-19-dev llvm-19 lld-19 gcovr" >&2
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq clang-19 libclang-rt-19-dev llvm-19 lld-19 gcovr > "$dir/purge.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -qq >> "$dir/purge.log" 2>&1
fi
export XIDFUZZ_CACHE=$dir/cache
cd "$dir/xidfuzz"
for cmd in "${cmds[@]}"; do
    case "$cmd" in
        .ci/run) run=(.ci/run) log=$dir/ci-run.log ;;
        *) run=(./xidfuzz "$cmd") log=$dir/$cmd.log ;;
    esac
    echo "cold_start: ${run[*]} (log: $log)" >&2
    start=$(date +%s)
    # Each line of the log starts with the seconds since the command began:
    # where a cold run spends its time.
    rc=0
    "${run[@]}" 2>&1 | while IFS= read -r line; do
        printf '%4d %s\n' $(( $(date +%s) - start )) "$line"
    done > "$log" || rc=$?
    echo "cold_start: ${run[*]} at ${commit:0:12}: exit $rc in $(( $(date +%s) - start )) s"
done
