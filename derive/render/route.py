r"""A second route to :math:`s - y` on the cross-entropy page, without the softmax Jacobian.

Write the loss with the log-sum-exp: :math:`\log s_k = z_k - \operatorname{LSE}(z)`, so
:math:`L = \operatorname{LSE}(z) - \sum_k y_k z_k` when :math:`\sum_k y_k = 1`, and
:math:`\partial \operatorname{LSE} / \partial z_j = s_j` gives :math:`s_j - y_j` in one line.  The
sigmoid is the two-class softmax, :math:`\sigma(z) = e^z / (e^z + e^0)`, which is why binary
cross-entropy with logits has the same gradient :math:`\sigma(z) - y`.  Each line is checked at the
worked example's numbers when the document is built.
"""

from __future__ import annotations

import numpy as np
from sympy import Derivative, Sum, Symbol, exp

from ..engine.derivation import Derivation
from ..engine.functions import LogSumExp, Sigmoid, Softmax
from ..engine.symbols import j, k, n, y, z, z0
from .chain import Chain
from .example import worked_example
from .mathprint import Words

__all__ = ["ROUTE_ENTRIES", "other_route"]

ROUTE_ENTRIES = ("cross_entropy",)


def _check(d: Derivation) -> None:
    """L = LSE(z) − Σ y_k z_k and its gradient s − y, at the worked example's numbers."""
    example = worked_example(d)
    values = {str(q.label): q.values for q in example.inputs}
    logits, target = values["z"], values["y"]
    lse = np.log(np.sum(np.exp(logits)))
    softmax = np.exp(logits - lse)
    if not (np.isclose(lse - target @ logits, float(example.value.values))
            and np.allclose(softmax - target, [r.closed for r in example.rows])):
        raise AssertionError("the log-sum-exp route does not reproduce the worked example")


def other_route(d: Derivation, words: Words) -> tuple[Chain, Chain, Chain] | None:
    """The loss through the log-sum-exp, its gradient, and the sigmoid as a two-class softmax; None
    for the entries without this box."""
    if d.name not in ROUTE_ENTRIES:
        return None
    _check(d)
    lse = LogSumExp(z)
    loss = Chain(Symbol("L"), [
        ("=", -Sum(y[k] * (z[k] - lse), (k, 1, n))),
        ("=", lse * Sum(y[k], (k, 1, n)) - Sum(y[k] * z[k], (k, 1, n))),
        ("=", lse - Sum(y[k] * z[k], (k, 1, n)))], words)
    gradient = Chain(Derivative(Symbol("L"), z[j], evaluate=False), [
        ("=", Derivative(lse, z[j], evaluate=False) - y[j]), ("=", Softmax(z, j) - y[j])], words)
    sigmoid = Chain(Sigmoid(z0), [("=", 1 / (1 + exp(-z0))), ("=", exp(z0) / (exp(z0) + exp(Symbol("0"))))],
                    words)
    return loss, gradient, sigmoid
