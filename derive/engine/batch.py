r"""Checks of the batch matrix form of a gradient through a linear layer.

The claim of a :class:`~derive.engine.derivation.BatchForm` is that for the mean loss over
a batch, :math:`\partial L/\partial W = R^\top X / N` and
:math:`\partial L/\partial b = R^\top \mathbf{1} / N`, where row ``r`` of the residual
``R`` is the derived gradient at the logits of example ``r`` (``S − Y``).  Two checks:

* **numeric**: random sizes ``N``, ``n``, ``d`` (``d ≠ n``), central differences of
  the batch loss (the symbolic loss, evaluated per row on ``z = W x + b``) against the
  matrix form computed with NumPy;
* **symbolic**: at ``N = 2``, ``n = d = 2``, every entry of the matrix form equals
  SymPy's derivative of the explicit batch loss (exact, see :func:`symbolically_equal`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sympy import Expr, Symbol, diff

from .checks import NUMERIC_TOLERANCE, Check
from .constraints import Constraint, Linear, Simplex
from .derivation import Derivation
from .identity import symbolically_equal
from .instances import component, instantiate, numeric
from .symbols import j, t

__all__ = ["batch_checks"]

SYMBOLIC_BATCH = 2
SYMBOLIC_SIZE = 2


def _parts(d: Derivation) -> tuple[Linear, tuple[Constraint, ...], bool]:
    layer = next(c for c in d.steps[-1].assumes if isinstance(c, Linear))
    others = tuple(c for c in d.steps[-1].assumes if not isinstance(c, Linear))
    return layer, others, t in d.loss.free_symbols


# --- numeric ---------------------------------------------------------------------------------------


def _per_example(expr: Expr, classes: int, label: int | None, others: tuple[Constraint, ...],
                 index: int | None = None) -> Callable[[np.ndarray, np.ndarray], float]:
    """``expr`` (in the logits and the targets of one example) as a function of ``(z, y)``."""
    values = {} if label is None else {t: label}
    if index is not None:
        values[j] = index
    explicit = instantiate(expr, classes, values, others)
    variables = sorted(explicit.free_symbols, key=str)
    f = numeric(variables, explicit)

    def value(zr: np.ndarray, yr: np.ndarray) -> float:
        known = {**_named("z", zr), **_named("y", yr)}
        return f(*[known[v.name] for v in variables])

    return value


def _named(prefix: str, row: np.ndarray) -> dict[str, float]:
    if row.ndim == 0:
        return {prefix: float(row)}
    return {f"{prefix}_{m}": float(v) for m, v in enumerate(row, 1)}


def _batch(rng: np.random.Generator, scalar: bool, labels: bool, simplex: bool) -> dict:
    size = {"N": int(rng.integers(3, 7)), "n": 1 if scalar else int(rng.integers(2, 5))}
    size["d"] = int(rng.integers(2, 5)) + (size["n"] if size["n"] > 1 else 0)  # d ≠ n
    N, C, D = size["N"], size["n"], size["d"]
    batch = {"X": rng.normal(0.0, 1.0, (N, D)), "size": size}
    batch["W"] = rng.normal(0.0, 1.0, D if scalar else (C, D))
    batch["b"] = rng.normal(0.0, 1.0, () if scalar else C)
    if labels:
        batch["t"] = rng.integers(1, C + 1, N)
        batch["Y"] = np.eye(C)[batch["t"] - 1]
    elif simplex:
        batch["Y"] = rng.dirichlet(np.full(C, 2.0), N)
    else:
        batch["Y"] = rng.uniform(0.0, 1.0, N if scalar else (N, C))
    return batch


def _numeric(d: Derivation, rng: np.random.Generator) -> Check:
    layer, others, labels = _parts(d)
    simplex = any(isinstance(c, Simplex) for c in others)
    data = _batch(rng, layer.scalar, labels, simplex)
    X, Y, (N, C, D) = data["X"], data["Y"], data["size"].values()
    rows = [None if not labels else int(data["t"][r]) for r in range(N)]
    loss = {label: _per_example(d.loss, C, label, others) for label in set(rows)}
    gradient = d.batch.logit_gradient
    grads = {(label, m): _per_example(gradient, C, label, others, None if layer.scalar else m)
             for label in set(rows) for m in range(1, C + 1)}

    def logits(W: np.ndarray, b: np.ndarray) -> np.ndarray:
        return X @ W.T + b if not layer.scalar else X @ W + b

    def mean_loss(W: np.ndarray, b: np.ndarray) -> float:
        Z = logits(W, b)
        return sum(loss[rows[r]](Z[r], Y[r]) for r in range(N)) / N

    Z = logits(data["W"], data["b"])
    R = np.array([[grads[rows[r], m](Z[r], Y[r]) for m in range(1, C + 1)] for r in range(N)])
    R = R[:, 0] if layer.scalar else R
    claimed = {"W": (X.T @ R if layer.scalar else R.T @ X) / N, "b": R.sum(axis=0) / N}
    def shifted(name: str, idx: tuple[int, ...], step: float) -> float:
        params = {key: np.array(data[key], dtype=float) for key in "Wb"}
        params[name][idx] += step
        return mean_loss(params["W"], params["b"])

    worst = 0.0
    for name, value in claimed.items():
        for idx in np.ndindex(np.shape(data[name])):
            h = 1e-6 * max(1.0, abs(float(np.asarray(data[name])[idx])))
            fd = (shifted(name, idx, h) - shifted(name, idx, -h)) / (2 * h)
            worst = max(worst, abs(fd - value[idx]) / max(1.0, abs(value[idx])))
    detail = (f"{d.batch.weight.text}, {d.batch.bias.text}: central differences of the batch loss "
              f"at N = {N}, n = {C}, d = {D}")
    return Check("matrix form", detail, C, float(worst), bool(worst < NUMERIC_TOLERANCE))


# --- symbolic --------------------------------------------------------------------------------------


def _symbolic(d: Derivation) -> Check:
    layer, others, labels = _parts(d)
    size, N, constraints = SYMBOLIC_SIZE, SYMBOLIC_BATCH, (layer, *others)
    params = {layer.weight: [(f,) for f in range(1, size + 1)] if layer.scalar
              else [(r, f) for r in range(1, size + 1) for f in range(1, size + 1)]}
    biases = [layer.bias] if layer.scalar else [component(layer.bias, r) for r in range(1, size + 1)]
    shared = {component(layer.weight, *p) for p in params[layer.weight]} | set(biases)

    def example(expr: Expr, r: int, output: int | None = None) -> Expr:
        values = {} if output is None else {j: output}
        if labels:
            values[t] = 1 + (r - 1) % size  # a different class per example
        explicit = instantiate(expr, size, values, constraints)
        return explicit.xreplace({v: Symbol(f"{v.name}^{r}", real=True)
                                  for v in explicit.free_symbols - shared})

    loss = sum(example(d.loss, r) for r in range(1, N + 1)) / N
    outputs = [None] if layer.scalar else list(range(1, size + 1))
    R = {(r, o): example(d.batch.logit_gradient, r, o) for r in range(1, N + 1) for o in outputs}
    X = {(r, f): example(layer.inputs[f], r) for r in range(1, N + 1) for f in range(1, size + 1)}
    failures = []
    for p in params[layer.weight]:
        out, feature = (None, p[0]) if layer.scalar else p
        claim = sum(R[r, out] * X[r, feature] for r in range(1, N + 1)) / N
        if not symbolically_equal(diff(loss, component(layer.weight, *p)), claim):
            failures.append(f"W{p}")
    for o, bias in zip(outputs, biases, strict=True):
        if not symbolically_equal(diff(loss, bias), sum(R[r, o] for r in range(1, N + 1)) / N):
            failures.append(f"b{'' if o is None else (o,)}")
    detail = f"{d.batch.weight.text}, {d.batch.bias.text}: exact at N = {N}, n = d = {size}"
    if failures:
        detail += f": differs at {', '.join(failures)}"
    return Check("matrix form", detail, size, 0.0 if not failures else 1.0, not failures)


def batch_checks(d: Derivation, rng: np.random.Generator) -> list[Check]:
    """The numeric and the symbolic check of ``d.batch`` (nothing when there is none)."""
    if d.batch is None:
        return []
    return [_numeric(d, rng), _symbolic(d)]
