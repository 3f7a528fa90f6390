"""The call graph `xref path` searches: direct calls, calls through struct fields (the
functions registered in them, narrowed by INDIRECT_CALL's guesses and by what fits the object a
chain carries) and functions passed to a parameter the callee calls; and the searches over it.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections import deque
from functools import cache
from pathlib import Path
from typing import NamedTuple

from xref.conditions import DEFAULT_ARCH, evaluate, kernel_srcarch
from xref.queries import PREFERRED, Index

_BATCH = 900  # SQLite's bound-parameter limit, with room to spare
_BUDGET = 60_000  # names one search may expand before it gives up
_ELEMENT = 6  # lines apart two fields of one initializer element may be
# What going from built-in code into a module's costs: of a pointer call's candidates that reach
# the target about as cheaply, the built-in one first (shmem's before ceph's).
_MODULE_COST = 4
# What a call in a branch the code marks as rare (`unlikely`, after an error label) costs more.
_RARE_COST = 6
_SLOW_PATH = ("_slowpath", "_slow_path")
# Other routes may leave a chain and come back to it within this many direct calls, while the
# calls looked at stay this few.
_REJOIN = 2
_REJOIN_WIDTH = 20_000
# What entering code that is the second choice costs (offpath.toml's `second`: IPv6's twins).
_SECOND_COST = 3
# How much dearer a chain through INDIRECT_CALL's guesses may be than one past them and still be
# the one shown.
_HINT_ODDS = 2
# How many names the searches for a chain's other choices may settle between them.
_CHOICES_WORK = 60_000


class Edge(NamedTuple):
    """`caller` reaches `callee` at path:line; `via` says how, `evidence` why we believe it. A
    tuple: a search makes and costs hundreds of thousands of them."""

    caller: str
    callee: str
    via: str
    path: str
    line: int
    evidence: str
    through: str = ""  # a function `caller` passes `callee` to, which calls that parameter
    registered: str = ""  # where the registration of `callee` in the called field is (path)
    hint: bool = False  # INDIRECT_CALL names `callee` at the site: a likely candidate
    leaf: bool = False  # registered where the configuration compiles nothing: shown, not followed
    source: str = ""  # the layer the call fact comes from: ts (tree-sitter) or clang (the semantic pass)


class NoPath(Exception):
    """No chain of calls the index knows leads there; `stopped`: the search gave up at its limit
    rather than running out of calls to follow."""

    def __init__(self, message: str, stopped: bool = False) -> None:
        super().__init__(message)
        self.stopped = stopped


class _OffPath(NamedTuple):
    """offpath.toml: the files and directories, names and name prefixes of code off the data
    path, the directories that are no part of the kernel, and those that are the second choice."""

    directories: tuple[str, ...]
    names: frozenset[str]
    prefixes: tuple[str, ...]
    outside: tuple[str, ...]
    second: tuple[str, ...]


@cache
def _off_path() -> _OffPath:
    rules = tomllib.loads((Path(__file__).with_name("offpath.toml")).read_text())["kernel"]
    return _OffPath(tuple(rules["directories"]), frozenset(rules["names"]), tuple(rules["prefixes"]),
                    tuple(rules["outside"]), tuple(rules["second"]))


class CallGraph:
    """Calls and function-pointer registrations, read a frontier at a time. With `tree_id`, only
    that tree's code: a kernel function never calls into glibc, nor glibc into the kernel."""

    def __init__(self, index: Index, arch: str = DEFAULT_ARCH, tree_id: int | None = None,
                 passed_anywhere: bool = False) -> None:
        self.index = index
        self.tree_id = tree_id
        # A function calling its parameter calls what any caller passes there: a fact for
        # "what may this call", but no way for a path to go (NF_HOOK's okfn would be any of
        # the hundred functions passed to NF_HOOK); paths take the passer's edge (`_passed`).
        self.passed_anywhere = passed_anywhere
        self._own_arch = f"arch/{kernel_srcarch(arch)}/"
        self._skipped: dict[int, bool] = {}
        self._claimed: set[int] | None = None  # files a unit of the semantic pass parsed
        self._holders: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
        self._copies: dict[tuple[str, str, str], str] = {}  # (struct, field, function): the copy that put it there
        self._conditions: dict[tuple[int, str], bool] = {}  # (tree, `#if`): false in its configuration
        self._off: dict[str, bool] = {}  # what `off_path` said of a name the searches met
        self._costs: dict[Edge, int] = {}  # what `cost` said: searches cost the same edges again and again
        self._choices: dict[str, int] = {}  # an edge's `via`: what choosing one of its candidates costs
        self._fit_cache: dict[tuple, set[str]] = {}
        self._guesses: dict[tuple, set[str]] = {}
        self._param_calls: dict[tuple[str, str], str | None] = {}
        self._sent: dict[tuple[str, str], set[tuple[str, str]]] = {}  # see `_senders`
        self._received: dict[tuple[str, str], set[tuple[str, str]]] = {}  # see `_receivers`
        self._site_calls: dict[tuple[str, int, int], set[str]] = {}
        self._out: dict[tuple[str, bool], list[Edge]] = {}
        self._in: dict[tuple[str, bool], list[Edge]] = {}
        self._fan_in: dict[str, int] = {}
        self._behind: dict[tuple[str, bool, bool], _Side] = {}
        self._object_cache: dict[tuple[str, str, str], set[str]] = {}
        self._companion_cache: dict[str, set[str]] = {}
        self._homes: dict[str, str] = {}
        self._macro_out: dict[str, list[tuple[str, str, int, int]]] = {}
        self._macro_in: dict[str, list[tuple[str, str, int, int]]] = {}
        self._macro_depth = 0
        self._inline: dict[str, bool] = {}
        self._modular: set[str] | None = None  # paths of the .c files built only into modules
        self._unlikely: dict[str, list[tuple[int, int]]] = {}  # a file's lines in branches marked rare
        self._rare_lines: dict[tuple[str, int], bool] = {}
        # Names all searches have settled, and how many they may (`chains` gives its other choices
        # a share): bounded by work, not time, a question gets the same answer on a busy machine.
        self.spent = 0
        self.allowance: float = math.inf
        # When searches give up (time.monotonic()) whatever the work: a guard against a question
        # that would take minutes, not the bound answers are meant to meet.
        self.deadline = math.inf
        # Calls through a pointer a forward search met and could not follow: (caller, field, path,
        # line, why), what an answer that stops short names.
        self.unfollowed: list[tuple[str, str, str, int, str]] = []

    def _kept(self, source: str, file_id: int) -> bool:
        """A fact to use: the compiler's, or the parser's in a file no unit parsed (where one did, its
        facts replace the parser's)."""
        if self._claimed is None:
            self._claimed = {row[0] for row in self.index.conn.execute("SELECT DISTINCT file_id FROM clang_files")}
        return source == "clang" or file_id not in self._claimed

    def skipped(self, file_id: int) -> bool:
        """Code that never runs on this path: another tree's, another architecture's arch/
        directory, a .c file the configuration does not build, and, after the semantic pass, C no
        unit compiles (assembly is not parsed by units)."""
        if file_id not in self._skipped:
            tree_id, path, lang = self.index.conn.execute(
                "SELECT tree_id, path, lang FROM files WHERE id = ?", (file_id,)).fetchone()
            self._skipped[file_id] = (self.tree_id is not None and tree_id != self.tree_id) or \
                path.startswith(_off_path().outside) or (
                path.startswith("arch/") and not path.startswith(self._own_arch)) or (
                lang == "c" and self.index.covered(tree_id, path)
                and self.index.conn.execute("SELECT 1 FROM compiled WHERE file_id = ?", (file_id,)).fetchone() is None
            ) or self.index.built(file_id, tree_id, path) is False
        return self._skipped[file_id]

    def off_path(self, name: str) -> bool:
        """A function no data path goes through (offpath.toml): error reporting, debugging,
        sanitizers, tracing; by its name, or where the tree defines it."""
        rules = _off_path()
        return name in rules.names or name.startswith(rules.prefixes) or _off_path_file(self.home(name))

    def detour(self, edge: Edge, name: str) -> bool:
        """Whether following `edge` to `name` leaves the data path: `name` is off it, or the call
        is made in code off it (the sanitizer's own memcpy in mm/kasan/)."""
        off = self._off.get(name)
        if off is None:
            off = self._off[name] = self.off_path(name)
        return off or _off_path_file(edge.path)

    def _rows(self, sql: str, names: list[str]) -> list[tuple]:
        rows = []
        for start in range(0, len(names), _BATCH):
            chunk = names[start:start + _BATCH]
            rows += self.index.conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def _where(self, file_id: int) -> str:
        return self.index._file(file_id)[1]

    def made_at(self, caller: str, path: str, line: int) -> list[str]:
        """What `caller` calls at path:line in any layer: the wrappers a macro makes for an
        architecture other than the one compiled (`__arm64_sys_sendto` on an x86_64 index) are
        only the macro stage's, which `forward` leaves out where the compiler ran."""
        return [callee for callee, file_id in self.index.conn.execute(
            "SELECT DISTINCT callee, file_id FROM calls WHERE caller = ? AND line = ? AND how = 'direct'",
            (caller, line)) if self._where(file_id) == path]

    def forward(self, names: list[str], hinted: bool = False) -> list[Edge]:
        """Edges out of `names`; `hinted`: at a call site whose `INDIRECT_CALL_*` names some of the
        registered candidates, only those (the likely ones)."""
        return self._cached(self._out, names, hinted, self._forward, lambda e: e.caller)

    def backward(self, names: list[str], hinted: bool = False) -> list[Edge]:
        """Edges into `names`, the same way."""
        return self._cached(self._in, names, hinted, self._backward, lambda e: e.callee)

    @staticmethod
    def _cached(cache: dict, names: list[str], hinted: bool, compute, owner) -> list[Edge]:
        """Each name's edges read once: the searches for several chains cross the same functions."""
        wanted = list(dict.fromkeys(names))
        missing = [n for n in wanted if (n, hinted) not in cache]
        if missing:
            found: dict[str, list[Edge]] = {n: [] for n in missing}
            for edge in compute(missing, hinted):
                found.setdefault(owner(edge), []).append(edge)
            for name in missing:
                # In source order, not the order the index happens to store its rows in (its
                # workers finish in any order): the same tree gives the same answers.
                cache[(name, hinted)] = sorted(found[name], key=_edge_order)
        return [edge for name in wanted for edge in cache[(name, hinted)]]

    def _forward(self, names: list[str], hinted: bool) -> list[Edge]:
        edges = []
        for caller, callee, file_id, line, how, struct, source in self._rows(
                "SELECT c.caller, c.callee, c.file_id, c.line, c.how, c.struct, c.source FROM calls c "
                "WHERE c.caller IN ({marks}) AND c.how IN ('direct', 'jump', 'field')", names):
            if not self._kept(source, file_id) or self.skipped(file_id):
                continue
            path = self._where(file_id)
            if how == "field":
                if not struct:  # the pointer's type is unknown here: no candidates to offer
                    self.unfollowed.append((caller, callee, path, line, "the pointer's struct is not known"))
                    continue
                registered = self._registered(struct, callee)
                if not registered:
                    self.unfollowed.append((caller, f"{struct}.{callee}", path, line, "nothing is registered there"))
                for function, reg_file, reg_line in registered:
                    evidence = self._registered_at(reg_file, reg_line, self._copies.get((struct, callee, function)))
                    edges.append(Edge(caller, function, f"indirect via struct {struct}.{callee}", path, line, evidence,
                                      leaf=self.skipped(reg_file), registered=self._where(reg_file), source=source))
            else:
                edges.append(Edge(caller, callee, "call" if how == "direct" else "jump", path, line,
                                  f"{path}:{line}", source=source))
        if hinted:
            edges = _keep_hints(edges)
        return (self._expand_macros(_merge_hints(edges)) + self._passed(names, backward=False)
                + (self._parameter_calls(names, backward=False) if self.passed_anywhere else []))

    def _registered_at(self, file_id: int, line: int, copy: str | None) -> str:
        """A pointer call's evidence: the registration, the copy that carried it, a module's."""
        where = self._where(file_id)
        return f"registered at {where}:{line}" + (f", {copy}" if copy else "") + (
            "; built as a module" if self.modular(where) else "")

    def _macro_calls(self, macros: list[str], column: str) -> dict[str, list[tuple[str, str, int, int]]]:
        """The calls function-like macros' bodies make (the tree-sitter pass records them, how
        `macro`), by `column` (caller: the macro; callee: the function called): (macro, callee,
        file, line). Kept in every file: the compiler's facts have no macros to replace them."""
        cache = self._macro_out if column == "caller" else self._macro_in
        missing = [m for m in dict.fromkeys(macros) if m not in cache]
        for name in missing:
            cache[name] = []
        rows = [row for row in (self._rows("SELECT caller, callee, file_id, line FROM calls WHERE how = 'macro' AND "
                                           f"{column} IN ({{marks}})", missing) if missing else [])
                if not self.skipped(row[2])]
        off = self._not_configured(sorted({caller for caller, _, _, _ in rows}))
        for caller, callee, file_id, line in rows:
            # the body of a definition the configuration leaves out (`likely` with branch profiling)
            definition = max((d for d in off.get((caller, file_id), ()) if d[0] <= line), default=None)
            if definition is None or not definition[1]:
                cache[caller if column == "caller" else callee].append((caller, callee, file_id, line))
        for name in missing:  # one call of each function by each macro: the first place that makes it
            first: dict[tuple[str, str], tuple[str, str, int, int]] = {}
            for call in sorted(cache[name]):
                first.setdefault(call[:2], call)
            cache[name] = list(first.values())
        return {m: cache[m] for m in macros}

    def _not_configured(self, macros: list[str]) -> dict[tuple[str, int], list[tuple[int, bool]]]:
        """The definitions of `macros`, by (name, file): (line, whether the `#if` around it is false
        with the tree's build configuration)."""
        found: dict[tuple[str, int], list[tuple[int, bool]]] = {}
        for name, file_id, line, condition in self._rows(
                "SELECT name, file_id, line, scope FROM defs WHERE kind = 'macro' AND name IN ({marks})", macros):
            found.setdefault((name, file_id), []).append((line, self._false(file_id, condition)))
        return found

    def _false(self, file_id: int, condition: str) -> bool:
        if not condition:
            return False
        tree_id = self.index.tree_of(file_id)
        key = (tree_id, condition)
        if key not in self._conditions:
            self._conditions[key] = evaluate(condition, self.index.build_configuration(tree_id)) is False
        return self._conditions[key]

    def _expand_macros(self, edges: list[Edge], depth: int = 4) -> list[Edge]:
        """A call of a function-like macro is the calls its body makes (`spin_lock` ->
        `raw_spin_lock` (a macro) -> `_raw_spin_lock`), at the same call site; where a function
        has the name too (another configuration's, or a tool's), the call of it stays beside them."""
        out, todo = [], edges
        seen: set[tuple[str, str, int, str]] = set()  # a call site reaches each function once
        for level in range(depth):
            direct = [e.callee for e in todo if e.via == "call"]
            bodies = self._macro_calls(direct, "caller") if direct else {}
            if level:
                self._load_homes(direct)
            else:
                self._load_homes([m for m, calls in bodies.items() if calls])
            expanded = []
            for edge in todo:
                calls = bodies.get(edge.callee) if edge.via == "call" else None
                # What a macro's body names but the tree defines no function of is no call: an
                # attribute (`__aligned` -> `__attribute__`), a compile-time check, a builtin.
                if (not level and not calls) or self.home(edge.callee):
                    out.append(edge)
                for macro, callee, file_id, line in calls or ():
                    key = (edge.caller, edge.path, edge.line, callee)
                    if key in seen:
                        continue
                    seen.add(key)
                    expanded.append(Edge(edge.caller, callee, edge.via, edge.path, edge.line,
                                         f"{edge.evidence} through the macro {macro} ({self._where(file_id)}:{line})",
                                         *edge[6:]))
            todo = expanded
            if not todo:
                break
        self._load_homes([e.callee for e in todo])
        return out + [e for e in todo if self.home(e.callee)]  # deeper than `depth` macros: only functions

    def _backward(self, names: list[str], hinted: bool) -> list[Edge]:
        edges = []
        for caller, callee, file_id, line, how, source in self._rows(
                "SELECT c.caller, c.callee, c.file_id, c.line, c.how, c.source FROM calls c WHERE c.callee IN "
                "({marks}) AND c.how IN ('direct', 'jump') AND c.caller != ''", names):
            if not self._kept(source, file_id) or self.skipped(file_id):
                continue
            path = self._where(file_id)
            edges.append(Edge(caller, callee, "call" if how == "direct" else "jump", path, line, f"{path}:{line}",
                              source=source))
        # A function registered in struct T's field is reached from every call through T.field.
        registrations: dict[tuple[str, str, str], list[tuple[str, int, int]]] = {}
        for struct, field, function, reg_file, reg_line, reg_source in self._rows(
                "SELECT DISTINCT c.struct, c.field, c.func, c.file_id, c.line, c.source FROM regs c WHERE c.func IN "
                "({marks}) AND c.struct != '' AND c.how IN ('initializer', 'assignment')", names):
            if self._kept(reg_source, reg_file):
                registrations.setdefault((struct, field, function), []).append((function, reg_file, reg_line))
        # Passed to a function that stores that parameter in a field (init_waitqueue_func_entry).
        for struct, field, function, reg_file, reg_line, reg_source in self._rows(
                "SELECT DISTINCT p.struct, p.field, a.func, a.file_id, a.line, a.source FROM regs a JOIN regs p "
                "ON p.context = a.callee AND p.argpos = a.argpos AND p.how = 'param' WHERE a.func IN ({marks}) "
                "AND a.how = 'argument' AND p.struct != ''", names):
            if self._kept(reg_source, reg_file):
                registrations.setdefault((struct, field, function), []).append((function, reg_file, reg_line))
        copies: dict[tuple[str, str, str], str] = {}
        for (struct, field, function), rows in list(registrations.items()):
            for (into, into_field), copy in self._copied_into(struct, field).items():
                registrations.setdefault((into, into_field, function), []).extend(rows)
                copies[(into, into_field, function)] = copy
        for (struct, field, function), rows in registrations.items():
            # The same registration as evidence whichever way the search found the call.
            _, reg_file, reg_line = self._best_registrations(rows)[0]
            for caller, file_id, line, source in self.index.conn.execute(
                    "SELECT c.caller, c.file_id, c.line, c.source FROM calls c WHERE c.callee = ? AND c.how = 'field' "
                    "AND c.struct = ? AND c.caller != ''", (field, struct)):
                if not self._kept(source, file_id) or self.skipped(file_id):
                    continue
                if hinted and self._hints_elsewhere(caller, file_id, line, struct, field, function):
                    continue
                evidence = self._registered_at(reg_file, reg_line, copies.get((struct, field, function)))
                edges.append(Edge(caller, function, f"indirect via struct {struct}.{field}", self._where(file_id),
                                  line, evidence, leaf=self.skipped(reg_file), registered=self._where(reg_file),
                                  source=source))
        return (_merge_hints(edges) + self._macro_callers(names, hinted) + self._passed(names, backward=True)
                + (self._parameter_calls(names, backward=True) if self.passed_anywhere else []))

    def _macro_callers(self, names: list[str], hinted: bool) -> list[Edge]:
        """Calls of `names` through a macro's body: each call of the macro calls them."""
        found = self._macro_calls(names, "callee")
        macros = [m for m in dict.fromkeys(m for rows in found.values() for m, _, _, _ in rows) if m not in names]
        if not macros:
            return []
        if self._macro_depth >= 4:  # macros calling macros: a few levels, never a cycle
            return []
        self._macro_depth += 1
        try:
            into: dict[str, list[Edge]] = {}
            for edge in self.backward(macros, hinted):
                into.setdefault(edge.callee, []).append(edge)
        finally:
            self._macro_depth -= 1
        edges = []
        for name, rows in found.items():
            for macro, _, file_id, line in rows:
                for edge in into.get(macro, []):
                    edges.append(edge._replace(callee=name, evidence=f"{edge.evidence} through the macro {macro} "
                                                                       f"({self._where(file_id)}:{line})"))
        return edges

    def _hints_elsewhere(self, caller: str, file_id: int, line: int, struct: str, field: str, function: str) -> bool:
        """The call site names other candidates of struct.field directly (INDIRECT_CALL's guesses), not `function`."""
        key = (caller, file_id, line)
        if key not in self._site_calls:
            self._site_calls[key] = {callee for callee, source in self.index.conn.execute(
                "SELECT c.callee, c.source FROM calls c WHERE c.caller = ? AND c.file_id = ? AND c.line = ? "
                "AND c.how = 'direct'", key) if self._kept(source, file_id)}
        if function in self._site_calls[key]:
            return False
        return bool(self._named_candidates(key, struct, field))

    def _named_candidates(self, site: tuple[str, int, int], struct: str, field: str) -> set[str]:
        """The direct calls at a site that are registered in struct.field (INDIRECT_CALL's guesses)."""
        key = (*site, struct, field)
        if key not in self._guesses:
            calls = sorted(self._site_calls[site])
            marks = ",".join("?" * len(calls))
            self._guesses[key] = {row[0] for row in self.index.conn.execute(
                f"SELECT DISTINCT func FROM regs WHERE struct = ? AND field = ? AND func IN ({marks}) "
                "AND how IN ('initializer', 'assignment')", (struct, field, *calls))} if calls else set()
        return self._guesses[key]

    def _passed(self, names: list[str], backward: bool) -> list[Edge]:
        """Functions passed to a function that calls that parameter (`NF_HOOK(..., okfn)`), as one
        edge from the function passing it, through the one calling it."""
        column = "func" if backward else "context"
        edges = []
        for context, callee, argpos, function, file_id, line, source in self._rows(
                "SELECT c.context, c.callee, c.argpos, c.func, c.file_id, c.line, c.source FROM regs c WHERE "
                f"c.{column} IN ({{marks}}) AND c.how = 'argument'", names):
            if not self._kept(source, file_id):
                continue
            site = self._param_call(callee, argpos)
            if site is None or not context:
                continue
            path = self._where(file_id)
            edges.append(Edge(context, function, f"indirect via parameter {argpos} of {callee}", path, line,
                              f"{context} passes it at {path}:{line}; {callee} calls it at {site}", callee,
                              source=source))
        return edges

    def _parameter_calls(self, names: list[str], backward: bool) -> list[Edge]:
        """A function calling its parameter calls every function some caller passes there
        (`folio_batch_move_lru(fbatch, lru_add_fn)` then `move_fn(lruvec, folio)`), or passes to a
        function that hands its own parameter on to it (`ip_append_data(..., getfrag)` to
        __ip_append_data): one edge from the function calling it to each, with the first place
        passing it as evidence. `_passed` has the same calls as seen from the function passing
        it, which knows which one it is."""
        if backward:
            passed = self._rows("SELECT r.callee, r.argpos, r.func, r.file_id, r.line, r.context, r.source FROM regs r "
                                "WHERE r.func IN ({marks}) AND r.how = 'argument'", names)
            receivers = {r for row in passed for r in self._receivers(row[0], str(row[1]))}
            calls = self._rows("SELECT c.caller, c.via, c.file_id, c.line, c.source FROM calls c WHERE c.caller IN "
                               "({marks}) AND c.how = 'param'", sorted({r[0] for r in receivers}))
        else:
            calls = self._rows("SELECT c.caller, c.via, c.file_id, c.line, c.source FROM calls c WHERE c.caller IN "
                               "({marks}) AND c.how = 'param'", names)
            senders = {s for row in calls for s in self._senders(row[0], row[1])}
            passed = self._rows("SELECT r.callee, r.argpos, r.func, r.file_id, r.line, r.context, r.source FROM regs r "
                                "WHERE r.callee IN ({marks}) AND r.how = 'argument'", sorted({s[0] for s in senders}))
        passers: dict[tuple[str, str], dict[str, tuple[int, int, str]]] = {}
        for callee, argpos, function, file_id, line, context, source in passed:
            if context and self._kept(source, file_id) and not self.skipped(file_id):
                passers.setdefault((callee, str(argpos)), {}).setdefault(function, (file_id, line, context))
        edges = []
        for caller, position, file_id, line, source in calls:
            if not self._kept(source, file_id) or self.skipped(file_id):
                continue
            path = self._where(file_id)
            for sender in sorted(self._senders(caller, position)):
                onward = f" to {sender[0]}, which passes it on" if sender[0] != caller else ""
                for function, (pass_file, pass_line, context) in passers.get(sender, {}).items():
                    edges.append(Edge(caller, function, f"indirect via parameter {position}", path, line,
                                      f"{context} passes it at {self._where(pass_file)}:{pass_line}{onward}",
                                      source=source))
        return edges

    def _senders(self, function: str, position: str) -> set[tuple[str, str]]:
        """(function, parameter position) pairs whose callers' functions reach `function`'s
        parameter at `position`: itself, and the functions passing a parameter of theirs on to it
        (ip_append_data's 3rd, passed to __ip_append_data's 6th), up to 3 deep."""
        return self._forwarded(function, position, "callee = ? AND argpos = ?", "context, field", self._sent)

    def _receivers(self, function: str, position: str) -> set[tuple[str, str]]:
        """The pairs `function`'s parameter at `position` is passed on to (see `_senders`), and itself."""
        return self._forwarded(function, position, "context = ? AND field = ?", "callee, argpos", self._received)

    def _forwarded(self, function: str, position: str, where: str, columns: str, cache: dict) -> set[tuple[str, str]]:
        key = (function, str(position))
        if key not in cache:
            found, todo = {key}, [key]
            for _ in range(3):
                step = []
                for pair in todo:
                    for name, pos, file_id, source in self.index.conn.execute(
                            f"SELECT {columns}, file_id, source FROM regs WHERE how = 'forward' AND {where}", pair):
                        if self._kept(source, file_id) and not self.skipped(file_id) and (name, str(pos)) not in found:
                            found.add((name, str(pos)))
                            step.append((name, str(pos)))
                todo = step
            cache[key] = found
        return cache[key]

    def _param_call(self, function: str, position: int) -> str | None:
        """Where `function` calls its parameter at `position`, or where a function it passes that
        parameter on to does; None when none does."""
        key = (function, str(position))
        if key not in self._param_calls:
            found = None
            for receiver, at in sorted(self._receivers(*key), key=lambda pair: (pair != key, pair)):
                row = next(((file_id, line) for file_id, line, source in self.index.conn.execute(
                    "SELECT c.file_id, c.line, c.source FROM calls c WHERE c.caller = ? AND c.how = 'param' "
                    "AND c.via = ?", (receiver, at)) if self._kept(source, file_id)), None)
                if row:
                    found = f"{self._where(row[0])}:{row[1]}" + (f" ({receiver})" if receiver != function else "")
                    break
            self._param_calls[key] = found
        return self._param_calls[key]

    def _registered(self, struct: str, field: str) -> list[tuple[str, int, int]]:
        """The functions registered in struct.field, and in the fields copied into it
        (`new->hooks[n].hook = reg->hook`: nf_hook_entry.hook holds what nf_hook_ops.hook held)."""
        key = (struct, field)
        if key not in self._holders:
            self._holders[key] = []  # a copy back into a field on the way adds nothing
            rows = []
            for function, file_id, line, how, context, argpos, source in self.index.conn.execute(
                    "SELECT c.func, c.file_id, c.line, c.how, c.context, c.argpos, c.source FROM regs c "
                    "WHERE c.struct = ? AND c.field = ? AND c.how IN ('initializer', 'assignment', 'copy', 'param')",
                    key):
                if not self._kept(source, file_id):
                    continue
                if how == "param":
                    # `wq_entry->func = func` in init_waitqueue_func_entry: the functions its callers pass
                    rows += self._passed_at(context, argpos)
                elif how == "copy":
                    copied = self._registered(context, function)
                    for held, _, _ in copied:
                        self._copies.setdefault((struct, field, held), f"{context}.{function} copied into it at "
                                                                       f"{self._where(file_id)}:{line}")
                    rows += copied
                else:
                    rows.append((function, file_id, line))
            self._holders[key] = self._best_registrations(rows)
        return self._holders[key]

    def _passed_at(self, function: str, position: int) -> list[tuple[str, int, int]]:
        """The functions the calls of `function` pass at `position`, directly or to a function
        passing them on (`_senders`): (name, file, line) of each call."""
        return [(name, file_id, line) for sender, at in sorted(self._senders(function, str(position)))
                for name, file_id, line, source in self.index.conn.execute(
                    "SELECT func, file_id, line, source FROM regs WHERE how = 'argument' AND callee = ? AND argpos = ?",
                    (sender, int(at))) if self._kept(source, file_id)]

    def _copied_into(self, struct: str, field: str) -> dict[tuple[str, str], str]:
        """The fields struct.field is copied into, and those they are copied into: for each, the
        first copy that fills it (`Qdisc_ops.enqueue copied into it at path:line`)."""
        found: dict[tuple[str, str], str] = {}
        for (s, f), into, file_id, line, _ in self.index.copies([(struct, field)]):
            found.setdefault(into, f"{s}.{f} copied into it at {self._where(file_id)}:{line}")
        return found

    def _best_registrations(self, rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """One registration per function as its evidence: a compiled one, beside its definition."""
        self._load_homes([row[0] for row in rows])
        best: dict[str, tuple] = {}
        for function, file_id, line in rows:
            path = self._where(file_id)
            rank = (self.skipped(file_id), _directory(path) != _directory(self.home(function)), path, line)
            if function not in best or rank < best[function][0]:
                best[function] = (rank, file_id, line)
        return [(function, file_id, line) for function, (_, file_id, line) in best.items()]

    def shortest(self, start: str, target: str, depth: int, bound: float = math.inf) -> list[Edge]:
        """The cheapest chain of calls from `start` to `target` (see `cost`; none dearer than
        `bound`), through the `INDIRECT_CALL` guesses at the sites that have them, unless a chain
        past them costs less than half as much (the guesses name the common case: inet_recvmsg
        for a socket's recvmsg, a long way round to packet_recvmsg's skb_recv_datagram)."""
        try:
            plain = self._cheapest(start, target, depth, False, bound)
        except NoPath as err:
            if err.stopped:
                raise
            raise NoPath(f"{err}{self._only_off_path(start, target, depth, bound)}") from None
        if not any(e.registered and not e.hint and any(x.hint for x in self.site(e)) for e in plain):
            return plain  # it passes no guess by: the search keeping to them finds the same
        try:
            return self._cheapest(start, target, depth, True, min(bound, sum(map(self.cost, plain)) * _HINT_ODDS))
        except NoPath:
            return plain

    def _only_off_path(self, start: str, target: str, depth: int, bound: float) -> str:
        """Where the data path has no chain to `target` but one through code off it does (a
        preemption point's `__schedule`), what to ask to see it (asked after a search that ran out
        of calls to follow, not one that stopped at its limit)."""
        if self.off_path(target) or self.off_path(start):
            return ""
        try:
            chain = self._cheapest(start, target, depth, False, bound, astray=True)
        except NoPath:
            return ""
        off = next((e.callee for e in chain if self.detour(e, e.callee)), None)
        return f"; one passes {off}, which is off the data path: ask with --through {off}" if off else ""

    def cost(self, edge: Edge) -> int:
        """What taking a call costs the search: one step, more for a callee that half the tree calls
        (a utility like _printk: the path through it is rarely the one meant), more for leaving
        the caller's subsystem (net/ to kernel/ to drivers/ and back is a detour), two steps for a
        function passed to one that calls it (`ip_fragment(..., ip_finish_output2)`), more for a
        pointer call with many candidates (`_choice_cost`), more for entering a module from built-in
        code, for a call in a branch marked `unlikely`, and for entering code that is the second
        choice (IPv6's, where IPv4's twin gets there as cheaply)."""
        known = self._costs.get(edge)
        if known is not None:
            return known
        cost = 2 + (2 if edge.through else 0) + self._fan_in_cost(edge.callee) + (2 if self._crosses(edge) else 0) \
            + self._choice_cost(edge) \
            + (_MODULE_COST if self._enters_module(edge) else 0) + (_RARE_COST if self._rare(edge) else 0) \
            + (_SECOND_COST if self._enters_second(edge) else 0)
        self._costs[edge] = cost
        return cost

    def _enters_second(self, edge: Edge) -> bool:
        second = _off_path().second
        return self.home(edge.callee).startswith(second) and not edge.path.startswith(second)

    def _rare(self, edge: Edge) -> bool:
        """Whether the call is made in a branch the code marks as rare (`if (unlikely(nosec))`),
        or enters what the kernel names its slow path (`__alloc_pages_slowpath`, taken when
        get_page_from_freelist finds nothing)."""
        if edge.callee.endswith(_SLOW_PATH):
            return True
        key = (edge.path, edge.line)
        if key not in self._rare_lines:
            ranges = self._unlikely.get(edge.path)
            if ranges is None:
                ranges = self._unlikely[edge.path] = [tuple(row) for row in self.index.conn.execute(
                    "SELECT u.start, u.end FROM unlikely u JOIN files f ON f.id = u.file_id WHERE f.path = ?"
                    + (f" AND f.tree_id = {int(self.tree_id)}" if self.tree_id is not None else ""), (edge.path,))]
            self._rare_lines[key] = any(start <= edge.line <= end for start, end in ranges)
        return self._rare_lines[key]

    def _enters_module(self, edge: Edge) -> bool:
        """Whether the call goes from code built into the kernel to code the configuration builds
        only as a module (obj-m): a kernel without that module loaded never takes it."""
        return self.modular(self.home(edge.callee)) and not self.modular(edge.path)

    def modular(self, path: str) -> bool:
        """Whether the configuration builds the file at `path` only into a module."""
        if self._modular is None:
            self._modular = {path for (path,) in self.index.conn.execute(
                "SELECT f.path FROM modular m JOIN files f ON f.id = m.file_id"
                + (f" WHERE f.tree_id = {int(self.tree_id)}" if self.tree_id is not None else ""))}
        return path in self._modular

    def _choice_cost(self, edge: Edge) -> int:
        """A pointer call with n candidates costs log2(n) more: choosing one of 300 notifier
        callbacks says less about where the call goes than one of 2 address families."""
        if edge.hint:
            return 0
        choice = self._choices.get(edge.via)
        if choice is None:
            choice = 0
            if edge.via.startswith("indirect via struct "):
                struct, field = _struct_field(edge)
                choice = int(math.log2(max(1, len(self._registered(struct, field)))))
            self._choices[edge.via] = choice
        return choice

    def _fan_in_cost(self, name: str) -> int:
        if name not in self._fan_in:
            self._load_fan_in([name])
        return self._fan_in[name]

    def _load_fan_in(self, names: list[str]) -> None:
        missing = [n for n in dict.fromkeys(names) if n not in self._fan_in]
        counts = self.call_sites(missing) if missing else {}
        for name in missing:
            self._fan_in[name] = int(math.log2(1 + counts.get(name, 0)) / 2)

    def _crosses(self, edge: Edge) -> bool:
        here, there = _subsystem(edge.path), _subsystem(self.home(edge.callee))
        return here is not None and there is not None and here != there

    def home(self, name: str) -> str:
        """Where `name` is defined (see `_load_homes`)."""
        if name not in self._homes:
            self._load_homes([name])
        return self._homes[name]

    def _load_homes(self, names: list[str]) -> None:
        """Where each function is defined: in the graph's tree, the architecture's own definition
        first, then generic code, then other architectures' (`Index.place_rank`)."""
        missing = [n for n in dict.fromkeys(names) if n not in self._homes]
        found: dict[str, tuple[int, str]] = {}
        for name, path, tree_id in self._rows(
                "SELECT d.name, f.path, f.tree_id FROM defs d JOIN files f ON f.id = d.file_id "
                "WHERE d.name IN ({marks}) AND d.kind IN ('function', 'label')", missing) if missing else []:
            if self.tree_id is not None and tree_id != self.tree_id:
                continue
            rank = (self.index.place_rank(tree_id, path), path)
            if name not in found or rank < found[name]:
                found[name] = rank
        for name in missing:
            self._homes[name] = found[name][1] if name in found else ""

    def _cheapest(self, start: str, target: str, depth: int, hinted: bool, bound: float = math.inf,
                  astray: bool = False) -> list[Edge]:
        """Bidirectional Dijkstra over integer costs, a whole cost level of one side expanded at once
        (one query per level); at most `depth` calls on the chain; through code off the data path
        only if `astray` or `target` is off it."""
        if start == target:
            return []
        # The side searching back from the target is the same for every start: kept, and grown
        # further only as far as a later search needs.
        # Asked for a function off the data path (`--to panic`, `--through do_softirq`): detours allowed.
        astray = astray or self.off_path(target) or self.off_path(start)
        key = (target, hinted, astray)
        if key not in self._behind:
            self._behind[key] = _Side(target, lambda e: e.caller, forward=False)
        sides = [_Side(start, lambda e: e.callee, forward=True), self._behind[key]]
        best: tuple[float, str] = (sides[1].cost[start], start) if start in sides[1].cost else (math.inf, "")
        settled = 0
        while sides[0].levels:
            # Once the target's side has reached all it can, its costs are exact: only the
            # start's side still grows.
            if sides[0].low() + (sides[1].low() if sides[1].levels else 0) >= min(best[0], bound):
                break
            side = min((s for s in sides if s.levels), key=lambda s: (s.low(), len(s.levels[s.low()])))
            other = sides[1 - sides.index(side)]
            names = side.pop()
            settled += len(names)
            self.spent += len(names)
            if settled > _BUDGET or self._exhausted():
                break
            edges = self.forward(names, hinted) if side.forward else self.backward(names, hinted)
            self._load_fan_in([e.callee for e in edges])  # what `cost` reads, in one query each
            self._load_homes([e.callee for e in edges])
            forward, costs, hops = side.forward, side.cost, side.hops
            for edge in edges:
                name, near = (edge.callee, edge.caller) if forward else (edge.caller, edge.callee)
                if edge.leaf and edge.callee != target:
                    continue  # registered where nothing is compiled: shown, not followed
                if name != start and name != target and self.detour(edge, name) and not astray:
                    continue  # error reporting and debugging are never the way data goes (unless asked for)
                if hops[near] >= depth:
                    continue
                if side.relax(name, costs[near] + self.cost(edge), edge, hops[near] + 1) and name in other.cost:
                    total = costs[name] + other.cost[name]
                    if total < best[0] and hops[name] + other.hops[name] <= depth:
                        best = (total, name)
        if not best[1] or best[0] > bound:
            stopped = self._exhausted() or settled > _BUDGET
            raise NoPath(f"no chain of at most {depth} calls from {start} to {target} in the index"
                         + (" (the search stopped at its limit)" if stopped else ""), stopped)
        return self._join(best[1], sides[0].parent, sides[1].parent)

    def chains(self, start: str, target: str, depth: int, limit: int = 8, searches: int = 24,
               work: int = _CHOICES_WORK) -> list[list[Edge]]:
        """The cheapest chain made consistent (see `_consistent`), then, at each call site on a
        chain found with other candidates (the other `INDIRECT_CALL` guesses, the other functions
        registered for the field), the cheapest chain through each of those: one chain per
        choice; consistent chains first, then cheapest first. The searches for other choices
        settle at most `work` names between them: the first chain is never given up for them."""
        budget = [searches]
        best = self._consistent(self.shortest(start, target, depth), target, depth, budget)
        found = {tuple(e.callee for e in best): best}
        # Other choices are worth showing while they cost at most half again as much.
        ceiling = 1.5 * sum(map(self.cost, best))
        # Other routes to the target through direct calls, after the other choices.
        routes = {tuple(e.callee for e in route): route for route in self._other_routes(best, target, depth, ceiling)}
        queue = deque([(best, 0)])  # a chain and where it first left the one it came from
        outer = self.allowance
        self.allowance = min(outer, self.spent + work)
        try:
            self._other_choices(queue, found, target, depth, limit, budget, ceiling)
        finally:
            self.allowance = outer
        for key, route in routes.items():
            found.setdefault(key, route)
        # Chains alike by those measures in source order: where their calls are made, then where
        # the functions they call are defined (net/ipv4 before net/ipv6 at one pointer call;
        # neigh_direct_output before neigh_resolve_output), then their names.
        return sorted(found.values(), key=lambda chain: (self._strays(chain), tuple(e.callee for e in chain) in routes,
                                                          sum(map(self.cost, chain)), len(chain),
                                                          [(e.path, e.line, self.home(e.callee), e.callee)
                                                           for e in chain]))

    def _exhausted(self) -> bool:
        return self.spent > self.allowance or time.monotonic() > self.deadline

    def _other_choices(self, queue: deque, found: dict, target: str, depth: int, limit: int, budget: list[int],
                       ceiling: float) -> None:
        """Breadth first from the chains in `queue`: the chain through each other candidate at
        each pointer call, added to `found` (and to the queue) until `limit`, the budget of
        searches or the work allowed runs out."""
        while queue and len(found) < limit and budget[0] > 0 and not self._exhausted():
            chain, since = queue.popleft()
            # Not at the last call: its other candidates are instead of the target, not on the way.
            for i in range(since, len(chain) - 1):
                for sibling in self._siblings(chain, i)[:4]:
                    if len(found) >= limit or budget[0] <= 0 or self._exhausted():
                        break
                    new = self._instead(chain, i, sibling, target, depth, budget, ceiling)
                    if new is None:
                        continue
                    key = tuple(e.callee for e in new)
                    if key not in found:
                        found[key] = new
                        queue.append((new, i + 1))

    def _instead(self, chain: list[Edge], i: int, other: Edge, target: str, depth: int, budget: list[int],
                 ceiling: float) -> list[Edge] | None:
        """The chain with call i replaced by `other` and the cheapest way on from there, made
        consistent; None when that costs more than `ceiling`."""
        budget[0] -= 1
        spent = sum(map(self.cost, chain[:i])) + self.cost(other)
        try:
            rest = self.shortest(other.callee, target, depth - i - 1, ceiling - spent)
        except NoPath:
            return None
        return self._consistent(chain[:i] + [other] + rest, target, depth, budget, since=i + 1)

    def _other_routes(self, chain: list[Edge], target: str, depth: int, ceiling: float,
                      limit: int = 3) -> list[list[Edge]]:
        """The cheapest chains that leave `chain` by another direct call and go on the cheapest way
        the search from the target found (udp_recvmsg reaches udp_rmem_release through
        __skb_recv_udp as well as through __sk_queue_drop_skb), or come back to it within
        `_REJOIN` direct calls (____sys_sendmsg's __sock_sendmsg, the wrapper of the
        sock_sendmsg_nosec it also calls): at most `limit`, none dearer than `ceiling`."""
        behind = [side for (end, _, _), side in self._behind.items() if end == target]
        leaving: list[tuple[int, Edge, float]] = []
        spent = 0
        for i, taken in enumerate(chain[:-1]):
            before = {e.caller for e in chain[:i + 1]}
            for edge in self.forward([taken.caller]):
                if edge.via != "call" or edge.callee == taken.callee or edge.callee in before or edge.leaf \
                        or self.detour(edge, edge.callee):
                    continue
                leaving.append((i, edge, spent + self.cost(edge)))
            spent += self.cost(taken)
        later = {e.callee: k for k, e in enumerate(chain)}
        back = self._ways_back([edge.callee for _, edge, _ in leaving])
        options: list[tuple[float, int, list[Edge]]] = []
        for i, edge, cost in leaving:
            for side in behind:
                if edge.callee in side.cost and side.hops[edge.callee] + i + 1 <= depth:
                    tail, name = [], edge.callee
                    while side.parent.get(name) is not None:
                        tail.append(side.parent[name])
                        name = tail[-1].callee
                    if name == target:
                        options.append((cost + side.cost[edge.callee], i, chain[:i] + [edge] + tail))
            for way in back.get(edge.callee, []):
                k = later.get(way[-1].callee, -1)
                if k >= i:
                    options.append((cost + sum(map(self.cost, way)) + sum(map(self.cost, chain[k + 1:])), i,
                                    chain[:i] + [edge] + way + chain[k + 1:]))
        routes: dict[tuple[str, ...], list[Edge]] = {}
        # Alike by cost and length, in the order the calls they leave by are made (do_futex's
        # switch: futex_wait's case, then futex_wake's, ...).
        for total, _, route in sorted(options, key=lambda o: (o[0], len(o[2]), _edge_order(o[2][o[1]]))):
            if total > ceiling or len(route) > depth or len({e.callee for e in route}) < len(route):
                continue
            routes.setdefault(tuple(e.callee for e in route), route)
            if len(routes) >= limit:
                break
        return list(routes.values())

    def _ways_back(self, names: list[str]) -> dict[str, list[list[Edge]]]:
        """From each name, the chains of up to `_REJOIN` direct calls (off-path code left out)."""
        ways: dict[str, list[list[Edge]]] = {name: [] for name in names}
        frontier = [(name, []) for name in dict.fromkeys(names)]
        for _ in range(_REJOIN):
            edges: dict[str, list[Edge]] = {}
            for edge in self.forward(list({name for name, _ in frontier})):
                if edge.via == "call" and not edge.leaf and not self.detour(edge, edge.callee):
                    edges.setdefault(edge.caller, []).append(edge)
            nxt = []
            for name, way in frontier:
                for edge in edges.get(name, []):
                    longer = way + [edge]
                    ways[longer[0].caller].append(longer)
                    nxt.append((edge.callee, longer))
            frontier = nxt
            if len(frontier) > _REJOIN_WIDTH:
                break
        return ways

    def _siblings(self, chain: list[Edge], i: int) -> list[Edge]:
        """The other candidates at chain[i]'s call site when a field is called there (not the
        other calls nested on the same line), best first: those fitting the chain (`_fits`),
        INDIRECT_CALL's guesses, then the cheapest to the target by what the searches towards it
        have found (the call into a module costs more)."""
        edge = chain[i]
        before = {x.caller for x in chain[:i + 1]}
        site = [e for e in self.forward([edge.caller]) if (e.path, e.line) == (edge.path, edge.line)]
        hints = {e.callee for e in site if e.hint}
        siblings = list({e.callee: e for e in reversed(site) if e.via.startswith("indirect via struct")
                         and e.callee != edge.callee and e.callee not in before and not e.leaf}.values())
        return sorted(siblings, key=lambda e: (not self._fits(chain, i, e), e.callee not in hints,
                                               self.cost(e) + self._reached(e.callee)))

    def _reached(self, name: str) -> float:
        """The cost to the target the searches towards it have found for `name` so far."""
        return min((side.cost.get(name, math.inf) for side in self._behind.values()), default=math.inf)

    def _fits(self, chain: list[Edge], i: int, edge: Edge, directories: bool = True) -> bool:
        """Whether candidate `edge` at call i fits the chain (see `_fitting`)."""
        return edge.callee in self._fitting(chain, i, directories)

    def _fitting(self, chain: list[Edge], i: int, directories: bool) -> set[str]:
        """The candidates at call i that fit the object the chain carries: of those INDIRECT_CALL
        names there (if it names any), the ones registered in a variable set up together with one
        the chain's earlier candidates were registered in (inetsw's entry puts inet_dgram_ops and
        udp_prot side by side: after inet_sendmsg of inet_dgram_ops, udp_prot's udp_sendmsg), or,
        where no registration says, those defined in a directory the chain has been in (net/ipv4
        after inet_sendmsg); all of them when nothing tells them apart."""
        # What fits depends on the chain before the call and on the call site, not on which
        # candidate chain[i] took (fan_out asks once for each of hundreds).
        call = chain[i]
        key = (tuple(e.callee for e in chain[:i]), call.caller, call.path, call.line, directories)
        if key not in self._fit_cache:
            site = self.site(chain[i])
            hints = {e.callee for e in site if e.hint}
            pool = [e for e in site if not hints or e.callee in hints]
            companions = self._carried(chain, i)
            # INDIRECT_CALL's guesses are the common case, not the only one: where none of them
            # fits the object (a UDP socket's backlog_rcv is not TCP's), the candidates that do.
            fitting = {e.callee for e in pool if companions & self._contexts(e)} or \
                {e.callee for e in site if companions & self._contexts(e)} if companions else set()
            if not fitting and directories:
                seen = _visited(chain, i)
                fitting = {e.callee for e in pool if self._place(e) in seen}
            self._fit_cache[key] = fitting or {e.callee for e in pool}
        return self._fit_cache[key]

    def _carried(self, chain: list[Edge], i: int) -> set[str]:
        """The object the chain carries before call i: the variables registered beside those its
        earlier candidates are registered in (inet_dgram_ops's udp_prot)."""
        objects = {v for e in chain[:i] if e.registered for v in self._contexts(e)}
        return {c for v in objects for c in self._companions(v)}

    def call_sites(self, names: list[str]) -> dict[str, int]:
        """How many call sites the index has of each name (any tree)."""
        counts = dict(self._rows("SELECT callee, count(*) FROM calls WHERE callee IN ({marks}) GROUP BY callee",
                                 list(dict.fromkeys(names))))
        return {name: counts.get(name, 0) for name in names}

    def inline(self, names: set[str]) -> set[str]:
        """Those of `names` the tree defines as inline functions (`static inline`, `__always_inline`)."""
        missing = [n for n in names if n not in self._inline]
        for name in missing:
            self._inline[name] = False
        for (name,) in self._rows(
                "SELECT DISTINCT d.name FROM defs d INDEXED BY defs_inline JOIN files f ON f.id = d.file_id "
                "WHERE d.name IN ({marks}) "
                "AND d.kind = 'function' AND d.signature LIKE '%inline%'" + (
                    f" AND f.tree_id = {int(self.tree_id)}" if self.tree_id is not None else ""), missing):
            self._inline[name] = True
        return {n for n in names if self._inline[n]}

    def site(self, edge: Edge) -> list[Edge]:
        """Every candidate of the call through a struct field that `edge` is one of."""
        return [e for e in self.forward([edge.caller]) if (e.path, e.line) == (edge.path, edge.line)
                and e.via.startswith("indirect via struct")]

    def _contexts(self, edge: Edge) -> set[str]:
        """The variables whose initializers register edge.callee in the field called, or in a field
        copied into it (`sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv`: tcpv6_prot for tcp_v6_do_rcv)."""
        return self._holding(*_struct_field(edge), edge.callee)

    def _holding(self, struct: str, field: str, function: str, depth: int = 3) -> set[str]:
        key = (struct, field, function)
        if key not in self._object_cache:
            self._object_cache[key] = set()  # a copy back into a field on the way adds nothing
            found = {row[0] for row in self.index.conn.execute(
                "SELECT DISTINCT context FROM regs WHERE struct = ? AND field = ? AND func = ? "
                "AND how = 'initializer' AND context != ''", key)}
            if depth:
                for source, source_field in self.index.conn.execute(
                        "SELECT DISTINCT context, func FROM regs WHERE struct = ? AND field = ? AND how = 'copy'",
                        (struct, field)).fetchall():
                    found |= self._holding(source, source_field, function, depth - 1)
            self._object_cache[key] = found
        return self._object_cache[key]

    def _companions(self, variable: str) -> set[str]:
        """The variables registered beside `variable` in one element of an initializer (a few lines
        apart in the same aggregate: `.prot = &udp_prot, .ops = &inet_dgram_ops`)."""
        if variable not in self._companion_cache:
            found: set[str] = set()
            for file_id, context, line in self.index.conn.execute(
                    "SELECT file_id, context, line FROM regs WHERE func = ? AND how = 'initializer'", (variable,)):
                found |= {row[0] for row in self.index.conn.execute(
                    "SELECT func FROM regs WHERE file_id = ? AND context = ? AND how = 'initializer' "
                    "AND line BETWEEN ? AND ? AND func != ?", (file_id, context, line - _ELEMENT, line + _ELEMENT,
                                                               variable))}
            self._companion_cache[variable] = found
        return self._companion_cache[variable]

    def _place(self, edge: Edge) -> str:
        """The directory of the function a call reaches."""
        return _directory(self.home(edge.callee))

    def _stray(self, chain: list[Edge], i: int) -> Edge | None:
        """A call through a field whose candidate does not fit the chain while another does:
        that other one. Before the last call, a candidate defined in the target's own file fits
        best, unless the object the chain carries says otherwise (unix_stream_recvmsg, not
        INDIRECT_CALL's inet_recvmsg, at proto_ops.recvmsg on the way to af_unix.c's
        unix_write_space)."""
        edge = chain[i]
        # The last call reaches the target, which was asked for: only what the call names and the
        # object's registrations speak against it, not the directories.
        directories = i < len(chain) - 1
        if not edge.registered:
            return None
        if directories:
            aim = self.home(chain[-1].callee)
            carried = self._carried(chain, i)
            if self.home(edge.callee) == aim:
                if not carried or carried & self._contexts(edge):
                    return None
            else:
                for sibling in self._siblings(chain, i):
                    if self.home(sibling.callee) == aim and (not carried or carried & self._contexts(sibling)):
                        return sibling
        if self._fits(chain, i, edge, directories):
            return None
        siblings = self._siblings(chain, i)
        if siblings and self._fits(chain, i, siblings[0], directories):
            return siblings[0]
        return None

    def _strays(self, chain: list[Edge]) -> int:
        """How many choices do not fit."""
        return sum(self._stray(chain, i) is not None for i in range(len(chain)))

    def _consistent(self, chain: list[Edge], target: str, depth: int, budget: list[int],
                    since: int = 0) -> list[Edge]:
        """The chain with each stray candidate replaced by one defined where the chain has been (the
        object it carries: after inet_sendmsg, a socket of net/ipv4's inet_dgram_ops, its
        udp_prot's udp_sendmsg rather than net/ipv6's udpv6_sendmsg), the rest searched again
        from there; or with the earlier choice the stray implies (tcp_v4_connect is tcp_prot's:
        the socket is a stream socket, inet_stream_connect rather than inet_dgram_connect),
        whichever costs less."""
        i = since
        while i < len(chain) - 1 and budget[0] > 0 and not self._exhausted():
            better = self._stray(chain, i)
            if better is not None:
                budget[0] -= 1
                # Worth it while the chain costs at most half again as much (the search is bounded: one
                # finding nothing would cross the whole graph).
                ceiling = 1.5 * sum(map(self.cost, chain))
                options = []
                try:
                    spent = sum(map(self.cost, chain[:i])) + self.cost(better)
                    options.append((i, chain[:i] + [better] + self.shortest(better.callee, target, depth - i - 1,
                                                                            ceiling - spent)))
                except NoPath:
                    pass
                for j, earlier in self._implied(chain, i):
                    # chain[i]'s callee reached from the earlier choice, the chain from there as it was
                    spent = sum(map(self.cost, chain[:j] + [earlier] + chain[i + 1:]))
                    try:
                        way = self.shortest(earlier.callee, chain[i].callee, depth - j - len(chain) + i,
                                            ceiling - spent)
                    except NoPath:
                        continue
                    implied = chain[:j] + [earlier] + way + chain[i + 1:]
                    if self._stray(implied, j) is None:  # not back to a choice already put right
                        options.append((j, implied))
                if options:
                    i, chain = min(options, key=lambda o: sum(map(self.cost, o[1])))
            i += 1
        return chain

    def _implied(self, chain: list[Edge], i: int, limit: int = 2) -> list[tuple[int, Edge]]:
        """Other candidates at the chain's earlier pointer calls that chain[i]'s candidate fits:
        registered beside a variable it is registered in (inet_stream_ops beside tcp_prot for
        tcp_v4_connect), at most `limit`, the latest call first."""
        wanted = self._contexts(chain[i])
        found = []
        for j in range(i - 1, -1, -1):
            if not chain[j].registered:
                continue
            for other in self._siblings(chain, j):
                if self._fits(chain, j, other) and \
                        wanted & {c for v in self._contexts(other) for c in self._companions(v)}:
                    found.append((j, other))
                    if len(found) == limit:
                        return found
        return found

    @staticmethod
    def _join(meet: str, ahead: dict[str, Edge | None], behind: dict[str, Edge | None]) -> list[Edge]:
        first, name = [], meet
        while ahead[name] is not None:
            first.append(ahead[name])
            name = ahead[name].caller
        second, name = [], meet
        while behind[name] is not None:
            second.append(behind[name])
            name = behind[name].callee
        return list(reversed(first)) + second

    def below(self, start: str, depth: int, fanout: int = 12) -> list[list[Edge]]:
        """Chains from `start` down to functions under drivers/, breadth first, shortest first."""
        seen = {start}
        queue: deque[tuple[str, list[Edge]]] = deque([(start, [])])
        found: list[list[Edge]] = []
        while queue and len(found) < fanout:
            level = [queue.popleft() for _ in range(len(queue))]
            if level and len(level[0][1]) >= depth:
                break
            chains = {name: chain for name, chain in level}
            for edge in self.forward(list(chains)):
                if edge.callee in seen or self.detour(edge, edge.callee):
                    continue
                seen.add(edge.callee)
                chain = chains[edge.caller] + [edge]
                if self._in_drivers(edge.callee):
                    found.append(chain)
                    if len(found) >= fanout:  # a field call's hundreds of drivers: the first few
                        return found
                elif not edge.leaf:
                    queue.append((edge.callee, chain))
        return found

    def fan_out(self, start: str, depth: int, limit: int = 16) -> list[list[Edge]]:
        """At the first call through a struct field below `start` (the fewest calls away; of
        several that near, the one with the most candidates: the dispatch, not a hook such as a
        security module's check): one chain to each of its candidates, best first (INDIRECT_CALL's
        guesses, then the compiled ones, the built-in ones before modules', the core's before
        drivers', those registered in the most places: seq_read, the read of hundreds of files,
        those that fit the chain, then by name): where the call goes, protocol by
        protocol."""
        parents: dict[str, Edge | None] = {start: None}
        level = [start]
        for _ in range(depth):
            edges = self.forward(level)
            fields = [e for e in edges if e.via.startswith("indirect via struct")]
            if fields:
                sites: dict[tuple[str, str, int], list[Edge]] = {}
                for e in fields:
                    sites.setdefault((e.caller, e.path, e.line), []).append(e)
                candidates = max(sites.values(), key=len)
                site = candidates[0]
                prefix = self._join(site.caller, parents, {site.caller: None})
                uses = self._registrations_of(site)
                ranked = sorted(candidates, key=lambda e: (not e.hint, e.leaf, self._enters_module(e),
                                                           self._in_drivers(e.callee), -uses.get(e.callee, 0),
                                                           not self._fits(prefix + [e], len(prefix), e), e.callee))
                return [prefix + [e] for e in ranked[:limit]]
            nxt = []
            for edge in edges:
                if edge.callee not in parents and not edge.leaf and not self.detour(edge, edge.callee):
                    parents[edge.callee] = edge
                    nxt.append(edge.callee)
            level = nxt
        return []

    def _registrations_of(self, edge: Edge) -> dict[str, int]:
        """How many registrations each function has in the field `edge` calls through."""
        struct, field = _struct_field(edge)
        return dict(self.index.conn.execute(
            "SELECT func, count(*) FROM regs WHERE struct = ? AND field = ? AND how IN ('initializer', 'assignment') "
            f"AND {PREFERRED} GROUP BY func", (struct, field)).fetchall())

    def _in_drivers(self, name: str) -> bool:
        return self.index.conn.execute(
            "SELECT 1 FROM defs d JOIN files f ON f.id = d.file_id WHERE d.name = ? AND d.kind = 'function' "
            "AND f.path LIKE 'drivers/%' AND (f.tree_id = ? OR ? IS NULL) LIMIT 1",
            (name, self.tree_id, self.tree_id)).fetchone() is not None


def _off_path_file(path: str) -> bool:
    return path.startswith(_off_path().directories)


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _visited(chain: list[Edge], i: int) -> set[str]:
    """The directories a chain has been in when it makes call i: its call sites up to that one."""
    return {_directory(e.path) for e in chain[:i + 1]}


def _subsystem(path: str) -> str | None:
    """The part of the tree a file belongs to (net, kernel, drivers, fs, ...); None for the
    headers every part includes (include/linux, include/asm-generic, include/uapi)."""
    parts = path.split("/")
    if len(parts) < 2:
        return None
    if parts[0] == "include":
        return None if parts[1] in ("linux", "asm-generic", "uapi") or len(parts) < 3 else parts[1]
    return parts[0]


class _Side:
    """One direction of the search: the cheapest cost and call count to each name reached, the
    edge that reached it, and the names not expanded yet by cost."""

    def __init__(self, origin: str, end, forward: bool) -> None:
        self.end, self.forward = end, forward
        self.cost: dict[str, int] = {origin: 0}
        self.hops: dict[str, int] = {origin: 0}
        self.parent: dict[str, Edge | None] = {origin: None}
        self.levels: dict[int, list[str]] = {0: [origin]}
        self.done: set[str] = set()

    def low(self) -> int:
        return min(self.levels)

    def pop(self) -> list[str]:
        level = self.low()
        names = [n for n in dict.fromkeys(self.levels.pop(level)) if n not in self.done and self.cost[n] == level]
        self.done.update(names)
        return names

    def relax(self, name: str, cost: int, edge: Edge, hops: int) -> bool:
        if name in self.done or cost >= self.cost.get(name, math.inf):
            return name in self.cost
        self.cost[name], self.hops[name], self.parent[name] = cost, hops, edge
        self.levels.setdefault(cost, []).append(name)
        return True


def _struct_field(edge: Edge) -> tuple[str, str]:
    """The struct and the field a call through a field (`indirect via struct T.f`) goes through."""
    struct, field = edge.via.rsplit(" ", 1)[-1].split(".", 1)
    return struct, field


def _edge_order(edge: Edge) -> tuple:
    """Calls in source order: by call site, then the candidates at a pointer call by where they are
    registered (net/ipv4's before net/ipv6's), then every other field, so no two edges tie."""
    return (edge.path, edge.line, edge.via, edge.registered, edge.callee, edge.caller, edge.through, edge.evidence,
            edge.hint, edge.leaf, edge.source)


def _merge_hints(edges: list[Edge]) -> list[Edge]:
    """A direct call INDIRECT_CALL makes to one of a field's candidates is that candidate: one
    edge, through the field, marked as a hint."""
    candidates = {(e.caller, e.callee, e.path, e.line) for e in edges if e.via.startswith("indirect via struct")}
    hints = {(e.caller, e.callee, e.path, e.line) for e in edges if e.via == "call"} & candidates
    merged = []
    for e in edges:
        key = (e.caller, e.callee, e.path, e.line)
        if key in hints:
            if e.via == "call":
                continue
            e = e._replace(hint=True, evidence=e.evidence + "; INDIRECT_CALL names it at the call")
        merged.append(e)
    return merged


def _keep_hints(edges: list[Edge]) -> list[Edge]:
    """Drop the registered candidates at call sites that name some of them directly."""
    direct: dict[tuple, set[str]] = {}
    for e in edges:
        if e.via == "call":
            direct.setdefault((e.caller, e.path, e.line), set()).add(e.callee)
    candidates: dict[tuple, set[str]] = {}
    for e in edges:
        if e.via.startswith("indirect via struct"):
            candidates.setdefault((e.caller, e.path, e.line, e.via), set()).add(e.callee)
    kept = []
    for e in edges:
        if e.via.startswith("indirect via struct"):
            hints = direct.get((e.caller, e.path, e.line), set())
            if hints & candidates[(e.caller, e.path, e.line, e.via)] and e.callee not in hints:
                continue
        kept.append(e)
    return kept
