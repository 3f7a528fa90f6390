"""What every worker process of `xref index` starts with."""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1


def init_worker() -> None:
    """Leave Ctrl-C to the parent (which stops its pools), and die with it: a parent killed
    with -9 cannot stop its workers, which would otherwise run on and print broken pipes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held by `interrupts_held`
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: orphans finish their task and exit
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while workers start: a child inherits the mask of the thread that forks
    it (and keeps it across exec), so one that Ctrl-C reaches before `init_worker` ignores it
    finds it pending instead of printing a KeyboardInterrupt from Python's after-fork hooks.
    Threads started meanwhile (a pool's, which fork its replacement workers) keep it held; the
    main thread takes a Ctrl-C that came in the meantime as the block ends."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
