r"""Symbolic equality without ``simplify``.

Two expressions are brought to a canonical form (logits ``z_m = log E_m`` with ``E_m > 0``,
logarithms expanded, powers split), their transcendental atoms become independent variables, and
the rational functions that remain are evaluated exactly at random rational points
(:func:`symbolically_equal`).  Each side's rational form and its values are remembered: the checks of
a derivation compare many right-hand sides with one raw derivative.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable
from functools import lru_cache

from sympy import (
    Abs,
    Add,
    Expr,
    Heaviside,
    Integer,
    Max,
    Min,
    Piecewise,
    Pow,
    Rational,
    S,
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
    sign,
    srepr,
    sympify,
    together,
    zoo,
)
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

__all__ = ["UndefinedEverywhere", "symbolically_equal"]


def _exponentials(expr: Expr) -> Expr:
    """Hyperbolic functions written with exponentials: tanh u = (e^u − e^−u)/(e^u + e^−u), and so on."""
    if expr.has(HyperbolicFunction):
        expr = expr.replace(lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(exp))
    return expr


def _inside_exp(expr: Expr) -> frozenset[Symbol]:
    """The variables that appear in an exponent of ``expr``."""
    return frozenset().union(*[e.args[0].free_symbols for e in expr.atoms(exp)])


def _memo(function: Callable[[Expr], Expr]) -> Callable[[Expr], Expr]:
    """``function``, remembering its results for the life of the returned function."""
    results: dict[Expr, Expr] = {}
    return lambda e: results[e] if e in results else results.setdefault(e, function(e))


def _canonical(expr: Expr, inside_exp: frozenset[Symbol], factored: bool) -> Expr:
    """Write every variable of ``inside_exp`` (those in an exponent of either compared side) as the
    log of a positive symbol ``E``; if ``factored``, factor the arguments of logs and the bases of
    symbolic powers (over one denominator, common factors out); expand logs and powers.  The result is
    rational in the ``E``s, the other variables, ``log`` atoms and ``base**symbol`` atoms."""
    positives = {v: Symbol(f"E_{v.name}", positive=True) for v in inside_exp}
    expr = expr.xreplace({v: log(e) for v, e in positives.items()})
    expr = expr.replace(lambda e: isinstance(e, exp), lambda e: exp(expand(e.args[0])))
    expr = expand_power_exp(expr)
    if factored:
        tidy = _memo(lambda u: factor_terms(together(u)))  # a log(Σ …) occurs many times in a large one
        expr = expr.replace(lambda e: isinstance(e, log) and not e.args[0].is_Atom,
                            lambda e: log(tidy(e.args[0])))
        expr = expr.replace(lambda e: isinstance(e, Pow) and e.base.is_Add and not e.exp.is_Integer,
                            lambda e: Pow(tidy(e.base), e.exp))
    expr = expand_power_base(expand_log(expr, force=True), force=True)
    return expand_power_exp(expr)


_GENERATORS: dict[object, Symbol] = {}
Atom = Expr | tuple[tuple[Expr, ...], Expr]  # an atom, or (the values of a base, an exponent)


def generator(atom: Atom) -> Symbol:
    """The variable that stands for the transcendental ``atom``, the same for both compared sides and
    for every comparison; named after the atom (brackets: no name of the language)."""
    found = _GENERATORS.get(atom)
    if found is None:
        found = _GENERATORS[atom] = Symbol(f"G[{hashlib.sha256(srepr(atom).encode()).hexdigest()[:16]}]")
    return found


def _as_rational(expr: Expr) -> Expr:
    """Replace each transcendental atom (``log u``, ``b**γ``, ``exp(u v)``) by a generator symbol.

    An identity that holds with the atoms as independent variables holds in particular."""

    def split_power(e: Pow) -> Expr:
        result = Pow(e.base, e.exp.as_coeff_Add()[0])
        base = _spelling(e.base)  # one per base: (1 − a/b)^γ and ((b − a)/b)^γ are one atom
        for term in Add.make_args(e.exp.as_coeff_Add()[1]):
            coeff, symbolic = term.as_coeff_Mul()
            result *= generator((base, symbolic)) ** coeff if coeff.is_Integer else generator((base, term))
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


FINGERPRINT = (-1, -2)  # the points that identify a base (the comparisons use 0, 1, 2, …)


def _spelling(base: Expr) -> Expr | tuple[Expr, ...]:
    """One spelling per base of a symbolic power.  A rational base is known by its exact values at two
    random points: two spellings of one rational function (1 − a/b and (b − a)/b) agree there, two
    different functions at both with probability below degree/10^9, as in the comparison itself
    (:func:`symbolically_equal`); SymPy's ``cancel`` took seconds on the large bases of a Tversky
    loss.  Another base (a log inside) is known by its cancelled form."""
    if not base.has(log):
        values = tuple(_value(base, trial) for trial in FINGERPRINT)
        if all(v.is_Number and _defined(v) for v in values):
            return values
    return cancel(base)


MAX_POLES = 50  # a random rational point is a pole of a function defined anywhere with probability ~0
# A piecewise function (max, abs, H) is rational only within each region of its pieces, and a wrong
# one may differ in one region only (max_k u_k at n = 6: six regions); 8 times the points hit each
# such region with probability 1 − (5/6)^24 > 0.98 per comparison
PIECEWISE = (Abs, Heaviside, Max, Min, Piecewise, sign)
PIECEWISE_TRIALS = 8


class UndefinedEverywhere(ArithmeticError):
    """The compared expressions have no value at any point tried: they are undefined everywhere."""


@lru_cache(maxsize=4096)
def _rational(expr: Expr, inside_exp: frozenset[Symbol], factored: bool) -> Expr:
    """``expr`` in canonical form (:func:`_canonical`), its transcendental atoms made variables."""
    return _as_rational(_canonical(expr, inside_exp, factored))


@lru_cache(maxsize=65536)
def _coordinate(variable: Symbol, trial: int) -> Rational:
    """The value of ``variable`` at the ``trial``-th random point: a ratio of integers in 1..10^9, drawn
    from a generator seeded by the variable and the trial (the same point whatever is compared)."""
    rng = random.Random(f"20261125/{srepr(variable)}/{trial}")
    return Rational(rng.randint(1, 10**9), rng.randint(1, 10**9))


@lru_cache(maxsize=16384)
def _value(rational: Expr, trial: int) -> Expr:
    """``rational`` at the ``trial``-th random point, exactly."""
    return rational.xreplace({v: _coordinate(v, trial) for v in rational.free_symbols})


def _defined(value: Expr) -> bool:
    return not value.has(zoo, nan)


DIGITS = 60


def _same_number(left: Expr, right: Expr) -> bool:
    """Whether two exact values that differ in form are one number.  Rationals are compared as they
    are; a value with a radical in it (``√S`` of a norm, at a rational point ``S``) is not brought to a
    canonical form by SymPy, so ``2/(√S + 1) − √S/(√S + 1)² ≠ (2 − √S/(√S + 1))/(√S + 1)`` as written:
    such values are compared to ``DIGITS`` significant digits (a different function agrees with the
    other to 45 digits at a random point with probability ~10^-45)."""
    if left.is_Rational and right.is_Rational:
        return False
    scale = max(1, abs(left.evalf(20)), abs(right.evalf(20)))
    difference = abs((left - right).evalf(DIGITS))
    return bool(difference.is_Number and difference <= scale * Rational(1, 10**45))


def symbolically_equal(a: Expr, b: Expr, trials: int = 3) -> bool:
    """True when ``a - b`` is identically zero; raises :class:`UndefinedEverywhere` when more than
    ``MAX_POLES`` of the points drawn are poles (a function defined anywhere has almost surely none).

    Both sides are brought to canonical form and made rational (:func:`_as_rational`), with the same
    variables for the same atoms; the rational functions are then compared exactly at random rational
    points with large numerators (Schwartz-Zippel: a non-zero difference vanishes at such a point
    with probability below degree / 10^9).  Exact arithmetic throughout, no floating point and no
    ``simplify``.  The sides are compared first with their logs and symbolic powers as written (the
    two sides of a step usually spell them alike, and bringing a large one over one denominator is
    most of the cost), then factored (:func:`_canonical`); where they still differ at a point, their
    difference is formed and tested as one expression before the answer is no (SymPy cancels like
    terms there, as with ``0.5x − x/2``).  Each pass is exact: atoms made independent variables
    can only make equal sides look different, never different sides equal."""
    a, b = sympify(a), sympify(b)
    if a == b and _defined(a):  # nan == nan, but nan is no function (the difference decides, below)
        return True
    a, b = _exponentials(a), _exponentials(b)
    inside_exp = _inside_exp(a) | _inside_exp(b)
    for factored in (False, True):
        sides = _rational(a, inside_exp, factored), _rational(b, inside_exp, factored)
        points = trials * (PIECEWISE_TRIALS if any(side.has(*PIECEWISE) for side in sides) else 1)
        if _agree(*sides, points):
            return True
    difference = _rational(a - b, inside_exp, True)
    return difference == 0 or _agree(difference, S.Zero, points)


def _agree(a: Expr, b: Expr, trials: int) -> bool:
    """True when the rational ``a`` and ``b`` are equal at ``trials`` points where both are defined."""
    zeros = poles = 0
    for trial in itertools.count():
        left, right = _value(a, trial), _value(b, trial)
        if not (_defined(left) and _defined(right)):
            poles += 1  # a pole of the function; draw another point, but not forever
            if poles > MAX_POLES:
                raise UndefinedEverywhere(f"undefined at all of {poles} random points (a denominator "
                                          "that is identically zero?)")
        elif left != right and not _same_number(left, right):
            return False
        else:
            zeros += 1
        if zeros == trials:
            return True
    return False  # itertools.count never ends
