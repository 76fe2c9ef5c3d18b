# Python reproducers of the known bugs (KNOWN_BUGS.md, `- python:` lines):
# the runner tests/python_repro.py runs each script with the pristine
# core's own `python` and must print its report (pyrepro.ID.pristine: the
# line's `report:` regex), and with the patched core's and must say "ID not
# reproduced" with no sanitizer report (pyrepro.ID.patched).  Included by
# tests/CMakeLists.txt; needs both cores, so the gcov build (patched core
# only) has none of these tests.  pyrepro.runner: the runner's verdicts, on
# made-up scripts (any python3).
#
# Also the CLI test of `./xidfuzz report` (ci/report.py).

add_test(NAME pyrepro.runner
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_python_repro.py ${CMAKE_SOURCE_DIR})

if(XIDFUZZ_HAVE_PATCHED AND NOT XIDFUZZ_CORE_IS_PATCHED)
    get_target_property(xf_pristine_python xid_core XIDFUZZ_PYTHON)
    get_target_property(xf_patched_python xid_core_patched XIDFUZZ_PYTHON)
    if(NOT xf_pristine_python OR NOT xf_patched_python)
        message(FATAL_ERROR "python_repro.cmake: no python recorded on xid_core / xid_core_patched")
    endif()

    # Leak reproducers measure the allocator, not LeakSanitizer at exit
    # (CPython's exit is not leak-free); crash reproducers stop at UBSan's
    # first report, with its stack.
    # handle_abort: a reproducer that hits an assertion aborts; ASan reports
    # it and exits 1, so the regex judges it (a SIGABRT would fail the test
    # whatever it printed).
    # PYTHONMALLOC=malloc_debug: the asan recipe compiles pymalloc in (for
    # the pymalloc harness), so its python would default to pymalloc; with
    # malloc every object is an ASan-guarded block, as in the harness.
    # The bytecode of the stdlib modules the reproducers import
    # (test.support pulls in unittest, argparse, logging, ...) is written
    # once into the build tree and read back after: compiling them again in
    # every reproducer took about 1.4 s of its 2 on the ASan debug core,
    # against 0.3 s from the cache (a machine or CI that exports
    # PYTHONDONTWRITEBYTECODE compiled them every time).  The prefix keeps
    # the cores' shared cache as built; each core's Lib has its own path
    # under it.
    set(xf_pyrepro_env "ASAN_OPTIONS=detect_leaks=0:handle_abort=1" "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
                       "PYTHONMALLOC=malloc_debug"
                       "PYTHONDONTWRITEBYTECODE=" "PYTHONPYCACHEPREFIX=${CMAKE_BINARY_DIR}/pycache")
    if(XIDFUZZ_SYMBOLIZER)
        list(APPEND xf_pyrepro_env "ASAN_SYMBOLIZER_PATH=${XIDFUZZ_SYMBOLIZER}")
    endif()
    set(xf_pyrepro_fail "${xf_report_regex}|Fatal Python error|Assertion .* failed|REPRODUCED")
    set(xf_pyrepro_runner ${CMAKE_CURRENT_SOURCE_DIR}/python_repro.py)

    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                 ${CMAKE_SOURCE_DIR}/KNOWN_BUGS.md)
    file(STRINGS ${CMAKE_SOURCE_DIR}/KNOWN_BUGS.md xf_py_lines
         REGEX "^(## XF-[0-9]+|- python: )")
    foreach(line IN LISTS xf_py_lines)
        if(line MATCHES "^## (XF-[0-9]+)")
            set(bug_id ${CMAKE_MATCH_1})
        elseif(line MATCHES "^- python: none")
            continue()
        elseif(line MATCHES "^- python: ([^ ]+) report: (.+)$")
            set(script ${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1})
            set(report "${CMAKE_MATCH_2}")
            if(NOT EXISTS ${script})
                message(FATAL_ERROR "KNOWN_BUGS.md, ${bug_id}: no such reproducer ${script}")
            endif()
            # The runner takes the id from the file name.
            get_filename_component(name ${script} NAME)
            if(NOT name MATCHES "^${bug_id}-.*\\.py$")
                message(FATAL_ERROR "KNOWN_BUGS.md, ${bug_id}: reproducer ${name} "
                                    "is not named ${bug_id}-NAME.py")
            endif()
            set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${script})
            add_test(NAME pyrepro.${bug_id}.pristine
                     COMMAND ${xf_pristine_python} ${xf_pyrepro_runner} ${script})
            set_tests_properties(pyrepro.${bug_id}.pristine PROPERTIES
                ENVIRONMENT "${xf_pyrepro_env}" TIMEOUT 300
                PASS_REGULAR_EXPRESSION "${report}")
            add_test(NAME pyrepro.${bug_id}.patched
                     COMMAND ${xf_patched_python} ${xf_pyrepro_runner} ${script})
            set_tests_properties(pyrepro.${bug_id}.patched PROPERTIES
                ENVIRONMENT "${xf_pyrepro_env}" TIMEOUT 300
                PASS_REGULAR_EXPRESSION "${bug_id} not reproduced"
                FAIL_REGULAR_EXPRESSION "${xf_pyrepro_fail}")
        else()
            message(FATAL_ERROR "KNOWN_BUGS.md, ${bug_id}: bad line '${line}' "
                                "(want '- python: PATH report: REGEX' or '- python: none (why: ...)')")
        endif()
    endforeach()
endif()

# ./xidfuzz report: an issue text with the finding's title and patch (it
# runs the Python reproducer and the regression input, so the pristine core
# is needed); a bad id is the usual one-line usage error.
if(NOT XIDFUZZ_CORE_IS_PATCHED)
    add_test(NAME cli.report
             COMMAND sh -c "\"$0\" report XF-001 && \"$0\" report XF-999; echo \"exit status $?\""
                     ${CMAKE_SOURCE_DIR}/xidfuzz)
    set_tests_properties(cli.report PROPERTIES
        ENVIRONMENT "XIDFUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}" TIMEOUT 600
        PASS_REGULAR_EXPRESSION "Title: _PyXI_ApplyNamespace\\(\\) dereferences NULL.*XF-001 REPRODUCED.*in _sharednsitem_apply.*\\+\\+\\+ b/Python/crossinterp.c.*xidfuzz: report: unknown finding 'XF-999' \\(known: XF-001 .*XF-[0-9]+\\)\nexit status 2")
endif()
