r"""The stable forms the generated code computes: SymPy functions that know their derivative and
their naive form (``naive``), so tests can check both directions; :mod:`derive.printing.stable`
rewrites closed forms into them and :mod:`derive.printing.numpy` prints each as a NumPy helper.
"""

from __future__ import annotations

from sympy import Expr, Function, Max, cosh, exp, log, tanh
from sympy.codegen.cfunctions import expm1, log1p
from sympy.codegen.numpy_nodes import logaddexp

from ..engine.functions import LogSoftmax, Sigmoid, Softmax

__all__ = [
    "LogCosh", "LogFloor", "LogPlusExp", "LogSigmoid", "SafeDivide", "XLogY", "XMul", "XOverExpm1",
    "logaddexp", "naive",
]


class LogSigmoid(Function):
    r""":math:`\log\sigma(x) = -\operatorname{softplus}(-x)`, printed as ``-logaddexp(0, -x)``."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Expr:
        return Sigmoid(-self.args[0])

    def naive(self) -> Expr:
        return log(Sigmoid(self.args[0]))


class XLogY(Function):
    r""":math:`x \log y`, defined as 0 where :math:`x = 0` (so :math:`0 \log 0 = 0`)."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> Expr:
        a, b = self.args
        return log(b) if argindex == 1 else a / b

    def naive(self) -> Expr:
        return self.args[0] * log(self.args[1])


class XMul(Function):
    r""":math:`x f`, defined as 0 where :math:`x = 0` even when :math:`f` is infinite."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> Expr:
        a, f = self.args
        return f if argindex == 1 else a

    def naive(self) -> Expr:
        return self.args[0] * self.args[1]


class SafeDivide(Function):
    r""":math:`f / b`, defined as 0 where :math:`b = 0` (used where :math:`f` vanishes with :math:`b`)."""

    nargs = 2

    def naive(self) -> Expr:
        return self.args[0] / self.args[1]


class LogFloor(Function):
    r""":math:`\max(\log u, f)`: a log clamped from below (PyTorch's BCELoss clamps at −100)."""

    nargs = 2

    def naive(self) -> Expr:
        return Max(log(self.args[0]), self.args[1])


class LogCosh(Function):
    r""":math:`\log\cosh u = \operatorname{logaddexp}(u, -u) - \log 2`: finite wherever u is, where
    :math:`\cosh u` overflows (:math:`|u| > 710` in float64)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Expr:
        return tanh(self.args[0])

    def naive(self) -> Expr:
        return log(cosh(self.args[0]))


class LogPlusExp(Function):
    r""":math:`\log(r + e^u)` for any real :math:`r`, without forming :math:`e^u` (which underflows
    where :math:`u \ll 0`): :math:`\operatorname{logaddexp}(u, \log r)` for :math:`r \ge 0`, else
    :math:`u + \operatorname{log1p}(-e^{\log(-r) - u})`, NaN where :math:`r + e^u < 0` as the log."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> Expr:
        return exp(-self) if argindex == 1 else exp(self.args[1] - self)

    def naive(self) -> Expr:
        r, u = self.args
        return log(r + exp(u))


class XOverExpm1(Function):
    r""":math:`x / (e^x - 1)`, defined as its limit 1 at :math:`x = 0`, where both vanish (as
    :math:`\log s / (1 - s)` at :math:`s = 1`)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Expr:
        x = self.args[0]
        return (expm1(x) - x * exp(x)) / expm1(x) ** 2

    def naive(self) -> Expr:
        return self.args[0] / expm1(self.args[0])


STABLE_FUNCTIONS = (LogSigmoid, XLogY, XMul, SafeDivide, LogFloor, LogCosh, LogPlusExp, XOverExpm1)


def naive(expr: Expr) -> Expr:
    """``expr`` with every stable form replaced by its naive definition."""
    expr = expr.replace(lambda e: isinstance(e, STABLE_FUNCTIONS), lambda e: e.naive())
    expr = expr.replace(lambda e: isinstance(e, logaddexp), lambda e: log(exp(e.args[0]) + exp(e.args[1])))
    expr = expr.replace(lambda e: isinstance(e, exp) and isinstance(e.args[0], LogSoftmax),
                        lambda e: Softmax(*e.args[0].args))  # e^(log s_k) = s_k
    return expr.replace(lambda e: isinstance(e, log1p), lambda e: log(1 + e.args[0])).replace(
        lambda e: isinstance(e, expm1), lambda e: exp(e.args[0]) - 1)
