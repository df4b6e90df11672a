"""Worker processes that never outlive the command that started them.

A worker asks the kernel to kill it when its parent ends (Linux: ``prctl(PR_SET_PDEATHSIG,
SIGKILL)``), however the parent ends (SIGTERM, SIGKILL, a crash), and leaves Ctrl-C to the parent
(it ignores SIGINT, so one interrupt gives one message).  :func:`worker_pool` is a process pool
whose workers do that, and which the parent ends at once when it is interrupted: the queued work
is cancelled and the running workers are killed, instead of waiting for them to finish.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

__all__ = ["die_with_parent", "worker_pool"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Called first in a child process: be killed when the process ``parent`` ends (on Linux), end
    now if it has ended already, and ignore SIGINT (the parent handles it and ends its workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the request above: nobody waits for us
        os._exit(1)


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A ``ProcessPoolExecutor`` of ``jobs`` workers that die with this process; leaving the block
    by an exception (KeyboardInterrupt, SystemExit on SIGTERM) cancels what is queued and kills the
    workers instead of waiting for them."""
    pool = ProcessPoolExecutor(jobs, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        workers = list((pool._processes or {}).values())  # the executor has no public handle on them
        for worker in workers:  # first, so that nothing below can wait for them
            with contextlib.suppress(OSError, ValueError):
                worker.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.join(5)
        raise
    pool.shutdown(wait=True)
