"""The generated module called from inside itself: from an np.seterrcall callback that the module
forwards to its pool threads, and from a signal handler that interrupted its pool's submit.  Each
case runs in a fresh interpreter with a time limit: a deadlock fails the test instead of hanging it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from generated_losses import GOLDEN

LOAD = """
import importlib.util, os, signal, sys, threading
import numpy as np
spec = importlib.util.spec_from_file_location("losses", sys.argv[1])
losses = importlib.util.module_from_spec(spec)
spec.loader.exec_module(losses)
losses.set_num_threads(2)  # a pool of one thread: the one a nested call would wait for
"""


def _run(script: str) -> str:
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(LOAD) + textwrap.dedent(script), str(GOLDEN)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_loss_called_from_an_errcall_callback_runs_inline():
    out = _run("""
        big, zero = np.ones(1 << 20), np.zeros(1 << 20)
        expected = losses.mse_loss(big, zero)
        calls = []
        np.seterrcall(lambda kind, flag: calls.append(losses.mse_loss(big, zero)))
        with np.errstate(all="call"):
            losses.mse_loss(np.full(1 << 20, 1e200), zero)  # overflows in every block, in the pool thread too
        print(len(calls) > 0, all(c == expected for c in calls))
    """)
    assert out == "True True"


def test_a_loss_called_from_a_signal_handler_that_interrupted_submit_runs_inline():
    out = _run("""
        z = np.random.default_rng(0).normal(size=(4096, 100)); t = np.zeros(4096, dtype=np.int64)
        expected = losses.cross_entropy_grad(z, t)
        handled = []
        signal.signal(signal.SIGUSR1, lambda s, f: handled.append(
            np.array_equal(losses.cross_entropy_grad(z, t), expected)))

        class Interrupted:  # the pool, its submit interrupted by a signal while it holds its lock
            def __init__(self, pool):
                self.pool, self.lock = pool, threading.Lock()

            def submit(self, *args):
                with self.lock:
                    os.kill(os.getpid(), signal.SIGUSR1)  # the handler runs here, the lock held
                    return self.pool.submit(*args)

        pool = Interrupted(losses._executor())
        losses._executor = lambda: pool
        same = np.array_equal(losses.cross_entropy_grad(z, t), expected)
        print(handled, same)
    """)
    assert out == "[True] True"


def test_a_loss_called_from_a_signal_handler_while_results_are_recycled_runs():
    out = _run("""
        big, zero = np.ones(1 << 21), np.zeros(1 << 21)
        expected = losses.mse_loss_grad(big, zero)
        handled = []
        signal.signal(signal.SIGUSR1, lambda s, f: handled.append(
            np.array_equal(losses.mse_loss_grad(big, zero), expected)))
        real = losses._lock()

        class Interrupted:  # the recycling lock, a signal arriving while it is held
            def __enter__(self):
                real.acquire()
                os.kill(os.getpid(), signal.SIGUSR1)
                return self

            def __exit__(self, *exc):
                real.release()

        losses._lock = Interrupted
        same = np.array_equal(losses.mse_loss_grad(big, zero), expected)
        print(handled[:1], same)
    """)
    assert out == "[True] True"
