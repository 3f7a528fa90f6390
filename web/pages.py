"""The HTML pages: source, identifier, search, syscalls, path, macro expansion.

Each page reads the index through `current_index()` (one connection per server thread) and the
model; what it shows is what the CLI prints, laid out for reading and linked.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from web.common import BadRequest, NotFound, current_index, identifier, int_arg
from web.render import CHUNK, PHASE_NAMES, Rendered, hop_phase, path_svg, query_url, render_source, source_url
from xref.queries import Hit, Index
from xref.sourcefiles import on_disk, read_regular

pages = Blueprint("pages", __name__)

REFS_PAGE = 500  # reference lines per page of an identifier
CALLS_PAGE = 200
EAGER_CHUNKS = 16  # blocks of a source file in the page itself; the rest come as the reader nears them
KINDS = ("function", "macro", "struct", "union", "enum", "typedef", "variable", "member", "enumerator", "label",
         "syscall", "prototype")


# -- source -------------------------------------------------------------------------------------

@pages.get("/")
def home():
    index = current_index()
    files: dict[int, int] = {}
    for _, tree_id, _ in index.listing():
        files[tree_id] = files.get(tree_id, 0) + 1
    return render_template("home.html", trees=sorted((name, files.get(tid, 0)) for tid, (name, _) in
                                                      index.trees.items()))


@pages.get("/pygments.css")
def pygments_css():
    from pygments.formatters import HtmlFormatter

    return Response(HtmlFormatter(style="friendly").get_style_defs(".highlight"), mimetype="text/css",
                    headers={"Cache-Control": "max-age=86400"})


@pages.get("/source/")
def trees():
    return redirect(url_for("pages.home"))


@pages.get("/source/<tree>/")
@pages.get("/source/<tree>/<path:path>")
def source(tree: str, path: str = ""):
    index = current_index()
    tree_id = next((tid for tid, (name, _) in index.trees.items() if name == tree), None)
    if tree_id is None or not _plain(path):
        raise NotFound(f"{tree}/{path} is not in the index")
    path = path.rstrip("/")
    row = index.conn.execute("SELECT id, hash FROM files WHERE tree_id = ? AND path = ?", (tree_id, path)).fetchone()
    if row is None:
        listing = _directories(index, tree_id).get(path)
        if listing is None:
            raise NotFound(f"{tree}/{path} is not in the index")
        subdirs, files = listing
        return render_template("dir.html", tree=tree, path=path, crumbs=_crumbs(tree, path),
                               base=f"/source/{quote(tree)}/" + (f"{quote(path)}/" if path else ""),
                               subdirs=sorted(subdirs), files=sorted(files))
    root = index.trees[tree_id][1].resolve()
    real = on_disk(root / path).resolve()
    if not real.is_relative_to(root) or not real.is_file():
        raise NotFound(f"{tree}/{path} is not in the index")  # a symlink out of the tree, or gone
    rendered = _rendered(index, row[0], row[1], real, path)
    if "chunks" in request.args:
        return _chunks(index, rendered, row[1])
    symbol = request.args.get("sym", "")
    eager = rendered.blocks if request.args.get("all") else min(EAGER_CHUNKS, rendered.blocks)
    return render_template("source.html", tree=tree, path=path, crumbs=_crumbs(tree, path), rendered=rendered,
                           shown=[rendered.block(index, k) for k in range(eager)], chunk=CHUNK, version=row[1],
                           symbol=symbol if re.fullmatch(r"\w{1,256}", symbol) else "")


def _chunks(index: Index, rendered: Rendered, version: str) -> Response:
    """`?chunks=A-B&v=HASH`: blocks A to B of a file the page left for later, as HTML; 409 when
    the file changed since the page was made (the page then reloads)."""
    match = re.fullmatch(r"(\d{1,7})-(\d{1,7})", request.args.get("chunks", ""))
    if not match:
        raise BadRequest("chunks must be FIRST-LAST, block numbers")
    first, last = int(match[1]), int(match[2])
    if not first <= last < rendered.blocks:
        raise BadRequest(f"the file has blocks 0 to {rendered.blocks - 1}")
    if request.args.get("v") != version:
        return Response("the file changed since this page was made: reload it\n", status=409, mimetype="text/plain")
    body = "".join(f'<div class="chunk">{rendered.block(index, k)}</div>' for k in range(first, last + 1))
    return Response(body, mimetype="text/html")


def _plain(path: str) -> bool:
    """A tree-relative path with no way out: no `..`, `.`, empty or absolute parts (a backslash
    is part of a name: the index writes bytes that are not UTF-8 as `\\xNN`)."""
    if "\0" in path or path.startswith("/"):
        return False
    parts = path.rstrip("/").split("/") if path.rstrip("/") else []
    return all(part not in ("", ".", "..") for part in parts)


def _crumbs(tree: str, path: str) -> list[tuple[str, str]]:
    crumbs = [(tree, f"/source/{tree}/")]
    parts = path.split("/") if path else []
    for k, part in enumerate(parts):
        crumbs.append((part, f"/source/{tree}/{'/'.join(parts[:k + 1])}" + ("/" if k < len(parts) - 1 else "")))
    return crumbs


_CACHE_LOCK = threading.Lock()
_DIRECTORIES: dict[tuple[str, int], dict[str, tuple[set[str], set[str]]]] = {}
_RENDERED: OrderedDict[tuple[str, int, str], Rendered] = OrderedDict()


def _directories(index: Index, tree_id: int) -> dict[str, tuple[set[str], set[str]]]:
    """Directory -> (subdirectories, files) of a tree's indexed files, built once per index."""
    key = (str(index.gen), tree_id)
    with _CACHE_LOCK:
        if key not in _DIRECTORIES:
            dirs: dict[str, tuple[set[str], set[str]]] = {"": (set(), set())}
            for _, tid, path in index.listing():
                if tid != tree_id:
                    continue
                parent, _, name = path.rpartition("/")
                dirs.setdefault(parent, (set(), set()))[1].add(name)
                while parent:
                    up, _, sub = parent.rpartition("/")
                    entry = dirs.setdefault(up, (set(), set()))
                    if sub in entry[0]:
                        break
                    entry[0].add(sub)
                    dirs.setdefault(parent, (set(), set()))
                    parent = up
            _DIRECTORIES[key] = dirs
        return _DIRECTORIES[key]


def _rendered(index: Index, file_id: int, digest: str, real: Path, path: str) -> Rendered:
    """A file's highlighted lines; the last few files rendered are kept."""
    key = (str(index.gen), file_id, digest)
    with _CACHE_LOCK:
        if key in _RENDERED:
            _RENDERED.move_to_end(key)
            return _RENDERED[key]
    # Lines as the indexer counts them: only "\n" ends one.
    text = read_regular(real).decode("utf-8", "replace")
    rendered = render_source(index, file_id, text, path)
    with _CACHE_LOCK:
        _RENDERED[key] = rendered
        while len(_RENDERED) > 48:
            _RENDERED.popitem(last=False)
    return rendered


# -- identifiers --------------------------------------------------------------------------------

_NOT_DEFINITIONS = ("prototype", "extern")


@pages.get("/def/<name>")
def definition(name: str):
    """Where a click on an identifier goes: its definition when there is one, else its page."""
    index = current_index()
    found = [h for h in index.definitions(identifier(name)) if h.kind not in _NOT_DEFINITIONS]
    first = found[0] if found else None
    if first is not None and (len(found) == 1 or _clear_winner(found)):
        return redirect(query_url(source_url(first.tree, first.path), sym=name) + f"#L{first.line}")
    return redirect(url_for("pages.ident", name=name))


def _clear_winner(found: list[Hit]) -> bool:
    """One function the configuration compiles, the rest only guesses (not compiled, weak, inactive)."""
    real = [h for h in found if h.extra.get("compiled", True) and not h.extra.get("weak")
            and h.extra.get("active", True)]
    return len(real) == 1 and real[0] is found[0]


@pages.get("/ident/<name>")
def ident(name: str):
    index = current_index()
    name = identifier(name)
    offset = int_arg("refs", 0, 0, 10**9)
    definitions = index.definitions(name)
    total, refs = index.references_page(name, offset, REFS_PAGE)
    caller_offset = int_arg("callers", 0, 0, 10**9)
    caller_total, callers = index.callers_page(name, caller_offset, CALLS_PAGE)
    callees = index.callees(name)
    regs = index.registrations(name)
    if not (definitions or total or caller_total or callees or regs):
        raise NotFound(f"{name!r} is not in the index")
    macro = any(h.kind == "macro" for h in definitions)
    groups: list[tuple[str, str, list[dict]]] = []
    for hit in refs:
        row = {"line": hit.line, "function": hit.function, "text": hit.text}
        if macro:
            lines = index._lines(index.file_id(f"{hit.tree}/{hit.path}"))
            raw = lines[hit.line - 1] if hit.line <= len(lines) else ""
            column = re.search(rf"\b{re.escape(name)}\b", raw)
            if column and not re.match(r"\s*#\s*(define|undef|ifn?def|if|elif)\b", raw):
                row["expand"] = query_url("/expand", path=f"{hit.tree}/{hit.path}", line=hit.line,
                                          column=column.start() + 1)
        if not groups or groups[-1][0] != f"{hit.tree}/{hit.path}":
            groups.append((f"{hit.tree}/{hit.path}", source_url(hit.tree, hit.path), []))
        groups[-1][2].append(row)
    return render_template(
        "ident.html", name=name, definitions=definitions, groups=groups, total=total, offset=offset,
        page=REFS_PAGE, callers=callers, caller_total=caller_total, caller_offset=caller_offset,
        calls_page=CALLS_PAGE, callees=callees, regs=regs, hit_url=lambda h: source_url(h.tree, h.path, h.line),
        more=lambda **kw: query_url(f"/ident/{name}", **{"refs": offset, "callers": caller_offset, **kw}))


# -- search -------------------------------------------------------------------------------------

@pages.get("/search")
def search():
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        raise BadRequest(f"no kind {kind[:40]!r} (known: {', '.join(KINDS)})")
    if len(text) > 256:
        raise BadRequest("the search text is longer than 256 characters")
    index = current_index()
    if text and not kind and index.conn.execute("SELECT 1 FROM defs WHERE name = ? LIMIT 1", (text,)).fetchone():
        return redirect(url_for("pages.ident", name=text))  # the name itself: its page
    found = index.search(text, kind or None, 200) if text else []
    return render_template("search.html", q=text, kind=kind, kinds=KINDS, found=found)


@pages.get("/api/complete")
def complete():
    """Suggestions while typing: names starting with the text, then close misspellings."""
    text = request.args.get("q", "").strip()
    if not text or len(text) > 256:
        raise BadRequest("give the text typed so far: ?q=TEXT")
    return jsonify(current_index().complete(text, int_arg("limit", 12, 1, 50)))


# -- syscalls and paths ------------------------------------------------------------------------

def _model(index: Index):
    from xref.model.syscalls import NoSyscall, SyscallModel, abis

    known = abis()
    abi = request.args.get("abi") or "x86_64"
    if abi not in known:
        raise NotFound(f"no ABI {abi[:40]!r} (known: {', '.join(known)})")
    try:
        return SyscallModel(index, known[abi]), known
    except NoSyscall as err:
        raise NotFound(str(err)) from None


@pages.get("/syscalls")
def syscalls():
    index = current_index()
    model, known = _model(index)
    rows = model.all()
    return render_template("syscalls.html", abi=model.abi.name, abis=list(known), calls=rows,
                           def_url=lambda symbol: f"/def/{symbol}")


@pages.get("/path/<key>")
def path(key: str):
    from xref.model.callgraph import NoPath
    from xref.model.paths import path_hops
    from xref.model.syscalls import NoSyscall

    if not re.fullmatch(r"[\w:]{1,128}", key):
        raise BadRequest(f"not a system call name, number or MUX:SUB: {key[:80]!r}")
    to = request.args.get("to", "").strip()
    if to:
        identifier(to)
    index = current_index()
    model, known = _model(index)
    depth = int_arg("depth", 40, 1, 100)
    through = tuple(identifier(name) for name in request.args.getlist("through")[:8] if name)
    try:
        route = path_hops(index, model, key, to or None, depth, through)
    except (NoSyscall, NoPath) as err:
        raise NotFound(str(err)) from None

    def link(hop) -> str:
        file_id = index.file_id(hop.path) if hop.path else None
        if file_id is None:
            return f"/def/{hop.symbol}"
        tree, rel, _ = index._file(file_id)
        return source_url(tree, rel, hop.line)

    grouped = []
    for chain in route.chains:
        groups: list[tuple[str, list]] = []
        for hop in chain:
            if not groups or groups[-1][0] != hop_phase(hop):
                groups.append((hop_phase(hop), []))
            groups[-1][1].append(hop)
        grouped.append({"first": chain[0].symbol, "last": chain[-1].symbol, "hops": len(chain), "groups": groups})
    return render_template("path.html", key=key, abi=model.abi.name, abis=list(known), to=to, grouped=grouped,
                           notes=route.notes, svg=path_svg(route.chains, link), link=link, phase=hop_phase,
                           phase_names=PHASE_NAMES, ends=sorted({c[-1].symbol for c in route.chains if c}))


# -- macro expansion ----------------------------------------------------------------------------

@pages.get("/expand")
def expand():
    from xref.expand import expand_at, pretty
    from xref.macros import ExpansionError

    place = request.args.get("path", "")
    if not place:
        raise BadRequest("give the place to expand: ?path=TREE/PATH&line=N[&column=C]")
    index = current_index()
    line = int_arg("line", None, 1, 10**7)
    column = int_arg("column", None, 1, 10**5)
    try:
        expansion = expand_at(index, place, line, column)
    except ExpansionError as err:
        raise BadRequest(str(err)) from None
    file_id = index.file_id(place)
    tree, rel, _ = index._file(file_id)

    def where(step) -> str:
        at_path, _, at_line = step.where.rpartition(":")
        found = index.file_id(f"{tree}/{at_path}") or index.file_id(at_path)
        if found is None or not at_line.isdigit():
            return f"/def/{step.macro}"
        other_tree, other_path, _ = index._file(found)
        return source_url(other_tree, other_path, int(at_line))

    return render_template("expand.html", expansion=expansion, place=f"{tree}/{rel}:{line}",
                           final=pretty(expansion.final), where=where,
                           back=source_url(tree, rel, line))
