"""The bounds every query runs within: its time, and the size of what it is given.

A query past its time stops with QueryTimeout, which names the limit. SQLite checks the time
itself, through a progress handler (`Index.set_deadline`); the Python loops that can run long
(egrep over every file, a pattern's matching) check it with `check` and match with the `regex`
module's timeout, which stops a pattern that would backtrack for ever.
"""

from __future__ import annotations

import time

import regex

# Seconds a query may take: on the command line, and in the web server (whose other requests
# must not wait behind one).
CLI_SECONDS = 60.0
WEB_SECONDS = 120.0


class QueryTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query took longer than xref's limit of {seconds:.0f} s; narrow it")
        self.seconds = seconds


class Deadline:
    """A moment a query must be over by (`seconds` from now; None: never)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds if seconds is not None else float("inf")

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return time.monotonic() > self.at

    def check(self) -> None:
        if self.passed():
            raise QueryTimeout(self.seconds or 0)


def compile_pattern(pattern: str, ignore_case: bool = False) -> regex.Pattern | None:
    """A user's regular expression (Python's syntax), or None when it is malformed."""
    try:
        return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
    except (regex.error, OverflowError, RecursionError, ValueError):
        return None


def search(pattern: regex.Pattern, text: str, deadline: Deadline, anchored: bool = False):
    """pattern.search(text) (pattern.match with `anchored`), stopped with QueryTimeout when the
    deadline passes."""
    try:
        return (pattern.match if anchored else pattern.search)(text, timeout=max(deadline.left(), 0.001))
    except TimeoutError:
        raise QueryTimeout(deadline.seconds or 0) from None
