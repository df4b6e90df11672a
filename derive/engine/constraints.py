r"""Declared constraints on the inputs of a loss.

A constraint knows how to rewrite a general-``n`` expression (the rule the
derivation applies, e.g. :math:`\sum_i y_i = 1`) and how to impose itself on
explicit components at a concrete size (what the verifier substitutes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Add, Dummy, Eq, Expr, IndexedBase, KroneckerDelta, Lambda, Mul, S, Sum, Symbol

from .symbols import dim, i, l, n, t


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

    @property
    def indices(self) -> tuple[Symbol, ...]:
        """The free indices ``substitutions`` needs values for (none by default)."""
        return ()


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
        """Each component ``y_i`` becomes ``δ_it``, except inside the vector expression of a named
        function (``softmax(s·(z − m·y))`` keeps the reader's ``y``; the verifier still imposes it)."""
        hidden = {vector: Dummy() for vector in expr.atoms(Lambda)}
        shown = expr.xreplace(hidden).replace(
            lambda e: getattr(e, "base", None) == self.vector and e.is_Indexed,
            lambda e: KroneckerDelta(e.indices[0], self.index),
        )
        return shown.xreplace({dummy: vector for vector, dummy in hidden.items()})

    @property
    def indices(self) -> tuple[Symbol, ...]:
        return (self.index,)

    def substitutions(self, size: int, index_values: dict[Symbol, int]) -> dict[Expr, Expr]:
        hot = index_values[self.index]
        return {self.vector[m]: S.One if m == hot else S.Zero for m in range(1, size + 1)}


@dataclass(frozen=True)
class Linear(Constraint):
    r"""The logits come from a linear layer: :math:`z_i = \sum_l W_{il} x_l + b_i`.

    With a scalar ``vector`` (one output) the layer is :math:`z = \sum_l W_l x_l + b`.  The
    input has ``dim`` components; at a concrete size the verifier takes ``dim = n``.
    """

    weight: IndexedBase
    inputs: IndexedBase
    bias: Expr  # b (a vector) or b0 (a scalar)

    @property
    def rule(self) -> str:
        return "linear layer"

    @property
    def scalar(self) -> bool:
        """True for a single output ``z`` (a weight vector and a scalar bias)."""
        return not isinstance(self.vector, IndexedBase)

    def output(self, index: Expr = i) -> Expr:
        """The output ``z_index`` (``z`` for a single output)."""
        return self.vector if self.scalar else self.vector[index]

    def definition(self, index: Expr = i, feature: Symbol = l) -> Expr:
        r""":math:`\sum_l W_{il} x_l + b_i` at general size."""
        # unevaluated, so that it prints in the usual order: Σ_l W_il x_l + b_i
        weight = self.weight[feature] if self.scalar else self.weight[index, feature]
        product = Mul(weight, self.inputs[feature], evaluate=False)
        bias = self.bias if self.scalar else self.bias[index]
        return Add(Sum(product, (feature, 1, dim)), bias, evaluate=False)

    @property
    def equation(self) -> Eq:
        return Eq(self.output(), self.definition(), evaluate=False)

    def rewrite(self, expr: Expr) -> Expr:
        return expr  # a definition, not a simplification: it is used when verifying

    def substitutions(self, size: int, index_values: dict[Symbol, int]) -> dict[Expr, Expr]:
        features = range(1, size + 1)
        if self.scalar:
            return {self.vector: Add(*[self.weight[f] * self.inputs[f] for f in features]) + self.bias}
        return {self.vector[r]: Add(*[self.weight[r, f] * self.inputs[f] for f in features]) + self.bias[r]
                for r in range(1, size + 1)}
