#!/usr/bin/env python3
"""./xidfuzz report XF-NNN: a known bug (KNOWN_BUGS.md) as an issue text for
upstream, ready to paste: title, affected version and build, the Python
reproducer (the trigger script, and any module it imports from beside it)
and what it prints on the pristine core (run now by tests/python_repro.py,
which adds the harness's verdict), the C-level signature and the report of
the regression input (or probe) replayed now on the pristine core, the
root cause, the patch, the upstream status, and the harness's reproduce
command.

Exit status: 0 with the text on stdout; 2 with one line on stderr for a
bad id or a missing build.
"""
import argparse
import ast
import os
import re
import subprocess
import sys

from triage_report import load_entries  # KNOWN_BUGS.md, as ./xidfuzz triage reads it

# Lines that start a sanitizer, assertion or oracle report.
REPORT_START = re.compile(
    r'ORACLE FAILURE|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|'
    r'Fatal Python error|Assertion .* failed|Assertion failed|_Py_NegativeRefcount|'
    r'after the free|AddressSanitizer:DEADLYSIGNAL')
FRAME = re.compile(r'^\s+#(\d+) ')
# ASan's register dump after a SEGV: noise in an issue.
REGISTERS = re.compile(r'^(==\d+==Register values:|\s*r[a-z0-9]{1,2} = 0x)')
# Source paths of any core's tree (pristine, patched, pymalloc): relative.
CORE_SRC = re.compile(r'(?:/[^\s/]+)+/src/(?=(?:Include|Python|Objects|Modules|Lib|Parser|Programs)/)')
MAX_FRAMES = 12         # frames kept of each stack
MAX_LINES = 90          # lines kept of one output


def die(msg):
    print(f"xidfuzz: report: {msg}", file=sys.stderr)
    sys.exit(2)


def backticked(text):
    return re.findall(r'`([^`]+)`', text or '')


def trim(text, shorten):
    """Shortened paths; each stack cut after MAX_FRAMES frames; at most
    MAX_LINES lines (head and tail)."""
    out, cut = [], 0
    for line in text.splitlines():
        if REGISTERS.match(line):
            continue
        line = shorten(line)
        m = FRAME.match(line)
        if m and int(m.group(1)) >= MAX_FRAMES:
            cut += 1
            continue
        if cut:
            out.append(f'    ... ({cut} more frames)')
            cut = 0
        out.append(line)
    if cut:
        out.append(f'    ... ({cut} more frames)')
    if len(out) > MAX_LINES:
        head, tail = out[:MAX_LINES - 6], out[-5:]
        out = head + [f'[... {len(out) - len(head) - len(tail)} lines cut ...]'] + tail
    return '\n'.join(out)


def run(cmd, env_extra, cwd, timeout):
    env = dict(os.environ)
    for key, value in env_extra.items():
        # Ours last: they win over the user's settings of the same option.
        env[key] = f"{env[key]}:{value}" if env.get(key) and key.endswith('_OPTIONS') else value
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b'').decode('utf-8', 'replace')
        return out + f'\n[timed out after {timeout} s]', None
    return proc.stdout.decode('utf-8', 'replace'), proc.returncode


def status_text(rc):
    if rc is None:
        return 'timed out'
    if rc < 0:
        return f'killed by signal {-rc}'
    return f'exit status {rc}'


def local_imports(path, source):
    """The modules a reproducer imports from beside itself (the leak
    reproducers' allocated_bytes.py): the issue needs them too."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    here = os.path.dirname(path)
    return [os.path.join(here, name + '.py') for name in dict.fromkeys(names)
            if os.path.isfile(os.path.join(here, name + '.py'))]


def fence(text, lang=''):
    ticks = '```'
    while ticks in text:
        ticks += '`'
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'


def main():
    ap = argparse.ArgumentParser(prog='./xidfuzz report')
    ap.add_argument('--root', required=True)
    ap.add_argument('--build', required=True)
    ap.add_argument('id')
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    build = os.path.abspath(args.build)

    entries = load_entries(os.path.join(root, 'KNOWN_BUGS.md'))
    by_id = {e.id: e for e in entries}
    bug = by_id.get(args.id.upper())
    if bug is None:
        die(f"unknown finding '{args.id}' (known: {' '.join(e.id for e in entries)})")

    # The pristine core of this build, and its python.
    core_file = os.path.join(build, 'xid_core_dir.txt')
    if not os.path.isfile(core_file) or not os.path.isdir(os.path.join(build, 'fuzz')):
        die(f"no build in {build}; run './xidfuzz build' first")
    with open(core_file, encoding='utf-8') as f:
        core_dir = f.read().strip()
    key = {}
    try:
        with open(os.path.join(core_dir, 'key.txt'), encoding='utf-8') as f:
            for line in f:
                k, _, v = line.rstrip('\n').partition('=')
                key.setdefault(k, v)
    except OSError:
        die(f"the core of {build} ({core_dir}) is gone; run './xidfuzz build' again")
    if 'patch' in key:
        die(f"the core of {build} is the patched one; the report needs the pristine core "
            f"(the asan build, ./xidfuzz build)")
    python = os.path.join(core_dir, 'build', 'python')
    if not os.access(python, os.X_OK):
        die(f"no python in the core's build tree ({python}); run './xidfuzz build' again")

    build_shown = os.path.relpath(build, root)
    if build_shown.startswith('..'):
        build_shown = build

    def shorten(line):
        line = CORE_SRC.sub('', line).replace(build + '/', build_shown + '/')
        return line.replace(root + '/', '')

    version, _ = run([python, '-c', 'import sys; print(sys.version)'],
                     {'ASAN_OPTIONS': 'detect_leaks=0'}, root, 60)
    version = version.strip().splitlines()[-1] if version.strip() else 'unknown'

    title = bug.title.replace('`', '')
    out = [f"Title: {title}", '']
    out.append(f"<!-- {bug.id} of the xidfuzz harness; text from ./xidfuzz report {bug.id} -->")
    out.append('')

    out.append('## Affected version and build')
    out.append('')
    tarball = key.get('src', '')
    tarball = tarball.replace('tarball:', 'release tarball, sha256 ') if tarball else 'unknown source'
    out.append(f"CPython {version.split()[0]} ({tarball}), `sys.version`: `{version}`.")
    cflags = key.get('cflags', '?').split(' ldflags=')[0].strip()
    out.append(f"Configured with `{key.get('configure', '?')}`; compiler: {key.get('cc', '?')}; "
               f"CFLAGS `{cflags}` (the harness's build; the bug does not depend on them).")
    out.append('')
    upstream = bug.field('upstream')
    out.append(f"Upstream: {upstream if upstream else 'not recorded in KNOWN_BUGS.md'}.")
    out.append('')

    out.append('## Reproducer')
    out.append('')
    py = bug.field('python') or 'none (why: not recorded in KNOWN_BUGS.md)'
    if py.startswith('none'):
        m = re.match(r'none \(why: (.*)\)$', py)
        out.append('No Python program reaches this bug: ' + (m.group(1) if m else py) + '.')
        out.append('The C-level report below comes from the harness.')
    else:
        script = py.split(' report: ')[0].strip()
        path = os.path.join(root, script)
        try:
            with open(path, encoding='utf-8') as f:
                source = f.read()
        except OSError:
            die(f"{bug.id}: no such reproducer {script}")
        helpers = local_imports(path, source)
        names = ', '.join(f"`{os.path.basename(h)}`" for h in helpers)
        imports = f"; it imports {names}, below, from beside it" if helpers else ''
        out.append(f"`{script}` (stdlib only{imports}):")
        out.append('')
        out.append(fence(source, 'python'))
        out.append('')
        for helper in helpers:
            with open(helper, encoding='utf-8') as f:
                helper_source = f.read()
            out.append(f"`{os.path.basename(helper)}`:")
            out.append('')
            out.append(fence(helper_source, 'python'))
            out.append('')
        # The harness's runner runs the script in a child process, passes its
        # output through and adds the verdict as the last line.
        runner = os.path.join(root, 'tests', 'python_repro.py')
        # PYTHONMALLOC: the core's python defaults to pymalloc (the asan
        # recipe compiles it in); with malloc every object is an
        # ASan-guarded block.
        text, _ = run([python, runner, path],
                      {'ASAN_OPTIONS': 'detect_leaks=0',
                       'UBSAN_OPTIONS': 'halt_on_error=1:print_stacktrace=1',
                       'PYTHONMALLOC': 'malloc_debug'},
                      root, 600)
        out.append(f"Output on the build above (`PYTHONMALLOC=malloc_debug ASAN_OPTIONS=detect_leaks=0 "
                   f"UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "
                   f"python {os.path.basename(script)}`; the last line is the verdict of "
                   f"the harness, `tests/python_repro.py`, which ran it):")
        out.append('')
        out.append(fence(trim(text, shorten)))
    out.append('')

    out.append('## C-level report')
    out.append('')
    if bug.field('signature'):
        out.append(f"Signature: {bug.field('signature')}")
        out.append('')
    inputs = [v.split(' report: ')[0].strip() for v in bug.fields.get('input', [])]
    cmd = shown = None
    env = {'XIDFUZZ_VERBOSE': '1'}
    if inputs:
        m = re.match(r'corpus/([a-z_]+)/', inputs[0])
        target = m.group(1) if m else None
        replay = os.path.join(build, 'fuzz', f'{target}_replay')
        if target and os.access(replay, os.X_OK):
            cmd = [replay, os.path.join(root, inputs[0])]
            shown = f"XIDFUZZ_VERBOSE=1 {build_shown}/fuzz/{target}_replay {inputs[0]}"
        what = 'the regression input, replayed by the harness'
    else:
        # A probe (KNOWN_BUGS.md's reproduce line names it under build/...).
        for command in backticked(bug.field('reproduce')):
            words = command.split()
            if words and re.match(r'build/[^/]+/tests/', words[0]):
                exe = os.path.join(build, words[0].split('/', 2)[2])
                if os.access(exe, os.X_OK):
                    cmd = [exe] + words[1:]
                    # A probe's ended interpreters leak what they made:
                    # LeakSanitizer stays on only when the bug is a leak.
                    leak_bug = any('LeakSanitizer' in v
                                   for v in bug.fields.get('match', []))
                    quiet = '' if leak_bug else 'ASAN_OPTIONS=detect_leaks=0 '
                    shown = 'XIDFUZZ_VERBOSE=1 ' + quiet + ' '.join(
                        [build_shown + '/' + words[0].split('/', 2)[2]] + words[1:])
                    if not leak_bug:
                        env['ASAN_OPTIONS'] = 'detect_leaks=0'
                    break
        what = 'the probe, run now'
    if cmd:
        text, rc = run(cmd, env, root, 600)
        lines = text.splitlines()
        start = next((i for i, l in enumerate(lines) if REPORT_START.search(l)), None)
        if start is None:
            report = 'no report: ' + ' / '.join(lines[-3:])
        else:
            report = '\n'.join(lines[max(0, start - 1):])
        out.append(f"`{shown}` ({what} on the pristine core, {status_text(rc)}):")
        out.append('')
        out.append(fence(trim(report, shorten)))
    else:
        out.append('(No replay binary or probe in this build: see the reproduce command below.)')
    out.append('')

    out.append('## Root cause')
    out.append('')
    paragraphs = bug.paragraphs()
    cause = [p for p in paragraphs if p.startswith('Root cause')]
    fix = []
    if cause:
        first = paragraphs.index(cause[0])
        rest = paragraphs[first:]
        fix_at = next((i for i, p in enumerate(rest) if p.startswith('Fix')), len(rest))
        cause, fix = rest[:fix_at], rest[fix_at:]
    elif bug.field('root cause'):
        cause = [bug.field('root cause')]
    out.append('\n\n'.join(cause) if cause else '(not recorded in KNOWN_BUGS.md)')
    out.append('')

    out.append('## Fix')
    out.append('')
    patch_field = bug.field('patch') or ''
    # A fix not yet in the patched core is kept as NAME.patch.pending.
    patch = next((p for p in backticked(patch_field)
                  if p.endswith('.patch') or p.endswith('.patch.pending')), None)
    if fix:
        out.append('\n\n'.join(fix))
        out.append('')
    note = re.sub(r'^`[^`]*`\s*', '', patch_field).strip()
    if note:
        out.append(note.strip('()') + '.')
        out.append('')
    if patch:
        try:
            with open(os.path.join(root, patch), encoding='utf-8') as f:
                diff = f.read()
        except OSError:
            die(f"{bug.id}: no such patch {patch}")
        pending = ' (not yet in the patched core)' if patch.endswith('.pending') else ''
        out.append(f"Against the 3.13.5 tarball (`{patch}`{pending}):")
        out.append('')
        out.append(fence(diff, 'diff'))
    else:
        out.append('(no patch recorded)')
    out.append('')

    out.append('## Reproducing with the harness')
    out.append('')
    if bug.field('reproduce'):
        out.append(f"Reproduce: {bug.field('reproduce')}")
    for path in inputs:
        out.append(f"- regression input: `{path}`")
    out.append('')
    out.append('Harness: xidfuzz (libFuzzer targets around Python/crossinterp.c; '
               '`./xidfuzz build` builds the pristine and patched cores).')
    print('\n'.join(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
