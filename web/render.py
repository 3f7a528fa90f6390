"""HTML the pages are made of: a source file with its identifiers linked, a syscall path as an SVG.

Every text written here is escaped (`_esc`, Graphviz's own, or names checked to be plain ASCII
identifiers): source text and names are never trusted.
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import subprocess
import threading
from functools import lru_cache
from urllib.parse import quote, urlencode

from markupsafe import Markup
from pygments.lexers import CLexer, GasLexer, TextLexer
from pygments.token import STANDARD_TYPES, Comment, Keyword, Name, Token

from xref.conditions import kernel_srcarch
from xref.queries import Index

CHUNK = 250  # lines per block the browser may skip rendering while it is off screen
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # ASCII only: safe in a URL and in HTML as it is
_SPECIAL = re.compile(r"[&<>\"']")
_DIRECTIVES = frozenset(("if", "ifdef", "ifndef", "elif", "else", "endif", "define", "undef", "include",
                         "include_next", "defined", "error", "warning", "pragma", "line"))


class Rendered:
    """A file's highlighted lines, CHUNK to a block. Lexing takes the whole file (a comment may
    span blocks); a block becomes HTML the first time it is shown, so a long file's page costs its
    first blocks, not all of them."""

    def __init__(self, lines: list[list[tuple[str, str, str]]], includes: dict[int, str], inactive: set[int]):
        self.lines = len(lines)
        self.blocks = -(-len(lines) // CHUNK)
        self._pieces = lines  # per line: (CSS class, what may link in it, text), as _category says
        self._includes = includes
        self._inactive = inactive
        self._made: dict[int, Markup] = {}
        self._lock = threading.Lock()

    def block(self, index: Index, k: int) -> Markup:
        """Block k (0-based) as HTML: each line with its anchor (`L12`), identifiers the index
        defines linked to them, `#include` targets to the header, lines the configuration skips
        marked."""
        with self._lock:
            if k in self._made:
                return self._made[k]
            first = k * CHUNK
            rows = self._pieces[first:first + CHUNK]
        words = {m.group() for row in rows for _, kind, part in row if kind in ("name", "preproc")
                 for m in _IDENT.finditer(part)}
        defined = _defined(index, words)
        html_rows = []
        for n, row in enumerate(rows, first + 1):
            dim = ' class="off"' if n in self._inactive else ""
            html_rows.append(f'<span id="L{n}"{dim}><a class="ln" href="#L{n}">{n}</a>'
                             f'{"".join(self._piece(n, css, kind, part, defined) for css, kind, part in row)}\n</span>')
        made = Markup("".join(html_rows))
        with self._lock:
            self._made[k] = made
            if len(self._made) == self.blocks:
                self._pieces = []  # every block made: the tokens are not needed again
        return made

    def _piece(self, line: int, css: str, kind: str, part: str, defined: set[str]) -> str:
        if kind == "name" and part in defined:  # one identifier: the common case, made quick
            return f'<a class="{css} id" href="/def/{part}">{part}</a>'
        if kind == "file":
            target = self._includes.get(line)
            return (f'<a class="{css} inc" href="{target}">{_esc(part)}</a>' if target
                    else f'<span class="{css}">{_esc(part)}</span>')
        if kind and (kind == "preproc" or not _IDENT.fullmatch(part)):
            return _linked(part, css, defined, kind == "preproc")
        return f'<span class="{css}">{_esc(part)}</span>' if css else _esc(part)


def lexer_for(path: str):
    if path.endswith((".c", ".h")):
        return CLexer(stripnl=False, ensurenl=False)
    if path.endswith((".S", ".s")):
        return GasLexer(stripnl=False, ensurenl=False)
    return TextLexer(stripnl=False, ensurenl=False)


def render_source(index: Index, file_id: int, text: str, path: str) -> Rendered:
    """The file lexed into lines of pieces, with what its blocks will link: `#include` targets and
    the lines the configuration skips."""
    lines: list[list[tuple[str, str, str]]] = []
    current: list[tuple[str, str, str]] = []
    for ttype, value in lexer_for(path).get_tokens(text):
        css, kind = _category(ttype)
        for k, part in enumerate(value.split("\n") if "\n" in value else (value,)):
            if k:
                lines.append(current)
                current = []
            if part:
                current.append((css, kind, part))
    lines.append(current)
    if lines and not lines[-1] and text.endswith("\n"):
        lines.pop()
    return Rendered(lines, _include_targets(index, file_id), _inactive_lines(index, file_id))


@lru_cache(maxsize=512)
def _category(ttype) -> tuple[str, str]:
    """A token type's CSS class, and what may link in it: "file" (an #include target), "name"
    (identifiers), "preproc" (a directive's rest of line), or "" (nothing)."""
    if ttype in Comment.PreprocFile:
        kind = "file"
    elif ttype in Name or ttype in Keyword.Type:
        kind = "name"
    elif ttype in Comment.Preproc:
        kind = "preproc"
    else:
        kind = ""
    return _css(ttype), kind


def _linked(value: str, css: str, defined: set[str], preproc: bool) -> str:
    out = []
    pos = 0
    for match in _IDENT.finditer(value):
        word = match.group()
        if word not in defined or (preproc and word in _DIRECTIVES):
            continue
        out.append(_span(value[pos:match.start()], css))
        out.append(f'<a class="{css} id" href="/def/{word}">{word}</a>')
        pos = match.end()
    out.append(_span(value[pos:], css))
    return "".join(out)


def _span(text: str, css: str) -> str:
    if not text:
        return ""
    return f'<span class="{css}">{_esc(text)}</span>' if css else _esc(text)


def _esc(text: str) -> str:
    """Text for HTML: `&`, `<`, `>` and quotes as entities (most source text has none)."""
    return html.escape(text) if _SPECIAL.search(text) else text


@lru_cache(maxsize=512)
def _css(ttype) -> str:
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype] if ttype is not Token else ""


def _defined(index: Index, words: set[str]) -> set[str]:
    """Which of these names the index defines (in chunks: SQLite's limit on parameters)."""
    found: set[str] = set()
    words = sorted(words)
    for start in range(0, len(words), 900):
        batch = words[start:start + 900]
        found.update(name for (name,) in index.conn.execute(
            f"SELECT DISTINCT name FROM defs WHERE name IN ({','.join('?' * len(batch))})", batch))
    return found


def _inactive_lines(index: Index, file_id: int) -> set[int]:
    lines: set[int] = set()
    for start, end in index.conn.execute("SELECT start, end FROM inactive WHERE file_id = ?", (file_id,)):
        lines.update(range(start, end + 1))
    return lines


def _include_targets(index: Index, file_id: int) -> dict[int, str]:
    """Line -> the source-view address of the header an `#include` there names: beside the
    includer for "quoted" ones, then the tree's include directories (a glibc tree's sysdeps in the
    configured order, a kernel's `include/` and the configured architecture's), else the likeliest
    file with that name."""
    tree_id, path = index.conn.execute("SELECT tree_id, path FROM files WHERE id = ?", (file_id,)).fetchone()
    tree = index.trees[tree_id][0]
    here = path.rsplit("/", 1)[0] if "/" in path else ""
    arch = kernel_srcarch(index.arch(tree_id))  # x86_64 -> x86: the kernel's directory under arch/
    roots = (index.sysdirs(tree_id) or []) + [
        "include", f"arch/{arch}/include", "include/uapi", f"arch/{arch}/include/uapi",
        f"arch/{arch}/include/generated", f"arch/{arch}/include/generated/uapi", ""]
    out = {}
    for target, line, system in index.conn.execute("SELECT target, line, system FROM includes WHERE file_id = ?",
                                                    (file_id,)):
        found = _in_roots(index, tree_id, ([] if system else [here]) + roots, target)
        if found is not None:
            out[line] = source_url(tree, found)
            continue
        candidates = [(fid, p) for fid, p in index.by_basename().get(target.rsplit("/", 1)[-1], [])
                      if p.endswith("/" + target.lstrip("./"))]
        if candidates:
            fid, found = min(candidates, key=lambda c: (index._file(c[0])[0] != tree,
                                                        not c[1].startswith(f"arch/{arch}/"), len(c[1]), c[1]))
            out[line] = source_url(index._file(fid)[0], found)
    return out


def _in_roots(index: Index, tree_id: int, roots: list[str], target: str) -> str | None:
    """The first ROOT/target the tree's index holds."""
    for root in roots:
        path = posixpath.normpath(f"{root}/{target}" if root else target)
        if path.startswith(("../", "/")):
            continue
        if index.conn.execute("SELECT 1 FROM files WHERE tree_id = ? AND path = ?", (tree_id, path)).fetchone():
            return path
    return None


def source_url(tree: str, path: str, line: int | None = None) -> str:
    url = f"/source/{quote(tree)}/{quote(path)}"
    return url + (f"#L{line}" if line else "")


# -- the path graph ------------------------------------------------------------------------------

PHASE_NAMES = {"user": "user space", "entry": "entry", "dispatch": "dispatch", "handler": "wrappers and handler",
               "kernel": "calls", "indirect": "function-pointer hop", "driver": "driver"}
_PHASE_COLOURS = {"user": "#dbeafe", "entry": "#fde68a", "dispatch": "#fed7aa", "handler": "#bbf7d0",
                  "kernel": "#f3f4f6", "indirect": "#e9d5ff", "driver": "#fecaca"}


def hop_phase(hop) -> str:
    """Which part of the path a hop is in, for its colour and the list's grouping."""
    if hop.via in ("library", "macro", "instruction"):
        return "user"
    if hop.via == "entry":
        return "entry"
    if hop.via in ("dispatch", "subcall"):
        return "dispatch"
    if hop.via in ("wrapper", "jump"):
        return "handler"
    if hop.path.startswith("drivers/"):
        return "driver"
    if hop.via.startswith("indirect"):
        return "indirect"
    return "kernel"


def path_svg(chains, link) -> Markup | None:
    """The chains drawn as one graph by Graphviz's `dot` (each hop once, each call once), each node
    a link to its source line; None when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    nodes: dict[tuple[str, str, int], str] = {}
    lines = ['digraph path {', 'graph [rankdir=TB, bgcolor="transparent", nodesep=0.25, ranksep=0.3];',
             'node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10, height=0.3];',
             'edge [fontname="sans-serif", fontsize=8, color="#6b7280"];']
    edges: set[tuple[str, str, str]] = set()
    for chain in chains:
        previous = None
        for hop in chain:
            key = (hop.symbol, hop.path, hop.line)
            if key not in nodes:
                node = nodes[key] = f"n{len(nodes)}"
                tooltip = f"{hop.path}:{hop.line}\n{hop.via}" + (f"\n{hop.evidence}" if hop.evidence else "")
                lines.append(f'{node} [label={_dot(hop.symbol)}, id={_dot("node-" + hop.symbol)}, '
                             f'URL={_dot(link(hop))}, target="_top", tooltip={_dot(tooltip[:600])}, '
                             f'fillcolor="{_PHASE_COLOURS[hop_phase(hop)]}"'
                             + (', fontcolor="#6b7280", style="rounded,filled,dashed"' if hop.compiled is False
                                else "") + "];")
            node = nodes[key]
            if previous is not None:
                label = hop.via.replace("indirect via ", "") if hop.via.startswith("indirect") else ""
                edges.add((previous, node, label))
            previous = node
    for a, b, label in sorted(edges):
        lines.append(f"{a} -> {b}" + (f" [label={_dot(label)}, fontcolor=\"#7c3aed\", color=\"#7c3aed\"]"
                                      if label else "") + ";")
    lines.append("}")
    try:
        done = subprocess.run([dot, "-Tsvg"], input="\n".join(lines), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    svg = done.stdout[done.stdout.find("<svg"):]
    return Markup(svg)


def _dot(text: str) -> str:
    """A DOT string literal (Graphviz escapes it again for the SVG)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def query_url(base: str, **params) -> str:
    return base + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})
