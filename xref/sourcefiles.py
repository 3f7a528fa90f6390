"""Reading the trees' files: only regular files, and names that are not UTF-8 kept.

A FIFO, socket or device put in a tree (even while it is being indexed) is never opened for
reading in a way that could block. A file name with bytes that are not UTF-8 is stored with
each such byte written `\\xNN`, which is how it is shown, and mapped back to the file on disk.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path


def stored_name(rel: str) -> str:
    """A path as the index stores and shows it (`rel` as os.scandir gives it)."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def on_disk(path: Path) -> Path:
    """The file a stored path names: itself, or with its `\\xNN` escapes turned back into bytes."""
    if "\\x" not in str(path) or os.path.lexists(path):
        return path
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), str(path).encode("utf-8"))
    return Path(os.fsdecode(raw))


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`); OSError for anything else, without
    blocking on it: a FIFO opened without O_NONBLOCK waits for a writer."""
    fd = os.open(on_disk(Path(path)), os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks = []
        left = limit if limit is not None else -1
        while left:
            chunk = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left = left - len(chunk) if left > 0 else left
        return b"".join(chunks)
    finally:
        os.close(fd)
