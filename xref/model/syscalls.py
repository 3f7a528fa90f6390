"""System calls as the indexed kernel defines them: table rows, the dispatcher, the handlers.

`abis.toml` says which table and dispatcher file each ABI uses; everything else is read from
the index. The dispatcher is found by expanding a row the way kbuild's generated header
writes it (`__SYSCALL(44, sys_sendto)`) where the dispatcher file includes that header, with
the macro definitions in effect there: `case 44: return __x64_sys_sendto(regs);` is a
switch (Linux 6.1.192's `x64_sys_call`), `[44] = __ia32_sys_sendto,` a table.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from xref.conditions import kernel_srcarch
from xref.expand import IndexMacros
from xref.macros import Expander, ExpansionError, render, tokenize
from xref.queries import Hit, Index


class NoSyscall(Exception):
    """The name or number is not in the ABI's table, or the ABI's table is not indexed."""


@dataclass(frozen=True)
class Abi:
    name: str
    arch: str
    table: str
    rows: tuple[str, ...]
    header: str
    dispatch: str
    instruction: str
    entry_via: str
    assume: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    glibc: str = ""  # the glibc target (x86_64, i386) whose wrappers trap into this ABI
    format: str = "tbl"  # tbl: a syscall_*.tbl; unistd: the generic asm-generic/unistd.h list
    # Other ways into the same table: (instruction, register or vector), as the vDSO uses them.
    also: tuple[tuple[str, str], ...] = ()


@dataclass
class Row:
    number: int
    abi: str  # the row's own ABI column (common, 64, x32, i386)
    name: str
    entry: str
    compat: str
    path: str
    line: int


@dataclass
class Dispatch:
    """How the kernel's C code reaches a row's symbol."""

    form: str  # switch | table
    via: str  # the function with the switch, or the table variable
    path: str
    line: int  # where the dispatcher includes the generated rows
    text: str  # the row as the dispatcher expands it
    symbol: str  # what it calls: __x64_sys_sendto


@dataclass
class Handler:
    symbol: str
    status: str  # implemented | not built | not implemented | not found
    path: str = ""
    line: int = 0
    macro: str = ""  # the SYSCALL_DEFINEx (or COND_SYSCALL) that defines it
    source: str = ""  # clang | macro | ts
    stub: str = ""  # for "not built": where the weak stub is (kernel/sys_ni.c:NN)
    compiled: bool | None = None  # False: the configuration does not compile the definition; None: unknown


@dataclass
class SubCall:
    """One `case` of a multiplexer's switch (socketcall, ipc): the sub-call and what it calls."""

    label: str  # SYS_SENDTO
    value: int | None  # 11, when the index knows the label's value
    callee: str  # __sys_sendto
    path: str
    line: int  # the `case` line
    call_line: int  # where the callee is called


@dataclass
class Entry:
    """Where the CPU goes for an instruction: the function stored with the register or vector."""

    instruction: str
    via: str  # MSR_LSTAR, IA32_SYSCALL_VECTOR
    symbol: str  # entry_SYSCALL_64, or "" when the index does not show it
    where: str  # path:line of the write


@dataclass
class Syscall:
    abi: str
    row: Row
    dispatch: Dispatch | None
    handler: Handler
    notes: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@cache
def _config() -> dict:
    return tomllib.loads((Path(__file__).with_name("abis.toml")).read_text())


def abis() -> dict[str, Abi]:
    return {name: Abi(name, spec["arch"], spec["table"], tuple(spec["rows"]), spec["header"], spec["dispatch"],
                      spec["instruction"], spec["entry_via"], dict(spec.get("assume", {})), spec.get("glibc", ""),
                      spec.get("format", "tbl"),
                      tuple((e["instruction"], e["entry_via"]) for e in spec.get("also", [])))
            for name, spec in _config()["abi"].items()}


def abi_for(arch: str, abi: str | None) -> Abi:
    known = abis()
    name = abi or arch
    if name not in known or known[name].arch != arch:
        names = ", ".join(n for n, a in known.items() if a.arch == arch)
        if not names:
            raise NoSyscall(f"no ABI is described for architecture {arch} (known: "
                            f"{', '.join(sorted({a.arch for a in known.values()}))})")
        raise NoSyscall(f"{arch} has no ABI {name!r} (known: {names})")
    return known[name]


class SyscallModel:
    """One ABI's system calls in an index."""

    def __init__(self, index: Index, abi: Abi) -> None:
        self.index = index
        self.abi = abi
        self.table_id = index.file_id(abi.table)
        if self.table_id is None:
            raise NoSyscall(f"{abi.table} is not in the index: index a kernel tree for the {abi.name} ABI")
        self.tree_id = index.tree_of(self.table_id)  # the kernel tree: its calls are the only ones followed
        self._dispatch: list[tuple[str, str, int, IndexMacros]] | None = None
        self._entries: list[Entry] | None = None

    # -- rows ---------------------------------------------------------------------------------

    def rows(self) -> list[Row]:
        if self.abi.format == "unistd":
            return _unistd_rows(self.index._lines(self.table_id), self.abi.table)
        marks = ",".join("?" * len(self.abi.rows))
        return [Row(nr, abi, name, entry, compat, self.abi.table, line) for nr, abi, name, entry, compat, line in
                self.index.conn.execute(
                    f"SELECT nr, abi, name, entry, compat, line FROM syscalls WHERE file_id = ? AND abi IN ({marks}) "
                    "ORDER BY nr", (self.table_id, *self.abi.rows))]

    def row(self, key: str) -> Row:
        """A row by name (`sendto`), number (`44`) or entry point (`sys_sendto`)."""
        for row in self.rows():
            if key in (row.name, str(row.number), row.entry):
                return row
        raise NoSyscall(f"no system call {key!r} in {self.abi.table} for the {self.abi.name} ABI")

    # -- dispatch -----------------------------------------------------------------------------

    def dispatch(self, row: Row) -> Dispatch | None:
        """The row expanded where the dispatcher file includes the generated header: a `case` in a
        function's switch wins over a table initializer (6.1.192 keeps both; the table is unused)."""
        gen = _config()["generated"]
        entry = row.entry or gen["not_implemented"]
        text = (f"{gen['compat_macro']}({row.number}, {entry}, {row.compat})" if row.compat
                else f"{gen['row_macro']}({row.number}, {entry})")
        found = []
        for via, path, line, lookup in self._dispatch_sites():
            try:
                final = render(Expander(lookup).expand(tokenize(text)))
            except ExpansionError:
                continue
            if final.startswith("extern") or final == text or not re.search(rf"\bcase\b|\[\s*{row.number}\s*\]",
                                                                             final):
                continue  # the declarations the file makes first, or no dispatcher here
            wanted = row.compat if row.compat and row.compat in final else entry
            symbol = next((m.group() for m in re.finditer(r"[A-Za-z_]\w*", final) if m.group().endswith(wanted)), "")
            if not symbol and (assigned := re.search(r"\]\s*=\s*\(?\s*([A-Za-z_]\w*)", final)):
                symbol = assigned.group(1)  # renamed on the way (arm64: `__arm64_sys_arm64_personality`)
            form = "switch" if final.startswith("case") else "table"
            found.append(Dispatch(form, via, path, line, final, symbol))
        found.sort(key=lambda d: d.form != "switch")
        return found[0] if found else None

    def _dispatch_sites(self) -> list[tuple[str, str, int, IndexMacros]]:
        """(dispatcher name, path, line, macros in effect) where the dispatcher file includes the
        generated rows."""
        if self._dispatch is None:
            self._dispatch = []
            file_id = self.index.file_id(self.abi.dispatch)
            if file_id is not None:
                for (line,) in self.index.conn.execute(
                        "SELECT line FROM includes WHERE file_id = ? AND target = ? ORDER BY line",
                        (file_id, self.abi.header)):
                    via = self.index.enclosing(file_id, line) or self._variable_before(file_id, line)
                    self._dispatch.append((via, self.abi.dispatch, line,
                                           IndexMacros(self.index, file_id, line=line, assume=self.abi.assume,
                                                       arch=self.abi.arch)))
        return self._dispatch

    def _variable_before(self, file_id: int, line: int) -> str:
        row = self.index.conn.execute(
            "SELECT name FROM defs WHERE file_id = ? AND kind = 'variable' AND line <= ? ORDER BY line DESC LIMIT 1",
            (file_id, line)).fetchone()
        return row[0] if row else ""

    # -- handlers -----------------------------------------------------------------------------

    def handler(self, row: Row, dispatch: Dispatch | None) -> Handler:
        gen = _config()["generated"]
        entry = row.compat if row.compat and dispatch and row.compat in dispatch.symbol else row.entry
        symbol = dispatch.symbol if dispatch else entry
        if not row.entry or row.entry == gen["not_implemented"]:
            return Handler(symbol, "not implemented")
        hits = self.index.definitions(symbol) or self.index.definitions(entry)
        defining = [h for h in hits if "SYSCALL_DEFINE" in h.extra.get("macro", "")]
        own = f"arch/{kernel_srcarch(self.abi.arch)}/"
        if not any(not h.path.startswith("arch/") or h.path.startswith(own) for h in defining):
            # Names the compiler never made (another architecture's `__arm64_sys_sendto` where
            # x86_64 was compiled, x32's wrappers where x32 is off) are only the macro stage's,
            # left out where the compiler ran: generic code's before another architecture's.
            guessed = self.index.definitions(symbol, guesses=True) or self.index.definitions(entry, guesses=True)
            defining += [h for h in guessed if "SYSCALL_DEFINE" in h.extra.get("macro", "") and h not in defining]
        defining.sort(key=lambda hit: _built_first(hit, self.index))
        if defining:
            best = defining[0]
            skipped = best.extra.get("active") is False or best.extra.get("compiled") is False
            compiled = False if skipped else (True if best.source == "clang" else None)
            return Handler(symbol, "implemented", best.path, best.line, _outer_macro(best), best.source,
                           compiled=compiled)
        stubs = [h for h in hits if "COND_SYSCALL" in h.extra.get("macro", "")]
        if stubs:
            return Handler(symbol, "not built", macro="COND_SYSCALL", source=stubs[0].source,
                           stub=f"{stubs[0].path}:{stubs[0].line}")
        return Handler(symbol, "not found")

    def syscall(self, key: str) -> Syscall:
        row = self.row(key)
        return self._describe(row)

    def _describe(self, row: Row) -> Syscall:
        dispatch = self.dispatch(row)
        notes = [] if dispatch else [f"no dispatcher found: {self.abi.dispatch} does not include {self.abi.header}"]
        return Syscall(self.abi.name, row, dispatch, self.handler(row, dispatch), notes, self.entries())

    # -- entries ------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """The ABI's instruction and the others reaching the same table (i386: the vDSO's
        sysenter and syscall), each with the kernel function the CPU jumps to."""
        if self._entries is None:
            self._entries = []
            for instruction, via in ((self.abi.instruction, self.abi.entry_via), *self.abi.also):
                found = entry_symbol(self.index, via) if via else None
                self._entries.append(Entry(instruction, via, *(found or ("", ""))))
        return self._entries

    def subcalls(self, function: str) -> list[SubCall]:
        """The cases of the `switch` in `function` (a multiplexer's body), each with the first
        function its statements call."""
        found = []
        for file_id, start in self.index.conn.execute(
                "SELECT file_id, line FROM defs WHERE name = ? AND kind = 'function' ORDER BY source != 'clang'",
                (function,)).fetchall()[:1]:
            end = next((e for s, e, name in self.index._scopes(file_id)[1] if name == function and s <= start <= e),
                       start)
            lines = self.index._lines(file_id)
            cases = [(n, m.group(1)) for n in range(start, min(end, len(lines)) + 1)
                     for m in [re.match(r"\s*case\s+([A-Za-z_]\w*)\s*:", lines[n - 1])] if m]
            bounds = [n for n in range(start, min(end, len(lines)) + 1)
                      if re.match(r"\s*(case\b|default\s*:)", lines[n - 1])] + [end + 1]
            calls = self.index.conn.execute(
                "SELECT line, callee FROM calls WHERE file_id = ? AND caller = ? AND how = 'direct' ORDER BY line",
                (file_id, function)).fetchall()
            lookup = IndexMacros(self.index, file_id, line=start, assume=self.abi.assume, arch=self.abi.arch)
            path = self.index._file(file_id)[1]
            for line, label in cases:
                stop = next(b for b in bounds if b > line)
                inside = [(n, c) for n, c in calls if line <= n < stop]
                if not inside:
                    continue
                # The first call of the case: on its first line, the one written first (the
                # outer call, not `compat_ptr` in its arguments).
                first = [(n, c) for n, c in inside if n == inside[0][0]]
                text = lines[first[0][0] - 1]
                callee = min(first, key=lambda nc: (m.start() if (m := re.search(rf"\b{re.escape(nc[1])}\s*\(",
                                                                                 text)) else len(text)))
                try:
                    value = render(Expander(lookup).expand(tokenize(label)))
                except ExpansionError:
                    value = ""
                found.append(SubCall(label, int(value, 0) if re.fullmatch(r"-?(0x)?[0-9a-fA-F]+", value) else None,
                                     callee[1], path, line, callee[0]))
        return found

    def all(self) -> list[Syscall]:
        return [self._describe(row) for row in self.rows()]


def entry_symbol(index: Index, register: str) -> tuple[str, str] | None:
    """The function stored with `register` (`wrmsrl(MSR_LSTAR, entry_SYSCALL_64)`): passed in the
    same statement that names the register, or else to the function that writes the register
    with its parameter (`wrmsrl_cstar(entry_SYSCALL_compat)`, which does `wrmsrl(MSR_CSTAR, val)`),
    in code the configuration keeps."""
    writes = index.conn.execute(
        "SELECT r.func, r.file_id, r.line FROM regs r JOIN refs x ON x.file_id = r.file_id AND x.name = ? "
        "WHERE r.how = 'argument' AND (',' || x.lines || ',') LIKE ('%,' || r.line || ',%')", (register,)).fetchall()
    found = _first_kept(index, writes, register)
    if found is not None:
        return found
    writers = []  # the functions naming the register: the compiler's definition where there is one
    for file_id, lines in index.conn.execute("SELECT file_id, lines FROM refs WHERE name = ?", (register,)):
        for line in map(int, lines.split(",")):
            row = index.conn.execute(
                "SELECT name FROM defs WHERE file_id = ? AND kind = 'function' AND line <= ? "
                "ORDER BY line DESC, source = 'clang' DESC LIMIT 1", (file_id, line)).fetchone()
            writers.append(row[0] if row else "")
    for writer in filter(None, dict.fromkeys(writers)):
        writes += index.conn.execute(
            "SELECT func, file_id, line FROM regs WHERE how = 'argument' AND callee = ?", (writer,)).fetchall()
    return _first_kept(index, writes, register)


def _first_kept(index: Index, writes: list[tuple[str, int, int]], register: str) -> tuple[str, str] | None:
    """The first function stored, code the configuration keeps first."""
    for name, file_id, line in sorted(writes, key=lambda w: index.inactive(w[1], w[2])):
        if name != register:
            return name, f"{index._file(file_id)[1]}:{line}"
    return None


_UNISTD_ROW = re.compile(r"^\s*(__SYSCALL|__SC_COMP|__SC_3264|__SC_COMP_3264)\s*\(\s*__NR(?:3264)?_(\w+)\s*,"
                         r"\s*(\w+)\s*(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?\)")
_UNISTD_NUMBER = re.compile(r"^\s*#\s*define\s+__NR(?:3264)?_(\w+)\s+(\d+)\b")


def _unistd_rows(lines: list[str], path: str) -> list[Row]:
    """The generic list (arm64, riscv, ...): `#define __NR_sendto 206` then
    `__SYSCALL(__NR_sendto, sys_sendto)`; `__SC_COMP` adds the compat entry point, `__SC_3264`
    names the 32- and 64-bit ones (this is the 64-bit ABI). Rows under an `#ifdef __ARCH_WANT_*`
    are listed whether the architecture wants them or not."""
    numbers = {}
    for text in lines:
        match = _UNISTD_NUMBER.match(text)
        if match:
            numbers.setdefault(match.group(1), int(match.group(2)))
    rows = {}
    for line, text in enumerate(lines, 1):
        match = _UNISTD_ROW.match(text)
        if match is None or match.group(2) not in numbers:
            continue
        kind, name, first, second, third = match.groups()
        entry, compat = {"__SYSCALL": (first, ""), "__SC_COMP": (first, second or ""),
                         "__SC_3264": (second or first, ""), "__SC_COMP_3264": (second or first, third or "")}[kind]
        rows.setdefault(numbers[name], Row(numbers[name], "common", name, entry, compat, path, line))
    return [rows[number] for number in sorted(rows)]


def _built_first(hit: Hit, index: Index) -> tuple:
    """What the configured build compiles first, then the compiler's facts, then the
    architecture's own definition before generic code and other architectures', then, of the
    invocations in `#if` branches before one body (clone's argument orders), the one the body
    follows."""
    return (hit.extra.get("active") is False or hit.extra.get("compiled") is False,
            {"clang": 0, "macro": 1}.get(hit.source, 2), index.place_rank(hit.tree, hit.path), hit.path,
            not _owns_block(index, hit), hit.line)


def _owns_block(index: Index, hit: Hit) -> bool:
    return index.conn.execute(
        "SELECT 1 FROM invocations v JOIN files f ON f.id = v.file_id WHERE f.path = ? AND v.line = ? AND v.block "
        "AND f.tree_id = (SELECT id FROM trees WHERE name = ?)", (hit.path, hit.line, hit.tree)).fetchone() is not None


def _outer_macro(hit: Hit) -> str:
    """The invocation's own macro: `SYSCALL_DEFINE6` (clang stores it; the macro stage's chain starts with it)."""
    return hit.extra.get("macro", "").split(" ", 1)[0]
