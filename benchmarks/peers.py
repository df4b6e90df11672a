"""Runners: zero-argument callables returning ``(loss, grad)`` for each implementation of a case.

PyTorch and JAX are optional: :func:`available` tells which are installed, and a missing one is
simply left out of the run.  Both are given the same number of threads as the generated code.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import numpy as np
from cases import Arrays, Case

Runner = Callable[[], tuple[object, object]]


def available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def configure_threads(threads: int) -> None:
    """Thread settings that must be in place before torch / jax are imported."""
    if threads == 1:  # XLA's CPU client only has an on/off switch for its intra-op pool
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = f"{flags} --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def generated_runner(module: ModuleType, case: Case, arrays: Arrays) -> Runner:
    fn = getattr(module, f"{case.loss}_value_and_grad")
    return lambda: fn(*arrays, **case.kwargs)


def numpy_runner(case: Case, arrays: Arrays) -> Runner:
    return lambda: case.numpy(*arrays)


def torch_runner(case: Case, arrays: Arrays, threads: int) -> Runner:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    tensors = [torch.from_numpy(a) for a in arrays]

    def run() -> tuple[object, object]:
        x = tensors[0].detach().requires_grad_(True)
        loss = case.torch(F, x, *tensors[1:])
        loss.backward()
        return loss.detach().numpy(), x.grad.numpy()

    return run


def jax_runner(case: Case, arrays: Arrays) -> Runner:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # float64 stays float64; float32 inputs stay float32
    fn = jax.jit(jax.value_and_grad(lambda *a: case.jax(jnp, jax.nn, *a)))
    on_device = [jax.device_put(a) for a in arrays]

    def run() -> tuple[object, object]:
        value, grad = fn(*on_device)
        grad.block_until_ready()
        return value, grad

    return run


def copy_runner(case: Case, arrays: Arrays, threads: int) -> tuple[Runner, float]:
    """A copy of the first input into a gradient-sized buffer (threaded like the kernels), and the
    factor that scales its time to the case's traffic: every input read once, the gradient written once."""
    src = arrays[0]
    dst = np.empty_like(src)
    flat_src, flat_dst = src.reshape(-1), dst.reshape(-1)
    pool = ThreadPoolExecutor(threads) if threads > 1 and src.size >= 1 << 18 else None
    bounds = [src.size * k // threads for k in range(threads + 1)]

    def part(k: int) -> None:
        np.copyto(flat_dst[bounds[k]:bounds[k + 1]], flat_src[bounds[k]:bounds[k + 1]])

    def run() -> tuple[object, object]:
        if pool is None:
            np.copyto(dst, src)
        else:
            list(pool.map(part, range(threads)))
        return None, dst

    traffic = sum(a.nbytes for a in arrays) + src.nbytes
    return run, traffic / (2 * src.nbytes)
