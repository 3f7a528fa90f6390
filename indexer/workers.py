"""What every worker process of `xref index` starts with."""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def init_worker() -> None:
    """Leave Ctrl-C to the parent (which stops its pools), and die with it: a parent killed
    with -9 cannot stop its workers, which would otherwise run on and print broken pipes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: orphans finish their task and exit
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)
