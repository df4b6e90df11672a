r"""The learning-slowdown experiment: a saturated sigmoid neuron trained with MSE and with cross-entropy.

One neuron :math:`a = \sigma(w \cdot x + b)` and one example, started badly wrong
(:math:`a \approx 0.98` for the target :math:`y = 0`), trained by plain gradient descent
with each loss.  The gradients are the closed forms of the catalogue entries
``sigmoid_neuron_mse`` (:math:`(a - y)\,\sigma'(z)\,x_k`) and ``logistic_regression``
(:math:`(a - y)\,x_k`), evaluated with NumPy; nothing is hard-coded about the
outcome, which the documents show as a table and a plot.  The default numbers are
those of Nielsen, *Neural Networks and Deep Learning*, chapter 3
(:math:`x = 1`, :math:`y = 0`, :math:`w = b = 2`, :math:`\eta = 0.15`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from sympy import Derivative, Expr, Symbol, lambdify

from ..catalogue import derivation
from ..engine.derivation import unwrap
from ..engine.functions import Sigmoid
from ..engine.symbols import b0, k, x, y0, z0

__all__ = ["LOSSES", "Run", "Slowdown", "slowdown"]

LOSSES = {"mse": "sigmoid_neuron_mse", "cross_entropy": "logistic_regression"}
LEARNED = 0.1  # the neuron has learned once |a − y| ≤ 0.1


def _sigmoid(v: np.ndarray) -> np.ndarray:
    # σ(v) = e^{min(v,0)} / (1 + e^{−|v|}): no overflow for either sign
    return np.exp(np.minimum(v, 0)) / (1 + np.exp(-np.abs(v)))


def _numeric(expr: Expr, variables: list[Symbol]) -> Callable[..., np.ndarray]:
    return lambdify(variables, unwrap(expr), modules=[{Sigmoid.__name__: _sigmoid}, "numpy"])


@dataclass(frozen=True)
class _Neuron:
    """Loss and gradients of one catalogue entry, as NumPy functions of (z, x_k, y)."""

    loss: Callable[[float, float], float]
    weight: Callable[[float, np.ndarray, float], np.ndarray]
    bias: Callable[[float, float], float]


@cache
def _neuron(name: str) -> _Neuron:
    d = derivation(name)
    bias = next(s.rhs for s in reversed(d.steps)
                if isinstance(s.lhs, Derivative) and s.lhs.variables == (b0,))
    feature = Symbol("x_k", real=True)
    return _Neuron(loss=_numeric(d.loss, [z0, y0]),
                   weight=_numeric(d.gradient.xreplace({x[k]: feature}), [z0, feature, y0]),
                   bias=_numeric(bias, [z0, y0]))


@dataclass(frozen=True)
class Run:
    """One training run: the output ``a`` and the loss before each step (index 0 is the start)."""

    name: str            # the catalogue entry whose gradient was used
    outputs: np.ndarray
    losses: np.ndarray
    target: float
    initial_gradient: float  # |∂L/∂w| at the start

    def steps_to(self, error: float = LEARNED) -> int | None:
        """The first step at which ``|a − y| ≤ error``; None if it never gets there."""
        hits = np.flatnonzero(np.abs(self.outputs - self.target) <= error)
        return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class Slowdown:
    """Both runs from the same start, with the settings that produced them."""

    weight: float
    bias: float
    input: float
    target: float
    rate: float
    steps: int
    mse: Run
    cross_entropy: Run

    def rows(self, every: int = 25) -> list[tuple[int, float, float, float, float]]:
        """Table rows ``(step, a_MSE, L_MSE, a_CE, L_CE)`` every ``every`` steps, and the last one."""
        if every < 1:
            raise ValueError(f"every must be at least 1, not {every}")
        marks = sorted({*range(0, self.steps + 1, every), self.steps})
        return [(s, float(self.mse.outputs[s]), float(self.mse.losses[s]),
                 float(self.cross_entropy.outputs[s]), float(self.cross_entropy.losses[s])) for s in marks]


def _train(name: str, w: float, b: float, xs: np.ndarray, y: float, rate: float, steps: int) -> Run:
    neuron = _neuron(name)
    weights, bias = np.full_like(xs, w), float(b)
    outputs, losses, gradients = [], [], []
    for _ in range(steps + 1):
        z = float(weights @ xs) + bias
        outputs.append(float(_sigmoid(np.float64(z))))
        losses.append(float(neuron.loss(z, y)))
        gradients.append(neuron.weight(z, xs, y))
        weights = weights - rate * gradients[-1]
        bias -= rate * float(neuron.bias(z, y))
    return Run(name, np.array(outputs), np.array(losses), y, float(np.linalg.norm(gradients[0])))


@cache
def slowdown(weight: float = 2.0, bias: float = 2.0, input: float = 1.0, target: float = 0.0,
             rate: float = 0.15, steps: int = 300) -> Slowdown:
    """Train the neuron from ``(weight, bias)`` on the single example ``(input, target)``
    for ``steps`` steps of size ``rate``, once with each loss."""
    if not rate > 0:
        raise ValueError(f"rate must be positive, not {rate}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be in [0, 1], not {target}")
    xs = np.array([input], dtype=np.float64)
    runs = {key: _train(name, weight, bias, xs, target, rate, steps) for key, name in LOSSES.items()}
    return Slowdown(weight, bias, input, target, rate, steps, runs["mse"], runs["cross_entropy"])
