"""cscope's line-oriented interface over the index, for editors that speak it (vim's `:cs`).

`cscope -dl` reads `<N><pattern>` lines and answers `cscope: K lines` and K lines of
`file function line text`, then the prompt `>> `; `cscope -dL -<N> <pattern>` prints the lines
once. The query numbers are cscope's: 0 symbol, 1 definition, 2 callees, 3 callers, 4 text,
6 egrep, 7 file, 8 includers, 9 assignments. The function column is the real enclosing function
(`<global>` at file scope); calls through function pointers are included, their text column
starting with `[indirect via struct proto_ops.bind]`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from xref import limits
from xref.queries import Hit, Index
from xref.sourcefiles import read_regular

PROMPT = ">> "
QUERIES = {0: "symbol", 1: "definition", 2: "callees", 3: "callers", 4: "text", 6: "egrep", 7: "file",
           8: "includers", 9: "assignments"}
_NOT_DEFINITIONS = ("syscall",)  # a table row; prototypes and externs are global definitions to cscope


class Answerer:
    """Answers cscope queries from one index, naming files relative to `cwd` where they are under it,
    or, given a `prepath` (cscope's -P), as that path followed by the file's path in its tree."""

    def __init__(self, index: Index, cwd: Path, ignore_case: bool = False, prepath: str | None = None,
                 seconds: float | None = limits.CLI_SECONDS) -> None:
        self.index = index
        self.seconds = seconds
        self.deadline = limits.Deadline(None)
        self.cwd = cwd.resolve()
        self.ignore_case = ignore_case
        self.prepath = prepath
        self._roots = {name: root.resolve() for name, root in index.trees.values()}

    def answer(self, number: int, pattern: str) -> list[str]:
        handler: Callable[[str], Iterator[tuple[str, str, str, int, str]]] | None = {
            0: self._symbol, 1: self._definition, 2: self._callees, 3: self._callers, 4: self._text,
            6: self._egrep, 7: self._file, 8: self._includers, 9: self._assignments}.get(number)
        if handler is None or not pattern:
            return []
        lines = []
        self.deadline = limits.Deadline(self.seconds)
        self.index.set_deadline(self.deadline)
        for tree, path, function, line, text in handler(pattern):
            lines.append(f"{self._name(tree, path)} {function or '<global>'} {line} {_one_line(text)}")
        return lines

    # -- the queries --------------------------------------------------------------------------

    def _symbol(self, name: str):
        seen = set()
        for hit in self.index.definitions(name):
            if hit.kind not in _NOT_DEFINITIONS:
                seen.add((hit.tree, hit.path, hit.line))
                yield hit.tree, hit.path, self._enclosing(hit) or name, hit.line, self._text_of(hit)
        for hit in self.index.references(name):
            if (hit.tree, hit.path, hit.line) not in seen:
                yield hit.tree, hit.path, hit.function, hit.line, hit.text

    def _definition(self, name: str):
        for hit in self.index.definitions(name):
            if hit.kind not in _NOT_DEFINITIONS:
                yield hit.tree, hit.path, name, hit.line, self._text_of(hit)
        # cscope reads `.name = f,` in an initializer as a definition of the member it sets
        for hit in self.index.registrations(field_=name):
            if hit.how == "initializer":
                yield hit.tree, hit.path, name, hit.line, self._text_of(hit)

    def _callees(self, name: str):
        """Direct calls, and for a call through a struct field each function registered in that
        field (the call's line, marked); a field nothing is registered in is named as written."""
        for hit in self.index.callees(name):
            targets = self.index.call_targets(hit) if hit.struct or not hit.field else []
            for target in targets or [hit.field]:
                yield hit.tree, hit.path, target, hit.line, _marked(hit)

    def _callers(self, name: str):
        """Calls of `name` (through the fields it is registered in too, marked), and as cscope
        lists them, calls written in a macro's body (the macro in the function column)."""
        seen = set()
        for hit in self.index.callers(name):
            seen.add((hit.tree, hit.path, hit.line))
            yield hit.tree, hit.path, hit.caller, hit.line, _marked(hit)
        # Calls of a struct field with the same name, which cscope cannot tell from calls of the
        # function (`layr->up->receive(...)` for a function `receive`): listed, marked.
        for caller, file_id, line, struct in self.index.conn.execute(
                "SELECT caller, file_id, line, struct FROM calls WHERE callee = ? AND how = 'field'", (name,)):
            tree, path, _ = self.index._file(file_id)
            if (tree, path, line) not in seen:
                seen.add((tree, path, line))
                field = f"struct {struct}.{name}" if struct else f"field {name}"
                yield tree, path, caller, line, f"[a call of {field}] {self.index.source_line(file_id, line)}"
        call = re.compile(rf"\b{re.escape(name)}\s*\(")
        for file_id, lines in self.index.conn.execute("SELECT file_id, lines FROM refs WHERE name = ?", (name,)):
            tree, path, _ = self.index._file(file_id)
            for line in (int(n) for n in lines.split(",")):
                if (tree, path, line) in seen:
                    continue
                text = self.index.source_line(file_id, line)
                macro = _macro_around(self.index._lines(file_id), line) if call.search(text) else None
                if macro:
                    yield tree, path, macro, line, text

    def _text(self, text: str):
        yield from self._grep(self._regex(re.escape(text)))

    def _egrep(self, pattern: str):
        regex = self._regex(pattern)
        if regex is not None:
            yield from self._grep(regex)

    def _file(self, pattern: str):
        regex = self._regex(pattern)
        if regex is None:
            return
        for _, tree_id, path in self.index.listing():
            if limits.search(regex, path, self.deadline):
                yield self.index.trees[tree_id][0], path, "<unknown>", 1, "<unknown>"

    def _includers(self, target: str):
        """Files whose `#include` names `target` or a path ending with it (`net.h`, `linux/net.h`), or
        what cscope matches: the name its regex matches from the start (`net/seg6.h`: `net/seg6_hmac.h`)."""
        base = target.rsplit("/", 1)[-1]
        literal = re.match(r"[\w/\-]*", target).group()  # the regex's plain start, for the query
        regex = limits.compile_pattern(target)
        rows = set(self.index.conn.execute("SELECT file_id, target, line FROM includes WHERE target LIKE ?",
                                           (f"%/{base}",)))  # one query each: SQLite scans the table for an OR
        if literal:
            rows.update(self.index.conn.execute(
                "SELECT file_id, target, line FROM includes WHERE target >= ? AND target < ?",
                (literal, literal + "\U0010ffff")))
        rows.update(self.index.conn.execute("SELECT file_id, target, line FROM includes WHERE target = ?", (target,)))
        for file_id, included, line in sorted(rows):
            if (included == target or included.endswith("/" + target) or target.endswith("/" + included)
                    or (regex is not None and limits.search(regex, included, self.deadline, anchored=True))):
                tree, path, _ = self.index._file(file_id)
                yield tree, path, "<global>", line, self.index.source_line(file_id, line)

    def _assignments(self, name: str):
        assigned = re.compile(rf"\b{re.escape(name)}\s*(?:\[[^\]]*\]\s*)?(?:[-+*/%&|^]|<<|>>)?=(?!=)|"
                              rf"(?:\+\+|--)\s*{re.escape(name)}\b|\b{re.escape(name)}\s*(?:\+\+|--)")
        for hit in self.index.references(name):
            if assigned.search(hit.text):
                yield hit.tree, hit.path, hit.function, hit.line, hit.text

    # -- helpers --------------------------------------------------------------------------------

    def _regex(self, pattern: str):
        """The pattern compiled as cscope reads it (case ignored after `-C`); None when malformed."""
        return limits.compile_pattern(pattern, self.ignore_case)

    def _grep(self, regex):
        for file_id, tree_id, path in sorted(self.index.listing(), key=lambda f: (f[1], f[2])):
            self.deadline.check()
            try:
                text = read_regular(self.index.trees[tree_id][1] / path).decode("utf-8", "replace")
            except OSError:
                continue
            if not limits.search(regex, text, self.deadline):
                continue
            for number, line in enumerate(text.split("\n"), 1):
                if limits.search(regex, line, self.deadline):
                    yield (self.index.trees[tree_id][0], path, self.index.enclosing(file_id, number), number,
                           line)

    def _enclosing(self, hit: Hit) -> str:
        """A member's or a local's home (cscope names the function around a definition)."""
        file_id = self.index.file_id(f"{hit.tree}/{hit.path}")
        return self.index.enclosing(file_id, hit.line) if file_id is not None and hit.kind not in (
            "function", "macro", "struct", "union", "enum", "typedef") else ""

    def _text_of(self, hit: Hit) -> str:
        file_id = self.index.file_id(f"{hit.tree}/{hit.path}")
        return (self.index.source_line(file_id, hit.line) if file_id is not None else "") or hit.text

    def _name(self, tree: str, path: str) -> str:
        if self.prepath:
            return f"{self.prepath.rstrip('/')}/{path}"
        absolute = self._roots[tree] / path
        try:
            return str(absolute.relative_to(self.cwd))
        except ValueError:
            return str(absolute)


def _macro_around(lines: list[str], line: int) -> str | None:
    """The macro whose `#define` (continued with backslashes) holds `line`, if one does."""
    k = line - 1
    while 0 <= k < len(lines):
        match = re.match(r"\s*#\s*define\s+(\w+)", lines[k])
        if match:
            return match.group(1)
        if k == 0 or not lines[k - 1].rstrip().endswith("\\"):
            return None
        k -= 1
    return None


def _marked(hit: Hit) -> str:
    return f"[{hit.how}] {hit.text}" if hit.how.startswith("indirect") else hit.text


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "<unknown>"


def line_mode(answerer: Answerer, stdin: TextIO, stdout: TextIO) -> None:
    """cscope's `-l` loop: a prompt, a query line, the answer; `q` or end of input stops it."""
    while True:
        stdout.write(PROMPT)
        stdout.flush()
        request = stdin.readline()
        if not request:
            return
        request = request.rstrip("\n")
        if request in ("q", "Q"):
            return
        if request.startswith(("c", "C")):  # toggle ignoring case, as cscope does
            answerer.ignore_case = not answerer.ignore_case
            continue
        if request.startswith(("r", "R")):  # rebuild: the index is `xref index`'s to update
            stdout.write("cscope: 0 lines\n")
            continue
        if not request or not request[0].isdigit():
            stdout.write("cscope: 0 lines\n")
            continue
        number, pattern = int(request[0]), request[1:].strip()
        try:
            lines = answerer.answer(number, pattern)
        except limits.QueryTimeout as err:
            lines = []
            print(f"xref cscope: {err}", file=sys.stderr)
        except Exception as err:  # noqa: BLE001 - one bad query must not end the editor's session
            lines = []
            print(f"xref cscope: query {request!r} failed: {err}", file=sys.stderr)
        stdout.write(f"cscope: {len(lines)} lines\n")
        for line in lines:
            stdout.write(line + "\n")


def parse_args(args: list[str]) -> dict:
    """cscope's command line as editors write it: `-dl -f FILE`, `-dL -1 NAME`, `-L1NAME`, `-C`;
    options this interface has no use for (`-k`, `-q`, `-b`, `-p N`, ...) are accepted and ignored."""
    options: dict = {"line": False, "once": False, "query": None, "file": None, "prepath": None,
                     "ignore_case": False}
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        if not arg.startswith("-") or len(arg) < 2:
            continue  # file names cscope would index: the index already has them
        j = 1
        while j < len(arg):
            letter = arg[j]
            if letter.isdigit() or letter in "fPsiFp":
                value = arg[j + 1:]
                if not value and k < len(args):
                    value, k = args[k], k + 1
                if letter.isdigit():
                    options["query"] = (int(letter), value)
                elif letter == "f":
                    options["file"] = value
                elif letter == "P":
                    options["prepath"] = value
                break
            if letter == "l":
                options["line"] = True
            elif letter == "L":
                options["once"] = True
            elif letter == "C":
                options["ignore_case"] = True
            j += 1
    return options
