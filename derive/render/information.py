r"""What the information-theory page proves beyond the catalogue's four entries.

* Gibbs' inequality, :math:`\mathrm{KL}(p\|q) \ge 0`, in one line from :math:`\log x \le x - 1`;
* :math:`H(p, q) = H(p) + \mathrm{KL}(p\|q)` derived term by term;
* cross-entropy as maximum likelihood: the negative log-likelihood of a categorical model is
  :math:`-\log q_t`, of a Bernoulli model the binary cross-entropy;
* bits and nats, entropy as the shortest expected code length, with numbers computed here;
* the self-information and the binary entropy as curves.

The chains are checked numerically at the worked example's distributions when the page is built.
"""

from __future__ import annotations

import numpy as np
from sympy import Function, IndexedBase, Sum, Symbol, log

from ..engine.symbols import a0, k, n, p, q, t, y0
from . import plots
from .chain import Chain
from .phrases import Phrases
from .worked import number

__all__ = ["information_extras", "information_plot"]

H, KL = Function("H"), Function("KL")
P = np.array([0.7, 0.2, 0.1])
Q = np.array([0.5, 0.3, 0.2])
CODE = np.array([0.5, 0.25, 0.25])  # a distribution with an exact binary code: 0, 10, 11


def _sum(body):
    return Sum(body, (k, 1, n))


def _check(values: list[float]) -> None:
    """Every line of a chain of equalities has the same value (the chains are identities)."""
    if not np.allclose(values, values[0]):
        raise AssertionError(f"a derivation on the information-theory page does not hold: {values}")


def _gibbs(words) -> Chain:
    """−KL(p‖q) = Σ p log(q/p) ≤ Σ p (q/p − 1) = Σ q − Σ p = 0."""
    lhs = -KL(p, q)
    kl = float(np.sum(P * np.log(P / Q)))
    if not -kl <= float(np.sum(P * (Q / P - 1))) + 1e-15:
        raise AssertionError("log x ≤ x − 1 fails at the example")
    return Chain(lhs, [("=", _sum(p[k] * log(q[k] / p[k]))), (r"\le", _sum(p[k] * (q[k] / p[k] - 1))),
                       ("=", _sum(q[k]) - _sum(p[k])), ("=", Symbol("0"))], words)


def _decomposition(words) -> Chain:
    """H(p, q) = −Σ p log q = −Σ p log p + Σ p (log p − log q) = H(p) + KL(p‖q)."""
    _check([-np.sum(P * np.log(Q)), -np.sum(P * np.log(P)) + np.sum(P * (np.log(P) - np.log(Q))),
            -np.sum(P * np.log(P)) + np.sum(P * np.log(P / Q))])
    return Chain(H(p, q), [("=", -_sum(p[k] * log(q[k]))),
                           ("=", -_sum(p[k] * log(p[k])) + _sum(p[k] * (log(p[k]) - log(q[k])))),
                           ("=", -_sum(p[k] * log(p[k])) + _sum(p[k] * log(p[k] / q[k]))),
                           ("=", H(p) + KL(p, q))], words)


def _likelihood(words) -> tuple[Chain, Chain]:
    """−log of the probability a model gives the observed outcome: categorical and Bernoulli."""
    y = IndexedBase("y")
    categorical = Chain(-log(q[t]), [("=", -_sum(y[k] * log(q[k])))], words)  # y the one-hot of t
    bernoulli = Chain(-log(a0 ** y0 * (1 - a0) ** (1 - y0)),
                      [("=", -y0 * log(a0) - (1 - y0) * log(1 - a0))], words)
    for a in (0.2, 0.9):
        for target in (0.0, 1.0):
            _check([-np.log(a ** target * (1 - a) ** (1 - target)),
                    -target * np.log(a) - (1 - target) * np.log(1 - a)])
    return categorical, bernoulli


def information_extras(t_: Phrases) -> dict:
    """The proofs, the numbers and the plot of the information-theory page."""
    page = t_.pages["information_theory"]["more"]
    words = t_.words
    kl = float(np.sum(P * np.log(P / Q)))
    bits = -np.sum(CODE * np.log2(CODE))
    categorical, bernoulli = _likelihood(words)
    return {
        "gibbs": _gibbs(words),
        "gibbs_numbers": page["gibbs_numbers"].format(kl=number(kl)),
        "decomposition": _decomposition(words),
        "categorical": categorical, "bernoulli": bernoulli,
        "units": page["units_text"].format(nat=number(1 / np.log(2)), half=number(np.log(2))),
        "coding": page["coding_text"].format(bits=number(bits), nats=number(bits * np.log(2))),
        "plot": information_plot() if plots.available() else None,
    }


def information_plot() -> plots.Plot:
    """Left: the self-information −log p in nats and in bits. Right: the binary entropy in bits."""
    def binary_entropy(x: np.ndarray) -> np.ndarray:
        return -(x * np.log2(x) + (1 - x) * np.log2(1 - x))

    left = ((r"$-\ln p$ (nats)", lambda x: -np.log(x)), (r"$-\log_2 p$ (bits)", lambda x: -np.log2(x)))
    right = ((r"$H(p, 1 - p)$ (bits)", binary_entropy),)
    return plots.panels_plot("information_theory", (
        (left, (0.01, 1.0), "$p$", "self-information"), (right, (0.001, 0.999), "$p$", "binary entropy")))
