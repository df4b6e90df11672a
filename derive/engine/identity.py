r"""Symbolic equality without ``simplify``.

The difference of two expressions is brought to a canonical form (logits ``z_m = log E_m`` with
``E_m > 0``, logarithms expanded, powers split), its transcendental atoms become independent
variables, and the rational function that remains is evaluated exactly at random rational points
(:func:`symbolically_equal`).
"""

from __future__ import annotations

import random

from sympy import (
    Add,
    Expr,
    Integer,
    Pow,
    Rational,
    Symbol,
    cancel,
    exp,
    expand,
    expand_log,
    expand_power_base,
    expand_power_exp,
    factor_terms,
    log,
    nan,
    together,
    zoo,
)
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

__all__ = ["UndefinedEverywhere", "symbolically_equal"]


def _canonical(expr: Expr) -> Expr:
    """Write hyperbolic functions with exponentials and every exponentiated logit as a positive
    symbol ``E``; factor the arguments of logs and the bases of powers; expand logs and powers.  The
    result is rational in the ``E``s, the other variables, ``log`` atoms and ``base**symbol`` atoms."""
    if expr.has(HyperbolicFunction):  # tanh u = (e^u − e^−u)/(e^u + e^−u), and so on
        expr = expr.replace(lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(exp))
    inside_exp = set().union(*[e.args[0].free_symbols for e in expr.atoms(exp)] or [set()])
    positives = {v: Symbol(f"E_{v.name}", positive=True) for v in inside_exp}
    expr = expr.xreplace({v: log(e) for v, e in positives.items()})
    expr = expr.replace(lambda e: isinstance(e, exp), lambda e: exp(expand(e.args[0])))
    expr = expand_power_exp(expr)
    expr = expr.replace(lambda e: isinstance(e, log), lambda e: log(factor_terms(together(e.args[0]))))
    expr = expr.replace(lambda e: isinstance(e, Pow) and e.base.is_Add,
                        lambda e: Pow(factor_terms(together(e.base)), e.exp))
    expr = expand_power_base(expand_log(expr, force=True), force=True)
    return expand_power_exp(expr)


def _as_rational(expr: Expr) -> Expr:
    """Replace each transcendental atom (``log u``, ``b**γ``, ``exp(u v)``) by a fresh generator symbol.

    An identity that holds with the atoms as independent variables holds in particular."""
    atoms: dict[Expr, Symbol] = {}

    def generator(key: Expr) -> Symbol:
        return atoms.setdefault(key, Symbol(f"G{len(atoms)}"))

    def split_power(e: Pow) -> Expr:
        result = Pow(e.base, e.exp.as_coeff_Add()[0])
        base = cancel(e.base)  # one spelling per base: (1 − a/b)^γ and ((b − a)/b)^γ are one atom
        for term in Add.make_args(e.exp.as_coeff_Add()[1]):
            coeff, symbolic = term.as_coeff_Mul()
            result *= generator(Pow(base, symbolic)) ** coeff if coeff.is_Integer \
                else generator(Pow(base, term))
        return result

    def split_exp(e: exp) -> Expr:
        # what remains of exp after _canonical has a product in it, e.g. exp(W_11 x_1) of a layer
        result = Integer(1)
        for term in Add.make_args(expand(e.args[0])):
            coeff, symbolic = term.as_coeff_Mul()
            result *= generator(exp(symbolic)) ** coeff if coeff.is_Integer else generator(exp(term))
        return result

    expr = expr.replace(lambda e: isinstance(e, exp) and not e.args[0].is_Number, split_exp)
    expr = expr.replace(lambda e: isinstance(e, Pow) and not e.exp.is_Number, split_power)
    return expr.replace(lambda e: isinstance(e, log), lambda e: generator(e))


MAX_POLES = 50  # a random rational point is a pole of a function defined anywhere with probability ~0


class UndefinedEverywhere(ArithmeticError):
    """The compared expressions have no value at any point tried: they are undefined everywhere."""


def symbolically_equal(a: Expr, b: Expr, trials: int = 3) -> bool:
    """True when ``a - b`` is identically zero; raises :class:`UndefinedEverywhere` when more than
    ``MAX_POLES`` of the points drawn are poles (a function defined anywhere has almost surely none).

    The difference is brought to canonical form and made rational (:func:`_as_rational`); a
    rational function is then tested exactly at random rational points with large numerators
    (Schwartz-Zippel: a non-zero function vanishes at such a point with probability below
    degree / 10^9).  Exact arithmetic throughout, no floating point and no ``simplify``."""
    diff = a - b
    if diff == 0:
        return True
    rational = _as_rational(_canonical(diff))
    variables = sorted(rational.free_symbols, key=str)
    rng = random.Random(20261125)
    zeros = poles = 0
    while zeros < trials:
        point = {v: Rational(rng.randint(1, 10**9), rng.randint(1, 10**9)) for v in variables}
        value = rational.xreplace(point)
        if value.has(zoo, nan):
            poles += 1  # a pole of the function; draw another point, but not forever
            if poles > MAX_POLES:
                raise UndefinedEverywhere(f"undefined at all of {poles} random points (a denominator "
                                          "that is identically zero?)")
            continue
        if value != 0:
            return False
        zeros += 1
    return True
