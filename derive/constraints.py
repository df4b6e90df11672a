r"""Declared constraints on the inputs of a loss.

A constraint knows how to rewrite a general-``n`` expression (the rule the
derivation applies, e.g. :math:`\sum_i y_i = 1`) and how to impose itself on
explicit components at a concrete size (what the verifier substitutes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Add, Eq, Expr, IndexedBase, KroneckerDelta, S, Sum, Symbol

from .symbols import i, n, t


@dataclass(frozen=True)
class Constraint:
    """Base class: ``rewrite`` at general ``n``, ``substitutions`` at a concrete size."""

    vector: IndexedBase

    @property
    def equation(self) -> Eq:
        """The constraint as an equation, for printing."""
        raise NotImplementedError

    def rewrite(self, expr: Expr) -> Expr:
        raise NotImplementedError

    def substitutions(self, size: int, index_values: dict[Symbol, int]) -> dict[Expr, Expr]:
        raise NotImplementedError


@dataclass(frozen=True)
class Simplex(Constraint):
    r"""The vector is a distribution: :math:`\sum_i y_i = 1` (and :math:`y_i \ge 0`)."""

    @property
    def rule(self) -> str:
        return "sum to one"

    @property
    def equation(self) -> Eq:
        return Eq(Sum(self.vector[i], (i, 1, n)), 1)

    def rewrite(self, expr: Expr) -> Expr:
        def is_total(e: Expr) -> bool:
            if not isinstance(e, Sum) or len(e.limits) != 1:
                return False
            (m, lo, hi), body = e.limits[0], e.function
            return lo == 1 and hi == n and body == self.vector[m]

        return expr.replace(is_total, lambda e: S.One)

    def substitutions(self, size: int, index_values: dict[Symbol, int]) -> dict[Expr, Expr]:
        # y_N = 1 − Σ_{m<N} y_m
        rest = Add(*[self.vector[m] for m in range(1, size)])
        return {self.vector[size]: 1 - rest}


@dataclass(frozen=True)
class OneHot(Constraint):
    r"""The vector is the one-hot encoding of the class ``index``: :math:`y_i = \delta_{it}`."""

    index: Symbol = t

    @property
    def rule(self) -> str:
        return "one-hot target"

    @property
    def equation(self) -> Eq:
        return Eq(self.vector[i], KroneckerDelta(i, self.index), evaluate=False)

    def rewrite(self, expr: Expr) -> Expr:
        return expr.replace(
            lambda e: getattr(e, "base", None) == self.vector and e.is_Indexed,
            lambda e: KroneckerDelta(e.indices[0], self.index),
        )

    def substitutions(self, size: int, index_values: dict[Symbol, int]) -> dict[Expr, Expr]:
        hot = index_values[self.index]
        return {self.vector[m]: S.One if m == hot else S.Zero for m in range(1, size + 1)}
