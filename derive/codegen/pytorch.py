"""Where PyTorch departs from the mathematics on purpose, as rewrites of the closed forms.

These are framework semantics, not stability: they are applied to the derivation's expressions
before the stable rewrites, and each states what PyTorch does in the comment it leaves.
"""

from __future__ import annotations

from sympy import Expr, Max, Mul, Pow, log

from ..printing.forms import LogFloor
from ..printing.stable import Rewrite

__all__ = ["BCE_DENOMINATOR", "BCE_LOG_FLOOR", "PYTORCH_EPSILON"]

PYTORCH_EPSILON = 9.999999960041972e-13
"""PyTorch's EPSILON = 1e-12 of binary_cross_entropy_backward, stored as a float32 constant."""


def _floor_logs(expr: Expr) -> Expr:
    return expr.replace(lambda e: isinstance(e, log), lambda e: LogFloor(e.args[0], -100))


def _reciprocal(e: Expr) -> bool:
    return isinstance(e, Pow) and e.exp == -1 and not isinstance(e.base, Max)


def _clamp_denominator(expr: Expr) -> Expr:
    def value(e: Mul) -> Expr:
        denominator = Mul(*[a.base for a in e.args if _reciprocal(a)])
        numerator = Mul(*[a for a in e.args if not _reciprocal(a)])
        return numerator / Max(denominator, PYTORCH_EPSILON)

    return expr.replace(lambda e: e.is_Mul and any(_reciprocal(a) for a in e.args), value)


BCE_LOG_FLOOR = Rewrite(
    "log floor", "PyTorch's BCELoss clamps each log at −100, so the loss is at most 100 per element",
    _floor_logs)
BCE_DENOMINATOR = Rewrite(
    "denominator floor", "PyTorch's BCELoss backward divides by max(x(1 − x), 1e-12): finite at x = 0 "
    "and x = 1 (it is not the derivative of the clamped forward)", _clamp_denominator)
