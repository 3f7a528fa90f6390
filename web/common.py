"""What the API and the pages share: the index of the request, and reading its parameters."""

from __future__ import annotations

import threading

from flask import current_app, g, request

from xref.limits import WEB_SECONDS, Deadline
from xref.queries import Index, NoIndex


class BadRequest(Exception):
    """A parameter the API cannot use: HTTP 400 with the reason."""


class NotFound(Exception):
    """What the index does not have: HTTP 404 with the reason."""


_SHARED_LOCK = threading.Lock()
_SHARED: dict[str, tuple] = {}  # generation -> (listing, files by name): read-only, built once


def current_index() -> Index:
    """The index for this request: one open connection per server thread, sharing the lists of
    files every thread would otherwise read again."""
    local = current_app.extensions["xref"]
    if getattr(local, "index", None) is None:
        try:
            index = Index.open(str(current_app.config["XREF_INDEX"]))
        except NoIndex as err:
            raise NotFound(str(err)) from None
        with _SHARED_LOCK:
            if str(index.gen) not in _SHARED:
                _SHARED[str(index.gen)] = (index.listing(), index.by_basename())
            index._listing, index._by_basename = _SHARED[str(index.gen)]
        local.index = index
    if "deadline" not in g:  # one for the whole request, however many queries it makes
        g.deadline = Deadline(WEB_SECONDS)
    local.index.set_deadline(g.deadline)
    return local.index


def identifier(name: str) -> str:
    """An identifier as the index stores it: letters, digits, underscores (and $)."""
    if not name or len(name) > 256 or not all(ch.isalnum() or ch in "_$" for ch in name):
        raise BadRequest(f"not an identifier: {name[:80]!r}")
    return name


def int_arg(key: str, default: int | None, low: int, high: int) -> int | None:
    """A whole-number query parameter within bounds; `line` has no default."""
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
