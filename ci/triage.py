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
import shutil
import subprocess
import sys
import tempfile

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


# Why an input that libFuzzer saved replays clean, read from what
# libFuzzer printed for it (the campaign's log, campaign_log()).  The code
# is the machine-readable part ("not reproduced: CODE: ..." in the output).
# The first three are explained: what libFuzzer saw was not a failure of
# the input (EXPLAINED groups, which do not fail triage).  The others keep
# libFuzzer's report, which is matched and grouped like any other (KNOWN,
# or NEW: a real report that the input does not make alone).
NOT_REPRODUCED = {
    'slow-unit': 'libFuzzer saved it for its running time (%(slow)s there, over '
                 '-report_slow_units; alone it ran in %(detail)s), not for a failure',
    'timeout-not-reproduced': "libFuzzer stopped it as a timeout; alone it ran in "
                              "%(detail)s, within the limit of %(limit)d s: the time "
                              "libFuzzer measured came from the machine's load or from "
                              "what earlier inputs of its process left",
    'oom-not-reproduced': "libFuzzer stopped its process for its memory (the rss limit), "
                          "which every input of the process added to; alone it runs clean",
    'leaked-by-earlier-input': "libFuzzer's leak check (after an input that ends with "
                               "more mallocs than frees) scans the whole heap and blames "
                               "this input for blocks that earlier inputs of its process "
                               "lost; alone it leaks nothing (%(alone)s): %(seen)s",
    'depends-on-process-state': "it failed after the inputs libFuzzer ran before it in "
                                "the same process; alone it runs clean: the report is "
                                "libFuzzer's, from %(log)s",
    'replay-misses-leak': "libFuzzer's own per-input leak check finds a leak in this "
                          "input alone, which the replay driver's check at exit does not: "
                          "the report is that check's (a difference between the two "
                          "checks, to fix in the harness)",
    'not-in-campaign-log': "what libFuzzer saw is not known: no campaign log "
                           "(%(log)s) shows a report for this file",
}
EXPLAINED = ('slow-unit', 'timeout-not-reproduced', 'oom-not-reproduced')
LEAK_FOUND_ALONE = 'INFO: a leak has been found in the initial corpus'
REPLAY_TIME_RE = re.compile(r': ok \(([0-9.]+ ms)\)$', re.M)


class Item:
    """One file (or stdin) and what became of it."""

    def __init__(self, name, replay):
        self.name = name
        self.replay = replay      # True: an input to run; False: a report
        self.input = name if replay else None
        self.report = None
        self.why = None           # (NOT_REPRODUCED code, its text) or None
        self.from_log = None      # the log the report was read from
        self.note = None          # about the file, for its line in the group


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


def campaign_log(path):
    """The libFuzzer log of the campaign that saved `path`: DIR/fuzz.log
    for DIR/crashes/FILE (the layout of ./xidfuzz fuzz), or None."""
    crashes = os.path.dirname(os.path.abspath(path))
    if os.path.basename(crashes) != 'crashes':
        return None
    return os.path.join(os.path.dirname(crashes), 'fuzz.log')


LOGS = {}


def libfuzzer_saw(path):
    """(log, what libFuzzer printed for the artifact `path`) or (log, None)."""
    log = campaign_log(path)
    if log is None or not os.path.isfile(log):
        return log, None
    if log not in LOGS:
        with open(log, encoding='utf-8', errors='replace') as f:
            LOGS[log] = triage_report.libfuzzer_artifacts(f.read())
    return log, LOGS[log].get(os.path.basename(path))


def libfuzzer_alone(args, item):
    """Run the target's libFuzzer binary on the input alone, in a fresh
    process (-runs=0: the empty input, then this one, each followed by
    libFuzzer's per-input leak check; no check at exit, as in campaigns):
    its output, or None when there is no such binary."""
    fuzz = re.sub(r'_replay(_[a-z]+)?$', r'_fuzz\1', args.replay)
    if fuzz == args.replay or not os.access(fuzz, os.X_OK):
        return None
    env = dict(os.environ)
    env.pop('XIDFUZZ_VERBOSE', None)
    env['ASAN_OPTIONS'] = 'leak_check_at_exit=0' + (
        ':' + env['ASAN_OPTIONS'] if env.get('ASAN_OPTIONS') else '')
    with tempfile.TemporaryDirectory(prefix='xidfuzz-triage-') as d:
        shutil.copy(item.name, d)
        try:
            done = subprocess.run([fuzz, '-runs=0', '-timeout=%d' % args.timeout, d],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env=env, timeout=args.timeout + 60)
        except subprocess.TimeoutExpired:
            return None
    return done.stdout.decode('utf-8', 'replace')


def explain_clean(args, item, text):
    """An artifact of libFuzzer that replays clean: say why, from what
    libFuzzer printed for it (and, for a leak, from libFuzzer's own leak
    check on the input alone); its report becomes libFuzzer's when that is
    a failure the input does not make alone."""
    kind = triage_report.artifact_kind(item.name)
    if kind is None:
        return
    log, saw = libfuzzer_saw(item.name)
    replay_time = REPLAY_TIME_RE.search(text)
    facts = {'log': log or 'DIR/fuzz.log beside its crashes/ folder', 'limit': args.timeout,
             'detail': replay_time.group(1) if replay_time else 'less than the limit',
             'alone': "the replay's scan at exit and libFuzzer's own per-input check on "
                      "it alone, in a fresh process, find nothing"}
    if kind == 'leak':
        alone = libfuzzer_alone(args, item)
        if alone is None:
            facts['alone'] = ("the replay's scan at exit finds nothing; libFuzzer's own "
                              "check on it alone could not be run")
        elif LEAK_FOUND_ALONE in alone:
            item.report = triage_report.parse_report(alone, args.frames)
            item.why = ('replay-misses-leak', NOT_REPRODUCED['replay-misses-leak'])
            return
    seen = triage_report.parse_report(saw, args.frames) if saw is not None else None
    if kind == 'slow-unit':
        slow = triage_report.SLOW_UNIT_RE.search(saw) if saw is not None else None
        facts['slow'] = ('%s s' % slow.group(1)) if slow else 'its time is in no log'
        item.why = ('slow-unit', NOT_REPRODUCED['slow-unit'] % facts)
    elif seen is None and kind == 'leak':
        # Fork mode keeps no log of its children.
        facts['seen'] = 'what it reported is in no log (%s)' % facts['log']
        item.why = ('leaked-by-earlier-input', NOT_REPRODUCED['leaked-by-earlier-input'] % facts)
    elif seen is None or not (seen.match_texts or seen.kind.startswith('libFuzzer: ')):
        item.why = ('not-in-campaign-log', NOT_REPRODUCED['not-in-campaign-log'] % facts)
    elif seen.kind == 'libFuzzer: timeout':
        item.why = ('timeout-not-reproduced', NOT_REPRODUCED['timeout-not-reproduced'] % facts)
    elif seen.kind == 'libFuzzer: out-of-memory (rss limit)':
        item.why = ('oom-not-reproduced', NOT_REPRODUCED['oom-not-reproduced'] % facts)
    elif seen.match_texts:
        code = 'leaked-by-earlier-input' if seen.leak else 'depends-on-process-state'
        facts['seen'] = "the report is libFuzzer's, from %s" % log
        item.why = (code, NOT_REPRODUCED[code] % facts)
        item.report = seen
        item.from_log = log
    else:
        item.why = ('not-in-campaign-log', NOT_REPRODUCED['not-in-campaign-log'] % facts)


def sign(args, item):
    if item.replay:
        text, status = replay(args, item)
        item.report = triage_report.parse_report(text, args.frames, status)
        if status == 0 and not item.report.match_texts:
            explain_clean(args, item, text)
        elif triage_report.artifact_kind(item.name) == 'slow-unit':
            item.note = ('a slow unit: libFuzzer saved it for its running time, not for '
                         'this report, which only its replay makes')
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


def print_group(args, ids, members, bugs_by_id, explained=None):
    if explained:
        print('EXPLAINED %s (the input does not fail: see "not reproduced")' % explained)
    elif ids:
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
        note = '' if m.replay else ' (saved report)'
        if m.why:
            note = ' (not reproduced: %s)' % m.why[0]
        elif m.note:
            note = ' (%s)' % m.note
        print('    %s%s' % (m.name, note))
    # Why some files do not reproduce alone: once per reason.
    whys = {}
    for m in members:
        if m.why:
            whys.setdefault(m.why[0], m.why[1])
    for code, text in sorted(whys.items()):
        print('  not reproduced: %s: %s' % (code, text))
    runnable = [m for m in members if m.input]
    if runnable:
        print('  reproduce: %s %s' % (args.repro, runnable[0].input))
    else:
        print('  reproduce: (no input file: the report was saved without one)')
    if ids and args.core == 'patched' and any(m.replay for m in members):
        print('  note: this reproduces on the patched core, where %s is fixed: '
              'check the fix' % ', '.join(ids))
    print('  report (%s%s):' % (members[0].name, ", libFuzzer's, from %s" % members[0].from_log
                                if members[0].from_log else ''))
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

    # Known reports group by the bug(s) they match, new ones by signature;
    # inputs that libFuzzer saved for something other than a failure of
    # their own, by the reason.
    known, new, explained = {}, {}, {}
    for item in items:
        if item.why and item.why[0] in EXPLAINED:
            explained.setdefault(item.why[0], []).append(item)
            continue
        ids = triage_report.match_known(item.report, bugs)
        if ids:
            known.setdefault(ids, []).append(item)
        else:
            new.setdefault(item.report.signature(), []).append(item)
    for sig in sorted(new):
        print_group(args, (), new[sig], bugs_by_id)
    for code in sorted(explained):
        print_group(args, (), explained[code], bugs_by_id, explained=code)
    for ids in sorted(known):
        print_group(args, ids, known[ids], bugs_by_id)
    known_ids = sorted({i for ids in known for i in ids})
    print('triage: %d file%s, %d known group%s%s, %d new group%s%s' % (
        len(items), '' if len(items) == 1 else 's',
        len(known), '' if len(known) == 1 else 's',
        ' (%s)' % ', '.join(known_ids) if known_ids else '',
        len(new), '' if len(new) == 1 else 's',
        ', %d explained group%s (%s)' % (len(explained), '' if len(explained) == 1 else 's',
                                         ', '.join(sorted(explained))) if explained else ''))
    return 1 if new else 0


if __name__ == '__main__':
    sys.exit(main())
