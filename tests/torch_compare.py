"""One :class:`torch_samples.Case` run through torch autograd and the generated module: the value,
its dtype and shape, and the vector-Jacobian product with a random ``grad_output`` for every input
the generated ``_grad`` differentiates; for an error input, the ``ValueError`` torch's error asks for."""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import torch
from torch_differences import DIFFERENCES
from torch_samples import SPECS, Case, to_numpy

RTOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 5e-5}

USED: set[str] = set()
"""The documented differences (by their ``when``) that some comparison needed."""


def _positions(name: str, args: list, kwargs: dict) -> list[int | str]:
    """Where each differentiated argument of ``name`` sits in the call: an index or a keyword."""
    spec = SPECS[name]
    order = [p.name for p in spec.parameters]
    where = []
    for arg in spec.differentiable:
        i = order.index(arg)
        where.append(i if i < len(args) else arg)
    return where


def _get(args: list, kwargs: dict, where: int | str) -> object:
    return args[where] if isinstance(where, int) else kwargs.get(where)


def _leaves(case: Case, where: list[int | str]) -> tuple[list, dict]:
    """Fresh torch arguments; the differentiated ones are leaves that require grad."""
    def leaf(v: object, grad: bool) -> object:
        if isinstance(v, torch.Tensor):
            v = v.detach().clone()
            return v.requires_grad_(grad and v.is_floating_point())
        return v
    args = [leaf(v, i in where) for i, v in enumerate(case.args)]
    kwargs = {k: leaf(v, k in where) for k, v in case.kwargs.items()}
    return args, kwargs


def _documented(name: str, ours: np.ndarray, want: np.ndarray, nan_input: bool) -> bool:
    """Whether a listed difference of ``name`` accounts for ``ours`` against torch's ``want``."""
    for d in DIFFERENCES:
        if name in d.names and d.accepts is not None and d.accepts(ours, want, nan_input):
            USED.add(d.when)
            return True
    return False


def _close(ours: np.ndarray, want: np.ndarray, what: str, case: Case | None = None,
           nan_input: bool = False) -> str | None:
    ours, want = np.asarray(ours), np.asarray(want)
    if ours.shape != want.shape:
        return f"{what}: shape {ours.shape}, torch {want.shape}"
    if ours.dtype != want.dtype:
        return f"{what}: dtype {ours.dtype}, torch {want.dtype}"
    rtol = RTOL.get(want.dtype, 1e-9)
    finite = want[np.isfinite(want)]
    scale = max(1.0, float(np.max(np.abs(finite), initial=0.0)))
    try:
        np.testing.assert_allclose(ours, want, rtol=rtol, atol=rtol * scale * 0.1, equal_nan=True)
    except AssertionError as error:
        if case is not None and _documented(case.name, ours, want, nan_input):
            return None
        lines = [line for line in str(error).splitlines() if line.strip()][1:5]
        return f"{what}: " + "; ".join(lines)
    return None


def compare(case: Case, losses: ModuleType, seed: int = 0) -> str | None:
    """None when the generated module agrees with torch on ``case``, else what differs."""
    fn = getattr(losses, case.name)
    nargs, nkwargs = to_numpy(case.args), to_numpy(case.kwargs)
    if case.error is not None:
        try:
            fn(*nargs, **nkwargs)
        except ValueError:
            return None
        except Exception as error:
            return f"raises {type(error).__name__}: {error} (torch: {case.error})"
        return f"no error (torch: {case.error})"
    where = _positions(case.name, case.args, case.kwargs)
    targs, tkwargs = _leaves(case, where)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.torch_fn(*targs, **tkwargs)
    rng = np.random.default_rng(seed)
    g = rng.normal(size=tuple(out.shape)).astype(to_numpy(out).dtype)
    leaves = [_get(targs, tkwargs, w) for w in where]
    wanted = [x for x in leaves if isinstance(x, torch.Tensor) and x.requires_grad]
    grads = torch.autograd.grad(out, wanted, torch.tensor(g), allow_unused=True) if out.requires_grad else ()
    torch_grads = iter(grads)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(*nargs, **nkwargs)
            both, grad = getattr(losses, f"{case.name}_value_and_grad")(*nargs, **nkwargs, grad_output=g)
            alone = getattr(losses, f"{case.name}_grad")(*nargs, **nkwargs, grad_output=g)
    except Exception as error:
        return f"raises {type(error).__name__}: {error}"
    nan_input = any(np.isnan(a).any() for a in [*nargs, *nkwargs.values()]
                    if isinstance(a, np.ndarray) and a.dtype.kind == "f")
    problem = _close(value, to_numpy(out), "value", case, nan_input)
    if problem:
        return problem
    grad = grad if isinstance(grad, tuple) else (grad,)
    alone = alone if isinstance(alone, tuple) else (alone,)
    for arg, w, ours, own in zip(SPECS[case.name].differentiable, leaves, grad, alone, strict=True):
        if not (isinstance(w, torch.Tensor) and w.requires_grad):
            continue
        t = next(torch_grads)
        want = np.zeros(tuple(w.shape), to_numpy(w).dtype) if t is None else to_numpy(t)
        problem = (_close(ours, want, f"grad {arg}", case, nan_input)
                   or _close(own, ours, f"{case.name}_grad {arg}"))
        if problem:
            return problem
    if not np.array_equal(np.asarray(both), np.asarray(value), equal_nan=True):
        return "value_and_grad's value differs from the value"
    if any(isinstance(a, np.ndarray) and not a.flags.writeable for a in (value, both, *grad, *alone)):
        return "a result is read-only (g *= lr would fail)"
    return None
