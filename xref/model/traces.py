"""What the running kernel did, as ftrace's function_graph tracer recorded it, set against the
index's call graph: the traced caller -> callee edges the graph has, and those it lacks.

A trace is read from the cleaned form `bench/ftrace/clean.py` writes (`# key: value` header
lines, then one function a line, indented two spaces a call). ftrace sees only functions that
were not inlined, so one traced edge may be several calls in the source: an edge counts as
found when the callee is within `reach` calls of the caller in the graph.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xref.model.callgraph import CallGraph, NoPath
from xref.queries import Index


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

    def names(self) -> set[str]:
        return {name for _, name in self.calls}

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


# Which of some names ftrace cannot show (`Unseen.inline`, `Unseen.untraced`), or None: all can.
Free = Callable[[set[str]], set[str]] | None


class Unseen:
    """Functions the running kernel has no call of that ftrace could show."""

    @staticmethod
    def inline(graph: CallGraph) -> Callable[[set[str]], set[str]]:
        """Those the source declares inline (the compiler may still not inline them)."""
        return graph.inline

    @staticmethod
    def untraced(traceable: frozenset[str]) -> Callable[[set[str]], set[str]]:
        """Those not in the kernel's available_filter_functions: inlined everywhere, or notrace."""
        return lambda names: {n for n in names if n not in traceable}


def read_traceable(directory: Path) -> frozenset[str]:
    """traceable.txt.gz of a trace directory: the functions ftrace could trace in that kernel."""
    path = directory / "traceable.txt.gz"
    return frozenset(gzip.decompress(path.read_bytes()).decode().split()) if path.is_file() else frozenset()


def reachable(graph: CallGraph, names: set[str], reach: int, free: Free = None) -> dict[str, set[str]]:
    """For each name, the functions within `reach` calls of it in the graph (every candidate of a
    call through a field or a parameter counts), read a level at a time for all names at once.
    A call of a function `free` names costs nothing (the running kernel has no call there that
    ftrace could show), so what such a function calls is as near as the function itself."""
    out: dict[str, set[str]] = {name: set() for name in names}
    frontier: dict[str, set[str]] = {name: {name} for name in names}
    for _ in range(reach):
        reached = {name: _callees(graph, ns) - out[name] for name, ns in frontier.items()}
        for _ in range(4 if free else 0):  # through unseen functions, a few levels deep
            inline = free({n for ns in reached.values() for n in ns})
            more = {name: _callees(graph, ns & inline) - ns - out[name] for name, ns in reached.items()}
            if not any(more.values()):
                break
            reached = {name: ns | more[name] for name, ns in reached.items()}
        for name, ns in reached.items():
            out[name] |= ns
        frontier = reached
    return out


def _callees(graph: CallGraph, names: set[str]) -> set[str]:
    found: set[str] = set()
    for edge in graph.forward(sorted(names)) if names else []:
        found.add(edge.callee)
        if edge.through:  # passed to a function that calls it: that function is called too
            found.add(edge.through)
    return found


def edge_recall(graph: CallGraph, traces: list[Trace], reach: int = 2, free: Free = None) -> Recall:
    """The traced edges whose callee is within `reach` calls of the caller in `graph`, calls of the
    functions `free` names not counted. The root's edges get the calls of the wrappers
    SYSCALL_DEFINEx generates too (`__x64_sys_X` -> `__se_sys_X` -> `__do_sys_X`, inlined in
    the running kernel)."""
    pairs = {(t.label, e) for t in traces for e in t.edges()}
    roots = {t.handler for t in traces}
    far = reachable(graph, {caller for _, (caller, _) in pairs}, reach, free)
    wide = reachable(graph, roots, reach + 2, free)
    missing: dict[str, list[tuple[str, str]]] = {}
    found = 0
    for label, (caller, callee) in sorted(pairs):
        if callee in far[caller] or (caller in roots and callee in wide[caller]):
            found += 1
        else:
            missing.setdefault(label, []).append((caller, callee))
    return Recall(len(pairs), found, missing)


# A function in more of the traced calls than this, or called from more places in the index,
# says little about which way a call went (a lock, an allocator, a time stamp): the chain test
# asks for something nearer to what the call is about.
COMMON_TRACES = 3
DISTINCTIVE = 20


def target(graph: CallGraph, trace: Trace, traced_in: dict[str, int]) -> int | None:
    """The line of the trace a path is asked to reach: the deepest function the call tree shows
    once, on the data path (neither it nor a function above it `CallGraph.off_path`: a softirq run
    at bottom-half enable is not the call's own work), defined in the graph's tree, in at most
    COMMON_TRACES traces (`traced_in`: how many each name is in) and called from at most
    DISTINCTIVE places in the index; None when the tree shows none below the handler."""
    counts: dict[str, int] = {}
    for _, name in trace.calls:
        counts[name] = counts.get(name, 0) + 1
    sites = graph.call_sites([name for _, name in trace.calls[1:]])
    best = None
    above: list[tuple[int, bool]] = []  # (depth, off the path) of the functions above the line
    for i, (depth, name) in enumerate(trace.calls[1:], 1):
        while above and above[-1][0] >= depth:
            above.pop()
        astray = graph.off_path(name) or bool(above and above[-1][1])
        above.append((depth, astray))
        if counts[name] > 1 or sites[name] > DISTINCTIVE or astray or not graph.home(name):
            continue
        if traced_in.get(name, 0) > COMMON_TRACES:
            continue
        if best is None or depth > trace.calls[best][0]:
            best = i
    return best


def follows(chain: list[str], traced: list[str]) -> bool:
    """Whether `chain` passes every function of `traced` in order (with others between: the
    functions the running kernel inlined)."""
    it = iter(chain)
    return all(any(name == wanted for name in it) for wanted in traced)


def chain_results(index: Index, traces: list[Trace], graph: CallGraph,
                  among: list[Trace] | None = None) -> list[dict]:
    """For each trace, `xref path SYSCALL --to F` (F: `target`, judged `among` all the traces,
    default `traces`): whether one of its first three chains `follows` the traced chain down to
    F, the time it took, and those three chains."""
    from xref.model.paths import path_hops
    from xref.model.syscalls import NoSyscall, SyscallModel, abi_for

    model = SyscallModel(index, abi_for("x86_64", "x86_64"))
    results = []
    traced_in: dict[str, int] = {}
    for trace in among or traces:
        for name in trace.names():
            traced_in[name] = traced_in.get(name, 0) + 1
    for trace in traces:
        line = target(graph, trace, traced_in)
        if line is None:
            continue
        traced = trace.chain_to(line)
        start = time.perf_counter()
        try:
            route = path_hops(index, model, trace.syscall, traced[-1], 40)
            chains = [[h.symbol for h in c] for c in route.chains[:3]]
            error = ""
        except (NoPath, NoSyscall) as err:
            chains, error = [], str(err)
        seconds = time.perf_counter() - start
        results.append({"label": trace.label, "to": traced[-1], "traced": traced, "seconds": seconds,
                        "found": any(follows(c, traced) for c in chains), "error": error,
                        "chains": chains})
    return results
