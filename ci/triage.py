#!/usr/bin/env python3
"""Triage crash files and saved reports: replay, sign, group, match.

Called by `./xidfuzz triage` (which checks the target and picks the core
and the replay binary); see its help and the README, "Triage crashes from a
campaign".  Each PATH is a crash file (replayed once through the target's
standalone replay driver), a saved report (*.log, *.txt, or `-` for stdin:
signed without re-running), or a directory of either (walked in sorted
order, hidden entries skipped).

Prints one block per group, new groups first, then a one-line summary: a
known group is every report that matches the same known bug(s) of
KNOWN_BUGS.md, a new group every unmatched report with the same signature.
Exit status: 0 everything is known, 1 at least one new group, 2 bad usage.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triage_report  # noqa: E402

REPORT_SUFFIXES = ('.log', '.txt')
# How a saved log names the input it ran: libFuzzer's artifact line, its
# "Running:" line for a single input, the replay driver's "running" line.
NAMED_INPUT_RES = [
    re.compile(r'Test unit written to (\S+)'),
    re.compile(r'^Running: (\S+)$', re.M),
    re.compile(r'^\w+_replay\w*: (\S+): running \(', re.M),
]


def die(message):
    print('xidfuzz: triage: ' + message, file=sys.stderr)
    sys.exit(2)


class Item:
    """One file (or stdin) and what became of it."""

    def __init__(self, name, replay):
        self.name = name
        self.replay = replay      # True: an input to run; False: a report
        self.input = name if replay else None
        self.report = None


def collect(paths):
    items = []
    for path in paths:
        if path == '-':
            items.append(Item('-', False))
            continue
        if not os.path.exists(path):
            die("no such file or directory '%s'" % path)
        if os.path.isdir(path):
            before = len(items)
            for top, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
                for f in sorted(files):
                    if not f.startswith('.'):
                        full = os.path.join(top, f)
                        items.append(Item(full, not f.endswith(REPORT_SUFFIXES)))
            if len(items) == before:
                die("no files in directory '%s'" % path)
        elif not os.access(path, os.R_OK):
            die("cannot read '%s'" % path)
        else:
            items.append(Item(path, not path.endswith(REPORT_SUFFIXES)))
    if sum(1 for i in items if i.name == '-') > 1:
        die("'-' (a report on stdin) can be given once")
    return items


def replay(args, item):
    """Run one input; its combined output and exit status."""
    env = dict(os.environ)
    # The report, not the target's narration: `repro` gives that.
    env.pop('XIDFUZZ_VERBOSE', None)
    cmd = [args.replay, '--timeout', str(args.timeout), item.name]
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, timeout=args.timeout + 60)
    except subprocess.TimeoutExpired:
        return 'replay: %s: TIMEOUT: input ran longer than the limit\n' % item.name, 3
    return done.stdout.decode('utf-8', 'replace'), done.returncode


def sign(args, item):
    if item.replay:
        text, status = replay(args, item)
        item.report = triage_report.parse_report(text, args.frames, status)
        return
    if item.name == '-':
        text = sys.stdin.read()
    else:
        with open(item.name, encoding='utf-8', errors='replace') as f:
            text = f.read()
    item.report = triage_report.parse_report(text, args.frames)
    for regex in NAMED_INPUT_RES:
        named = regex.findall(text)
        if named and os.path.isfile(named[-1]):
            item.input = named[-1]
            break


def print_group(args, ids, members, bugs_by_id):
    if ids:
        titles = '; '.join(bugs_by_id[i].title for i in ids)
        print('KNOWN %s (%s)' % (', '.join(ids), titles))
    else:
        print('NEW')
    signatures = {}
    for m in members:
        signatures.setdefault(m.report.signature(), []).append(m)
    if len(signatures) == 1:
        print('  signature: %s' % next(iter(signatures)))
    else:
        # One known bug, several faces (e.g. a fatal error in debug builds
        # and a wrong exception): one group, each signature listed.
        print('  signatures:')
        for sig, with_sig in sorted(signatures.items()):
            print('    %s  (%d)' % (sig, len(with_sig)))
    print('  count: %d' % len(members))
    print('  files:')
    for m in members:
        print('    %s%s' % (m.name, '' if m.replay else ' (saved report)'))
    runnable = [m for m in members if m.input]
    if runnable:
        print('  reproduce: %s %s' % (args.repro, runnable[0].input))
    else:
        print('  reproduce: (no input file: the report was saved without one)')
    if ids and args.core == 'patched' and any(m.replay for m in members):
        print('  note: this reproduces on the patched core, where %s is fixed: '
              'check the fix' % ', '.join(ids))
    print('  report (%s):' % members[0].name)
    for line in members[0].report.excerpt:
        print('    ' + line)
    print()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--root', required=True)
    p.add_argument('--target', required=True)
    p.add_argument('--core', required=True)
    p.add_argument('--replay', required=True, help='the replay driver binary')
    p.add_argument('--repro', required=True, help='the reproduce command, without FILE')
    p.add_argument('--frames', type=int, default=triage_report.DEFAULT_FRAMES)
    p.add_argument('--timeout', type=int, default=25)
    p.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    p.add_argument('paths', nargs='+')
    args = p.parse_args()

    items = collect(args.paths)
    if any(i.replay for i in items) and not os.access(args.replay, os.X_OK):
        die("no replay driver %s; run './xidfuzz build' first" % args.replay)
    bugs = triage_report.load_known(os.path.join(args.root, 'KNOWN_BUGS.md'))
    bugs_by_id = {b.id: b for b in bugs}

    # Each replay is its own process (a crash ends it); run them side by side.
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        list(pool.map(lambda item: sign(args, item), items))

    # Known reports group by the bug(s) they match, new ones by signature.
    known, new = {}, {}
    for item in items:
        ids = triage_report.match_known(item.report, bugs)
        if ids:
            known.setdefault(ids, []).append(item)
        else:
            new.setdefault(item.report.signature(), []).append(item)
    for sig in sorted(new):
        print_group(args, (), new[sig], bugs_by_id)
    for ids in sorted(known):
        print_group(args, ids, known[ids], bugs_by_id)
    known_ids = sorted({i for ids in known for i in ids})
    print('triage: %d file%s, %d known group%s%s, %d new group%s' % (
        len(items), '' if len(items) == 1 else 's',
        len(known), '' if len(known) == 1 else 's',
        ' (%s)' % ', '.join(known_ids) if known_ids else '',
        len(new), '' if len(new) == 1 else 's'))
    return 1 if new else 0


if __name__ == '__main__':
    sys.exit(main())
