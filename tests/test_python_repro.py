#!/usr/bin/env python3
"""Unit tests of the reproducer runner (tests/python_repro.py) on made-up
scripts: each verdict, the crash that counts only with a TRIGGER, and bad
usage.  Any python3 runs them (the real reproducers are the pyrepro.XF-*
tests, on the cores).

    test_python_repro.py REPO
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

REPO = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else '.')
RUNNER = os.path.join(REPO, 'tests', 'python_repro.py')


class RunnerTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def script(self, name, source):
        path = os.path.join(self.dir, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(source))
        return path

    def run_runner(self, *args):
        return subprocess.run([sys.executable, RUNNER, *args],
                              capture_output=True, text=True)

    def verdict(self, name, source, status, last_line):
        proc = self.run_runner(self.script(name, source))
        self.assertEqual(proc.stdout.splitlines()[-1], last_line, proc.stdout + proc.stderr)
        self.assertEqual(proc.returncode, status)
        return proc

    def test_ok(self):
        proc = self.verdict('XF-901-ok.py', '''
            print("calling it", flush=True)
            print("OK: it raised ValueError")
            ''', 0, 'XF-901 not reproduced: it raised ValueError')
        self.assertIn('calling it\nOK: it raised ValueError\n', proc.stdout)

    def test_bug_wins_over_ok(self):
        self.verdict('XF-902-bug.py', '''
            print("OK: the first call")
            print("BUG: the second call returned 3")
            ''', 1, 'XF-902 REPRODUCED: the second call returned 3')

    def test_crash_with_trigger(self):
        self.verdict('XF-903-abort.py', '''
            import os
            TRIGGER = "calling abort()"
            os.abort()
            ''', 1, 'XF-903 REPRODUCED: calling abort() killed the process (signal 6): '
                    'no sanitizer report')

    def test_report_with_trigger(self):
        # The first report line, with its path cut to the CPython tree.
        proc = self.verdict('XF-904-report.py', '''
            import sys
            TRIGGER = "the call"
            print("/cache/src/Python/crossinterp.c:12:3: runtime error: null", file=sys.stderr)
            sys.exit(1)
            ''', 1, 'XF-904 REPRODUCED: the call killed the process (exit status 1): '
                    'Python/crossinterp.c:12:3: runtime error: null')
        self.assertIn('/cache/src/Python/crossinterp.c:12:3: runtime error: null', proc.stderr)

    def test_crash_without_trigger(self):
        self.verdict('XF-905-abort.py', '''
            import os
            os.abort()
            ''', 2, 'XF-905 inconclusive: the child exited with status -6')

    def test_crash_after_ok(self):
        self.verdict('XF-906-late.py', '''
            import os
            TRIGGER = "the call"
            print("OK: the call returned", flush=True)
            os.abort()
            ''', 2, 'XF-906 inconclusive: the child exited with status -6')

    def test_inconclusive(self):
        self.verdict('XF-907-unsure.py', '''
            import sys
            print("INCONCLUSIVE: the config was accepted")
            sys.exit(2)
            ''', 2, 'XF-907 inconclusive: the config was accepted')

    def test_trigger_read_not_run(self):
        runs = os.path.join(self.dir, 'runs')
        self.verdict('XF-908-once.py', f'''
            TRIGGER = "the call"
            with open({runs!r}, "a") as f:
                f.write("run\\n")
            print("OK: ran")
            ''', 0, 'XF-908 not reproduced: ran')
        with open(runs) as f:
            self.assertEqual(f.read(), 'run\n')

    def bad_usage(self, args, message):
        proc = self.run_runner(*args)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stdout, '')
        self.assertEqual(len(proc.stderr.splitlines()), 1, proc.stderr)
        self.assertRegex(proc.stderr, '^python_repro: ' + message)

    def test_bad_usage(self):
        self.bad_usage([], 'usage: ')
        self.bad_usage(['a.py', 'b.py'], 'usage: ')
        missing = os.path.join(self.dir, 'XF-909-missing.py')
        self.bad_usage([missing], f'{missing}: no such file')
        self.bad_usage([self.script('repro.py', 'print("OK: x")\n')],
                       '.*/repro.py: no XF-NNN id')
        self.bad_usage([self.script('XF-910-t.py', 'TRIGGER = "a" + "b"\n')],
                       '.*/XF-910-t.py:1: TRIGGER is not a plain string')
        self.bad_usage([self.script('XF-911-s.py', 'print(\n')], '.*/XF-911-s.py:1: ')


if __name__ == '__main__':
    unittest.main()
