#!/usr/bin/env bash
# Fetch the pinned upstream CPython tarball from Debian's python3.13 source
# package (trixie) into the xidfuzz cache and verify its sha256.
#
# The mirror is derived from this machine's own apt configuration: we take the
# URI that serves the machine's own release (e.g. bookworm) and ask the same
# mirror for trixie's deb-src.  apt runs with a private sources list, state
# and cache directory under the xidfuzz cache, so the system's apt setup is
# never read for sources and never written.
#
# Usage: fetch_cpython.sh CACHE_DIR
# Prints the path of the verified tarball on stdout (progress on stderr).
set -euo pipefail

readonly PKG=python3.13
readonly SUITE=trixie
readonly TARBALL=python3.13_3.13.5.orig.tar.xz
readonly SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640

die() { echo "fetch_cpython: $*" >&2; exit 1; }
say() { echo "fetch_cpython: $*" >&2; }

[ $# -eq 1 ] || die "usage: fetch_cpython.sh CACHE_DIR"
cache=$1
dest="$cache/src/$TARBALL"

verify() {
    echo "$SHA256  $1" | sha256sum --check --status
}

if [ -f "$dest" ] && verify "$dest"; then
    echo "$dest"
    exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found; pass -DXIDFUZZ_CPYTHON_SRC=/path/to/cpython-3.13 instead"

# The mirror: the repository that serves this machine's own codename.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release"
mirror=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null \
         | awk -v c="$codename" '$1 == c { print $2; exit }')
[ -n "$mirror" ] || die "no apt source for '$codename' in this machine's apt configuration"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/sources.list.d" "$cache/src"
echo "deb-src [signed-by=$keyring] $mirror $SUITE main" > "$apt_dir/etc/sources.list"
: > "$apt_dir/status"
apt_opts=(
    -o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list"
    -o "Dir::Etc::sourceparts=$apt_dir/etc/sources.list.d"
    -o "Dir::State=$apt_dir"
    -o "Dir::State::lists=$apt_dir/lists"
    -o "Dir::State::status=$apt_dir/status"
    -o "Dir::Cache=$apt_dir"
    -o "Dir::Cache::archives=$apt_dir/archives"
    -o "APT::Sandbox::User=root"
)

say "updating private apt index ($SUITE deb-src, machine's own mirror)"
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update (private state in $apt_dir) failed"

work=$(mktemp -d "$cache/src/dl.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "downloading source package $PKG from $SUITE"
(cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only "$PKG" >&2) \
    || die "apt-get source --download-only $PKG failed"
[ -f "$work/$TARBALL" ] || die "$SUITE's $PKG does not ship $TARBALL (found: $(ls "$work" | tr '\n' ' '))"
verify "$work/$TARBALL" || die "sha256 mismatch for $TARBALL (expected $SHA256)"
mv "$work/$TARBALL" "$dest.tmp" && mv "$dest.tmp" "$dest"
say "verified $TARBALL"
echo "$dest"
