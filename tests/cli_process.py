"""The real `derive` command line in a child process, for the tests that need one (signals, limits,
standard output, a hang that must fail the test instead of the suite)."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-c", "from derive.cli import main; main()"]


def environment(**extra: str) -> dict[str, str]:
    """This environment with this checkout's package first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def derive_cli(*args: str, cwd: Path, limit_bytes: int | None = None, stdout: object = subprocess.PIPE,
               timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``derive ARGS`` to the end, or kill it and all it started after ``timeout`` seconds; with
    ``limit_bytes``, no file it writes may grow past that size (RLIMIT_FSIZE: a write beyond fails as
    on a full disk)."""

    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    # a session of its own, so that a command that hangs is killed with every process it started
    with subprocess.Popen([*COMMAND, *args], cwd=cwd, env=environment(), stdout=stdout,
                          stderr=subprocess.PIPE,
                          text=True, preexec_fn=limit, start_new_session=True) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def start(*args: str, cwd: Path, **env: str) -> subprocess.Popen:
    """Start ``derive ARGS`` in a child process, its output in pipes; the caller ends it."""
    return subprocess.Popen([*COMMAND, *args], cwd=cwd, env=environment(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (an ended process nobody reaped, a zombie, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout: float) -> float | None:
    """Seconds until ``condition()`` held (polled every 50 ms), or None after ``timeout`` seconds."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if condition():
            return time.monotonic() - began
        time.sleep(0.05)
    return None


def kill(pids: list[int]) -> None:
    """SIGKILL those of ``pids`` that still run (the processes a test started, never others)."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def describe(pid: int) -> str:
    """What ``pid`` is doing, for a failure message: its state, where it waits, its command line."""
    parts = []
    for name in ("stat", "wchan", "cmdline"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as source:
                parts.append(source.read()[:200].replace(b"\0", b" ").decode(errors="replace").strip())
        except OSError as error:
            parts.append(type(error).__name__)
    return f"{pid}: " + " | ".join(parts)
