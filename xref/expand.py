"""Macro expansion against the index: which definition a name has at a place, and the steps.

Definitions come from the semantic pass's active macros where it ran; else from the
parser's macro definitions: those under an `#if` known to be false (with the tree's
.config when there is one) are dropped, and of the rest the ones known to be in effect
come first, then the file itself and the headers it includes, then the shortest path;
the others are kept as candidates so that a reader sees when the choice was a guess.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from xref.conditions import evaluate, kernel_srcarch
from xref.macros import Expander, ExpansionError, Macro, Step, define_text, parse_define, render, tokenize
from xref.queries import Index, by_basename
from xref.sysdeps import sysdeps_rank


@dataclass
class Expansion:
    text: str  # what was expanded
    final: str
    steps: list[Step]
    candidates: dict[str, list[str]] = field(default_factory=dict)  # macro -> other definitions (path:line)
    place: str = ""

    def to_json(self) -> dict:
        return {"place": self.place, "text": self.text, "final": self.final,
                "steps": [s.to_json() for s in self.steps], "candidates": self.candidates}


class IndexMacros:
    """Macro definitions from the index, as seen from one file."""

    def __init__(self, index: Index, context_file: int | None = None, tree_id: int | None = None,
                 line: int | None = None, assume: dict[str, str] | None = None, arch: str | None = None,
                 configured: bool = True) -> None:
        self.index = index
        self.context = context_file
        self.line = line  # where in the context file: its own #define/#undef before this line count
        self.assume = assume or {}  # settings known to hold there whatever the configuration
        if tree_id is None and context_file is not None:
            row = index.conn.execute("SELECT tree_id FROM files WHERE id = ?", (context_file,)).fetchone()
            tree_id = row[0] if row else None
        self.tree_id = tree_id
        self.arch = arch  # the target (glibc: whose sysdeps directories count); the tree's by default
        # False: the parser's definitions, every configuration's (not the semantic pass's, no .config)
        self.configured = configured
        self._order: list[str] | None | bool = False
        self.cache: dict[str, Macro | None] = {}
        self._parsed: dict[str, list[Macro]] = {}
        self._configs: dict[int, dict[str, str] | None] = {}
        self._srcarch: str | None = None
        self.candidates: dict[str, list[str]] = {}
        self._near: set[int] | None = None
        self._deps: set[int] | None = None

    def _included(self) -> set[int]:
        """The context file and the headers it includes, three levels deep (targets matched by path
        suffix; among the files its unit read where the compiler's view counts and there is one)."""
        if self._near is None:
            read = self._read_by_context() if self._semantic() else None
            by_name = self.index.by_basename() if read is None else by_basename(self.index.paths_of(read))
            near: set[int] = set()
            frontier = [self.context] if self.context is not None else []
            for _ in range(3):
                nxt = []
                for file_id in frontier:
                    if file_id in near:
                        continue
                    near.add(file_id)
                    for (target,) in self.index.conn.execute("SELECT target FROM includes WHERE file_id = ?",
                                                             (file_id,)):
                        nxt += [fid for fid, path in by_name.get(target.rsplit("/", 1)[-1], [])
                                if path == target or path.endswith("/" + target)]
                frontier = nxt
            self._near = near
        return self._near

    def _semantic(self) -> bool:
        """Whether the semantic pass's view counts here: it saw C units of the tree's configured
        target; assembly (the context a .S file) and other targets see the parser's view."""
        return self.configured and not self._assembly() and (
            self.arch is None or self.tree_id is None or self.arch == self.index.arch(self.tree_id))

    def __call__(self, name: str) -> Macro | None:
        if name in self.cache:
            return self.cache[name]
        semantic = self._semantic()
        macro = self._from_semantic(name) if semantic else None
        if macro is None and (not semantic or self._read_by_context() is None):
            # Only without a unit for the context: with one, a name the preprocessor never saw
            # defined in the files that unit read is no macro there.
            macro = self._from_parser(name)
        self.cache[name] = macro
        return macro

    def _assembly(self) -> bool:
        return self.context is not None and self.index._file(self.context)[1].endswith(".S")

    def _read_by_context(self) -> set[int] | None:
        """The files the context file's translation unit read (None: no unit, no restriction)."""
        if self._deps is None:
            self._deps = set()
            row = self.index.conn.execute("SELECT deps FROM tus WHERE file_id = ?", (self.context,)).fetchone() \
                if self.context is not None else None
            if row and row[0]:
                self._deps = self.index.ids_of_absolute(zlib.decompress(row[0]).decode().split("\n"))
        return self._deps or None

    def _redefines(self, file_id: int, line: int, name: str) -> bool:
        """`#undef X` then `#define X ...`: a deliberate override of an earlier definition."""
        pattern = _undef(name)
        return any(pattern.match(text) for text in self.index._lines(file_id)[max(0, line - 4) : line - 1])

    def _undefined_after(self, file_id: int, line: int, name: str) -> bool:
        """A definition its own file #undefs again is a local helper (poll.h's __MAP), not in effect
        elsewhere."""
        if file_id == self.context:
            return False
        pattern = _undef(name)
        return any(pattern.match(text) for text in self.index._lines(file_id)[line:])

    def _where(self, file_id: int, line: int) -> str:
        tree, path, _ = self.index._file(file_id)
        return f"{path}:{line}"

    def _from_semantic(self, name: str) -> Macro | None:
        rows = self.index.conn.execute("SELECT file_id, line, params, body FROM macros WHERE name = ?",
                                       (name,)).fetchall()
        if not rows:
            return None
        read = self._read_by_context()
        if read is not None:
            rows = [r for r in rows if r[0] in read]
        elif self.tree_id is not None:
            mine = self.index.tree_files(self.tree_id)
            rows = [r for r in rows if r[0] in mine]  # another tree's configuration says nothing here
        rows = self._in_effect_here(rows, name)
        if not rows:
            return None
        if len(rows) > 1:
            near = self._included()
            rows.sort(key=lambda r: (self._undefined_after(r[0], r[1], name), not self._redefines(r[0], r[1], name),
                                     self._precedence(self.index._file(r[0])[1]), r[0] not in near,
                                     len(self.index._file(r[0])[1])))
        file_id, line, params, body = rows[0]
        if len(rows) > 1:
            self.candidates[name] = [self._where(r[0], r[1]) for r in rows[1:]]
        return parse_define(f"{name}{params or ''} {body}", self._where(file_id, line))

    def _from_parser(self, name: str) -> Macro | None:
        found = self._parser_candidates(name)
        if not found:
            return None
        if len(found) > 1:
            self.candidates[name] = [m.where for m in found[1:]]
        return found[0]

    def alternatives(self, name: str) -> list[Macro]:
        """The parser's other definitions of `name` that may be in effect, one per distinct body."""
        if self.configured and self._from_semantic(name) is not None:
            return []  # the configuration decided
        found = self._parser_candidates(name)
        seen = {_definition_key(found[0])} if found else set()
        here = self._where(self.context, 0).rsplit(":", 1)[0] if self.context is not None else None
        others = []
        for macro in found[1:]:
            path = macro.where.rsplit(":", 1)[0]
            if path.endswith(".c") and path != here:
                continue  # another .c file's own macro: not in effect here
            if _definition_key(macro) not in seen:
                seen.add(_definition_key(macro))
                others.append(macro)
        return others

    def _parser_candidates(self, name: str) -> list[Macro]:
        """The parser's definitions of `name`, best first, without those whose `#if` conditions
        are false (evaluated with the tree's .config when one is known)."""
        if name in self._parsed:
            return self._parsed[name]
        rows = []
        for file_id, line, condition, path, tree_id in self.index.conn.execute(
                "SELECT d.file_id, d.line, d.scope, f.path, f.tree_id FROM defs d JOIN files f ON f.id = d.file_id "
                "WHERE d.name = ? AND d.kind = 'macro' AND d.source = 'ts'", (name,)):
            if (path.endswith(".S") and file_id != self.context) or (self.tree_id is not None
                                                                     and tree_id != self.tree_id):
                continue  # assembly's macros never reach C; another tree's never reach this one
            if path.endswith(".c") and file_id != self.context and file_id not in self._included():
                continue  # another .c file's own macro, and not a file this one includes
            if self._sysdirs() is not None and sysdeps_rank(path, self._sysdirs()) is None:
                continue  # another glibc target's sysdeps directory: never on this one's include path
            config = self._configuration(tree_id) if self.configured else None
            truth = evaluate(condition, config, self.assume) if condition else True
            if truth is not False:
                rows.append((file_id, line, truth, path))
        rows = self._in_effect_here(rows, name)
        if len(rows) > 1:
            near = self._included()
            # A .c file's own macros reach only that file (and the few that #include it).
            # The semantic pass's skipped regions are its C units' view, not assembly's.
            c_view = self.configured and not self._assembly()
            rows.sort(key=lambda r: (c_view and self.index.inactive(r[0], r[1]),
                                     r[3].endswith(".c") and r[0] != self.context, self._other_arch(r[3]),
                                     self._precedence(r[3]), r[2] is not True,
                                     self._undefined_after(r[0], r[1], name), r[0] != self.context,
                                     r[0] not in near, len(r[3]), r[1]))
        found = []
        for file_id, line, _, _ in rows:
            text = define_text(self.index._lines(file_id), line)
            if text is not None:
                found.append(parse_define(text, self._where(file_id, line), self._assembly()))
        self._parsed[name] = found
        return found

    def _in_effect_here(self, rows: list[tuple], name: str) -> list[tuple]:
        """Of the context file's own definitions (rows start with file id, line), only the last one
        before the line in question that no `#undef` ended; the other files' stay candidates."""
        if self.context is None or self.line is None or not any(r[0] == self.context for r in rows):
            return rows
        undef = _undef(name)
        lines = self.index._lines(self.context)
        before = [r for r in rows if r[0] == self.context and r[1] < self.line
                  and not any(undef.match(text) for text in lines[r[1]:self.line - 1])]
        others = [r for r in rows if r[0] != self.context]
        return [max(before, key=lambda r: r[1])] + others if before else others

    def _other_arch(self, path: str) -> bool:
        """A kernel header of another architecture than the tree's (or xref's default). (A glibc
        header of another target's sysdeps directory is no candidate at all there.)"""
        if not path.startswith("arch/") or self.tree_id is None:
            return False
        if self._srcarch is None:
            self._srcarch = kernel_srcarch(self.arch or self.index.arch(self.tree_id))
        return not path.startswith(f"arch/{self._srcarch}/")

    def _precedence(self, path: str) -> int:
        """glibc: the include path's order, the sysdeps search order (0 elsewhere)."""
        order = self._sysdirs()
        if order is None:
            return 0
        rank = sysdeps_rank(path, order)
        return len(order) + 1 if rank is None else rank

    def _sysdirs(self) -> list[str] | None:
        if self._order is False:
            self._order = self.index.sysdirs(self.tree_id, self.arch) if self.tree_id is not None else None
        return self._order

    def _configuration(self, tree_id: int) -> dict[str, str] | None:
        if tree_id not in self._configs:
            self._configs[tree_id] = self.index.configuration(tree_id)
        return self._configs[tree_id]


@lru_cache(maxsize=4096)
def _undef(name: str) -> re.Pattern[str]:
    """A line `#undef NAME`."""
    return re.compile(rf"^\s*#\s*undef\s+{re.escape(name)}\b")


def _definition_key(macro: Macro) -> tuple:
    return tuple(macro.params or ()), macro.params is None, macro.variadic, render(macro.body)


def expand_text(index: Index, text: str, context_file: int | None = None, place: str = "",
                line: int | None = None) -> Expansion:
    """Expand `text` as it would be at `line` of the context file (None: after all of it)."""
    lookup = IndexMacros(index, context_file, line=line)
    expander = Expander(lookup)
    tokens = expander.expand(tokenize(text), record=True)
    used = {s.macro for s in expander.steps}
    return Expansion(text, render(tokens), expander.steps,
                     {k: v for k, v in lookup.candidates.items() if k in used}, place)


def invocation_at(lines: list[str], line: int, column: int | None = None) -> str:
    """The macro invocation at a place: from the identifier there to its closing parenthesis."""
    if line < 1:
        raise ExpansionError("lines count from 1")
    if line > len(lines):
        raise ExpansionError(f"line {line} is past the end of the file ({len(lines)} lines)")
    text = lines[line - 1]
    if column is not None:
        if column < 1:
            raise ExpansionError("columns count from 1")
        if column > len(text) + 1:
            raise ExpansionError(f"column {column} is past the end of line {line} ({len(text)} columns)")
        start = column - 1
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
    else:
        match = re.search(r"[A-Za-z_]\w*\s*\(", text) or re.search(r"[A-Za-z_]\w*", text)
        if match is None:
            raise ExpansionError(f"no macro use on line {line}")
        start = match.start()
    rest = text[start:]
    name = re.match(r"[A-Za-z_]\w*", rest)
    if name is None:
        raise ExpansionError(f"no identifier at line {line}, column {column}")
    following = rest[name.end():].lstrip()
    if not following.startswith("(") and not (following == "" and line < len(lines)
                                               and lines[line].lstrip().startswith("(")):
        return name.group()
    # Take lines until the parentheses balance (strings and comments aside).
    collected = rest
    depth = 0
    seen_open = False
    k = line
    while True:
        cleaned = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|/\*.*?\*/|//.*$', "", collected)
        depth = cleaned.count("(") - cleaned.count(")")
        seen_open = seen_open or "(" in cleaned
        if seen_open and depth <= 0:
            break
        if k >= len(lines):
            raise ExpansionError(f"unterminated invocation of '{name.group()}' starting at line {line}")
        collected += "\n" + lines[k]
        k += 1
    # Cut after the parenthesis that closes the invocation.
    depth = 0
    for i, ch in enumerate(collected):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return collected[: i + 1]
    return collected


def expand_at(index: Index, path: str, line: int, column: int | None = None) -> Expansion:
    """Expand the macro invocation at path:line[:column] of an indexed file."""
    file_id = index.file_id(path)
    if file_id is None:
        raise ExpansionError(f"{path} is not in the index")
    lines = index._lines(file_id)
    text = invocation_at(lines, line, column)
    place = f"{path}:{line}" + (f":{column}" if column else "")
    return expand_text(index, text, file_id, place, line)


def pretty(text: str) -> str:
    """Readable C: clang-format when installed, else a break after each `;`, `{` and `}`."""
    import shutil
    import subprocess

    formatter = shutil.which("clang-format")
    if formatter:
        proc = subprocess.run([formatter, "--style={BasedOnStyle: LLVM, ColumnLimit: 100}"], input=text,
                              capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.rstrip()
    out: list[str] = []
    indent = 0
    for piece in re.split(r"(?<=[;{}])\s*", text):
        if not piece:
            continue
        if piece.startswith("}"):
            indent = max(indent - 1, 0)
        out.append("    " * indent + piece)
        if piece.endswith("{"):
            indent += 1
    return "\n".join(out)

