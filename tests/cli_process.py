"""The real `derive` command line in a child process, for the tests that need one (signals, limits,
standard output, a hang that must fail the test instead of the suite)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-c", "from derive.cli import main; main()"]


def environment(**extra: str) -> dict[str, str]:
    """This environment with this checkout's package first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def derive_cli(*args: str, cwd: Path, limit_bytes: int | None = None, stdout: object = subprocess.PIPE,
               timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``derive ARGS`` to the end (at most ``timeout`` seconds); with ``limit_bytes``, no file it
    writes may grow past that size (RLIMIT_FSIZE: a write beyond fails as on a full disk)."""

    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([*COMMAND, *args], cwd=cwd, env=environment(), stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, preexec_fn=limit)
