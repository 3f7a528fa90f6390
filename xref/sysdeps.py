"""glibc's sysdeps directories: where a file stands in a target's search order.

The order itself is computed when the tree is indexed (configure's `config.make`, or the
`Implies` expansion) and stored with the index; see `Index.sysdirs`.
"""

from __future__ import annotations

# Subdirectories of a sysdeps directory that hold headers included by their own path
# (<bits/types.h>, <sys/user.h>); any other subdirectory is a more specific port.
_HEADER_DIRS = frozenset({"bits", "sys", "net", "netinet", "netpacket", "netash", "netatalk", "netax25", "neteconet",
                          "netipx", "netiucv", "netrose", "arpa", "gnu", "include", "scsi", "linux", "asm", "nfs",
                          "rpc", "protocols"})


def sysdeps_rank(path: str, order: list[str]) -> int | None:
    """Where a file stands in the search order: the position of its sysdeps directory; None for
    another target's directory; after every sysdeps directory for the rest of the tree."""
    if not path.startswith("sysdeps/"):
        return len(order)
    holders = [(len(d), position) for position, d in enumerate(order) if path.startswith(d + "/")]
    if not holders:
        return None
    length, position = max(holders)  # the deepest directory holding it: its own port's
    rest = path[length + 1:]
    return position if "/" not in rest or rest.split("/", 1)[0] in _HEADER_DIRS else None
