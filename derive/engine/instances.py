r"""Expressions at a concrete size, and random points to evaluate them at.

A general-``n`` expression becomes explicit: sums are expanded, named functions written out from
their definitions, the free indices and the constraints imposed, and every component ``z_m`` a plain
symbol (:func:`instantiate`).  :func:`sample` draws a point from the domain of each symbol's role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from sympy import (
    Add,
    Basic,
    Derivative,
    Expr,
    Heaviside,
    Indexed,
    IndexedBase,
    Integer,
    Mul,
    S,
    Sum,
    Symbol,
    UnevaluatedExpr,
    lambdify,
    sympify,
)

from .constraints import Constraint, Simplex
from .derivation import Named
from .functions import NAMED_FUNCTIONS
from .symbols import Role, dim, n, role_of

__all__ = ["component", "instantiate", "numeric", "sample"]

_ORIGIN: dict[Symbol, IndexedBase] = {}


def component(base: IndexedBase, *m: int) -> Symbol:
    """The explicit symbol ``z_m`` for component ``m`` of the vector ``base`` (``W_j_k`` for a matrix),
    of the class of the vector's label (a user's vector ``z`` has components apart from the core ``z``'s)."""
    sym = type(base.label)("_".join(map(str, (base.label, *m))), real=True)
    _ORIGIN[sym] = base
    return sym


def _expand_sum(e: Sum) -> Expr:
    (index, lo, hi), body = e.limits[0], e.function
    return Add(*[body.xreplace({index: Integer(m)}) for m in range(int(lo), int(hi) + 1)])


_INFINITIES = (S.Infinity, S.NegativeInfinity, S.ComplexInfinity, S.NaN)


def _substitute(expr: Basic, mapping: dict[Basic, Basic]) -> Basic:
    """``expr.xreplace(mapping)``, except that a product with a factor that becomes 0 is 0 at once:
    SymPy first asks whether each other factor is finite (seconds on a large one, as when a one-hot
    ``y_m = 0`` multiplies a term of a loss); a factor that is an explicit infinity keeps SymPy's
    0·∞ = nan."""
    done: dict[Basic, Basic] = {}
    mapping = {key: sympify(value) for key, value in mapping.items()}

    def visit(e: Basic) -> Basic:
        if e in mapping:
            return mapping[e]
        if not e.args or e in done:
            return done.get(e, e)
        args = [visit(a) for a in e.args]
        if isinstance(e, Mul) and S.Zero in args and not any(a.has(*_INFINITIES) for a in args):
            result: Basic = S.Zero
        else:
            result = e.func(*args) if args != list(e.args) else e
        done[e] = result
        return result

    return visit(expr)


def instantiate(expr: Expr, size: int, values: dict[Symbol, int],
                constraints: tuple[Constraint, ...] = ()) -> Expr:
    """``expr`` at ``n = size`` with the free indices set to ``values``: explicit components,
    named functions written out, constraints imposed, derivatives evaluated."""
    return _instantiate(expr, size, tuple(sorted(values.items(), key=str)), constraints)


@lru_cache(maxsize=4096)
def _instantiate(expr: Expr, size: int, values: tuple[tuple[Symbol, int], ...],
                 constraints: tuple[Constraint, ...]) -> Expr:
    values = dict(values)
    expr = expr.replace(lambda e: isinstance(e, (Named, UnevaluatedExpr)), lambda e: e.args[-1])
    fixed = {n: Integer(size), dim: Integer(size), **{k: Integer(v) for k, v in values.items()}}
    expr = _substitute(expr, fixed)
    while expr.has(Sum, *NAMED_FUNCTIONS):  # a named function of an expression can hold sums, and n
        while expr.has(Sum):
            expr = expr.replace(lambda e: isinstance(e, Sum) and not e.function.has(Sum), _expand_sum)
        expr = expr.replace(lambda e: isinstance(e, NAMED_FUNCTIONS),
                            lambda e: e.explicit(size, lambda base, m: base[m]))
        expr = _substitute(expr, fixed)
    for constraint in constraints:
        expr = _substitute(expr, constraint.substitutions(size, values))
    expr = expr.replace(lambda e: isinstance(e, Indexed),
                        lambda e: component(e.base, *map(int, e.indices)))
    return expr.replace(lambda e: isinstance(e, Derivative), lambda e: e.doit())


def _heaviside(x: object, at_zero: object = 0.5) -> object:
    """SymPy's ``Heaviside(x, H(0))`` (``H(0) = 1/2`` unless given) in NumPy."""
    return np.heaviside(x, at_zero)


# SymPy's NumPy printer writes Heaviside as a Piecewise whose conditions it first simplifies, which takes
# seconds for the derivative of a max (H(u_1 − max(u_2, …)) at n = 4); the same function, printed as one call.
# NumPy as the module, not "numpy": that name makes lambdify run `from numpy import *`, which loads f2py,
# numpy.testing, numpy.ma and more (0.1 s of every run)
_NUMPY = [{Heaviside.__name__: _heaviside}, np]


def numeric(variables: Sequence[Symbol], expr: Expr) -> Callable[..., object]:
    """``expr`` as a NumPy function of ``variables`` (positional), for the numeric checks."""
    return lambdify(variables, expr, modules=_NUMPY)


def sample(symbols: set[Symbol], size: int, rng: np.random.Generator,
            constraints: tuple[Constraint, ...]) -> dict[Symbol, float]:
    simplex = {c.vector for c in constraints if isinstance(c, Simplex)}
    point: dict[Symbol, float] = {}
    dirichlet: dict[IndexedBase, np.ndarray] = {}
    for sym in sorted(symbols, key=str):
        base = _ORIGIN.get(sym)
        role = role_of(base if base is not None else sym)
        if base is not None and (base in simplex or role is Role.PROBABILITY):
            draw = dirichlet.setdefault(base, rng.dirichlet(np.full(size, 2.0)))
            point[sym] = float(draw[int(sym.name.rsplit("_", 1)[1]) - 1])
            continue
        point[sym] = {
            Role.REAL: lambda: rng.normal(0.0, 1.5),
            Role.PROBABILITY: lambda: rng.uniform(0.05, 0.95),
            Role.TARGET: lambda: rng.uniform(0.0, 1.0),
            Role.POSITIVE: lambda: rng.uniform(0.5, 2.0),
            Role.SMOOTHING: lambda: rng.uniform(0.0, 0.5),
            Role.FOCUS: lambda: rng.uniform(0.5, 3.0),
            Role.SIGN: lambda: float(rng.choice((-1.0, 1.0))),
        }[role]()
    return point
