#!/usr/bin/env python3
"""Reports include cycles in the torch-free core (torchq/): exit status 1 if there is one.

Two graphs are checked, both built from the `#include "torchq/..."` lines of torchq/**/*.{h,cpp}:
  * headers: a.h -> b.h when a.h includes b.h (a cycle here does not compile cleanly);
  * units:    a -> b when a.h or a.cpp includes b.h, where a unit is a header and the .cpp of the
    same path (simulator.h + simulator.cpp). A cycle here is two parts of the core that need each
    other, e.g. blocked.cpp including simulator.h while simulator.h includes blocked.h.
Usage: check_include_cycles.py [repository root] (default: the parent of this file's folder).
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"(torchq/[^"]+)"', re.MULTILINE)


def find_cycles(graph):
    """Every elementary cycle's node list once (by Tarjan's strongly connected components, then a
    path through each component of more than one node or with a self-loop)."""
    index, low, on_stack, stack, sccs = {}, {}, set(), [], []
    counter = [0]

    def strongconnect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    cycles = []
    for comp in sccs:
        if len(comp) > 1 or comp[0] in graph.get(comp[0], ()):
            # One concrete cycle through the component, for the message.
            members = set(comp)
            start = comp[0]
            path, seen, v = [start], {start}, start
            while True:
                nxt = sorted(w for w in graph.get(v, ()) if w in members)
                back = [w for w in nxt if w == start]
                if back and len(path) > 1 or (back and comp == [start]):
                    break
                fresh = [w for w in nxt if w not in seen]
                if not fresh:
                    break
                v = fresh[0]
                path.append(v)
                seen.add(v)
            cycles.append((comp, path + [start]))
    return cycles


def main():
    root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1]
    core = root / "torchq"
    headers, units = {}, {}
    for f in sorted(core.rglob("*")):
        if f.suffix not in (".h", ".cpp"):
            continue
        rel = f.relative_to(root).as_posix()
        unit = rel.rsplit(".", 1)[0]
        deps = INCLUDE.findall(f.read_text(encoding="utf-8", errors="replace"))
        if f.suffix == ".h":
            headers.setdefault(rel, set()).update(deps)
        units.setdefault(unit, set())
        for d in deps:
            target = d.rsplit(".", 1)[0]
            if target != unit:
                units[unit].add(target)
    failed = False
    for name, graph in (("header", headers), ("unit (header + .cpp)", units)):
        for comp, path in find_cycles(graph):
            failed = True
            print(f"include cycle ({name}): " + " -> ".join(path) + f"   [component: {', '.join(comp)}]")
    if not failed:
        print(f"no include cycles among {len(headers)} headers and {len(units)} units of torchq/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
