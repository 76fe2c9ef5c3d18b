#!/usr/bin/env python3
"""Coverage ratchet: compare a gcovr JSON summary against the committed
baseline and fail when any figure of any file (or the total) dropped.

    ratchet.py SUMMARY_JSON BASELINE [--update] [--tolerance POINTS]

The baseline holds, per file and for the total, covered/total lines,
branches and functions.  Percentages are compared, not counts, so that a
change of the core's size (a new patch) does not read as a drop.
--tolerance allows a drop of that many percentage points (default 0): the
stress scenarios are threaded, so a few branches can come and go between
runs.  --update rewrites the baseline from the summary (after a rise, or
to accept a drop on purpose).  Exit status: 0 no drop, 1 a drop, 2 bad
input.
"""
import json
import sys

KINDS = ("lines", "branches", "functions")
GCOVR_KEYS = {"lines": "line", "branches": "branch", "functions": "function"}


def die(msg):
    print("ratchet: " + msg, file=sys.stderr)
    sys.exit(2)


def from_summary(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read summary %s: %s" % (path, e))
    figures = {}

    def pick(entry):
        try:
            return {k: (int(entry[GCOVR_KEYS[k] + "_covered"]),
                        int(entry[GCOVR_KEYS[k] + "_total"])) for k in KINDS}
        except (KeyError, TypeError, ValueError):
            die("summary %s is not a gcovr JSON summary" % path)

    for entry in data.get("files", []):
        figures[entry["filename"]] = pick(entry)
    figures["TOTAL"] = pick(data)
    return figures


def from_baseline(path):
    figures = {}
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        die("cannot read baseline %s: %s" % (path, e))
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 4:
            die("%s:%d: want 'FILE LINES BRANCHES FUNCTIONS' (each covered/total)"
                % (path, n))
        try:
            figures[fields[0]] = {
                k: tuple(int(x) for x in v.split("/", 1))
                for k, v in zip(KINDS, fields[1:])}
        except ValueError:
            die("%s:%d: figures must be covered/total" % (path, n))
    if "TOTAL" not in figures:
        die("%s has no TOTAL line" % path)
    return figures


def pct(pair):
    covered, total = pair
    return 100.0 * covered / total if total else 100.0


def write_baseline(path, figures):
    with open(path, "w") as f:
        f.write("# Coverage ratchet, from `./xidfuzz coverage\n"
                "# --update-baseline` (gcc -O0 pydebug, patched core, gcovr).\n"
                "# `./xidfuzz coverage` fails when a percentage drops below this.\n"
                "# FILE  LINES  BRANCHES  FUNCTIONS  (covered/total)\n")
        names = sorted(n for n in figures if n != "TOTAL") + ["TOTAL"]
        for name in names:
            f.write("%-34s %s\n" % (name, "  ".join(
                "%d/%d" % figures[name][k] for k in KINDS)))


def main(argv):
    args = list(argv)
    update = False
    tolerance = 0.0
    pos = []
    while args:
        a = args.pop(0)
        if a == "--update":
            update = True
        elif a == "--tolerance":
            try:
                tolerance = float(args.pop(0))
            except (IndexError, ValueError):
                die("--tolerance takes a number of percentage points")
        elif a.startswith("-"):
            die("unknown option '%s'" % a)
        else:
            pos.append(a)
    if len(pos) != 2:
        die("usage: ratchet.py SUMMARY_JSON BASELINE [--update] [--tolerance POINTS]")
    current = from_summary(pos[0])
    if update:
        write_baseline(pos[1], current)
        print("ratchet: wrote %s" % pos[1])
        return 0
    baseline = from_baseline(pos[1])
    drops = 0
    print("%-34s %-9s %9s %9s  %s" % ("file", "kind", "baseline", "now", "verdict"))
    for name in sorted(baseline, key=lambda n: (n == "TOTAL", n)):
        now = current.get(name)
        for k in KINDS:
            before = pct(baseline[name][k])
            if now is None:
                verdict, after = "DROP (file not in report)", float("nan")
                drops += 1
            else:
                after = pct(now[k])
                if after < before - tolerance - 1e-9:
                    verdict = "DROP"
                    drops += 1
                elif after > before + 1e-9:
                    verdict = "up"
                else:
                    verdict = "ok"
            print("%-34s %-9s %8.1f%% %8.1f%%  %s" % (name, k, before, after, verdict))
    if drops:
        print("ratchet: %d figure(s) dropped below coverage/baseline.txt" % drops)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
