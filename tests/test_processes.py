"""Worker processes die with the command that started them, and an interrupt stops it at once: the
real command line in a child process, signalled as a user's shell or a supervisor does, with bounded
waits; the tests kill only the processes they started."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from cli_process import alive, children, describe, kill, start, wait_until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the workers")

DICE = "1 - (2*dot(sigmoid(z), y) + 1) / (sum(sigmoid(z)) + sum(y) + 1)"
BUSY = {  # commands that are still working several seconds after their workers started
    "all": ["all", "-o", "out", "-j", "2"],
    "custom": ["custom", DICE, "--wrt", "z", "--vector", "z,y", "--hessian", "--timeout", "0"],
}


def _busy(command: str, tmp_path):
    """Start ``command`` with an empty cache; return it and its workers once they run."""
    process = start(*BUSY[command], cwd=tmp_path, DERIVE_CACHE_DIR=str(tmp_path / "cache"))
    started = wait_until(lambda: children(process.pid) or process.poll() is not None, 120)
    workers = children(process.pid)
    if started is None or not workers:
        process.kill()
        process.communicate()
        pytest.fail(f"{command} started no worker: {process.returncode}")
    return process, workers


@pytest.mark.parametrize("command", BUSY)
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(command, signum, tmp_path):
    process, workers = _busy(command, tmp_path)
    try:
        process.send_signal(signum)
        try:
            process.communicate(timeout=30)  # the workers hold no pipe of ours open: this returns
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 30 s after the signal: {describe(process.pid)}; "
                        f"workers {[describe(w) for w in workers]}")
        outlived = wait_until(lambda: not any(map(alive, workers)), 10) is None
        assert not outlived, "a worker outlived its parent"
    finally:
        process.kill()
        kill(workers)
    assert process.returncode == (-signal.SIGKILL if signum == signal.SIGKILL else 143)


@pytest.mark.parametrize("command", BUSY)
def test_a_lone_sigint_stops_the_command_at_once(command, tmp_path):
    process, workers = _busy(command, tmp_path)
    try:
        process.send_signal(signal.SIGINT)  # to the parent alone, not to its process group
        stopped = wait_until(lambda: process.poll() is not None, 10)
        _, err = process.communicate(timeout=30)
        assert stopped is not None and stopped < 3, f"stopped after {stopped} s"
        assert not any(map(alive, workers)) and process.returncode == 1
        assert "Traceback" not in err
    finally:
        process.kill()
        kill(workers)
    assert not [p for p in (tmp_path / "out").rglob("*.tmp")] if (tmp_path / "out").exists() else True
