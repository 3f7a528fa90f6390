"""The Flask application: `create_app(index_dir)` builds it; `xref serve` runs it under waitress.

Every page's data comes from `xref` (queries, the execution model, the macro engine); the JSON
API under `/api/` serves the same answers the CLI prints with `--json`. The server only reads:
an error is a JSON object `{"error": "..."}` with the HTTP status that fits (400 for a bad
parameter, 404 for what the index does not have), never a 500 for bad input.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from xref.conditions import DEFAULT_ARCH
from xref.queries import Index, NoIndex


class BadRequest(Exception):
    """A parameter the API cannot use: HTTP 400 with the reason."""


class NotFound(Exception):
    """What the index does not have: HTTP 404 with the reason."""


def create_app(index_dir: Path) -> Flask:
    app = Flask(__name__)
    app.config["XREF_INDEX"] = Path(index_dir)
    local = threading.local()  # one SQLite connection per server thread

    def index() -> Index:
        if getattr(local, "index", None) is None:
            try:
                local.index = Index.open(str(app.config["XREF_INDEX"]))
            except NoIndex as err:
                raise NotFound(str(err)) from None
        return local.index

    @app.errorhandler(BadRequest)
    def bad_request(err: BadRequest):
        return jsonify(error=str(err)), 400

    @app.errorhandler(NotFound)
    def not_found(err: NotFound):
        return jsonify(error=str(err)), 404

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return jsonify(error=err.description or err.name), err.code

    def hits(found: list, what: str):
        if not found:
            raise NotFound(what)
        return jsonify([h.to_json() for h in found])

    @app.get("/api/def/<name>")
    def api_def(name: str):
        return hits(index().definitions(_name(name)), f"no definition of {name!r} in the index")

    @app.get("/api/refs/<name>")
    def api_refs(name: str):
        found = index().references(_name(name))
        offset, limit = _int("offset", 0, 0, 10**9), _int("limit", 500, 1, 5000)
        if not found:
            raise NotFound(f"no reference to {name!r} in the index")
        return jsonify(total=len(found), offset=offset, refs=[h.to_json() for h in found[offset:offset + limit]])

    @app.get("/api/callers/<name>")
    def api_callers(name: str):
        return hits(index().callers(_name(name)), f"no caller of {name!r} in the index")

    @app.get("/api/callees/<name>")
    def api_callees(name: str):
        return hits(index().callees(_name(name)), f"{name!r} calls nothing the index knows")

    @app.get("/api/regs/<name>")
    def api_regs(name: str):
        return hits(index().registrations(_name(name)), f"{name!r} is not registered as a pointer anywhere")

    @app.get("/api/search")
    def api_search():
        text = request.args.get("q", "").strip()
        if not text:
            raise BadRequest("give the text to search for: ?q=TEXT")
        found = index().search(text, request.args.get("kind") or None, _int("limit", 30, 1, 500))
        return jsonify([h.__dict__ for h in found])

    @app.get("/api/syscall/<key>")
    def api_syscall(key: str):
        from xref.model.syscalls import NoSyscall, SyscallModel, abi_for

        try:
            model = SyscallModel(index(), abi_for(request.args.get("arch", DEFAULT_ARCH), request.args.get("abi")))
            if key == "list":
                return jsonify([c.to_json() for c in model.all()])
            return jsonify(model.syscall(key).to_json())
        except NoSyscall as err:
            raise NotFound(str(err)) from None

    @app.get("/api/path/<key>")
    def api_path(key: str):
        from xref.model.callgraph import NoPath
        from xref.model.paths import path_hops
        from xref.model.syscalls import NoSyscall, SyscallModel, abi_for

        try:
            model = SyscallModel(index(), abi_for(request.args.get("arch", DEFAULT_ARCH), request.args.get("abi")))
            route = path_hops(index(), model, key, request.args.get("to") or None, _int("depth", 40, 1, 100))
        except (NoSyscall, NoPath) as err:
            raise NotFound(str(err)) from None
        return jsonify(chains=[[h.to_json() for h in chain] for chain in route.chains], notes=route.notes)

    @app.get("/api/expand")
    def api_expand():
        from xref.expand import expand_at
        from xref.macros import ExpansionError

        path = request.args.get("path", "")
        if not path:
            raise BadRequest("give the place to expand: ?path=PATH&line=N")
        try:
            expansion = expand_at(index(), path, _int("line", None, 1, 10**7), _int("column", None, 1, 10**5))
        except ExpansionError as err:
            raise BadRequest(str(err)) from None
        return jsonify(expansion.to_json())

    return app


def _name(name: str) -> str:
    """An identifier as the index stores it: letters, digits, underscores (and $)."""
    if not name or len(name) > 256 or not all(ch.isalnum() or ch in "_$" for ch in name):
        raise BadRequest(f"not an identifier: {name[:80]!r}")
    return name


def _int(key: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(key)
    if raw is None or raw == "":
        if default is None and key == "line":
            raise BadRequest("give ?line=N")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{key} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{key} must be between {low} and {high}")
    return value
