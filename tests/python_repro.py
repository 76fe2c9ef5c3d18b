#!/usr/bin/env python3
"""The verdict on a Python reproducer of a known bug (KNOWN_BUGS.md's
`- python:` lines, corpus/TARGET/python/XF-NNN-name.py).

    PYTHON tests/python_repro.py SCRIPT

runs SCRIPT in a child process of PYTHON, the CPython build to judge
([sys.executable, SCRIPT]: the pristine or the patched core's python),
passes its output through (stdout, then stderr), and prints the verdict
last, with the id from the script's file name:

    XF-NNN REPRODUCED: TEXT        exit status 1
        the script printed "BUG: TEXT"; or it names a TRIGGER and died
        before printing "OK: ..." (a signal, or a sanitizer, assertion or
        fatal-error report): "TRIGGER killed the process (HOW): REPORT"
    XF-NNN not reproduced: TEXT    exit status 0
        it printed "OK: TEXT" and exited with status 0
    XF-NNN inconclusive: TEXT      exit status 2
        it printed "INCONCLUSIVE: TEXT", or anything else happened

A reproducer is only the trigger, a standalone script for upstream: the
verdict is here, so that every reproducer gives it the same way.  Its
TRIGGER (a module-level string, read from the source without running it)
says what crashed the process; a script without one is a bug that shows
without a crash (a leak, a wrong result), and a crash of it is no verdict.

Bad usage (no such script, no XF-NNN at the start of its name, a script
that does not parse, a TRIGGER that is not a plain string): one line on
stderr, exit status 2.
"""
import ast
import os
import re
import subprocess
import sys

# The lines a reproducer prints (stdout) for the verdict; the last of each
# kind counts.
BUG = "BUG:"
OK = "OK:"
INCONCLUSIVE = "INCONCLUSIVE:"
# Lines of the child's stderr that start a report of a crash.
REPORT_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "Fatal Python error",
                  "Assertion", "Segmentation fault")


class BadUsage(Exception):
    pass


def bug_id(script):
    """XF-NNN from the script's file name."""
    m = re.match(r"(XF-[0-9]+)(?=[-.]|$)", os.path.basename(script))
    if not m:
        raise BadUsage(f"{script}: no XF-NNN id at the start of the file name")
    return m.group(1)


def trigger_phrase(script):
    """The script's TRIGGER, or None: read with ast, since running the
    script is what may crash."""
    try:
        with open(script, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=script)
    except OSError as exc:
        raise BadUsage(f"{script}: {exc.strerror}")
    except SyntaxError as exc:
        raise BadUsage(f"{script}:{exc.lineno}: {exc.msg}")
    except ValueError as exc:       # not UTF-8
        raise BadUsage(f"{script}: {exc}")
    for node in tree.body:
        if (isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "TRIGGER" for t in node.targets)):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
            raise BadUsage(f"{script}:{node.lineno}: TRIGGER is not a plain string")
    return None


def last_said(stdout, marker):
    texts = [line[len(marker):].strip() for line in stdout.splitlines()
             if line.startswith(marker)]
    return texts[-1] if texts else None


def verdict(xf, trigger, proc):
    """(verdict line, exit status) for the child's run."""
    bug = last_said(proc.stdout, BUG)
    if bug is not None:
        return f"{xf} REPRODUCED: {bug}", 1
    unsure = last_said(proc.stdout, INCONCLUSIVE)
    if unsure is not None:
        return f"{xf} inconclusive: {unsure}", 2
    ok = last_said(proc.stdout, OK)
    if ok is not None and proc.returncode == 0:
        return f"{xf} not reproduced: {ok}", 0
    # (Source paths shortened to the part below the CPython tree.)
    reports = [re.sub(r"\S*/(?=(Include|Python|Objects|Modules)/)", "", line.strip())
               for line in proc.stderr.splitlines()
               if any(m in line for m in REPORT_MARKERS)]
    # A crash after "OK:" (at exit, say) is not the crash the script is about.
    if trigger and ok is None and (proc.returncode < 0 or reports):
        how = (f"signal {-proc.returncode}" if proc.returncode < 0
               else f"exit status {proc.returncode}")
        first = reports[0] if reports else "no sanitizer report"
        return f"{xf} REPRODUCED: {trigger} killed the process ({how}): {first}", 1
    return f"{xf} inconclusive: the child exited with status {proc.returncode}", 2


def main(argv):
    if len(argv) != 1 or argv[0].startswith("-"):
        raise BadUsage("usage: PYTHON tests/python_repro.py corpus/TARGET/python/XF-NNN-name.py")
    script = argv[0]
    xf = bug_id(script)
    if not os.path.isfile(script):
        raise BadUsage(f"{script}: no such file")
    trigger = trigger_phrase(script)
    proc = subprocess.run([sys.executable, script],
                          capture_output=True, text=True, errors="replace")
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    sys.stderr.write(proc.stderr)
    sys.stderr.flush()
    line, status = verdict(xf, trigger, proc)
    print(line, flush=True)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadUsage as exc:
        print(f"python_repro: {exc}", file=sys.stderr)
        sys.exit(2)
