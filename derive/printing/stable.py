r"""Numerically stable forms, and the rewrite rules that put them into closed forms.

A closed form such as :math:`-y \log\sigma(z) - (1 - y)\log(1 - \sigma(z))` is right
but overflows or cancels when evaluated naively.  Each :class:`Rewrite` here is a
small rule object: a name, the identity it uses (the comment the generated code
carries), and a targeted ``apply``.  :func:`stabilize` applies them to a fixed
point, as SymPy's ``codegen.rewriting.optimize`` does, and reports which ones
fired so a docstring can state them.

The stable forms are SymPy functions that know their derivative and their naive
form (``naive``, :mod:`derive.printing.forms`), so tests can check both directions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sympy import Add, Expr, Indexed, Mul, Pow, S, Symbol, cosh, exp, expand_mul, log
from sympy.codegen.cfunctions import expm1, log1p

from ..engine.functions import LogSoftmax, Sigmoid, Softmax, Softplus
from ..engine.symbols import Role, role_of
from .forms import LogCosh, LogPlusExp, LogSigmoid, SafeDivide, XLogY, XMul, XOverExpm1, logaddexp
from .logspace import log_space, ratio_space

__all__ = ["STABLE_RULES", "Rewrite", "stabilize"]


@dataclass(frozen=True)
class Rewrite:
    """A named stable rewrite; ``identity`` is the comment the generated line carries."""

    name: str
    identity: str
    apply: Callable[[Expr], Expr]


# --- the rules ------------------------------------------------------------------------------------


def _log_cosh(expr: Expr) -> Expr:
    return expr.replace(lambda e: isinstance(e, log) and isinstance(e.args[0], cosh),
                        lambda e: LogCosh(e.args[0].args[0]))


def _log_softmax(expr: Expr) -> Expr:
    return expr.replace(lambda e: isinstance(e, log) and isinstance(e.args[0], Softmax),
                        lambda e: LogSoftmax(*e.args[0].args))


def _complement(expr: Expr, kind: type, stable: Callable[[Expr], Expr]) -> Expr:
    """Replace ``1 − f(...)`` inside any sum by ``stable(f)``."""
    def query(e: Expr) -> bool:
        return e.is_Add and S.One in e.args and any(-a in e.args for a in e.atoms(kind))

    def value(e: Add) -> Expr:
        for a in sorted(e.atoms(kind), key=str):
            if -a in e.args:
                rest = [term for term in e.args if term not in (S.One, -a)]
                return Add(stable(a), *rest)
        return e

    return expr.replace(query, value)


def _sigmoid_complement(expr: Expr) -> Expr:
    return _complement(expr, Sigmoid, lambda a: Sigmoid(-a.args[0]))


def _softmax_complement(expr: Expr) -> Expr:
    return _complement(expr, Softmax, lambda a: -expm1(LogSoftmax(*a.args)))


def _log_sigmoid(expr: Expr) -> Expr:
    return expr.replace(lambda e: isinstance(e, log) and isinstance(e.args[0], Sigmoid),
                        lambda e: LogSigmoid(e.args[0].args[0]))


def _log1p(expr: Expr) -> Expr:
    def query(e: Expr) -> bool:
        return isinstance(e, log) and e.args[0].is_Add and S.One in e.args[0].args

    return expr.replace(query, lambda e: log1p(e.args[0] - 1))


def _expm1(expr: Expr) -> Expr:
    """``c·e^u − c`` inside any sum (``e^u − 1``, ``1 − e^u``, ``e^(2z)/2 − 1/2``) → ``c·expm1(u)``."""
    def pair(e: Add) -> tuple[Expr, Expr] | None:
        constant = next((a for a in e.args if a.is_Number), None)
        for term in e.args if constant is not None else ():
            c, f = term.as_coeff_Mul()
            if isinstance(f, exp) and c == -constant:
                return term, c * expm1(f.args[0])
        return None

    def value(e: Add) -> Expr:
        term, stable = pair(e)
        return Add(stable, *[a for a in e.args if a is not term and not a.is_Number])

    return expr.replace(lambda e: e.is_Add and pair(e) is not None, value)


def _x_over_expm1(expr: Expr) -> Expr:
    """``x·F/expm1(x)`` → ``XOverExpm1(x)·F``: the ratio that is 0/0 where ``x`` rounds to 0."""
    def pair(e: Mul) -> Expr | None:
        for a in e.args:
            if isinstance(a, Pow) and a.exp == -1 and isinstance(a.base, expm1) and a.base.args[0] in e.args:
                return a
        return None

    def value(e: Mul) -> Expr:
        below = pair(e)
        x = below.base.args[0]
        return Mul(XOverExpm1(x), *[a for a in e.args if a not in (below, x)])

    return expr.replace(lambda e: e.is_Mul and pair(e) is not None, value)


_LOGLIKE = (log, log1p, LogSoftmax, LogSigmoid, Softplus, LogPlusExp, logaddexp)
_MAY_VANISH = (Role.TARGET, Role.PROBABILITY)  # a 0 in y·log u is exact: the term is 0


def _xlogy(expr: Expr) -> Expr:
    """``y log u`` → ``XLogY(y, u)``; ``y f`` → ``XMul(y, f)`` for other log-like ``f``, when ``y``
    is a target or a probability that can be 0."""
    def split(e: Mul) -> tuple[Expr, Expr] | None:
        if not e.is_Mul:
            return None
        logs = [a for a in e.args if isinstance(a, _LOGLIKE)]
        if len(logs) != 1:
            return None
        coeff = Mul(*[a for a in e.args if a is not logs[0]])
        return (coeff, logs[0]) if _target_coefficient(coeff) else None

    def spread(e: Expr) -> bool:  # y·(log u − x): distribute, so that the log term can be guarded
        adds = [a for a in e.args if a.is_Add] if e.is_Mul else []
        return any(_has_log_term(a) for a in adds) and _target_coefficient(
            Mul(*[a for a in e.args if not a.is_Add]))

    expr = expr.replace(spread, expand_mul)

    def value(e: Mul) -> Expr:
        coeff, f = split(e)
        number, rest = coeff.as_coeff_Mul()
        if isinstance(f, log):
            return number * XLogY(rest, f.args[0])
        return number * XMul(rest, f)

    return expr.replace(lambda e: split(e) is not None, value)


def _has_log_term(add: Add) -> bool:
    return any(isinstance(factor, _LOGLIKE) for term in add.args for factor in Mul.make_args(term))


def _target_coefficient(coeff: Expr) -> bool:
    """True when a factor of ``coeff`` is built from targets and probabilities only, so ``coeff`` may be
    exactly 0."""
    return any(_target_only(factor) for factor in Mul.make_args(coeff) if not factor.is_Number)


def _target_only(expr: Expr) -> bool:
    bases = {a.base for a in expr.atoms(Indexed)}
    labels = {b.label for b in bases}
    scalars = {a for a in expr.atoms(Symbol) if not a.is_integer and a not in labels}
    return bool(bases | scalars) and all(_role(v) in _MAY_VANISH for v in bases | scalars)


def _role(symbol: Expr) -> Role | None:
    try:
        return role_of(symbol)
    except KeyError:
        return None


def _affine_target(expr: Expr) -> Expr:
    r"""A sum affine in a target ``y`` that contains a sigmoid is written as
    :math:`A(1)\,y + A(0)\,(1 - y)`, so ``1 − p_t`` becomes :math:`y\sigma(-z) + (1 - y)\sigma(z)`."""
    def target_of(e: Expr) -> Symbol | None:
        if not (e.is_Add and e.has(Sigmoid) and S.One in e.args):
            return None
        labels = {a.base.label for a in e.atoms(Indexed)}  # a vector y's label is not the scalar y
        for sym in sorted(e.free_symbols - labels, key=str):
            if _role(sym) is Role.TARGET and e.diff(sym, 2) == 0 and e.diff(sym) != 0:
                return sym
        return None

    def value(e: Add) -> Expr:
        y = target_of(e)
        one, zero = _sigmoid_complement(e.xreplace({y: 1})), _sigmoid_complement(e.xreplace({y: 0}))
        return Add(Mul(one, y), Mul(zero, 1 - y), evaluate=False)

    return expr.replace(lambda e: target_of(e) is not None, value)


def _safe_power_ratio(expr: Expr) -> Expr:
    r""":math:`b^{\gamma - 1} F \to b^{\gamma}\,(F / b)` with :math:`F/b := 0` at :math:`b = 0`."""
    def power(e: Mul) -> Pow | None:
        for a in e.args:
            if isinstance(a, Pow) and a.exp.is_Add and S.NegativeOne in a.exp.args and a.exp.free_symbols:
                return a
        return None

    def value(e: Mul) -> Expr:
        p = power(e)
        rest = Mul(*[a for a in e.args if a is not p])
        number, rest = rest.as_coeff_Mul()
        return number * Pow(p.base, p.exp + 1) * SafeDivide(rest, p.base)

    return expr.replace(lambda e: e.is_Mul and power(e) is not None, value)


STABLE_RULES: tuple[Rewrite, ...] = (
    Rewrite("log-softmax", "log s_i = z_i − LSE(z): no log of an underflowed softmax", _log_softmax),
    Rewrite("sigmoid complement", "1 − σ(x) = σ(−x): no cancellation where σ(x) ≈ 1",
            _sigmoid_complement),
    Rewrite("affine in the target", "A = A(1)·y + A(0)·(1 − y): each part free of cancellation, "
            "e.g. 1 − p_t = y·σ(−z) + (1 − y)·σ(z)", _affine_target),
    Rewrite("softmax complement", "1 − s_i = −expm1(log s_i): no cancellation where s_i ≈ 1",
            _softmax_complement),
    Rewrite("log-sigmoid", "log σ(x) = −log(1 + e^(−x)) = −logaddexp(0, −x): no overflow, no log 0",
            _log_sigmoid),
    Rewrite("log-cosh", "log cosh u = logaddexp(u, −u) − log 2: no overflow of cosh", _log_cosh),
    Rewrite("log space", "log(a·b) = log a + log b, log(r + e^u) = logaddexp(u, log r) for softmax, sigmoid "
            "and exp terms (their logs are known): no log of an underflowed 0", log_space),
    Rewrite("ratio space", "a·e^u/D = e^(log a + u − log D) for softmax, sigmoid and exp factors: no 0·∞, "
            "no ∞/∞",
            ratio_space),
    Rewrite("log1p", "log(1 + u) = log1p(u): exact for small u", _log1p),
    Rewrite("expm1", "c·e^u − c = c·expm1(u): exact for small u", _expm1),
    Rewrite("x over expm1", "x/expm1(x) → 1 at x = 0 (log s/(1 − s) → −1 at s = 1): no 0/0",
            _x_over_expm1),
    Rewrite("xlogy", "0·log 0 = 0 and 0·log(…) = 0 where the log is −∞: a zero target's log terms "
            "contribute nothing", _xlogy),
    Rewrite("safe power ratio", "b^(γ−1)·F = b^γ·(F/b), with F/b := 0 where b = 0 "
            "(F vanishes with b): no 0·∞", _safe_power_ratio),
)
"""The stable rewrites in the order :func:`stabilize` tries them."""


def stabilize(expr: Expr, rules: Iterable[Rewrite] = STABLE_RULES) -> tuple[Expr, list[Rewrite]]:
    """Apply ``rules`` to a fixed point; return the result and the rules that changed it."""
    rules, used = tuple(rules), []
    for _ in range(50):
        for rule in rules:
            new = rule.apply(expr)
            if new != expr:
                expr = new
                if rule not in used:
                    used.append(rule)
                break
        else:
            return expr, used
    raise RuntimeError(f"stable rewrites did not settle: {expr}")
