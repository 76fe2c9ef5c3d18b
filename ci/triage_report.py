"""Sanitizer reports -> stable signatures, and matching against KNOWN_BUGS.md.

A signature is "KIND | FRAMES": the kind of report with everything that
changes from run to run (addresses, counts, pids, object reprs) normalised
out, and the first few function names inside CPython from the stack that
belongs to the report, innermost first ("f <- caller <- its caller").
Leak reports use the allocation stack of every leak record; the records'
frame lists are de-duplicated and sorted, so the same set of leaks gives the
same signature whatever order LeakSanitizer printed them in.

Used by ci/triage.py (and its KNOWN_BUGS.md reader by ci/report.py), and
unit-tested by tests/test_triage.py.
"""
import re

# "    #3 0x55e81e5fa02c in fatal_error_exit /path/Python/pylifecycle.c:3160:9"
# "    #0 0x5594c76671af in malloc (/path/namespace_fuzz+0x9ba1af) (BuildId: ...)"
FRAME_RE = re.compile(r'^\s*#(\d+) 0x[0-9a-fA-F]+ in (.*)$')
BUILD_ID_RE = re.compile(r'\s*\(BuildId: [0-9a-fA-F]+\)\s*$')
MODULE_RE = re.compile(r'^(.*) \(([^()]*\+0x[0-9a-fA-F]+)\)$')
LOCATION_RE = re.compile(r'^(.*?)(?::\d+){0,2}$')

# A frame is CPython's when its source file sits in one of CPython's source
# directories.  Harness files (fuzz/, core/, tests/, stress/ of this repo, in
# any clone) and xf_ functions are not, whatever the path above them.
CPYTHON_DIR_RE = re.compile(r'/(Python|Objects|Include|Modules|Parser|Programs)/')
HARNESS_FILE_RE = re.compile(r'/(fuzz|core|tests|stress)/[^/]+$')

# Frames inside CPython that only say how the report was made, not where the
# bug is: the fatal-error and object-assertion machinery (the kind already
# names the assertion), the allocator (every leak starts there), and the
# inline helpers of Include/*.h (Py_INCREF, Py_XDECREF... sit under any
# refcount bug; their caller tells where).
PLUMBING_FUNC_RE = re.compile(
    r'^(fatal_error\w*|_Py_FatalError\w*|Py_FatalError|_PyObject_AssertFailed'
    r'|_Py_NegativeRefcount)$')
PLUMBING_FILE_RE = re.compile(r'(/Objects/obmalloc\.c|/Include/.*\.h)$')

DEFAULT_FRAMES = 3


class Frame:
    def __init__(self, func, path):
        self.func = func
        self.path = path

    def is_cpython(self):
        return (self.path is not None
                and not self.func.startswith('xf_')
                and HARNESS_FILE_RE.search(self.path) is None
                and CPYTHON_DIR_RE.search(self.path) is not None)

    def is_plumbing(self):
        return (PLUMBING_FUNC_RE.match(self.func) is not None
                or PLUMBING_FILE_RE.search(self.path or '') is not None)


def parse_frame(line):
    """A symbolized stack line -> Frame, or None when it is not one."""
    m = FRAME_RE.match(line)
    if m is None:
        return None
    rest = BUILD_ID_RE.sub('', m.group(2))
    unsymbolized = MODULE_RE.match(rest)
    if unsymbolized:
        # "func (module+0xoff)": no source file, so no way to place it.
        return Frame(unsymbolized.group(1), None)
    if ' ' not in rest:
        return Frame(rest, None)
    func, location = rest.rsplit(' ', 1)
    return Frame(func, LOCATION_RE.match(location).group(1))


def stack_after(lines, start):
    """The first stack (a run of "#N" lines from #0) at or after `start`:
    (index of its first line, [Frame...]), or (None, [])."""
    i = start
    while i < len(lines):
        m = FRAME_RE.match(lines[i])
        if m and m.group(1) == '0':
            frames = []
            first = i
            while i < len(lines):
                frame = parse_frame(lines[i])
                if frame is None:
                    break
                frames.append(frame)
                i += 1
            return first, frames
        i += 1
    return None, []


def cpython_frames(frames, n):
    picked = [f.func for f in frames if f.is_cpython() and not f.is_plumbing()]
    return tuple(picked[:n])


HEX_RE = re.compile(r'0x[0-9a-fA-F]+')
REPR_RE = re.compile(r'<[^<>\n]*\bat 0x[0-9a-fA-F]+>')
NUMBER_RE = re.compile(r'(?<![\w.])\d+(\.\d+)?(?![\w.])')
# A quote only opens a string where a word cannot end ("session's" stays).
SQUOTE_RE = re.compile(r"(?<!\w)'(?:[^'\\\n]|\\.)*'")
DQUOTE_RE = re.compile(r'(?<!\w)"(?:[^"\\\n]|\\.)*"')
MAX_MESSAGE = 200


def normalise(message, quotes=True):
    """Take out of a report line what differs between runs of the same bug:
    object reprs, addresses, numbers and (when `quotes`) quoted strings,
    which carry the fuzzer's generated names and messages."""
    s = REPR_RE.sub('<object>', message.strip())
    s = HEX_RE.sub('0xADDR', s)
    s = NUMBER_RE.sub('N', s)
    if quotes:
        s = SQUOTE_RE.sub("'...'", s)
        s = DQUOTE_RE.sub('"..."', s)
    if len(s) > MAX_MESSAGE:
        s = s[:MAX_MESSAGE] + '...'
    return s


# Report events, each: (regex over one line, kind maker, whether its stack
# counts).  The kind of a report is its first *cause*; an abort (ASan ABRT,
# libFuzzer "deadly signal") is only the consequence of an earlier cause
# (oracle failure, assertion, fatal error) and is the kind only alone.
CAUSES = [
    (re.compile(r'ORACLE FAILURE: (.*)$'),
     lambda m: 'ORACLE FAILURE: ' + normalise(m.group(1)), True),
    # CPython's _PyObject_ASSERT: "FILE:LINE: FUNC: Assertion failed: MSG"
    (re.compile(r'^\S+:\d+: (\w+): Assertion failed: (.*)$'),
     lambda m: 'pydebug assertion: %s: %s' % (m.group(1), normalise(m.group(2))), True),
    # libc assert(): "PROG: FILE:LINE: FUNC: Assertion `EXPR' failed."
    (re.compile(r":\d+: (.+?): Assertion `(.*)' failed\.$"),
     lambda m: 'assertion: %s: `%s\' failed' % (m.group(1), HEX_RE.sub('0xADDR', m.group(2))),
     True),
    (re.compile(r'^Fatal Python error: (.*)$'),
     lambda m: 'Fatal Python error: ' + normalise(m.group(1)), True),
    (re.compile(r'runtime error: (.*)$'),
     lambda m: 'UBSan: ' + normalise(m.group(1), quotes=False), True),
    (re.compile(r'ERROR: AddressSanitizer: (?!ABRT)(.*)$'), None, True),
    (re.compile(r'ERROR: libFuzzer: (timeout)'), lambda m: 'libFuzzer: timeout', False),
    (re.compile(r'ERROR: libFuzzer: out-of-memory \(malloc'),
     lambda m: 'libFuzzer: out-of-memory (malloc limit)', True),
    (re.compile(r'ERROR: libFuzzer: out-of-memory'),
     lambda m: 'libFuzzer: out-of-memory (rss limit)', False),
    (re.compile(r'ERROR: libFuzzer: fuzz target exited'),
     lambda m: 'libFuzzer: fuzz target exited', True),
    # The replay driver's own watchdog (fuzz/replay_main.c).
    (re.compile(r': TIMEOUT: input ran longer than the limit'), lambda m: 'timeout', False),
]
ABORTS = [
    (re.compile(r'ERROR: AddressSanitizer: ABRT'), lambda m: 'AddressSanitizer: ABRT', True),
    (re.compile(r'ERROR: libFuzzer: deadly signal'),
     lambda m: 'libFuzzer: deadly signal', True),
]
LEAK_RE = re.compile(r'ERROR: LeakSanitizer: detected memory leaks')
LEAK_RECORD_RE = re.compile(r'^(Direct|Indirect) leak of \d+ byte')
ASAN_SUMMARY_RE = re.compile(r'^SUMMARY: AddressSanitizer: ([\w-]+)')


def asan_kind(lines, i, m):
    # The SUMMARY line names the bug type in one stable word
    # (heap-use-after-free, SEGV, double-free, bad-free...).
    for line in lines[i:]:
        s = ASAN_SUMMARY_RE.match(line)
        if s:
            return 'AddressSanitizer: ' + s.group(1)
    return 'AddressSanitizer: ' + normalise(re.split(r' on | \(|:', m.group(1))[0])


class Report:
    """One report: kind, frames (tuple of names; for leaks a tuple of tuples),
    the lines to quote, and the texts the known-bug regexes are matched
    against (the whole report, or one per leak record)."""

    def __init__(self, kind, frames, excerpt, match_texts, leak=False):
        self.kind = kind
        self.frames = frames
        self.excerpt = excerpt
        self.match_texts = match_texts
        self.leak = leak

    def signature(self):
        if self.leak:
            parts = [' <- '.join(f) or '(no CPython frame)' for f in self.frames]
            return '%s | %s' % (self.kind, ' ; '.join(parts))
        return '%s | %s' % (self.kind, ' <- '.join(self.frames) or '(no CPython frame)')


def first_event(lines, events):
    for i, line in enumerate(lines):
        for regex, make, with_stack in events:
            m = regex.search(line)
            if m:
                return i, m, make, with_stack
    return None


def excerpt_of(lines, at, stack_at, nframes=12):
    out = [lines[at].rstrip()]
    if stack_at is not None:
        for line in lines[stack_at:stack_at + nframes]:
            if FRAME_RE.match(line) is None:
                break
            out.append(BUILD_ID_RE.sub('', line.rstrip()))
    return out


def parse_leaks(lines, at, n):
    """Every leak record after `at`: direct ones when there are any (an
    indirect leak is reachable only from a leaked block)."""
    records = []
    i = at
    while i < len(lines):
        m = LEAK_RECORD_RE.match(lines[i])
        if m:
            stack_at, frames = stack_after(lines, i + 1)
            if stack_at is not None:
                end = stack_at + len(frames)
                records.append((m.group(1), i, stack_at, end, frames))
                i = end
                continue
        i += 1
    direct = [r for r in records if r[0] == 'Direct']
    chosen = direct or records
    header = lines[at].rstrip()
    frames = tuple(sorted({cpython_frames(r[4], n) for r in chosen}))
    texts = [header + '\n' + '\n'.join(lines[r[1]:r[3]]) for r in chosen]
    excerpt = [header]
    if chosen:
        excerpt += excerpt_of(lines, chosen[0][1], chosen[0][2])
        if len(chosen) > 1:
            excerpt.append('(%d more leak records)' % (len(chosen) - 1))
    return Report('LeakSanitizer: detected memory leaks', frames, excerpt, texts, leak=True)


# The drift oracle's failure, and its request to LeakSanitizer before it
# (core/harness/check.c).
DRIFT_RE = re.compile(r'ORACLE FAILURE: total refcount drifted by')
DRIFT_ASK_RE = re.compile(r'refcount drift: asking LeakSanitizer what is unreachable')


def parse_report(text, nframes=DEFAULT_FRAMES, exit_status=None):
    """A report's text (replay output or a saved log) -> Report.
    `exit_status` is the replay's when there was one: an input that exits 0
    with no report reproduces nothing."""
    lines = text.splitlines()
    found = first_event(lines, CAUSES) or first_event(lines, ABORTS)
    if found:
        i, m, make, with_stack = found
        kind = asan_kind(lines, i, m) if make is None else make(m)
        stack_at, frames = stack_after(lines, i + 1) if with_stack else (None, [])
        # Matched from the event on: a drift's leak listing printed before
        # its oracle failure is detail, not a second report -- but it is what
        # the drift oracle asked LeakSanitizer to name the lost references
        # by, so a drift is matched with it (a known leak whose blocks hold
        # the references explains the drift).
        start = i
        if DRIFT_RE.search(lines[i]):
            start = next((k for k in range(i) if DRIFT_ASK_RE.search(lines[k])), i)
        return Report(kind, cpython_frames(frames, nframes),
                      excerpt_of(lines, i, stack_at), ['\n'.join(lines[start:])])
    for i, line in enumerate(lines):
        if LEAK_RE.search(line):
            return parse_leaks(lines, i, nframes)
    if exit_status == 0:
        kind = 'no report (the input replays clean)'
    elif exit_status is not None:
        kind = 'no sanitizer report (exit status %d)' % exit_status
    else:
        kind = 'no sanitizer report in the text'
    tail = [line.rstrip() for line in lines[-5:]]
    return Report(kind, (), tail, [])


# libFuzzer's artifacts: KIND-SHA1 in the -artifact_prefix folder.
ARTIFACT_RE = re.compile(r'^(crash|leak|timeout|oom|slow-unit)-[0-9a-f]{40}$')
UNIT_WRITTEN_RE = re.compile(r'Test unit written to (\S+)')
# Where a libFuzzer process starts (each restart of a campaign is one).
PROCESS_START_RE = re.compile(r'^INFO: Seed: \d+')
SLOW_UNIT_RE = re.compile(r'^Slowest unit: (\d+) s:', re.M)


def artifact_kind(path):
    """libFuzzer's kind of an artifact from its file name ('crash',
    'leak', 'timeout', 'oom', 'slow-unit'), or None."""
    m = ARTIFACT_RE.match(path.rsplit('/', 1)[-1])
    return m.group(1) if m else None


def libfuzzer_artifacts(text):
    """A libFuzzer log (a campaign's fuzz.log: its processes one after the
    other) -> {artifact file name: what libFuzzer printed for it}, i.e. the
    lines from the previous artifact, or the start of the process that
    wrote it, to its "Test unit written to" line.  The same name twice: the
    last."""
    chunks = {}
    lines = text.splitlines()
    start = 0
    for i, line in enumerate(lines):
        if PROCESS_START_RE.match(line):
            start = i
            continue
        m = UNIT_WRITTEN_RE.search(line)
        if m:
            chunks[m.group(1).rsplit('/', 1)[-1]] = '\n'.join(lines[start:i + 1])
            start = i + 1
    return chunks


class KnownEntry:
    """An entry of KNOWN_BUGS.md: its '## XF-NNN: title' line, its
    '- key: value' lines (fields: per key, the values in order) and its
    other lines (prose)."""

    def __init__(self, bug_id, title):
        self.id = bug_id
        self.title = title
        self.fields = {}
        self.prose = []

    def field(self, key):
        values = self.fields.get(key)
        return values[0] if values else None

    def paragraphs(self):
        text, out = [], []
        for line in self.prose + ['']:
            if line.strip():
                text.append(line.rstrip())
            elif text:
                out.append('\n'.join(text))
                text = []
        return out


def load_entries(path):
    """KNOWN_BUGS.md -> [KnownEntry], in file order (also ci/report.py's)."""
    entries = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            m = re.match(r'^## (XF-\d+): (.*)$', line)
            if m:
                entries.append(KnownEntry(m.group(1), m.group(2).strip()))
                continue
            if not entries:
                continue
            m = re.match(r'^- ([a-z][a-z ]*): (.*)$', line)
            if m:
                entries[-1].fields.setdefault(m.group(1), []).append(m.group(2))
            else:
                entries[-1].prose.append(line)
    return entries


class KnownBug:
    def __init__(self, bug_id, title):
        self.id = bug_id
        self.title = title
        self.target = None
        self.matchers = []


def load_known(path):
    """KNOWN_BUGS.md -> [KnownBug].  Matchers: the REGEX of every
    `- input: PATH report: REGEX` line (what ctest's known.*.pristine tests
    check) and of every `- match: REGEX` line.  They are CMake regexes,
    where `.` crosses lines: here re.DOTALL."""
    bugs = []
    for entry in load_entries(path):
        bug = KnownBug(entry.id, entry.title)
        for value in entry.fields.get('target', []):
            m = re.match(r'(\w+)', value)
            if m:
                bug.target = m.group(1)
        for value in entry.fields.get('input', []):
            m = re.match(r'\S+ report: (.+)$', value)
            if m:
                bug.matchers.append(re.compile(m.group(1), re.DOTALL))
        for value in entry.fields.get('match', []):
            if value:
                bug.matchers.append(re.compile(value, re.DOTALL))
        bugs.append(bug)
    return bugs


def match_known(report, bugs):
    """The ids of the known bugs that explain the report, or () when it is
    not (fully) explained.  A leak report is explained only when every leak
    record matches a known bug on its own: a new leak next to a known one is
    new."""
    if not report.match_texts:
        return ()
    ids = set()
    for text in report.match_texts:
        hit = [b.id for b in bugs if any(r.search(text) for r in b.matchers)]
        if not hit:
            return ()
        ids.update(hit)
    return tuple(sorted(ids))
