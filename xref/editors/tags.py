"""Tags files from the index: universal-ctags' extended format for vim, etags' for Emacs.

Every definition the index holds goes in, the ones macros make (`__do_sys_sendto` at its
`SYSCALL_DEFINE6` line) included; where the compiler's view of a place is known it wins over the
macro stage's, which wins over the parser's (as `xref def` chooses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from xref.queries import DEF_RANK, Index
from xref.sourcefiles import read_regular

# universal-ctags' one-letter kinds for C (and its Asm parser's label); others are written long.
KIND_LETTERS = {"macro": "d", "enumerator": "e", "function": "f", "alias": "f", "enum": "g", "member": "m",
                "prototype": "p", "struct": "s", "typedef": "t", "union": "u", "variable": "v", "extern": "x",
                "label": "l"}
_SOURCE_RANK = {"clang": 0, "macro": 1, "ts": 2}
_SCOPE_KIND = {"member": "struct", "enumerator": "enum"}


def tag_rows(index: Index) -> Iterator[tuple]:
    """(name, file id, line, kind, scope, typeref, signature) of every definition but declarations
    (prototypes and externs, which ctags and etags leave out by default, so that `:tag` goes to the
    body), by name in byte order (what `!_TAG_FILE_SORTED 1` promises), one per place and kind; a
    name's places in files the configuration compiles first (the one `:tag` jumps to), then those it
    may, then the rest; functions before macros, then by path."""
    paths = {file_id: path for file_id, _, path in index.listing()}
    read = {file_id for (file_id,) in index.conn.execute("SELECT file_id FROM compiled")}
    state: dict[int, int] = {}  # 0: a unit of the configuration reads the file, 1: unknown, 2: none does

    def order(row: tuple) -> tuple:
        if row[1] not in state:
            state[row[1]] = 0 if row[1] in read else 2 if index._not_compiled(row[1]) else 1
        return state[row[1]], DEF_RANK.get(row[3], 9), paths.get(row[1], ""), row[2]

    # One pass over the table and SQLite's sorter (spilling to temporary files): by its name index
    # it would fetch every row from wherever it lies, eight minutes for the kernel's 7.6 M rows.
    index.conn.execute("PRAGMA temp_store=FILE")
    rows = index.conn.execute(
        "SELECT name, file_id, line, kind, scope, typeref, signature, source FROM defs ORDER BY +name")
    for _, same in groupby(rows, key=itemgetter(0)):
        best: dict[tuple[int, int, str], tuple] = {}
        for row in same:
            if row[3] in ("prototype", "extern"):
                continue
            key = (row[1], row[2], row[3])
            if key not in best or _SOURCE_RANK.get(row[7], 3) < _SOURCE_RANK.get(best[key][7], 3):
                best[key] = row
        expanded = {(r[1], r[2]) for r in best.values() if r[7] == "clang"}
        for row in sorted(best.values(), key=order):
            if row[7] == "macro" and (row[1], row[2]) in expanded:
                continue  # the compiler expanded this invocation: its names are the ones above
            yield row[:7]


def write_ctags(index: Index, out: TextIO, base: Path) -> int:
    """Write a sorted tags file (paths relative to `base`, the tags file's directory); return the
    number of tags."""
    out.write("!_TAG_FILE_FORMAT\t2\t/extended format; --format=1 will not append ;\" to lines/\n")
    out.write("!_TAG_FILE_SORTED\t1\t/0=unsorted, 1=sorted, 2=foldcase/\n")
    out.write("!_TAG_PROGRAM_NAME\txref\t//\n")
    out.write("!_TAG_PROGRAM_URL\thttps://example.invalid/xref\t/written from an xref index/\n")
    paths = _paths(index, base)
    count = 0
    for name, file_id, line, kind, scope, typeref, signature in tag_rows(index):
        if "\t" in name or "\n" in name:
            continue
        fields = [KIND_LETTERS.get(kind, f"kind:{kind}"), f"line:{line}"]
        if scope and kind in ("member", "enumerator"):  # a macro's scope is its #if condition
            fields.append(f"{_SCOPE_KIND[kind]}:{_field(scope)}")
        if typeref:
            fields.append(f"typeref:typename:{_field(typeref)}")
        params = _parameters(name, signature or "") if kind in ("function", "prototype", "macro", "alias") else ""
        if params:
            fields.append(f"signature:{_field(params)}")
        out.write(f"{name}\t{paths[file_id]}\t{line};\"\t" + "\t".join(fields) + "\n")
        count += 1
    return count


def write_etags(index: Index, out: TextIO, base: Path) -> int:
    """Write an Emacs TAGS file: per source file, each definition's line up to its name, the name,
    the line number and the line's byte offset. Returns the number of tags."""
    paths = _paths(index, base)
    by_file: dict[int, list[tuple[str, int]]] = {}
    for name, file_id, line, *_ in tag_rows(index):
        by_file.setdefault(file_id, []).append((name, line))
    count = 0
    for file_id in sorted(by_file, key=lambda f: paths[f]):
        try:
            data = read_regular(index._file(file_id)[2])
        except OSError:
            data = b""
        starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
        entries = []
        for name, line in sorted(set(by_file[file_id]), key=lambda e: (e[1], e[0])):
            if not 0 < line <= len(starts):
                continue
            start = starts[line - 1]
            end = data.find(b"\n", start)
            text = data[start:end if end != -1 else len(data)].decode("utf-8", "replace").rstrip("\r")
            at = text.find(name)
            head = text[:at + len(name)] if at != -1 else text
            entries.append(f"{head}\x7f{name}\x01{line},{start}\n")
        section = "".join(entries)
        out.write(f"\x0c\n{paths[file_id]},{len(section.encode('utf-8'))}\n{section}")
        count += len(entries)
    return count


def _paths(index: Index, base: Path) -> dict[int, str]:
    """File id -> its path as the tags file names it: relative to `base` when under it, else absolute."""
    base = base.resolve()
    roots = {tree_id: root.resolve() for tree_id, (_, root) in index.trees.items()}
    out = {}
    for file_id, tree_id, path in index.listing():
        absolute = roots[tree_id] / path
        try:
            out[file_id] = str(absolute.relative_to(base))
        except ValueError:
            out[file_id] = str(absolute)
    return out


def _parameters(name: str, signature: str) -> str:
    """`(int fd, void __user *buff)` from the one-line signature `int f(int fd, void __user *buff)`."""
    at = signature.find(name)
    while at != -1:
        rest = signature[at + len(name):].lstrip()
        if rest.startswith("(") and (at == 0 or not (signature[at - 1].isalnum() or signature[at - 1] == "_")):
            depth = 0
            for k, ch in enumerate(rest):
                depth += 1 if ch == "(" else -1 if ch == ")" else 0
                if depth == 0:
                    return rest[:k + 1]
            return rest
        at = signature.find(name, at + 1)
    return ""


def _field(value: str) -> str:
    """A value inside a tags field: backslash and tab escaped, one line."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", " ")
