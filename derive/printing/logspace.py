r"""Logs of products and sums of softmax, sigmoid and exponential terms, computed in log space.

A closed form such as :math:`s_k \log\frac{2 s_k}{y_k + s_k}` (Jensen–Shannon) is exact, but
evaluated as written it is :math:`0 \cdot \log(0 / y_k)` = NaN once the softmax underflows
(:math:`|z| \gtrsim 750` in float64, 100 in float32).  The logs of these terms are known without
evaluating the terms: :math:`\log s_k = z_k - \operatorname{LSE}(z)`, :math:`\log\sigma(x) =
-\operatorname{softplus}(-x)`, :math:`\log e^u = u`, :math:`\log\cosh u = \operatorname{logaddexp}(u, -u)
- \log 2`.  :func:`log_space` takes every such factor
and term out of a log:

.. math::

    \log(a\,b) = \log a + \log b \quad (a > 0 \text{ known, so } b > 0 \text{ wherever the log is real}),
    \qquad \log b^p = p \log b \quad (p \text{ odd or not an integer}),

    \log\Bigl(r + \sum_i e^{u_i}\Bigr) = \operatorname{LogPlusExp}\bigl(r,
    \operatorname{logaddexp}(u_1, u_2, \dots)\bigr),

so the printed code never forms the underflowed term, and a sum of exponentials is a log-sum-exp
(:math:`\log\sum_k e^{u_k} = \operatorname{LSE}(u)`, computed shifted).  A log with no softmax,
sigmoid or exponential in it is left alone (``log(1 + x)`` stays for the ``log1p`` rule).

:func:`ratio_space` does the same for a product or ratio of such factors with an exponential among
them, where one factor overflows as another underflows or both overflow (:math:`\sigma(z) e^{-z}` is
0·∞, :math:`e^z / (e^y + e^z)` is ∞/∞ at :math:`z = 10^3`): :math:`a\,b / D = e^{\log a + \log b -
\log D}`, each log in log space.
"""

from __future__ import annotations

from sympy import Add, Expr, Indexed, Mul, Pow, Sum, cosh, exp, log

from ..engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, vector_expression
from ..engine.symbols import n
from .forms import LogCosh, LogPlusExp, LogSigmoid, logaddexp

__all__ = ["log_space", "ratio_space"]

_LOG_KNOWN = (Softmax, Sigmoid, exp, cosh)


def log_space(expr: Expr) -> Expr:
    """``expr`` with every log of a product or sum holding softmax, sigmoid or exponential terms
    taken into log space (module docstring)."""
    def query(e: Expr) -> bool:
        return isinstance(e, log) and e.args[0].has(*_LOG_KNOWN) and _log(e.args[0]) != e

    return expr.replace(query, lambda e: _log(e.args[0]))


def ratio_space(expr: Expr) -> Expr:
    """``expr`` with every product of two or more positive factors of that kind, an exponential among
    them, computed as one exponential of its log (module docstring)."""
    def parts(e: Mul) -> list[Expr]:
        known = [a for a in e.args if a.has(*_LOG_KNOWN) and _known_log(a) is not None]
        return known if len(known) > 1 and any(a.has(exp) for a in known) else []

    def value(e: Mul) -> Expr:
        known = parts(e)
        return Mul(exp(Add(*[_known_log(a) for a in known])), *[a for a in e.args if a not in known])

    return expr.replace(lambda e: e.is_Mul and bool(parts(e)), value)


def _log(e: Expr) -> Expr:
    """``log e`` in log space as far as the factors and terms of ``e`` allow."""
    known = _known_log(e)
    if known is not None and e.has(*_LOG_KNOWN):
        return known
    if e.is_Mul or e.is_Add:
        positive = [a for a in e.args if _known_log(a) is not None]
        if any(a.has(*_LOG_KNOWN) for a in positive):  # else nothing is gained
            logs = [_known_log(a) for a in positive]
            if e.is_Mul:
                rest = Mul(*[a for a in e.args if a not in positive])
                return Add(*logs, _log(rest))
            rest = Add(*[a for a in e.args if a not in positive])
            return LogPlusExp(rest, _logaddexp(*logs))
    if e.is_Pow and e.exp.is_Number and e.exp % 2 != 0:  # log b^2 is not 2 log b where b < 0
        inner = _log(e.base)
        if inner != log(e.base):
            return e.exp * inner
    return log(e)


def _known_log(e: Expr) -> Expr | None:
    """``log e`` in log space when ``e`` is known to be positive (a softmax, a sigmoid, an
    exponential, a positive number or symbol, and products, powers and sums of them); else None."""
    if isinstance(e, Softmax):
        return LogSoftmax(*e.args)
    if isinstance(e, Sigmoid):
        return LogSigmoid(e.args[0])
    if isinstance(e, exp):
        return e.args[0]
    if isinstance(e, cosh):
        return LogCosh(e.args[0])
    if e.is_Mul or e.is_Add:
        logs = [_known_log(a) for a in e.args]
        if any(a is None for a in logs):
            return None
        return Add(*logs) if e.is_Mul else _logaddexp(*logs)
    if isinstance(e, Pow) and e.exp.is_real:
        base = _known_log(e.base)
        return None if base is None else e.exp * base
    if isinstance(e, Sum):
        return _log_sum(e)
    return log(e) if e.is_positive else None


def _log_sum(e: Sum) -> Expr | None:
    """``log Σ_k f_k = LSE(log f)`` for a sum over the classes of positive terms of component k only."""
    (index, low, high), body = e.limits[0], e.function
    inner = _known_log(body)
    alone = all(a.indices == (index,) for a in body.atoms(Indexed))  # no z_j in it: one vector
    if len(e.limits) != 1 or (low, high) != (1, n) or inner is None or not alone:
        return None
    return LogSumExp(vector_expression(inner, index))


def _logaddexp(*logs: Expr) -> Expr:
    """log Σ e^(u_i) as nested two-argument logaddexps."""
    total = logs[0]
    for other in logs[1:]:
        total = logaddexp(total, other)
    return total
