"""X-macros: a file defines a macro, then includes a header that is a list of its uses.

    #define LSM_HOOK(RET, DEFAULT, NAME, ...) noinline RET bpf_lsm_##NAME(__VA_ARGS__) { return DEFAULT; }
    #include <linux/lsm_hook_defs.h>      (LSM_HOOK(int, 0, file_permission, struct file *file, int mask) ...)
    #undef LSM_HOOK

makes a function per line of the header, and no parser sees one of them: the names are pasted
together in the including file, from a list in another. The tree-sitter pass reads such a file
with the include line replaced by the expansions of the header's uses (on that one line, so
every other line keeps its number): `bpf_lsm_file_permission` is then defined in bpf_lsm.c at the
include line, the LSM's registrations (`LSM_HOOK_INIT(NAME, bpf_lsm_##NAME)`) and the fields of
`union security_list_options` are found like any others. Only the including file's own macros
are expanded; a header is read once per worker.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from xref.macros import Expander, ExpansionError, Macro, parse_define, render, tokenize
from xref.sourcefiles import read_regular

_DIRECTIVE = re.compile(rb"^[ \t]*#[ \t]*(define|undef|include)\b[ \t]*((?:[^\n\\]|\\.)*)", re.M | re.S)
_FUNCTION_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+\w+\(", re.M)
_INCLUDE = re.compile(rb"^[ \t]*#[ \t]*include\b", re.M)
_NAME = re.compile(rb"[A-Za-z_]\w*")
_TARGET = re.compile(rb"(<[^>\n]*>|\"[^\"\n]*\")")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_HEADER_DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n\\]|\\.)*", re.M | re.S)
_USE = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*\(", re.M)
_MAX_SPLICE = 4 << 20  # characters of expansion one include line may become


@dataclass(frozen=True, slots=True)
class Use:
    name: str
    line: int
    text: str  # the invocation, `NAME(...)`, comments gone


@dataclass(frozen=True, slots=True)
class Header:
    uses: dict[str, tuple[Use, ...]]
    defines: frozenset[str]  # macros the header defines itself: its own uses are its own


def splice(source: bytes, path: str, root: str) -> tuple[bytes, dict[int, str], list[str]]:
    """The source with each X-macro include line replaced by its expansion; for each such line
    the chain that made it (`LSM_HOOK (path:line) via header:line`); the headers expanded."""
    first = _FUNCTION_DEFINE.search(source)
    if first is None or _INCLUDE.search(source, first.end()) is None:
        return source, {}, []  # no include after a function-like macro: nothing to splice (most files)
    active: dict[str, tuple[bytes, int]] = {}  # the macros defined here: the text after #define, the line
    pieces: list[bytes] = []
    made: dict[int, str] = {}
    headers: list[str] = []
    done = 0
    line, counted = 1, 0
    for match in _DIRECTIVE.finditer(source):
        kind, rest = match.group(1), match.group(2)
        line += source.count(b"\n", counted, match.start())
        counted = match.start()
        if kind == b"define":
            if name := _NAME.match(rest):
                active[name.group().decode()] = (rest, line)
        elif kind == b"undef":
            if name := _NAME.match(rest):
                active.pop(name.group().decode(), None)
        elif active and (target := _TARGET.match(rest)):
            raw = target.group().decode("utf-8", "replace")
            header_path = _resolve(raw[1:-1], raw[0] == "<", path, root)
            header = _read_header(header_path) if header_path else None
            if header is None:
                continue
            listed = [name for name in header.uses if name in active and name not in header.defines]
            if not listed:
                continue
            macros = _macros({name: active[name] for name in active if name not in header.defines}, path)
            uses = [use for name in listed if macros.get(name) and macros[name].params is not None
                    for use in header.uses[name]]
            if not uses:
                continue
            text = _expand(sorted(uses, key=lambda u: u.line), macros)
            if not text:
                continue
            pieces += [source[done:match.start()], text.encode()]
            done = match.end()
            relative = os.path.relpath(header_path, root)
            headers.append(relative)
            made[line] = "; ".join(f"{name} ({path}:{active[name][1]}) via {relative}:{header.uses[name][0].line}"
                                   for name in sorted({u.name for u in uses}))
    if not made:
        return source, {}, []
    pieces.append(source[done:])
    return b"".join(pieces), made, sorted(set(headers))


def _macros(defines: dict[str, tuple[bytes, int]], path: str) -> dict[str, Macro]:
    macros = {}
    for name, (text, line) in defines.items():
        try:
            macros[name] = parse_define(text.decode("utf-8", "replace"), f"{path}:{line}")
        except ExpansionError:
            continue
    return macros


def _expand(uses: list[Use], macros: dict[str, Macro]) -> str:
    expander = Expander(macros.get, max_steps=200_000)
    out: list[str] = []
    size = 0
    for use in uses:
        try:
            text = render(expander.expand(tokenize(use.text)))
        except ExpansionError:
            continue
        size += len(text)
        if size > _MAX_SPLICE:
            return ""
        out.append(text)
    return " ".join(out).replace("\n", " ")


def _resolve(target: str, system: bool, path: str, root: str) -> str | None:
    """The header an include names, in the tree: next to the file for "x.h", then the generic
    include directories, then the including file's architecture's."""
    places = [] if system else [os.path.dirname(path)]
    places += ["include", "include/uapi"]
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == "arch":
        places += [f"arch/{parts[1]}/include", f"arch/{parts[1]}/include/uapi"]
    places.append("")
    for place in places:
        candidate = os.path.normpath(os.path.join(root, place, target))
        if candidate.startswith(root) and os.path.isfile(candidate):
            return candidate
    return None


@lru_cache(maxsize=4096)
def _read_header(full: str) -> Header | None:
    try:
        data = read_regular(full, 8 << 20)
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), data.decode("utf-8", "replace"))
    defines = frozenset(re.findall(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", text, re.M))
    code = _HEADER_DIRECTIVE.sub(lambda m: "\n" * m.group().count("\n"), text)
    uses: dict[str, list[Use]] = {}
    depth, line, counted = 0, 1, 0
    for match in _USE.finditer(code):
        between = code[counted:match.start()]
        depth += between.count("{") - between.count("}")
        line += between.count("\n")
        counted = match.start()
        close = _closing(code, match.end() - 1)
        if close is None or depth > 0 or not _listed(code, match.start(1), close):
            continue  # a use inside a function or an initializer is the header's own code
        name = match.group(1)
        uses.setdefault(name, []).append(Use(name, line, code[match.start():close + 1].strip()))
    return Header({name: tuple(found) for name, found in uses.items()}, defines)


def _listed(code: str, start: int, close: int) -> bool:
    """A use that stands as an item of a list (after a line's end of a statement or of another
    use, not after a type: `unsigned long\n__clear_user(...)` declares a function)."""
    before = code[max(0, start - 200):start].rstrip()
    after = code[close + 1:close + 40].lstrip()
    return (not before or before[-1] in ";}),{") and not after.startswith("{")


def _closing(text: str, open_at: int) -> int | None:
    depth = 0
    for i in range(open_at, min(len(text), open_at + 20_000)):
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    return None
