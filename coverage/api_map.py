#!/usr/bin/env python3
"""The API map: which targets and scenarios reach each function, macro and
type of the xid core's API (Include/internal/pycore_crossinterp.h), and
which oracles check it.

    api_map.py --root ROOT --header pycore_crossinterp.h [--modules DIR]
               [--check FILE | --write FILE]

"Reaches" is read from the source, not from a run (the coverage report is
the run-time view):
  - a target (fuzz/NAME.c) or scenario (stress/NAME.c) names the API
    identifier itself, or calls a harness function (core/, stress/stress.c
    for a scenario, or a static function of its own file) that names it,
    at any depth;
  - the modules target reaches what the interpreter modules call
    (Modules/_interp*module.c of the CPython source, --modules), since it
    drives them.
"Checked by" lists, per identifier, the oracle messages (xf_fail/xs_fail
format strings) that name it, with their file, and the oracle mutants
whose row in core/cpython/mutants/README.md names it.  An identifier nothing
reaches is flagged.

Without --check/--write the map is printed.  --write FILE writes it;
--check FILE exits 1 when FILE differs from what would be written (the
test that keeps docs/api-map.md current).
"""
import argparse
import os
import re
import sys

C_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def header_identifiers(path):
    """(name, kind) for every function, macro and type the header declares."""
    text = open(path, encoding="utf-8").read()
    # Comments out, continuation lines joined.
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = text.replace("\\\n", " ")
    found = []
    seen = set()

    def add(name, kind):
        if name not in seen and not name.startswith("Py_INTERNAL") \
                and name != "Py_BUILD_CORE":
            seen.add(name)
            found.append((name, kind))

    for m in re.finditer(r"PyAPI_FUNC\([^)]*\)\s*(\w+)\s*\(", text):
        add(m.group(1), "function")
    for m in re.finditer(r"^\s*extern\s+[\w\s\*]+?\b(\w+)\s*\(", text, re.M):
        if m.group(1) != "C":
            add(m.group(1), "function")
    for m in re.finditer(r"^\s*#\s*define\s+(\w+)", text, re.M):
        if not m.group(1).endswith("_H"):
            add(m.group(1), "macro")
    for m in re.finditer(r"\btypedef\b", text):
        # Skip a braced body (nested braces included), then take the name.
        i, depth = m.end(), 0
        while i < len(text) and (depth or text[i] not in ";("):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if i < len(text) and text[i] == ";":
            name = re.search(r"(\w+)\s*$", text[m.end():i])
            if name:
                add(name.group(1), "type")
    for m in re.finditer(r"typedef\s+[\w\s\*]+\(\s*\*\s*(\w+)\s*\)", text):
        add(m.group(1), "type")
    # A struct with a typedef name is listed once, under that name.
    aliased = set(re.findall(r"typedef\s+struct\s+(\w+)\s+\w+\s*;", text))
    for m in re.finditer(r"^struct\s+(\w+)\s*\{", text, re.M):
        if m.group(1) not in aliased:
            add("struct " + m.group(1), "type")
    return found


def core_calls(src):
    """{function: body} of the xid core's own functions (Python/crossinterp*)."""
    funcs = {}
    for f in ("crossinterp.c", "crossinterp_data_lookup.h", "crossinterp_exceptions.h"):
        p = os.path.join(src, "Python", f)
        if os.path.exists(p):
            funcs.update(c_functions(p)[0])
    return funcs


def indirect(api_names, users, core_funcs):
    """{name: [reached API names that call it inside the core]} for API
    functions no harness source names but the core calls from one that is."""
    out = {}
    for name in api_names:
        if users[name]:
            continue
        callers = []
        for top in api_names:
            if not users[top] or top not in core_funcs:
                continue
            seen, todo = set(), [core_funcs[top]]
            if top == "_PyObject_GetCrossInterpreterData":
                # The lookup dispatches through the registry to the
                # built-in getdata functions registered at start-up.
                todo.append(core_funcs.get(
                    "_register_builtins_for_crossinterpreter_data", ""))
            while todo:
                body = todo.pop()
                words = set(C_IDENT.findall(body))
                if name in words:
                    callers.append(top)
                    break
                for w in words:
                    if w in core_funcs and w not in seen and w not in api_names:
                        seen.add(w)
                        todo.append(core_funcs[w])
        if callers:
            out[name] = callers
    return out


def strip_c(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def c_functions(path):
    """{name: body} of the functions defined in a C file (PEP 7 layout:
    the name at the start of a line, the body's braces at column 0)."""
    text = strip_c(open(path, encoding="utf-8").read())
    funcs = {}
    for m in re.finditer(r"^(\w+)\s*\([^;{]*?\)\s*\n\{\n(.*?)^\}", text, re.S | re.M):
        funcs[m.group(1)] = m.group(2)
    return funcs, text


def uses(text, names):
    """The subset of `names` that `text` mentions."""
    words = set(C_IDENT.findall(text))
    out = set()
    for n in names:
        key = n.split()[-1]
        if key in words:
            out.add(n)
    return out


def reach(root, api, modules_dir):
    api_names = [n for n, _ in api]
    harness = {}    # harness function -> body
    for sub in ("core", os.path.join("core", "harness")):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".c"):
                funcs, _ = c_functions(os.path.join(d, f))
                harness.update(funcs)

    def closure(text, local):
        """API names reached from `text`, through local and harness functions."""
        pool = dict(harness)
        pool.update(local)
        reached, seen, todo = set(), set(), [text]
        while todo:
            t = todo.pop()
            reached |= uses(t, api_names)
            for word in set(C_IDENT.findall(t)):
                if word in pool and word not in seen:
                    seen.add(word)
                    todo.append(pool[word])
        return reached

    # stress/stress.c: the parts every scenario shares, as core/harness is
    # for every target.
    stress_shared = {}
    p = os.path.join(root, "stress", "stress.c")
    if os.path.exists(p):
        stress_shared = c_functions(p)[0]

    users = {n: [] for n in api_names}
    for kind, sub in (("target", "fuzz"), ("scenario", "stress")):
        d = os.path.join(root, sub)
        for f in sorted(os.listdir(d)):
            if not f.endswith(".c") or f.endswith("_seeds.c") or f in (
                    "replay_main.c", "stress.c", "tsan_options.c"):
                continue
            name = f[:-2]
            local, text = c_functions(os.path.join(d, f))
            if kind == "scenario":
                local = dict(stress_shared, **local)
            for n in closure(text, local):
                users[n].append(name)
    if modules_dir and os.path.exists(os.path.join(root, "fuzz", "modules.c")):
        via = set()
        for f in ("_interpretersmodule.c", "_interpqueuesmodule.c",
                  "_interpchannelsmodule.c", "_interpreters_common.h"):
            p = os.path.join(modules_dir, f)
            if os.path.exists(p):
                via |= uses(strip_c(open(p, encoding="utf-8").read()), api_names)
        for n in via:
            if "modules" not in users[n]:
                users[n].append("modules (via the modules)")
    return users


def oracles(root, api_names):
    """{name: [oracle descriptions]} from failure messages and mutant rows."""
    checks = {n: [] for n in api_names}
    msg = re.compile(r"\b(?:xf_fail|xs_fail)\s*\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)", re.S)
    for sub in ("fuzz", "stress", "core", os.path.join("core", "harness")):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".c"):
                continue
            text = open(os.path.join(d, f), encoding="utf-8").read()
            counted = {}
            for m in msg.finditer(text):
                fmt = "".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1)))
                for n in uses(fmt, api_names):
                    counted[n] = counted.get(n, 0) + 1
            for n, k in counted.items():
                checks[n].append("%d oracle message%s in %s/%s"
                                 % (k, "s" if k > 1 else "", sub, f))
    readme = os.path.join(root, "core", "mutants", "README.md")
    if not os.path.exists(readme):
        readme = os.path.join(root, "core", "cpython", "mutants", "README.md")
    if os.path.exists(readme):
        for line in open(readme, encoding="utf-8"):
            m = re.match(r"\|\s*`([\w-]+)`\s*\|(.*?)\|\s*([\w_]+)\s*\|", line)
            if m:
                for n in uses(m.group(2), api_names):
                    checks[n].append("mutant `%s` (%s)" % (m.group(1), m.group(3)))
    return checks


def render(api, users, checks, via_core, header_label):
    out = ["# API map: who reaches each part of `pycore_crossinterp.h`", "",
           "Generated by `./xidfuzz api` (coverage/api_map.py) from %s and this" % header_label,
           "tree's sources; `tests` checks that it is current. \"Reached by\" is read",
           "from the source: the target or scenario names the identifier, or calls a",
           "harness function that does; the `modules` target reaches what the",
           "interpreter modules call; a function no harness source names may be",
           "reached inside the core, from a reached one. \"Checked by\" counts the oracle messages that",
           "name it and the oracle mutants (core/cpython/mutants/README.md) that break it.",
           "The run-time view is the coverage report (`./xidfuzz coverage`).", "",
           "| identifier | kind | reached by | checked by |",
           "| --- | --- | --- | --- |"]
    unreached = []
    for name, kind in api:
        who = ", ".join(sorted(set(users[name])))
        if not who and name in via_core:
            who = "inside the core, from " + ", ".join("`%s`" % c for c in via_core[name])
        if not who:
            who = "**nothing**"
            unreached.append(name)
        chk = "; ".join(checks[name]) or "-"
        out.append("| `%s` | %s | %s | %s |" % (name, kind, who, chk))
    out += ["", "Reached by nothing (%d): %s" % (
        len(unreached), ", ".join("`%s`" % n for n in unreached) or "none"), ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--modules", help="the CPython source's Modules/ directory")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--check")
    g.add_argument("--write")
    args = ap.parse_args()
    if not os.path.isfile(args.header):
        print("api_map: no such header '%s'" % args.header, file=sys.stderr)
        return 2
    api = header_identifiers(args.header)
    names = [n for n, _ in api]
    users = reach(args.root, api, args.modules)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.header))))
    text = render(api, users, oracles(args.root, names),
                  indirect(names, users, core_calls(src)), "CPython 3.13.5's header")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(text)
        print("api_map: wrote %s" % args.write, file=sys.stderr)
        return 0
    if args.check:
        try:
            current = open(args.check, encoding="utf-8").read()
        except OSError as e:
            print("api_map: cannot read %s: %s" % (args.check, e.strerror), file=sys.stderr)
            return 1
        if current != text:
            print("api_map: %s is out of date; run './xidfuzz api --write'" % args.check,
                  file=sys.stderr)
            return 1
        print("api_map: %s is current" % args.check)
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
