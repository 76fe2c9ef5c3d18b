# CPython cores: fetch/build a variant into the xidfuzz cache at configure
# time (cached, so a second configure costs seconds) and expose it as one
# INTERFACE target carrying the static library, the internal include paths,
# Py_BUILD_CORE and the link flags.

set(XIDFUZZ_CPYTHON_SRC "" CACHE PATH
    "A CPython 3.13 source tree to build instead of the pinned 3.13.5 tarball (no download)")
if(DEFINED ENV{XIDFUZZ_CACHE} AND NOT "$ENV{XIDFUZZ_CACHE}" STREQUAL "")
    set(_xf_default_cache "$ENV{XIDFUZZ_CACHE}")
elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(_xf_default_cache "$ENV{XDG_CACHE_HOME}/xidfuzz")
else()
    set(_xf_default_cache "$ENV{HOME}/.cache/xidfuzz")
endif()
set(XIDFUZZ_CACHE_DIR "${_xf_default_cache}" CACHE PATH
    "Where CPython tarballs and builds are cached (outside the clone)")

set(_xf_core_dir "${CMAKE_CURRENT_LIST_DIR}")

# The source to build: a user's tree, or the pinned tarball (fetched once).
function(_xf_source_args out_var)
    if(XIDFUZZ_CPYTHON_SRC)
        if(NOT EXISTS "${XIDFUZZ_CPYTHON_SRC}/Python/crossinterp.c")
            message(FATAL_ERROR "XIDFUZZ_CPYTHON_SRC=${XIDFUZZ_CPYTHON_SRC} is not a CPython 3.13 source tree")
        endif()
        set(${out_var} --tree "${XIDFUZZ_CPYTHON_SRC}" PARENT_SCOPE)
        return()
    endif()
    execute_process(
        COMMAND "${_xf_core_dir}/fetch_cpython.sh" "${XIDFUZZ_CACHE_DIR}"
        OUTPUT_VARIABLE tarball OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "fetching the CPython source failed (see above)")
    endif()
    set(${out_var} --tarball "${tarball}" PARENT_SCOPE)
endfunction()

# xidfuzz_add_core(NAME VARIANT [PATCHES file...] [BASE_PATCHES N])
#   Builds (or reuses) the core and defines INTERFACE target NAME.
#   Its property XIDFUZZ_PYTHON names the build tree's python (what the
#   tests run Python code with); NAME_DIR (the build) is set in the
#   caller's scope.
function(xidfuzz_add_core name variant)
    cmake_parse_arguments(PARSE_ARGV 2 arg "" "BASE_PATCHES" "PATCHES")
    _xf_source_args(src_args)
    set(patch_args)
    foreach(p IN LISTS arg_PATCHES)
        list(APPEND patch_args --patch "${p}")
    endforeach()
    if(arg_BASE_PATCHES)
        list(APPEND patch_args --base-patches ${arg_BASE_PATCHES})
    endif()
    message(STATUS "xidfuzz: core '${name}' (variant ${variant}) ...")
    execute_process(
        COMMAND "${_xf_core_dir}/build_cpython.sh"
                --cache "${XIDFUZZ_CACHE_DIR}" --variant "${variant}"
                ${src_args} ${patch_args}
        OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "building CPython variant '${variant}' failed (see above)")
    endif()
    include("${dir}/xid_core.cmake")
    message(STATUS "xidfuzz: core '${name}' at ${dir}")

    add_library(${name} INTERFACE)
    target_include_directories(${name} SYSTEM INTERFACE ${XID_CORE_INCLUDE_DIRS})
    target_compile_definitions(${name} INTERFACE
        Py_BUILD_CORE=1
        XIDFUZZ_PYTHON_EXECUTABLE="${XID_CORE_PYTHON}")
    separate_arguments(cflags UNIX_COMMAND "${XID_CORE_HARNESS_CFLAGS}")
    separate_arguments(ldflags UNIX_COMMAND "${XID_CORE_HARNESS_LDFLAGS}")
    separate_arguments(libs UNIX_COMMAND "${XID_CORE_LIBS}")
    separate_arguments(linkforshared UNIX_COMMAND "${XID_CORE_LINKFORSHARED}")
    target_compile_options(${name} INTERFACE ${cflags})
    # LINKFORSHARED exports the core's symbols so that the build tree's
    # extension modules (.so) can be imported into the harness.
    target_link_options(${name} INTERFACE ${ldflags} ${linkforshared})
    target_link_libraries(${name} INTERFACE "${XID_CORE_LIBRARY}" ${libs} pthread)
    set_target_properties(${name} PROPERTIES XIDFUZZ_PYTHON "${XID_CORE_PYTHON}")
    set(${name}_DIR "${dir}" PARENT_SCOPE)
endfunction()
