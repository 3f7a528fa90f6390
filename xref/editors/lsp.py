"""A language server over stdio (pygls) answering from the index: definition, declaration,
references, document and workspace symbols, call hierarchy (calls through function pointers
included, marked in `detail`), and hover with the signature and, on a macro use, its expansion.

The index is `initializationOptions.db`, else `$XREF_DB`, else the `.xref/` found upward from the
workspace root (as the CLI finds it).
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from xref.queries import Hit, Index, NoIndex

_KINDS = {"function": lsp.SymbolKind.Function, "alias": lsp.SymbolKind.Function, "prototype": lsp.SymbolKind.Function,
          "macro": lsp.SymbolKind.Constant, "struct": lsp.SymbolKind.Struct, "union": lsp.SymbolKind.Struct,
          "enum": lsp.SymbolKind.Enum, "enumerator": lsp.SymbolKind.EnumMember, "member": lsp.SymbolKind.Field,
          "typedef": lsp.SymbolKind.TypeParameter, "variable": lsp.SymbolKind.Variable,
          "extern": lsp.SymbolKind.Variable, "label": lsp.SymbolKind.Function, "syscall": lsp.SymbolKind.Event}
_DECLARATIONS = ("prototype", "extern")
_WORD = re.compile(r"[A-Za-z_]\w*")


class XrefServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("xref", "0.1.0")
        self.db: str | None = None
        self.root: Path | None = None
        self._index: Index | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            try:
                self._index = Index.open(self.db, start=self.root)
            except NoIndex as err:
                raise RuntimeError(str(err)) from None
        return self._index

    # -- places ---------------------------------------------------------------------------------

    def word_at(self, uri: str, position: lsp.Position) -> str | None:
        document = self.workspace.get_text_document(uri)
        lines = document.lines
        if position.line >= len(lines):
            return None
        text = lines[position.line]
        for match in _WORD.finditer(text):
            if match.start() <= position.character <= match.end():
                return match.group()
        return None

    def location(self, hit: Hit) -> lsp.Location:
        return lsp.Location(uri=self.uri(hit), range=self.name_range(hit, hit.name))

    def uri(self, hit: Hit) -> str:
        root = next(r for name, r in self.index.trees.values() if name == hit.tree)
        return from_fs_path(str(root / hit.path))

    def name_range(self, hit: Hit, name: str) -> lsp.Range:
        """Where `name` is on the hit's line (the line's start when it is not written there)."""
        file_id = self.index.file_id(f"{hit.tree}/{hit.path}")
        lines = self.index._lines(file_id) if file_id is not None else []
        text = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
        match = re.search(rf"\b{re.escape(name)}\b", text)
        start, end = (match.start(), match.end()) if match else (0, 0)
        return lsp.Range(start=lsp.Position(line=hit.line - 1, character=start),
                         end=lsp.Position(line=hit.line - 1, character=end))

    def item(self, name: str, detail: str = "") -> lsp.CallHierarchyItem | None:
        """A function's call-hierarchy item at its definition."""
        found = [h for h in self.index.definitions(name) if h.kind not in _DECLARATIONS] or \
            self.index.definitions(name)
        if not found:
            return None
        hit = found[0]
        place = self.name_range(hit, name)
        return lsp.CallHierarchyItem(name=name, kind=_KINDS.get(hit.kind, lsp.SymbolKind.Function), uri=self.uri(hit),
                                     range=place, selection_range=place, detail=detail or f"{hit.path}:{hit.line}",
                                     data={"name": name})


server = XrefServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: XrefServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options or {}
    if isinstance(options, dict) and options.get("db"):
        ls.db = options["db"]
    root = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
    ls.root = Path(to_fs_path(root)) if root else Path.cwd()


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: XrefServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    return _places(ls, params, declarations=False)


@server.feature(lsp.TEXT_DOCUMENT_DECLARATION)
def declaration(ls: XrefServer, params: lsp.DeclarationParams) -> list[lsp.Location]:
    return _places(ls, params, declarations=True)


def _places(ls: XrefServer, params: lsp.TextDocumentPositionParams, declarations: bool) -> list[lsp.Location]:
    """The name's definitions (bodies, or with `declarations` its prototypes and externs), all of
    them when it has none of that sort."""
    name = ls.word_at(params.text_document.uri, params.position)
    if not name:
        return []
    found = ls.index.definitions(name)
    return [ls.location(h) for h in ([h for h in found if (h.kind in _DECLARATIONS) == declarations] or found)]


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: XrefServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    name = ls.word_at(params.text_document.uri, params.position)
    if not name:
        return []
    hits = ls.index.references(name)
    places = {(h.tree, h.path, h.line) for h in hits}
    if params.context.include_declaration:
        hits += [h for h in ls.index.definitions(name) if (h.tree, h.path, h.line) not in places]
    return [ls.location(h) for h in hits]


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: XrefServer, params: lsp.DocumentSymbolParams) -> list[lsp.SymbolInformation]:
    file_id = ls.index.file_id(to_fs_path(params.text_document.uri))
    if file_id is None:
        return []
    tree, path, _ = ls.index._file(file_id)
    symbols = []
    seen = set()
    for name, kind, line, scope in ls.index.conn.execute(
            "SELECT name, kind, line, scope FROM defs WHERE file_id = ? ORDER BY line", (file_id,)):
        if (name, kind, line) in seen:
            continue
        seen.add((name, kind, line))
        hit = Hit(name, kind, tree, path, line)
        symbols.append(lsp.SymbolInformation(name=name, kind=_KINDS.get(kind, lsp.SymbolKind.Null),
                                             location=ls.location(hit),
                                             container_name=scope if kind in ("member", "enumerator") else None))
    return symbols


@server.feature(lsp.WORKSPACE_SYMBOL)
def workspace_symbols(ls: XrefServer, params: lsp.WorkspaceSymbolParams) -> list[lsp.SymbolInformation]:
    if not params.query:
        return []
    symbols = []
    for hit in ls.index.search(params.query, None, 50):
        tree, path, line = hit.where.rsplit(":", 2)
        place = Hit(hit.name, hit.kinds[0], tree, path, int(line))
        symbols.append(lsp.SymbolInformation(name=hit.name, kind=_KINDS.get(hit.kinds[0], lsp.SymbolKind.Null),
                                             location=ls.location(place)))
    return symbols


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
def prepare_calls(ls: XrefServer, params: lsp.CallHierarchyPrepareParams) -> list[lsp.CallHierarchyItem]:
    name = ls.word_at(params.text_document.uri, params.position)
    item = ls.item(name) if name else None
    return [item] if item else []


@server.feature(lsp.CALL_HIERARCHY_INCOMING_CALLS)
def incoming(ls: XrefServer, params: lsp.CallHierarchyIncomingCallsParams) -> list[lsp.CallHierarchyIncomingCall]:
    name = params.item.name
    calls = ((hit.caller, hit.how, ls.name_range(hit, hit.field or name)) for hit in ls.index.callers(name)
             if hit.caller)
    return [lsp.CallHierarchyIncomingCall(from_=item, from_ranges=ranges) for item, ranges in _grouped(ls, calls)]


@server.feature(lsp.CALL_HIERARCHY_OUTGOING_CALLS)
def outgoing(ls: XrefServer, params: lsp.CallHierarchyOutgoingCallsParams) -> list[lsp.CallHierarchyOutgoingCall]:
    calls = ((target, hit.how, ls.name_range(hit, hit.field or target))
             for hit in ls.index.callees(params.item.name) for target in ls.index.call_targets(hit))
    return [lsp.CallHierarchyOutgoingCall(to=item, from_ranges=ranges) for item, ranges in _grouped(ls, calls)]


def _grouped(ls: XrefServer, calls) -> list[tuple[lsp.CallHierarchyItem, list[lsp.Range]]]:
    """(function, how, call range) triples as one item per function, with all its call ranges and
    a detail naming the indirect ways; functions the index does not define are left out."""
    found: dict[str, tuple[set[str], list[lsp.Range]]] = {}
    for name, how, place in calls:
        hows, ranges = found.setdefault(name, (set(), []))
        hows.add(how)
        ranges.append(place)
    out = []
    for name, (hows, ranges) in found.items():
        item = ls.item(name, _detail(hows))
        if item is not None:
            out.append((item, ranges))
    return out


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: XrefServer, params: lsp.HoverParams) -> lsp.Hover | None:
    name = ls.word_at(params.text_document.uri, params.position)
    if not name:
        return None
    found = ls.index.definitions(name)
    if not found:
        return None
    parts = ["```c\n" + "\n".join(dict.fromkeys(h.text for h in found[:3])) + "\n```",
             f"{found[0].kind} · {found[0].tree}/{found[0].path}:{found[0].line}"]
    if any(h.kind == "macro" for h in found):
        expansion = _expansion(ls, params, name)
        if expansion:
            parts.append("Expands here to:\n```c\n" + expansion + "\n```")
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n".join(parts)))


def _detail(hows: set[str]) -> str:
    """How one function calls another, for the item's detail: the indirect ways named ("direct
    call; indirect via struct proto.sendmsg"), or "" (the item then shows its place) when all direct."""
    indirect = sorted(h for h in hows if h.startswith("indirect"))
    if not indirect:
        return ""
    return "; ".join((["direct call"] if len(indirect) < len(hows) else []) + indirect)


def _expansion(ls: XrefServer, params: lsp.HoverParams, name: str) -> str:
    """The final text of the macro use under the cursor, as `xref expand` gives it."""
    from xref.expand import expand_at, pretty
    from xref.macros import ExpansionError

    path = to_fs_path(params.text_document.uri)
    if ls.index.file_id(path) is None:
        return ""
    text = ls.workspace.get_text_document(params.text_document.uri).lines[params.position.line]
    match = next((m for m in _WORD.finditer(text) if m.group() == name and
                  m.start() <= params.position.character <= m.end()), None)
    try:
        return pretty(expand_at(ls.index, path, params.position.line + 1, match.start() + 1 if match else None).final)
    except ExpansionError:
        return ""


# The longest message a client may send (a whole file's text, with room to spare).
MAX_MESSAGE = 64 << 20


class _BoundedInput:
    """Standard input as pygls reads it, refusing a message longer than MAX_MESSAGE: pygls
    allocates the length a Content-Length header claims, so `Content-Length: 99999999999` would
    end in a MemoryError. The session ends instead, with one line saying why."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def readline(self, *args) -> bytes:
        return self.raw.readline(MAX_MESSAGE)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > MAX_MESSAGE:
            print(f"xref lsp: a message of {size:,} bytes is longer than the {MAX_MESSAGE >> 20} MiB "
                  "xref reads; the session ends.", file=sys.stderr)
            return b""
        return self.raw.read(size)

    def close(self) -> None:
        self.raw.close()


class _OneLine(logging.Formatter):
    """pygls' log as one line per event: a message it could not read or handle is the client's
    mistake, not a traceback to show."""

    def format(self, record: logging.LogRecord) -> str:
        why = f": {record.exc_info[1]}" if record.exc_info and record.exc_info[1] else ""
        first = (record.getMessage() + why).strip().split("\n")[0]  # (pygls puts tracebacks in some messages)
        return f"xref lsp: {first}"


def serve() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    log = logging.getLogger("pygls")
    log.handlers, log.propagate = [handler], False
    log.setLevel(logging.WARNING)
    server.start_io(stdin=_BoundedInput(sys.stdin.buffer), stdout=sys.stdout.buffer)
