"""What the running kernel did, as ftrace's function_graph tracer recorded it, set against the
index's call graph: the traced caller -> callee edges the graph has, and those it lacks.

A trace is read from the cleaned form `bench/ftrace/clean.py` writes (`# key: value` header
lines, then one function a line, indented two spaces a call). ftrace sees only functions that
were not inlined, so one traced edge may be several calls in the source: an edge counts as
found when the callee is within `reach` calls of the caller in the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xref.model.callgraph import CallGraph


@dataclass
class Trace:
    """One traced system call: its header and its call tree as (depth, function) lines."""

    label: str
    syscall: str
    handler: str
    header: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[int, str]] = field(default_factory=list)

    def edges(self) -> set[tuple[str, str]]:
        """(caller, callee) pairs of the call tree, each once."""
        found: set[tuple[str, str]] = set()
        stack: list[str] = []
        for depth, name in self.calls:
            del stack[depth:]
            if stack:
                found.add((stack[-1], name))
            stack.append(name)
        return found

    def chain_to(self, index: int) -> list[str]:
        """The functions from the root down to the line `index` of the call tree."""
        depth, name = self.calls[index]
        chain = [name]
        for d, n in reversed(self.calls[:index]):
            if d < depth:
                chain.append(n)
                depth = d
        return list(reversed(chain))


def read_trace(path: Path) -> Trace:
    header: dict[str, str] = {}
    calls: list[tuple[int, str]] = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            calls.append(((len(line) - len(line.lstrip(" "))) // 2, line.strip()))
    return Trace(header.get("label", path.stem), header.get("syscall", ""), header.get("handler", ""), header, calls)


def read_traces(directory: Path) -> list[Trace]:
    return [read_trace(path) for path in sorted(directory.glob("[0-9]*.txt"))]


@dataclass
class Recall:
    """How many traced edges the graph has, and the missing ones by trace."""

    edges: int
    found: int
    missing: dict[str, list[tuple[str, str]]]

    @property
    def ratio(self) -> float:
        return self.found / self.edges if self.edges else 1.0


def reachable(graph: CallGraph, names: set[str], reach: int) -> dict[str, set[str]]:
    """For each name, the functions within `reach` calls of it in the graph (every candidate of a
    call through a field or a parameter counts), read a level at a time for all names at once."""
    out: dict[str, set[str]] = {name: set() for name in names}
    frontier: dict[str, set[str]] = {name: {name} for name in names}
    for _ in range(reach):
        level = sorted({n for ns in frontier.values() for n in ns})
        callees: dict[str, set[str]] = {}
        for edge in graph.forward(level):
            callees.setdefault(edge.caller, set()).add(edge.callee)
            if edge.through:  # passed to a function that calls it: that function is called too
                callees[edge.caller].add(edge.through)
        frontier = {name: {c for n in ns for c in callees.get(n, ())} - out[name] for name, ns in frontier.items()}
        for name, ns in frontier.items():
            out[name] |= ns
    return out


def edge_recall(graph: CallGraph, traces: list[Trace], reach: int = 2) -> Recall:
    """The traced edges whose callee is within `reach` calls of the caller in `graph`. The root's
    edges get the calls of the wrappers SYSCALL_DEFINEx generates too (`__x64_sys_X` ->
    `__se_sys_X` -> `__do_sys_X`, inlined in the running kernel)."""
    pairs = {(t.label, e) for t in traces for e in t.edges()}
    roots = {t.handler for t in traces}
    far = reachable(graph, {caller for _, (caller, _) in pairs}, reach)
    wide = reachable(graph, roots, reach + 2)
    missing: dict[str, list[tuple[str, str]]] = {}
    found = 0
    for label, (caller, callee) in sorted(pairs):
        if callee in far[caller] or (caller in roots and callee in wide[caller]):
            found += 1
        else:
            missing.setdefault(label, []).append((caller, callee))
    return Recall(len(pairs), found, missing)
