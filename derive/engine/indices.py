r"""Which values of the free indices a check at a concrete size must try.

An identity in the vector ``z_1..z_n`` with a free index ``j`` holds at ``j = 2`` exactly when it holds
at ``j = 1``, if the expressions treat every component alike: swapping the names ``z_1`` and ``z_2``
(and ``y_1``, ``y_2``, …) maps the instance at ``j = 1`` onto the instance at ``j = 2``, and renaming
variables does not change whether a difference is identically zero.  With several free indices
(``j``, ``k``, ``t``) the same relabelling shows that only the *pattern* of equalities among them
matters (``j = t`` or ``j ≠ t``), so one assignment per pattern is as strong a check as every
assignment: 2 instead of ``n²`` for two indices, 5 instead of ``n³`` for three.

"Treat every component alike" is checked, not assumed (:func:`relabelling_invariant`): indices
appear only as subscripts, as arguments of Kronecker deltas and index equalities, and of the
named vector functions (``softmax(z)_j``), every sum runs over a whole range ``1..n`` or ``1..d``,
and so does every other reduction over a bound index that declares its :class:`IndexUse` (the class
maximum :math:`\max_k u_k` and its indicator :math:`\mathbb{1}[u_j = \max_k u_k]`: a relabelling
permutes the ``u_k`` and leaves their maximum as it is), and the constraints are of the kinds
known to treat components alike (sum to one, one-hot at an index, a linear layer).  An index used
as a number (``j·z_j``, ``j < t``, a sum up to ``j``), a fixed component (``z_1``) or another
constraint makes :func:`index_values` fall back to every assignment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sympy import Basic, Derivative, Eq, Expr, Indexed, IndexedBase, KroneckerDelta, Lambda, Ne, Sum, Symbol

from .constraints import Constraint, Linear, OneHot, Simplex
from .derivation import Named
from .functions import NAMED_FUNCTIONS
from .symbols import INDICES, dim, n

__all__ = ["IndexUse", "equality_patterns", "index_values", "relabelling_invariant"]

_INDICES = frozenset(INDICES)
_RANGES = (n, dim)
_UNIFORM_CONSTRAINTS = (Simplex, OneHot, Linear)


def free_indices(exprs: tuple[Expr, ...]) -> list[Symbol]:
    """The free index symbols of ``exprs``, with those of derivative variables (∂L/∂z_j = 1 has a free j)."""
    symbols = [e.free_symbols.union(*[v.free_symbols for d in e.atoms(Derivative) for v in d.variables])
               for e in exprs]
    return sorted(set().union(*symbols) & _INDICES, key=str)


def equality_patterns(count: int, size: int) -> list[tuple[int, ...]]:
    """One assignment of values ``1..size`` to ``count`` indices per pattern of equalities among them:
    each index takes a value already used or the next new one (restricted growth strings)."""
    patterns: list[tuple[int, ...]] = [()]
    for _ in range(count):
        patterns = [(*p, v) for p in patterns for v in range(1, min(max(p, default=0) + 1, size) + 1)]
    return patterns


@dataclass(frozen=True)
class IndexUse:
    """How a function that reduces over a bound index (``max_k u_k``) uses indices, declared by its
    ``_index_use()`` method: ``bound`` runs over ``1..upper`` in ``body``, and each of ``subscripts``
    picks a component (the ``j`` of ``1[u_j = max_k u_k]``).  Every argument of the function is one of
    these or holds no index."""

    bound: Symbol
    upper: Expr
    body: Expr
    subscripts: tuple[Expr, ...] = ()


def _uniform(e: Basic, indices: frozenset[Symbol] = _INDICES) -> bool:
    """True when every index in ``e`` (a free one, or a sum's own) is used alike for every value."""
    declared = getattr(e, "_index_use", None)
    if callable(declared):  # a reduction like a sum: over the whole range, its subscripts indices
        use: IndexUse = declared()
        return use.upper in _RANGES and all(ix in indices for ix in use.subscripts) \
            and _uniform(use.body, indices | {use.bound})
    if isinstance(e, Named):
        return _uniform(e.expr, indices)  # the label is only shown
    if isinstance(e, Indexed):
        return all(ix in indices for ix in e.indices)
    if isinstance(e, Lambda):  # a vector expression: its variable is an index like any other
        return _uniform(e.expr, indices | set(e.variables))
    if isinstance(e, Sum):
        whole = all(lo == 1 and hi in _RANGES for _, lo, hi in e.limits)
        return whole and _uniform(e.function, indices | {limit[0] for limit in e.limits})
    if isinstance(e, (KroneckerDelta, Eq, Ne)) and any(a in indices for a in e.args):
        return all(a in indices for a in e.args)
    if isinstance(e, NAMED_FUNCTIONS):
        return all(a in indices or isinstance(a, IndexedBase) or _uniform(a, indices) for a in e.args)
    if e in indices:
        return False  # an index used as a number
    return all(_uniform(a, indices) for a in e.args)


def relabelling_invariant(exprs: tuple[Expr, ...], constraints: tuple[Constraint, ...] = ()) -> bool:
    """True when renaming components consistently maps every instance of ``exprs`` (with
    ``constraints`` imposed) onto another."""
    return all(type(c) in _UNIFORM_CONSTRAINTS for c in constraints) and all(_uniform(e) for e in exprs)


def index_values(exprs: tuple[Expr, ...], size: int,
                 constraints: tuple[Constraint, ...] = ()) -> list[dict[Symbol, int]]:
    """The assignments of the free indices of ``exprs`` that a check at ``n = size`` must try:
    one per equality pattern when the expressions are relabelling-invariant, else all of them.  The
    class index of a one-hot constraint is among them even where the expressions no longer show it
    (``|δ_kt − 1/2| = 1/2``): the constraint needs its value."""
    free = list(dict.fromkeys([*free_indices(exprs), *(index for c in constraints for index in c.indices)]))
    if relabelling_invariant(exprs, constraints):
        combos = equality_patterns(len(free), size)
    else:
        combos = list(itertools.product(range(1, size + 1), repeat=len(free)))
    return [dict(zip(free, combo, strict=True)) for combo in combos]
