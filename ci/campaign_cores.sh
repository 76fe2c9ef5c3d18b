#!/usr/bin/env bash
# The campaign's rate on the pristine core against the patched one, side by
# side: for each target, `./xidfuzz fuzz TARGET --core pristine` and
# `--core patched` run at once (one core each, same seconds, same machine
# load) and one row gives both exec/s, pristine as a share of patched, and
# the restarts after a finding each made.  On the pristine core a campaign
# meets the known bugs; this measures what that costs it.
#
#   ci/campaign_cores.sh [--time SECONDS] [--out DIR] [TARGET...]
#
# DIR (default build/campaign-cores, emptied first) keeps each campaign's
# work directory (DIR/CORE/TARGET/: campaign.log, fuzz.log, crashes/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "campaign_cores: $*" >&2; exit 2; }
time=60 out=$root/build/campaign-cores list=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--time takes seconds"; time=$2; shift 2 ;;
        --out) [ -n "${2:-}" ] || die "--out takes a directory"; out=$2; shift 2 ;;
        -*) die "unknown option '$1'" ;;
        *) list+=("$1"); shift ;;
    esac
done
[ ${#list[@]} -gt 0 ] || mapfile -t list < <("$root/xidfuzz" targets | awk '{print $1}')
rm -rf "$out"
mkdir -p "$out"

# "R K": a campaign's exec/s and restarts, from the stats file that
# run_campaign (xidfuzz) writes in its work directory DIR/TARGET/.
rate() {
    [ -f "$1/stats" ] || return 0
    echo "$(sed -n 's/^exec_per_s=//p' "$1/stats") $(sed -n 's/^restarts=//p' "$1/stats")"
}

printf '%-16s %12s %12s %9s %10s %10s\n' target patched pristine ratio restarts restarts
printf '%-16s %12s %12s %9s %10s %10s\n' '' 'exec/s' 'exec/s' '' patched pristine
for t in "${list[@]}"; do
    echo "campaign_cores: $t, ${time}s on both cores at once" >&2
    for core in patched pristine; do
        mkdir -p "$out/$core"
        "$root/xidfuzz" fuzz "$t" --core "$core" --time "$time" --out "$out/$core" \
            > "$out/$core/$t.log" 2>&1 &
    done
    wait || true
    read -r pa pa_r <<< "$(rate "$out/patched/$t")" || true
    read -r pr pr_r <<< "$(rate "$out/pristine/$t")" || true
    [ -n "${pa:-}" ] && [ -n "${pr:-}" ] \
        || die "$t: a campaign printed no rate (see $out/*/$t.log)"
    printf '%-16s %12s %12s %8s%% %10s %10s\n' "$t" "$pa" "$pr" \
        "$(( pa > 0 ? pr * 100 / pa : 0 ))" "$pa_r" "$pr_r"
done
echo "campaign_cores: at $(git -C "$root" rev-parse --short HEAD), ${time}s per campaign; logs in $out" >&2
