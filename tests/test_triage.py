#!/usr/bin/env python3
"""Unit tests of ci/triage_report.py on saved reports (tests/triage/*.txt,
the output of `./xidfuzz repro --core pristine ...` on the regressions, of
the libFuzzer binary on XF-002's input, of `oracle_selftest leaked-ref`, and
of a fault sweep's drift), and of campaign logs.

    test_triage.py REPO
"""
import os
import re
import sys
import tempfile
import unittest

REPO = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else '.')
sys.path.insert(0, os.path.join(REPO, 'ci'))
import triage_report as tr  # noqa: E402

FIXTURES = os.path.join(REPO, 'tests', 'triage')
KNOWN = os.path.join(REPO, 'KNOWN_BUGS.md')

# fixture -> (signature, known ids)
EXPECTED = {
    'assert-XF-005.txt': (
        'pydebug assertion: _Py_NegativeRefcount: object has negative ref count'
        ' | _convert_exc_to_TracebackException <- _PyXI_excinfo_InitFromException'
        ' <- _PyXI_InitExcInfo', ('XF-005',)),
    'drift-selftest.txt': (
        'ORACLE FAILURE: total refcount drifted by N over the input'
        ' (and by N and N when it ran twice more) | (no CPython frame)', ()),
    'fatal-XF-003.txt': (
        'Fatal Python error: _Py_CheckSlotResult: Slot __len__ of type list succeeded'
        ' with an exception set | _Py_CheckSlotResult <- PySequence_Size'
        ' <- _PyXI_NamespaceFromNames', ('XF-003',)),
    'leaks-XF-004.txt': (
        'LeakSanitizer: detected memory leaks'
        ' | _copy_string_obj_raw <- _PyXI_excinfo_InitFromException <- _PyXI_InitError'
        ' ; _copy_string_obj_raw <- _excinfo_init_type_from_exception'
        ' <- _PyXI_excinfo_InitFromException'
        ' ; _copy_string_obj_raw <- _format_TracebackException'
        ' <- _PyXI_excinfo_InitFromException', ('XF-004',)),
    'libfuzzer-leak-XF-002.txt': (
        'LeakSanitizer: detected memory leaks | _sharednsitem_set_value'
        ' <- _sharednsitem_copy_from_ns <- _PyXI_FillNamespaceFromDict', ('XF-002',)),
    'oracle-XF-007.txt': (
        "ORACLE FAILURE: excinfo: the session's code raised an exception, but no"
        " exception was captured (its snapshot fails: error while formatting exception"
        " | (no CPython frame)", ('XF-007',)),
    'segv-XF-006.txt': (
        'AddressSanitizer: SEGV | _format_TracebackException'
        ' <- _PyXI_excinfo_InitFromException <- _PyXI_InitExcInfo', ('XF-006',)),
    # A fault sweep's drift (./xidfuzz sweep --core pristine namespace
    # corpus/namespace/seeds/fault-session-unshareable-repr): XF-016 by
    # the site of its last injected failure, which the report names.
    'sweep-drift-XF-016.txt': (
        'ORACLE FAILURE: total refcount drifted by N over the input'
        ' (and by N and N when it ran twice more) | (no CPython frame)', ('XF-016',)),
    'ubsan-XF-001.txt': (
        "UBSan: member access within null pointer of type 'PyObject'"
        " (aka 'struct _object') | _sharednsitem_apply <- _PyXI_ApplyNamespace"
        " <- _PyXI_Enter", ('XF-001',)),
}


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as f:
        return f.read()


class Signatures(unittest.TestCase):
    def test_every_fixture_is_expected(self):
        self.assertEqual(sorted(os.listdir(FIXTURES)), sorted(EXPECTED))

    def test_signature_and_match(self):
        bugs = tr.load_known(KNOWN)
        for name, (signature, ids) in EXPECTED.items():
            with self.subTest(name):
                report = tr.parse_report(fixture(name))
                self.assertEqual(report.signature(), signature)
                self.assertEqual(tr.match_known(report, bugs), ids)

    def test_stable_across_runs(self):
        # Another run of the same bug: other pid, addresses, build path,
        # line numbers and leak order; same signature.
        text = fixture('leaks-XF-004.txt')
        other = re.sub(r'0x[0-9a-f]+', '0xdeadbeef', text)
        other = re.sub(r'==\d+==', '==4242==', other)
        other = other.replace('/work/', '/elsewhere/clone/')
        other = re.sub(r'\.c:\d+:\d+', '.c:1:1', other)
        records = other.split('\n\n')
        other = '\n\n'.join(records[:2] + records[2:-1][::-1] + records[-1:])
        self.assertEqual(tr.parse_report(other).signature(),
                         tr.parse_report(text).signature())

    def test_frames_option(self):
        report = tr.parse_report(fixture('segv-XF-006.txt'), nframes=1)
        self.assertEqual(report.signature(), 'AddressSanitizer: SEGV | _format_TracebackException')

    def test_harness_and_runtime_frames_skipped(self):
        # fuzz/, core/ and xf_ frames, libc and the unsymbolized sanitizer
        # runtime are not CPython; neither are the fatal-error machinery,
        # the allocator and Include/ inline helpers (reporting plumbing).
        text = fixture('assert-XF-005.txt')
        _, frames = tr.stack_after(text.splitlines(), 0)
        self.assertEqual(tr.cpython_frames(frames, 99), (
            '_convert_exc_to_TracebackException', '_PyXI_excinfo_InitFromException',
            '_PyXI_InitExcInfo'))

    def test_clean_and_unknown_exits(self):
        clean = 'x_replay: f: running (0 bytes)\nx_replay: f: ok (0.1 ms)\n'
        self.assertEqual(tr.parse_report(clean, exit_status=0).signature(),
                         'no report (the input replays clean) | (no CPython frame)')
        self.assertEqual(tr.parse_report(clean, exit_status=9).kind,
                         'no sanitizer report (exit status 9)')
        self.assertEqual(tr.match_known(tr.parse_report(clean, exit_status=0),
                                        tr.load_known(KNOWN)), ())


class CampaignLog(unittest.TestCase):
    """What libFuzzer printed for each artifact of a campaign's fuzz.log
    (its processes one after the other), for inputs that replay clean."""

    LOG = """INFO: Seed: 1
#2\tINITED cov: 5 ft: 5 corp: 1/1b exec/s: 0 rss: 30Mb
Slowest unit: 23 s:
artifact_prefix='/c/crashes/'; Test unit written to /c/crashes/slow-unit-%(a)s
#9\tNEW    cov: 6 ft: 6 corp: 2/2b
==1==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 8 byte(s) in 1 object(s) allocated from:
    #0 0x1 in malloc (/x/t_fuzz+0x1)
    #1 0x2 in _tuple_shared /s/Python/crossinterp_data_lookup.h:514:5

artifact_prefix='/c/crashes/'; Test unit written to /c/crashes/leak-%(b)s
INFO: Seed: 2
#2\tINITED cov: 5 ft: 5 corp: 1/1b exec/s: 0 rss: 30Mb
==2== ERROR: libFuzzer: timeout after 11 seconds
artifact_prefix='/c/crashes/'; Test unit written to /c/crashes/timeout-%(a)s
""" % {'a': 'a' * 40, 'b': 'b' * 40}

    def test_artifact_kinds(self):
        self.assertEqual(tr.artifact_kind('/x/crashes/slow-unit-' + 'a' * 40), 'slow-unit')
        self.assertEqual(tr.artifact_kind('leak-' + 'b' * 40), 'leak')
        self.assertIsNone(tr.artifact_kind('/x/crash-clean'))

    def test_chunks(self):
        chunks = tr.libfuzzer_artifacts(self.LOG)
        self.assertEqual(sorted(chunks), ['leak-' + 'b' * 40, 'slow-unit-' + 'a' * 40,
                                          'timeout-' + 'a' * 40])
        slow = chunks['slow-unit-' + 'a' * 40]
        self.assertEqual(tr.SLOW_UNIT_RE.search(slow).group(1), '23')
        # Each artifact's own report, not the one before it.
        leak = tr.parse_report(chunks['leak-' + 'b' * 40])
        self.assertEqual(leak.signature(), 'LeakSanitizer: detected memory leaks | _tuple_shared')
        self.assertEqual(tr.match_known(leak, tr.load_known(KNOWN)), ('XF-011',))
        # A new process starts a new chunk.
        timeout = chunks['timeout-' + 'a' * 40]
        self.assertNotIn('LeakSanitizer', timeout)
        self.assertEqual(tr.parse_report(timeout).kind, 'libFuzzer: timeout')


class Normalise(unittest.TestCase):
    def test_numbers_addresses_reprs_strings(self):
        self.assertEqual(
            tr.normalise('item 300: its release from slot 1 returned 0 but queued '
                         'nothing in slot 2, whose pending-call queue held 300 of 300 calls'),
            'item N: its release from slot N returned N but queued nothing in slot N, '
            'whose pending-call queue held N of N calls')
        self.assertEqual(tr.normalise('_PyXI_ApplyError(-7) did not raise NotShareableError'),
                         '_PyXI_ApplyError(-N) did not raise NotShareableError')
        self.assertEqual(
            tr.normalise("sharing failed with ValueError('name \\'x\\'') but left "
                         "data=0x602000001234 obj=<refcnt 0 at 0x5070002dbd80>"),
            "sharing failed with ValueError('...') but left data=0xADDR obj=<object>")
        # An apostrophe inside a word opens no string.
        self.assertEqual(tr.normalise("the session's code raised \"boom 1\""),
                         "the session's code raised \"...\"")
        # Identifiers with digits keep them.
        self.assertEqual(tr.normalise('utf8 codec, slot_2 and XF-010 in 3 slots'),
                         'utf8 codec, slot_2 and XF-N in N slots')


class Matching(unittest.TestCase):
    def test_new_leak_beside_known_one_is_new(self):
        # Without XF-004's `- match:` line, the leak records allocated in
        # _excinfo_init_type_from_exception match no bug: the report as a
        # whole is not explained, even though its _format_TracebackException
        # records match XF-004's report regex.
        with open(KNOWN, encoding='utf-8') as f:
            text = f.read()
        trimmed = re.sub(r'^- match: .*_capture_current_exception\n', '', text, flags=re.M)
        self.assertNotEqual(text, trimmed)
        with tempfile.NamedTemporaryFile('w', suffix='.md', delete=False) as f:
            f.write(trimmed)
        try:
            bugs = tr.load_known(f.name)
        finally:
            os.unlink(f.name)
        report = tr.parse_report(fixture('leaks-XF-004.txt'))
        self.assertEqual(tr.match_known(report, bugs), ())
        # Each record alone: the _format_TracebackException ones still match.
        hits = [any(r.search(t) for b in bugs for r in b.matchers) for t in report.match_texts]
        self.assertIn(True, hits)
        self.assertIn(False, hits)

    def test_drift_known_by_its_injected_failure(self):
        # The same drift after an injected failure anywhere but inside
        # Py_ReprEnter() is no known bug.
        text = fixture('sweep-drift-XF-016.txt')
        bugs = tr.load_known(KNOWN)
        self.assertEqual(tr.match_known(tr.parse_report(text), bugs), ('XF-016',))
        elsewhere = text.replace('Py_ReprEnter', 'PyList_Append')
        self.assertEqual(tr.match_known(tr.parse_report(elsewhere), bugs), ())

    def test_every_known_bug_has_a_matcher(self):
        for bug in tr.load_known(KNOWN):
            with self.subTest(bug.id):
                self.assertTrue(bug.matchers)
                self.assertTrue(bug.target)


if __name__ == '__main__':
    unittest.main(verbosity=1)
