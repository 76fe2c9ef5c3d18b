#!/usr/bin/env python3
"""What the coverage leaves out, and why: reads gcovr's per-line JSON of
the three core files and the sources it was made from, and writes

  - the totals as gcovr counts them (every gcov branch);
  - the same branch figure without the branches of assert() lines: in a
    pydebug build each assert() is a branch whose failing side only a
    CPython bug can take (the process then aborts, and the fuzzer reports
    it), so it can never be covered by a correct core;
  - every line not run, marked FATAL when it is a Py_FatalError(),
    Py_UNREACHABLE() or assert(0) path (a failure the runtime does not
    survive or a case the caller excludes), so what is left is the list
    of lines a new input or target could still reach;
  - every branch outside assert() lines that was never taken, with its
    source line.

    reach.py COVERAGE_JSON SOURCE_ROOT

Exit status: 0, or 2 on bad input.  It judges nothing: the ratchet
(ratchet.py) is what fails a drop.
"""
import json
import re
import sys

ASSERT_RE = re.compile(r"^\s*assert\s*\(")
FATAL_RE = re.compile(r"Py_FatalError\s*\(|Py_UNREACHABLE\s*\(|assert\s*\(\s*0\s*\)")


def die(msg):
    print("reach: " + msg, file=sys.stderr)
    sys.exit(2)


def assert_lines(src):
    """Line numbers (1-based) of the assert(...) statements."""
    inside = set()
    depth = 0
    for n, text in enumerate(src, 1):
        if depth > 0 or ASSERT_RE.match(text):
            inside.add(n)
            depth = max(0, depth + text.count("(") - text.count(")"))
    return inside


def pct(covered, total):
    return 100.0 * covered / total if total else 100.0


def main(argv):
    if len(argv) != 2:
        die("usage: reach.py COVERAGE_JSON SOURCE_ROOT")
    try:
        data = json.load(open(argv[0]))
    except (OSError, ValueError) as e:
        die("cannot read %s: %s" % (argv[0], e))
    totals = dict(lines=[0, 0], branches=[0, 0], plain=[0, 0], functions=[0, 0])
    missed_lines = []
    missed_branches = []
    for f in data.get("files", []):
        name = f["file"]
        try:
            src = open("%s/%s" % (argv[1], name)).read().split("\n")
        except OSError as e:
            die("cannot read the source of %s: %s" % (name, e))
        asserts = assert_lines(src)
        for fn in f.get("functions", []):
            totals["functions"][1] += 1
            totals["functions"][0] += fn.get("execution_count", 0) > 0
        for line in f["lines"]:
            if line.get("gcovr/noncode"):
                continue
            n = line["line_number"]
            text = src[n - 1].strip() if n <= len(src) else ""
            totals["lines"][1] += 1
            totals["lines"][0] += line["count"] > 0
            if line["count"] == 0:
                kind = "FATAL" if FATAL_RE.search(text) else "open"
                missed_lines.append((name, n, kind, text))
            for b in line.get("branches", []):
                taken = b["count"] > 0
                totals["branches"][1] += 1
                totals["branches"][0] += taken
                if n in asserts:
                    continue
                totals["plain"][1] += 1
                totals["plain"][0] += taken
                if not taken and line["count"] > 0:
                    missed_branches.append((name, n, text))
    out = []
    for key, label in (("lines", "lines"), ("branches", "branches (all, as gcovr counts)"),
                       ("plain", "branches outside assert()"), ("functions", "functions")):
        c, t = totals[key]
        out.append("%-34s %5d/%-5d %5.1f%%" % (label, c, t, pct(c, t)))
    fatal = sum(1 for m in missed_lines if m[2] == "FATAL")
    out.append("")
    out.append("lines not run: %d (%d FATAL: Py_FatalError / Py_UNREACHABLE / assert(0))"
               % (len(missed_lines), fatal))
    for name, n, kind, text in missed_lines:
        out.append("  %-5s %s:%d  %s" % (kind, name.split("/")[-1], n, text[:90]))
    out.append("")
    out.append("branches outside assert() never taken, on lines that ran: %d"
               % len(missed_branches))
    for name, n, text in missed_branches:
        out.append("  %s:%d  %s" % (name.split("/")[-1], n, text[:90]))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
