"""Worker processes that never outlive the command that started them.

A worker asks the kernel to kill it when its parent ends (Linux: ``prctl(PR_SET_PDEATHSIG,
SIGKILL)``), however the parent ends (SIGTERM, SIGKILL, a crash), and leaves Ctrl-C to the parent
(it ignores SIGINT, so one interrupt gives one message): :func:`~derive.engine.parent.die_with_parent`,
which the verifier's forked worker calls too.  :func:`worker_pool` is a process pool
whose workers do that, and which the parent ends at once when it is interrupted: the queued work
is cancelled and the running workers are killed, instead of waiting for them to finish.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from .engine.parent import die_with_parent

__all__ = ["worker_pool"]

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
