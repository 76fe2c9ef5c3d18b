# Turn a Python helper file into a C header holding it as one string:
#   cmake -DIN=helpers.py -DOUT=helpers.py.h -DVAR=name -P embed_python.cmake
# The helpers live as .py files so that they can be read, linted and run on
# their own; the harness compiles the text once per interpreter.
file(READ "${IN}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n    \"" text "${text}")
set(body "/* Generated from ${IN} by core/harness/embed_python.cmake; edit the .py. */\n")
string(APPEND body "static const char ${VAR}[] =\n    \"${text}\";\n")
# Rewritten only when it changes, so that a configure run does not
# recompile what includes it.
if(EXISTS "${OUT}")
    file(READ "${OUT}" old)
    if(old STREQUAL body)
        return()
    endif()
endif()
file(WRITE "${OUT}" "${body}")
