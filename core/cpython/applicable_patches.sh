#!/usr/bin/env bash
# Which of the fixes in core/cpython/patches/ still apply to a user's
# CPython tree, in order: the patched twin of that tree is built from
# those.  The patches are written against the pinned 3.13.5 tarball; a
# tree that already has a fix (or has changed the code around it) rejects
# that patch, and the twin goes without it: its bug is fixed there, or the
# tree must be looked at by hand.
#
# Usage: applicable_patches.sh TREE PATCH...
# Prints the patches that apply, one per line, on stdout; one line per
# patch left out on stderr.  Nothing in TREE is written: the patches are
# tried, one after the other, on a copy of the files they touch.
set -euo pipefail

die() { echo "applicable_patches: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: applicable_patches.sh TREE PATCH..."
tree=$1
shift
[ -f "$tree/Python/crossinterp.c" ] || die "'$tree' is not a CPython 3.13 source tree"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files the patches touch, copied as they are in the tree.
for p in "$@"; do
    [ -f "$p" ] || die "patch '$p' not found"
    sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
done | sort -u | while IFS= read -r f; do
    if [ -f "$tree/$f" ]; then
        mkdir -p "$work/$(dirname "$f")"
        cp "$tree/$f" "$work/$f"
    fi
done

# Each patch in turn, on top of those that applied before it (a later fix
# may touch the same lines as an earlier one).
for p in "$@"; do
    if patch -d "$work" -p1 --dry-run --forward --silent < "$p" > /dev/null 2>&1; then
        patch -d "$work" -p1 --forward --silent < "$p" > /dev/null
        echo "$p"
    else
        echo "[xidfuzz] $(basename "$p"): does not apply to $tree (fixed there already, or the code moved); the patched twin goes without it" >&2
    fi
done
