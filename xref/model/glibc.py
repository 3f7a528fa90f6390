"""glibc's side of a system call: the wrapper the target's libc has, and how it traps.

The wrapper is the one glibc's build picks. Walking the sysdeps search order (which the indexer
stored: configure's, or the `Implies` expansion): a row of a directory's `syscalls.list` becomes an
assembly wrapper (make-syscalls.sh compiles `syscall-template.S` with the row's values; a row
is dropped when a directory earlier in the order has FILE.c or FILE.S), else the first
directory with FILE.c or FILE.S has it; the routine's own subdirectory (`socket/sendto.c`, the
ENOSYS stub) comes last. The wrapper's macros are expanded with the definitions that target
sees, down to the trapping instruction, and the number it loads (`__NR_sendto`) is kept to be
matched with the kernel's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xref.expand import IndexMacros, invocation_at
from xref.macros import Expander, ExpansionError, Macro, Step, parse_define, render, tokenize
from xref.model.hops import Hop
from xref.queries import Index
from xref.sysdeps import sysdeps_rank

_MAKE_SYSCALLS = "sysdeps/unix/make-syscalls.sh"


class NoWrapper(Exception):
    """The index holds no glibc, or glibc has no wrapper for the call on this target."""


@dataclass
class Trap:
    """One way the wrapper enters the kernel: its hops down to the instruction, and what it asks for."""

    hops: list[Hop]
    call: str  # the system call the number names (sendto; socketcall for a multiplexed one)
    number: int | None  # what the wrapper loads, when the index knows the __NR_ value
    subcall: tuple[str, int] | None = None  # a multiplexer's sub-call: (SOCKOP_sendto, 11)
    undecided: list[str] = field(default_factory=list)  # #if conditions of the site nobody evaluated


@dataclass
class ListRow:
    """A syscalls.list row: `sendto - sendto Ci:ibnibn __libc_sendto __sendto sendto`."""

    path: str
    line: int
    file: str
    caller: str
    syscall: str
    args: str
    strong: str
    weak: list[str]

    def defines(self) -> dict[str, str]:
        """The values make-syscalls.sh defines before including syscall-template.S."""
        flags, _, letters = self.args.partition(":") if ":" in self.args else ("", "", "")
        nargs = self.args if self.args.isdigit() else str(len(letters))
        ulong = [str(i + 1) for i, letter in enumerate(letters) if letter == "U"] + ["0", "0"]
        return {"SYSCALL_NAME": self.syscall, "SYSCALL_NARGS": nargs, "SYSCALL_ULONG_ARG_1": ulong[0],
                "SYSCALL_ULONG_ARG_2": ulong[1], "SYSCALL_SYMBOL": self.strong,
                "SYSCALL_NOERRNO": "1" if "E" in flags else "0", "SYSCALL_ERRVAL": "1" if "V" in flags else "0"}


def glibc_tree(index: Index) -> int | None:
    trees = index.glibc_trees()
    return trees[0] if trees else None


def traps(index: Index, arch: str, name: str, instruction: str) -> list[Trap]:
    """How glibc for `arch` enters the kernel for the system call `name`: one trap per way the
    wrapper can go (one, unless an #if nobody could evaluate leaves two)."""
    tree_id = glibc_tree(index)
    if tree_id is None:
        raise NoWrapper("no glibc tree is indexed")
    order = index.sysdirs(tree_id, arch)
    if order is None:
        raise NoWrapper(f"glibc's sysdeps order for {arch} is not known (configure a build: "
                        f"xref index GLIBC --semantic --arch {arch})")
    found, dropped = implementation(index, tree_id, order, name)
    if found is None:
        raise NoWrapper(f"glibc has no wrapper for {name} on {arch}")
    if isinstance(found, ListRow):
        return [_generated(index, tree_id, order, arch, found, dropped, instruction)]
    return _from_source(index, tree_id, arch, found, name, dropped, instruction, order)


def implementation(index: Index, tree_id: int, order: list[str], name: str) -> tuple[ListRow | str | None, list[str]]:
    """What implements routine `name`: a syscalls.list row or a source file (tree-relative), and
    the rows it overrides."""
    rows: dict[str, ListRow] = {}
    for file_id, line, routine, caller, syscall, args, strong, weak in index.conn.execute(
            "SELECT g.file_id, g.line, g.routine, g.caller, g.syscall, g.args, g.strong, g.weak FROM glibc_calls g "
            "JOIN files f ON f.id = g.file_id WHERE g.routine = ? AND f.tree_id = ? ORDER BY g.line", (name, tree_id)):
            path = index._file(file_id)[1]
            rows.setdefault(path.rsplit("/", 1)[0], ListRow(path, line, routine, caller, syscall, args, strong,
                                                             weak.split()))
    files = {path for (path,) in index.conn.execute(
        "SELECT path FROM files WHERE tree_id = ? AND (path LIKE ? OR path LIKE ?)",
        (tree_id, f"%/{name}.c", f"%/{name}.S"))}
    found: ListRow | str | None = None
    dropped = []
    for directory in order:
        row = rows.get(directory)
        if row is not None:
            if found is None:
                found = row
            else:
                dropped.append(f"{row.path}:{row.line}")
        if found is None:
            found = next((f"{directory}/{name}{suffix}" for suffix in (".c", ".S")
                          if f"{directory}/{name}{suffix}" in files), None)
    if found is None:  # the routine's own subdirectory (socket/sendto.c)
        found = min((p for p in files if p.count("/") == 1 and p.endswith(".c") and not p.startswith("sysdeps/")),
                    default=None)
    return found, dropped


def _from_source(index: Index, tree_id: int, arch: str, path: str, name: str, dropped: list[str],
                 instruction: str, order: list[str]) -> list[Trap]:
    """A C wrapper: each macro use in it naming the call (`SYSCALL_CANCEL (sendto, ...)`) that
    expands to the instruction."""
    file_id = _file_id(index, tree_id, path)
    if file_id is None:
        raise NoWrapper(f"{path} is not in the index")
    lines = index._lines(file_id)
    found = []
    # Its #if branches are known when the semantic pass compiled it for this target.
    decided = index._parsed_unit(file_id) and index.arch(tree_id) == arch
    for number, text in enumerate(lines, 1):
        for match in re.finditer(rf"\b([A-Za-z_]\w*)\s*\(\s*{re.escape(name)}\s*[,)]", text):
            if decided and index.inactive(file_id, number):
                continue
            try:
                invocation = invocation_at(lines, number, match.start() + 1)
            except ExpansionError:
                continue
            lookup = IndexMacros(index, file_id, line=number, arch=arch)
            trap = _trap(lookup, invocation, name, instruction)
            if trap is None:
                continue
            function = index.enclosing(file_id, number)
            row = index.conn.execute("SELECT min(line) FROM defs WHERE file_id = ? AND name = ? AND kind = 'function'",
                                     (file_id, function)).fetchone()
            fn_line = row[0] if row and row[0] else number
            rank = sysdeps_rank(path, order)
            where = f"directory {rank + 1} of {len(order)}" if rank is not None and rank < len(order) else \
                "its subdirectory, no sysdeps directory has it"
            evidence = f"{path} ({where} in the {arch} sysdeps order)"
            if dropped:
                evidence += f"; it overrides the syscalls.list rows at {', '.join(dropped)}"
            trap.hops.insert(0, Hop(function or name, path, fn_line, "library", evidence))
            found.append((number, trap))
            break
    if not found:
        raise NoWrapper(f"{path} has no macro use that expands to the {instruction} instruction for {name}")
    traps = [trap for _, trap in found]
    # A branch loading a number the target's headers do not define cannot compile there.
    traps = [trap for trap in traps if trap.number is not None] or traps
    if not decided and len(traps) > 1:
        for trap in traps:
            trap.undecided.append(f"{path}: which #if branch is compiled (no semantic pass over it)")
    return traps


def _generated(index: Index, tree_id: int, order: list[str], arch: str, row: ListRow, dropped: list[str],
               instruction: str) -> Trap:
    """An assembly wrapper: syscall-template.S (the first in the search order) with the row's values."""
    template, file_id = next(((f"{d}/syscall-template.S", found) for d in order
                              if (found := _file_id(index, tree_id, f"{d}/syscall-template.S")) is not None),
                             (None, None))
    if file_id is None:
        raise NoWrapper(f"{row.path}:{row.line} names {row.file}, but no syscall-template.S is indexed")
    defines = row.defines()
    lines = index._lines(file_id)
    line = _template_line(lines, defines)
    if line is None:
        raise NoWrapper(f"{template} has no wrapper line for these values: {defines}")
    lookup = _Overlay(IndexMacros(index, file_id, line=line, assume={"__ASSEMBLER__": "1", **defines}, arch=arch),
                      {k: parse_define(f"{k} {v}", f"{_MAKE_SYSCALLS} (for {row.path}:{row.line})", assembly=True)
                       for k, v in defines.items()})
    trap = _trap(lookup, invocation_at(lines, line), row.syscall, instruction, assembly=True,
                 names={"SYSCALL_NAME"})
    if trap is None:
        raise NoWrapper(f"{template}:{line} does not expand to the {instruction} instruction for {row.syscall}")
    values = " ".join(f"{k}={v}" for k, v in defines.items())
    evidence = f"{row.path}:{row.line} row made into {template}:{line} by make-syscalls.sh ({values})"
    if row.weak:
        evidence += f"; also named {', '.join(row.weak)}"
    if dropped:
        evidence += f"; it overrides the rows at {', '.join(dropped)}"
    trap.hops.insert(0, Hop(row.strong, row.path, row.line, "library", evidence))
    return trap


class _Overlay:
    """Macro definitions given on the command line, then the index's."""

    def __init__(self, lookup: IndexMacros, defines: dict[str, Macro]) -> None:
        self.lookup, self.defines = lookup, defines

    def __call__(self, name: str) -> Macro | None:
        return self.defines.get(name) or self.lookup(name)


def _template_line(lines: list[str], defines: dict[str, str]) -> int | None:
    """The first line outside directives that uses SYSCALL_SYMBOL, in the branches the values select."""
    taken: list[bool] = []  # per open #if: is the current branch taken
    done: list[bool] = []  # per open #if: has a branch been taken already
    for number, text in enumerate(lines, 1):
        directive = re.match(r"\s*#\s*(\w+)\s*(.*)", text)
        if directive:
            word, rest = directive.groups()
            if word in ("if", "ifdef", "ifndef"):
                value = _truth(word, rest.strip(), defines)
                taken.append(value)
                done.append(value)
            elif word == "elif" and taken:
                value = not done[-1] and _truth("if", rest.strip(), defines)
                taken[-1], done[-1] = value, done[-1] or value
            elif word == "else" and taken:
                taken[-1], done[-1] = not done[-1], True
            elif word == "endif" and taken:
                taken.pop()
                done.pop()
            continue
        if all(taken) and "SYSCALL_SYMBOL" in text and "SYSCALL_NAME" in text:
            return number
    return None


def _truth(word: str, condition: str, defines: dict[str, str]) -> bool:
    name = re.match(r"!?\s*(?:defined\s*\(?\s*)?(\w+)", condition)
    if name is None:
        return False
    known = name.group(1) in defines
    if word == "ifdef" or "defined" in condition:
        value = known
    elif word == "ifndef":
        return not known
    else:
        value = known and defines[name.group(1)] not in ("0", "")
    return not value if condition.startswith("!") else value


def _trap(lookup, invocation: str, name: str, instruction: str, assembly: bool = False,
          names: set[str] | None = None) -> Trap | None:
    """Expand `invocation`; a trap when the result executes `instruction`. Its hops are the macros
    that carry the call's name and number (the spine), then the instruction."""
    expander = Expander(lookup, assembly=assembly)
    try:
        final = render(expander.expand(tokenize(invocation, assembly), record=True))
    except ExpansionError:
        return None
    pattern = r"\s*".join(re.escape(tok.text) for tok in tokenize(instruction, assembly=True))
    if not re.search(rf"(?<![\w$]){pattern}(?![\w])", final):
        return None
    followed = {name} | (names or set())  # the words that carry the call's name
    spine: dict[str, Step] = {}  # by macro: SYSCALL_CANCEL's body names INLINE_SYSCALL_CALL twice
    call, number, subcall = name, None, None
    for step in expander.steps:
        words = set(re.findall(r"\w+", step.invocation))
        numbers = re.findall(r"\b__NR_(\w+)", step.replacement)
        if not (words & followed or numbers or step.macro.startswith("__NR_")):
            continue
        if step.macro not in (names or ()):  # make-syscalls.sh's values are the first hop's evidence
            spine.setdefault(step.macro, step)
        value = step.replacement.strip()
        for nr in numbers:
            followed.add(f"__NR_{nr}")
            call = nr
        if step.macro.startswith("__NR_"):
            number = int(value) if value.isdigit() else number
        elif step.macro.endswith(f"_{name}") and value.isdigit():
            subcall = (step.macro, int(value))  # SOCKOP_sendto: a multiplexer's sub-call number
            followed.add(value)
        # A macro named after the call stands for it (SOCKOP_sendto, the sub-call number).
        followed |= {w for w in re.findall(r"\w+", step.replacement) if w.endswith(f"_{name}") and w[0].isupper()}
    if call == name:
        subcall = None  # the call itself, not a multiplexer
    hops = [Hop(step.macro, *_place(step.where), "macro", _short(step.invocation), layer="macro")
            for step in spine.values()]
    hops.append(Hop(instruction, "", 0, "instruction", f"__NR_{call}" + (f" = {number}" if number is not None
                                                                          else " (value not in the index)")))
    return Trap(hops, call, number, subcall)


def _file_id(index: Index, tree_id: int, path: str) -> int | None:
    return index.file_id(f"{index.trees[tree_id][0]}/{path}")


def _place(where: str) -> tuple[str, int]:
    path, _, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)


def _short(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
