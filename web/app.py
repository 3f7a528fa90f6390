"""The Flask application: `create_app(index_dir)` builds it; `xref serve` runs it under waitress.

Every page's data comes from `xref` (queries, the execution model, the macro engine); the JSON
API under `/api/` serves the same answers the CLI prints with `--json`. The server only reads:
an error is a JSON object `{"error": "..."}` with the HTTP status that fits (400 for a bad
parameter, 404 for what the index does not have, 422 for a query that ran past the server's
time limit), never a 500 for bad input.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from web.common import BadRequest, NotFound, current_index, identifier, int_arg
from xref.conditions import DEFAULT_ARCH
from xref.limits import WEB_SECONDS, QueryTimeout


class _JSON(DefaultJSONProvider):
    """JSON whose strings never hold a raw `<`, `>` or `&` (escaped as \\u003c...): an answer that
    echoes what was asked for cannot be read as markup, whatever a browser guesses."""

    def dumps(self, obj, **kwargs) -> str:
        return super().dumps(obj, **kwargs).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Only the server's own script and styles run; inline styles are Graphviz's and the list's indents.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'")


def create_app(index_dir: Path) -> Flask:
    from web.pages import pages

    app = Flask(__name__)
    app.json = _JSON(app)
    app.config["XREF_INDEX"] = Path(index_dir)
    app.extensions["xref"] = threading.local()
    app.url_map.merge_slashes = False  # `//etc/passwd` is a bad path, not one to redirect to
    app.register_blueprint(pages)
    index = current_index

    @app.before_request
    def started():
        g.started = time.perf_counter()

    @app.after_request
    def headers(response):
        if "started" in g:  # the server's own time, as browsers' developer tools show it
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers older than CSP 2
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    def error(status: int, message: str):
        if request.path.startswith("/api/"):
            return jsonify(error=message), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(BadRequest)
    def bad_request(err: BadRequest):
        return error(400, str(err))

    @app.errorhandler(NotFound)
    def not_found(err: NotFound):
        return error(404, str(err))

    @app.errorhandler(QueryTimeout)
    def too_long(err: QueryTimeout):
        return error(422, str(err))  # the query is too broad: a narrower one answers

    @app.errorhandler(sqlite3.OperationalError)
    def interrupted(err: sqlite3.OperationalError):
        if str(err) != "interrupted":  # not the request's deadline (see web/common.py)
            raise err
        return error(422, str(QueryTimeout(WEB_SECONDS)))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return error(err.code, err.description or err.name)

    def hits(found: list, what: str):
        if not found:
            raise NotFound(what)
        return jsonify([h.to_json() for h in found])

    @app.get("/api/def/<name>")
    def api_def(name: str):
        return hits(index().definitions(identifier(name)), f"no definition of {name!r} in the index")

    @app.get("/api/refs/<name>")
    def api_refs(name: str):
        offset, limit = int_arg("offset", 0, 0, 10**9), int_arg("limit", 500, 1, 5000)
        total, found = index().references_page(identifier(name), offset, limit)
        if not total:
            raise NotFound(f"no reference to {name!r} in the index")
        return jsonify(total=total, offset=offset, refs=[h.to_json() for h in found])

    @app.get("/api/callers/<name>")
    def api_callers(name: str):
        return hits(index().callers(identifier(name)), f"no caller of {name!r} in the index")

    @app.get("/api/callees/<name>")
    def api_callees(name: str):
        return hits(index().callees(identifier(name)), f"{name!r} calls nothing the index knows")

    @app.get("/api/regs/<name>")
    def api_regs(name: str):
        return hits(index().registrations(identifier(name)), f"{name!r} is not registered as a pointer anywhere")

    @app.get("/api/search")
    def api_search():
        text = request.args.get("q", "").strip()
        if not text:
            raise BadRequest("give the text to search for: ?q=TEXT")
        if len(text) > 256:
            raise BadRequest("the search text is longer than 256 characters")
        found = index().search(text, request.args.get("kind") or None, int_arg("limit", 30, 1, 500))
        response = jsonify([h.__dict__ for h in found])
        if found.more:  # more names match than the search looked at or returns: the text should be narrowed
            response.headers["X-More-Results"] = "1"
        return response

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
            through = tuple(identifier(name) for name in request.args.getlist("through")[:8] if name)
            route = path_hops(index(), model, key, request.args.get("to") or None, int_arg("depth", 40, 1, 100),
                              through)
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
            expansion = expand_at(index(), path, int_arg("line", None, 1, 10**7), int_arg("column", None, 1, 10**5))
        except ExpansionError as err:
            raise BadRequest(str(err)) from None
        return jsonify(expansion.to_json())

    return app


