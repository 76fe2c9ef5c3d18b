#!/usr/bin/env python3
"""The harness's own share of an input's time, per target.

Runs each target's campaign fuzzer (BUILD/fuzz/TARGET_fuzz_patched) the way
the bench does (ci/bench.sh: from its seeds, with `./xidfuzz flags TARGET`,
`./xidfuzz campaign-asan-options` and a fixed -seed; a target with
bench_static_pool = yes twice, as it is and with XIDFUZZ_STATIC_POOL=1)
under `perf record --call-graph fp`, and charges every sample to one
category by its stack:

  libFuzzer  libFuzzer's own code: its loop, mutation, feature collection
             and leak checks between inputs (a stack with libFuzzer frames
             and no frame of the target, the harness or CPython); its
             malloc hooks and coverage callbacks wherever they run (a
             libFuzzer frame at the leaf, under nothing but sanitizer
             runtime or libc); the llvm-symbolizer it starts to print new
             functions (any other process);
  checks     the per-input checks and the oracles, inclusive: a sample with
             a frame of core/harness/{check,objcmp,xid_oracle,
             fault_oracle}.c or of a target's own check function, and
             everything those call (a gc collection, a type-cache walk, the
             drift check's reruns of the input, the malloc counters) --
             except the xid core's own code (below): a check that calls the
             core to see what it does (excinfo's _PyXI_FormatExcInfo, the
             lookup oracle) makes a core call, not a check;
  gen        input decoding and object generation: the outermost harness
             frame under the input is in core/harness/{input,objgen,
             objgen_encode,namegen,encode}.c;
  pool       the interpreter pool: the outermost harness frame under the
             input is in core/harness/pool.c (creating and ending
             interpreters, switching between them) -- except core code it
             reaches through CPython, a pending call's release run by
             xf_run_pending, which is a core call;
  core       everything else under LLVMFuzzerTestOneInput: the target's
             calls into the xid core and into CPython, and its own glue;
  other      start-up (LLVMFuzzerInitialize: the runtime and the pool),
             exit, the dynamic loader.

Where a function is defined decides what it is: addr2line on the fuzz
binary's DWARF gives each function's source file.  Files of core/harness
map to a category by name (X.h as X.c); target.c, fault.c, report.c and
the rest are plumbing and take their caller's category.  A function of
fuzz/ is a target's check when a word of its name (split at '_') is check,
precheck, expect, expected or model (check_buffers, precheck_queue,
expect_enter, model_getdata, init_and_check): the targets name their
checks so.  The xid core is CPython's crossinterp* files (README) and the
interpreter modules the modules target reaches it through (_interp*).
Code without DWARF is libFuzzer's when its symbol is in libFuzzer's
namespace (fuzzer::, LLVMFuzzer*, __sanitizer_cov*), else runtime
(sanitizers, libc, kernel), which takes its caller's category.

Lost stacks.  The sanitizer runtime is built without frame pointers: a
sample taken in it (ASan's malloc and free, malloc stacks, poisoning,
quarantine) often has no frame beyond its own.  A stack that does not
reach a thread's entry point is charged by its frames when they decide (a
check frame, a generation or pool frame, a libFuzzer hook); otherwise it is
split between the categories like the complete samples with the same leaf
function (when there are MIN_SAME_LEAF of them), else, for runtime code,
like the complete samples in CPython's allocator (whose calls reach ASan's
malloc and free), else like all the others.  The "est" column is the
share of samples split so.  perf also keeps at most
kernel.perf_event_max_stack frames (127 by default), which deep tuples
exceed: raise it (sysctl -w kernel.perf_event_max_stack=1024) for fewer
lost stacks.

Usage: ci/harness_share.py [TARGET...] [--time SECONDS] [--detail N]
Exit status: 0, or 2 for bad usage (unknown target, no build, no perf).
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XIDFUZZ = os.path.join(ROOT, 'xidfuzz')

CATEGORIES = ('libfuzzer', 'checks', 'gen', 'pool', 'core', 'other')
HEADINGS = ('libFuzzer', 'checks', 'gen', 'pool', 'core', 'other')

# core/harness file stems by category (X.c and X.h alike); the other
# harness files are plumbing.
HARNESS_CATEGORY = {
    'check': 'checks', 'objcmp': 'checks', 'xid_oracle': 'checks',
    'fault_oracle': 'checks',
    'input': 'gen', 'objgen': 'gen', 'objgen_encode': 'gen',
    'namegen': 'gen', 'encode': 'gen',
    'pool': 'pool',
}
# The naming rule for a target's own check functions.
CHECK_WORDS = {'check', 'precheck', 'expect', 'expected', 'model'}
# CPython files whose code is a core call wherever it runs.
XID_CORE_FILE = re.compile(r'^(crossinterp|_interp)')
# CPython's allocator: its calls reach ASan's malloc and free.
ALLOCATOR_FILE = 'obmalloc.c'
# libFuzzer's symbols (its runtime has no DWARF here).
LIBFUZZER_SYMBOL = re.compile(r'^(fuzzer::|LLVMFuzzer|__sanitizer_cov)')
# libFuzzer's entry into the target: below it is an input.
INPUT_ENTRY = 'LLVMFuzzerTestOneInput'
# Where a complete user stack starts (glibc's entry points).
THREAD_ROOTS = {'_start', '__libc_start_call_main', '__libc_start_main',
                '__libc_start_main_impl', 'start_thread', 'clone', 'clone3'}
# A lost sample is split like a set of complete samples of at least this
# many.
MIN_SAME_LEAF = 20
KERNEL = '[kernel.kallsyms]'

FRAME_RE = re.compile(r'^\s+([0-9a-f]+) (.*?)(?:\+0x([0-9a-f]+))? \((.*)\)$')
HEADER_RE = re.compile(r'^(.*?)\s+(\d+)/(\d+)\s*$')


def die(message):
    print('harness_share: ' + message, file=sys.stderr)
    sys.exit(2)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        die(message)        # one line, as every other command's bad usage


def xidfuzz(*args):
    """The output lines of ./xidfuzz ARGS: the bench's own flags, targets
    and settings, read the way it reads them."""
    try:
        out = subprocess.run([XIDFUZZ] + list(args), check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die('./xidfuzz %s failed: %s' % (' '.join(args), e))
    return [line for line in out.splitlines() if line]


# ---- where each function is defined ---------------------------------------

class Kind:
    LIBFUZZER = 'libfuzzer'
    RUNTIME = 'runtime'       # sanitizers, libc, kernel, loader: no DWARF
    CPYTHON = 'cpython'
    XID = 'xid'               # CPython's xid core and interpreter modules
    HARNESS = 'harness'       # core/harness (a category, or plumbing)
    TARGET = 'target'         # fuzz/ (a check, or glue)


class Frame:
    __slots__ = ('kind', 'name', 'dso', 'category', 'stem', 'file')

    def __init__(self, kind, name, dso, category=None, stem=None, file=None):
        self.kind = kind
        self.name = name
        self.dso = dso
        self.category = category    # checks, gen or pool; None: neither
        self.stem = stem            # a harness file's stem
        self.file = file            # a CPython file's name


def is_check_name(name):
    return any(word in CHECK_WORDS for word in name.split('_'))


class Symbols:
    """Function start address -> source file, from the binary's DWARF."""

    def __init__(self, binary):
        self.binary = os.path.realpath(binary)
        nm = subprocess.run(['nm', '--defined-only', self.binary], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
        self.by_name = {}
        addrs = set()
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in 'tTwW':
                addr = int(parts[0], 16)
                addrs.add(addr)
                # Only a name defined once identifies an address.
                self.by_name[parts[2]] = None if parts[2] in self.by_name else addr
        self.addrs = sorted(addrs)
        # One addr2line for all functions takes seconds, where
        # `nm --line-numbers` on the whole binary takes minutes.
        out = subprocess.run(['addr2line', '-e', self.binary],
                             input=''.join('%x\n' % a for a in self.addrs),
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        self.files = {}
        for addr, loc in zip(self.addrs, out.splitlines()):
            path = loc.rsplit(':', 1)[0]
            if path.startswith('/'):
                self.files[addr] = path
        self.base = 0
        self.cache = {}

    def learn_base(self, samples):
        """The offset of perf's addresses from nm's (0 unless perf reports
        run-time addresses): the commonest over frames whose symbol is
        defined once."""
        votes = collections.Counter()
        for _, _, frames in samples[:2000]:
            for ip, sym, off, dso in frames:
                if dso == self.binary and self.by_name.get(sym) is not None:
                    votes[ip - off - self.by_name[sym]] += 1
        self.base = votes.most_common(1)[0][0] if votes else 0
        self.cache = {}

    def frame(self, ip, sym, off, dso):
        key = (ip - off, sym, dso)
        f = self.cache.get(key)
        if f is None:
            f = self.cache[key] = self._frame(ip - off - self.base, sym, dso)
        return f

    def _frame(self, start, sym, dso):
        path = None
        if dso == self.binary:
            i = bisect.bisect_right(self.addrs, start) - 1
            path = self.files.get(self.addrs[i]) if i >= 0 else None
        if path is None:
            kind = Kind.LIBFUZZER if LIBFUZZER_SYMBOL.match(sym) else Kind.RUNTIME
            return Frame(kind, sym, dso)
        rel = os.path.relpath(path, ROOT).split(os.sep)
        name = os.path.basename(path)
        stem = os.path.splitext(name)[0]
        if rel[:2] == ['core', 'harness']:
            return Frame(Kind.HARNESS, sym, dso, HARNESS_CATEGORY.get(stem), stem)
        if rel[0] == 'fuzz':
            return Frame(Kind.TARGET, sym, dso, 'checks' if is_check_name(sym) else None)
        if XID_CORE_FILE.match(name):
            return Frame(Kind.XID, sym, dso, file=name)
        return Frame(Kind.CPYTHON, sym, dso, file=name)


# ---- one sample's category ------------------------------------------------

def user_frames(frames):
    return [f for f in frames if f.dso != KERNEL]


def complete(frames):
    """Whether the stack reaches a thread's entry point."""
    user = user_frames(frames)
    while user and user[-1].name == '[unknown]':
        user.pop()
    return bool(user) and user[-1].name in THREAD_ROOTS


def leaf_segment(frames):
    """The user frames from the leaf to the first one with a frame pointer
    (harness, target or CPython code), that one included."""
    segment = []
    for f in user_frames(frames):
        segment.append(f)
        if f.kind not in (Kind.RUNTIME, Kind.LIBFUZZER):
            break
    return segment


def leaf_hook(frames):
    """A libFuzzer hook at the leaf: the first frame that is not runtime,
    when it is libFuzzer's."""
    for f in frames:
        if f.kind != Kind.RUNTIME:
            return f if f.kind == Kind.LIBFUZZER else None
    return None


def walk(frames, under_input):
    """The category and the deciding function of a stack, walked from the
    root; `under_input`: start as if below LLVMFuzzerTestOneInput (for a
    stack whose root was lost).  (None, None) outside an input."""
    state = 'core' if under_input else None
    label = None
    seen_cpython = rerun = False
    inner = None                # a check's innermost harness function
    # In the pool: whether CPython code ran since the pool frame, and
    # whether the pool called the xid core itself.
    pool_via_cpython = pool_lifecycle = False
    for f in reversed(frames):
        if state is None:
            if f.name == INPUT_ENTRY and f.kind == Kind.TARGET:
                state = 'core'
            continue
        if f.category == 'checks' and not (state == 'checks' or rerun):
            state, label, inner, seen_cpython = 'checks', f.name, None, False
            continue
        if state == 'checks':
            if f.kind == Kind.HARNESS and not seen_cpython:
                inner = f.name
                rerun = rerun or f.stem == 'target'     # the drift check's rerun
            elif f.kind == Kind.XID and not rerun:
                # A core call the check made, or core code its clean-up
                # ran: the core's.
                state, label = 'core', f.name + ' [from a check]'
            else:
                seen_cpython = True     # or the target's code: inner is known
            continue
        if state == 'pool':
            # The pool's own calls into the core create and end
            # interpreters; core code reached through CPython is a pending
            # call's release (xf_run_pending): the core's.
            if f.kind == Kind.XID and not pool_lifecycle:
                if pool_via_cpython:
                    state, label = 'core', f.name + ' [from the pool]'
                else:
                    pool_lifecycle = True
            elif f.kind == Kind.CPYTHON:
                pool_via_cpython = True
            continue
        if state == 'core' and not seen_cpython and f.category in ('gen', 'pool'):
            state, label = f.category, f.name
        elif f.kind in (Kind.CPYTHON, Kind.XID):
            if not seen_cpython and label is None:
                label = f.name      # the target's call into CPython
            seen_cpython = True
    if state == 'checks' and inner is not None:
        label += ' > ' + inner
    return state, label


def classify(frames):
    """(category, deciding function), or (None, None) for a lost stack."""
    hook = leaf_hook(frames)
    if hook is not None:
        return 'libfuzzer', hook.name
    if complete(frames):
        state, label = walk(frames, under_input=False)
        if state is not None:
            return state, label or '[target glue]'
        # Outside an input: libFuzzer's own work when nothing but
        # libFuzzer and runtime frames are on the stack, else start-up or
        # exit.
        if all(f.kind in (Kind.LIBFUZZER, Kind.RUNTIME) for f in frames) and any(
                f.kind == Kind.LIBFUZZER for f in frames):
            return 'libfuzzer', next(f.name for f in frames if f.kind == Kind.LIBFUZZER)
        outer = [f for f in frames if f.kind not in (Kind.RUNTIME, Kind.LIBFUZZER)]
        return 'other', outer[-1].name if outer else frames[0].name
    # A lost root: only what the frames it has show for certain.
    state, label = walk(frames, under_input=True)
    if state in ('checks', 'gen', 'pool'):
        return state, label
    return None, None


# ---- a run ----------------------------------------------------------------

def read_samples(perf_data):
    """[(pid, tid, [(ip, sym, off, dso), leaf first])] from perf script."""
    proc = subprocess.Popen(['perf', 'script', '-i', perf_data,
                             '-F', 'comm,pid,tid,ip,sym,symoff,dso'],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, errors='replace')
    samples = []
    frames = None
    for line in proc.stdout:
        if not line.strip():
            continue
        m = FRAME_RE.match(line)
        if m and frames is not None:
            frames.append((int(m.group(1), 16), m.group(2),
                           int(m.group(3) or '0', 16), m.group(4)))
            continue
        h = HEADER_RE.match(line)
        if h:
            frames = []
            samples.append((int(h.group(2)), int(h.group(3)), frames))
    if proc.wait() != 0:
        die('perf script failed on ' + perf_data)
    return samples


def tally(samples, symbols, fuzzer_pid):
    """Samples per category (fractions for the lost ones), how many were
    lost, the deciding functions per category, how the lost were split."""
    symbols.learn_base(samples)
    counts = collections.Counter()
    labels = collections.defaultdict(collections.Counter)
    # The categories of the complete samples: by each function of their
    # leaf segment, and of those in CPython's allocator.
    by_function = collections.defaultdict(collections.Counter)
    allocator = collections.Counter()
    lost = []
    for pid, _, raw in samples:
        if pid != fuzzer_pid:
            counts['libfuzzer'] += 1
            labels['libfuzzer']['[llvm-symbolizer]'] += 1
            continue
        frames = [symbols.frame(*r) for r in raw]
        category, label = classify(frames) if frames else (None, None)
        if category is None:
            lost.append(frames)
            continue
        counts[category] += 1
        labels[category][label] += 1
        if complete(frames):
            segment = leaf_segment(frames)
            for key in {(f.dso, f.name) for f in segment}:
                by_function[key][category] += 1
            if segment[-1].file == ALLOCATOR_FILE:
                allocator[category] += 1
    overall = collections.Counter(counts)
    how = collections.Counter()
    for frames in lost:
        user = user_frames(frames)
        leaf = user[0] if user else None
        dist = by_function.get((leaf.dso, leaf.name)) if leaf else None
        if dist is not None and sum(dist.values()) >= MIN_SAME_LEAF:
            how['by leaf'] += 1
        elif ((leaf is None or leaf.kind == Kind.RUNTIME)
              and sum(allocator.values()) >= MIN_SAME_LEAF):
            dist = allocator
            how['like the allocator'] += 1
        else:
            dist = overall
            how['like all'] += 1
        total = sum(dist.values())
        for category, n in dist.items():
            counts[category] += n / total
    return counts, len(lost), labels, how


def run_target(target, label, build, seconds, seed, freq, static_pool, keep):
    """perf record one bench run: (binary, samples, the fuzzer's pid,
    exec/s, a note)."""
    binary = os.path.join(build, 'fuzz', target + '_fuzz_patched')
    if not os.access(binary, os.X_OK):
        die('%s is not built (./xidfuzz build)' % binary)
    work = tempfile.mkdtemp(prefix='harness_share.')
    try:
        # As ci/bench.sh: the seeds in a corpus directory of their own.
        corpus = os.path.join(work, 'corpus')
        shutil.copytree(os.path.join(ROOT, 'corpus', target, 'seeds'), corpus)
        crashes = os.path.join(work, 'crashes')
        os.mkdir(crashes)
        env = dict(os.environ,
                   XIDFUZZ_STATIC_POOL='1' if static_pool else '0',
                   ASAN_OPTIONS=xidfuzz('campaign-asan-options')[0])
        perf_data = os.path.join(work, 'perf.data')
        log_path = os.path.join(work, 'log')
        cmd = (['perf', 'record', '-q', '-F', str(freq), '--call-graph', 'fp',
                '-o', perf_data, '--', binary] + xidfuzz('flags', target)
               + ['-seed=%d' % seed, '-max_total_time=%d' % seconds,
                  '-print_final_stats=1', '-artifact_prefix=' + crashes + '/', corpus])
        with open(log_path, 'w') as log:
            rc = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
        with open(log_path, errors='replace') as log:
            text = log.read()
        if not os.path.exists(perf_data):
            die('perf record wrote nothing for %s: %s' % (
                label, (text.strip().splitlines() or ['no output'])[-1]))
        samples = read_samples(perf_data)
        if not samples:
            die('perf recorded no samples for ' + label)
        if keep:
            # For `perf report -i` on the same data.
            os.makedirs(keep, exist_ok=True)
            dest = os.path.join(keep, label.replace('/', '-'))
            shutil.copy(perf_data, dest + '.perf.data')
            shutil.copy(log_path, dest + '.log')
        rate = re.search(r'stat::average_exec_per_sec:\s*(\d+)', text)
        # A finding ends the run early: what ran is still measured.
        note = 'finding: stopped early' if rc != 0 or os.listdir(crashes) else ''
        # The fuzzer is the process perf started: the first sample's.
        return binary, samples, samples[0][0], rate.group(1) if rate else '?', note
    finally:
        shutil.rmtree(work, ignore_errors=True)


def short(name):
    """A function's name without a C++ argument list, for --detail."""
    return re.sub(r'(?<=\w)\(.*', '', name)[:70]


def main():
    parser = Parser(description="Each target's perf samples by category: libFuzzer, "
                                "the harness's checks, generation, the pool, the core "
                                "calls, other (see the source).")
    parser.add_argument('targets', nargs='*', metavar='TARGET')
    parser.add_argument('--time', type=int, default=20, help='seconds per run (20)')
    parser.add_argument('--seed', type=int,
                        default=int(os.environ.get('XIDFUZZ_BENCH_SEED', '1')),
                        help="libFuzzer's -seed (XIDFUZZ_BENCH_SEED, default 1)")
    parser.add_argument('--freq', type=int, default=500, help='samples per second (500)')
    parser.add_argument('--build', default=os.environ.get(
        'XIDFUZZ_BUILD_DIR', os.path.join(ROOT, 'build', 'asan')),
        help='the build directory (XIDFUZZ_BUILD_DIR, default build/asan)')
    parser.add_argument('--keep', metavar='DIR',
                        help="keep each run's perf.data and libFuzzer log in DIR")
    parser.add_argument('--detail', type=int, default=0, metavar='N',
                        help='also print the N functions that decided most samples '
                             'of each category')
    args = parser.parse_args()
    if args.time < 1 or args.freq < 1:
        die('--time and --freq take a positive number')
    known = xidfuzz('targets')
    for t in args.targets:
        if t not in known:
            die("unknown target '%s' (targets: %s)" % (t, ' '.join(known)))
    if not os.path.isdir(os.path.join(args.build, 'fuzz')):
        die('no build in %s (./xidfuzz build)' % args.build)
    for tool in ('perf', 'nm', 'addr2line'):
        if shutil.which(tool) is None:
            die('%s is not installed' % tool)

    runs = []
    for t in args.targets or known:
        if xidfuzz('target-option', t, 'bench_static_pool') == ['yes']:
            runs += [(t, t + '/full', False), (t, t + '/static-pool', True)]
        else:
            runs.append((t, t, False))
    with open('/proc/sys/kernel/perf_event_max_stack') as f:
        max_stack = f.read().strip()

    rows = []
    symbols_of = {}
    for target, label, static in runs:
        print('[harness_share] %s: perf record for %ds' % (label, args.time),
              file=sys.stderr, flush=True)
        binary, samples, pid, rate, note = run_target(
            target, label, args.build, args.time, args.seed, args.freq, static, args.keep)
        if binary not in symbols_of:
            symbols_of[binary] = Symbols(binary)
        counts, lost, labels, how = tally(samples, symbols_of[binary], pid)
        rows.append((label, len(samples), counts, lost, rate, note, labels, how))

    line = '%-24s %7s' + ' %9s' * len(CATEGORIES) + ' %5s %11s %7s'
    print(line % (('target', 'samples') + HEADINGS + ('est', 'checks/core', 'exec/s')))
    for label, total, counts, lost, rate, note, _, _ in rows:
        ratio = '%.2f' % (counts['checks'] / counts['core']) if counts['core'] else '-'
        print(line % ((label, total)
                      + tuple('%.1f%%' % (100.0 * counts[c] / total) for c in CATEGORIES)
                      + ('%.0f%%' % (100.0 * lost / total), ratio, rate))
              + ('  ' + note if note else ''))
    print('(est: samples whose stack perf lost, split like complete ones; '
          'kernel.perf_event_max_stack = %s)' % max_stack)
    for label, _, _, _, _, _, labels, how in rows if args.detail else ():
        print('\n%s (lost stacks split: %s)' % (
            label, ', '.join('%s %d' % kv for kv in how.most_common()) or 'none'))
        for c in CATEGORIES:
            top = labels[c].most_common(args.detail)
            if top:
                print('  %-9s %s' % (c, '; '.join('%s %d' % (short(name), n)
                                                   for name, n in top)))


if __name__ == '__main__':
    main()
