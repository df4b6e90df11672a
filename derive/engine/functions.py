r"""Named functions with their own derivative rules.

Each is a SymPy :class:`~sympy.Function` so that closed forms come out in the
reader's vocabulary (``s_j - y_j``, ``σ(z) - y``) instead of a page of
exponentials.  Each knows

* its derivative (``fdiff`` / ``_eval_derivative``), so ``diff`` applies the
  textbook rule (softmax Jacobian, ``σ' = σ(1-σ)``, ...);
* its elementary definition (``rewrite(exp)``), used by the verifier and by
  the refolding rules;
* its explicit form at a concrete length ``N`` (``explicit``), where a vector
  argument becomes the symbols ``z_1..z_N``;
* the name of its ``lemma``: the derivation, from the definition, of the rule ``diff`` applies
  (:mod:`derive.engine.lemmas`); the verifier checks that the rule is what the lemma derives.

.. math::

    s_i = \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_k e^{z_k}},\quad
    \frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j),\quad
    \sigma(x) = \frac{1}{1 + e^{-x}},\quad \sigma' = \sigma(1 - \sigma).
"""

from __future__ import annotations

from collections.abc import Callable

from sympy import (
    Add,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    S,
    Sum,
    exp,
    log,
)

from .symbols import m, n

Components = Callable[[IndexedBase, int], Expr]


def _dummy_sum(body: Callable[[Expr], Expr]) -> Sum:
    """``Σ_{m=1}^{n} body(m)``; ``m`` is reserved for these sums (losses sum over ``k``)."""
    return Sum(body(m), (m, 1, n))


def _wrt_component(base: IndexedBase, v: Expr) -> Expr | None:
    """The index of ``v`` when ``v`` is a component of the vector ``base``."""
    if isinstance(v, Indexed) and v.base == base:
        return v.indices[0]
    return None


class _VectorComponent(Function):
    """Component ``index`` of a function of the whole vector ``vector`` (softmax, log-softmax)."""

    nargs = 2

    @property
    def vector(self) -> IndexedBase:
        return self.args[0]

    @property
    def index(self) -> Expr:
        return self.args[1]

    def _eval_derivative(self, v: Expr) -> Expr:
        jdx = _wrt_component(self.vector, v)
        return S.Zero if jdx is None else self.component_derivative(jdx)

    def component_derivative(self, jdx: Expr) -> Expr:
        """The derivative with respect to component ``jdx`` of the vector."""
        raise NotImplementedError

    def _exp_terms(self, size: int, component: Components) -> list[Expr]:
        return [exp(component(self.vector, m)) for m in range(1, size + 1)]


class Softmax(_VectorComponent):
    r"""Component ``i`` of the softmax of the vector ``z``: :math:`s_i`."""

    lemma = "softmax"  # the derivation of the rule below (derive.engine.lemmas)

    def component_derivative(self, jdx: Expr) -> Expr:
        # softmax Jacobian: ∂s_i/∂z_j = s_i (δ_ij − s_j)
        return self * (KroneckerDelta(self.index, jdx) - Softmax(self.vector, jdx))

    def _eval_rewrite_as_exp(self, vector: IndexedBase, index: Expr, **kwargs) -> Expr:
        return exp(vector[index]) / _dummy_sum(lambda m: exp(vector[m]))

    def explicit(self, size: int, component: Components) -> Expr:
        return exp(component(self.vector, int(self.index))) / Add(*self._exp_terms(size, component))


class LogSoftmax(_VectorComponent):
    r"""Component ``i`` of the log-softmax: :math:`\log s_i = z_i - \operatorname{LSE}(z)`."""

    lemma = "log_softmax"  # the derivation of the rule below (derive.engine.lemmas)

    def component_derivative(self, jdx: Expr) -> Expr:
        # ∂ log s_i / ∂z_j = δ_ij − s_j
        return KroneckerDelta(self.index, jdx) - Softmax(self.vector, jdx)

    def _eval_rewrite_as_exp(self, vector: IndexedBase, index: Expr, **kwargs) -> Expr:
        return vector[index] - log(_dummy_sum(lambda m: exp(vector[m])))

    def explicit(self, size: int, component: Components) -> Expr:
        return component(self.vector, int(self.index)) - log(Add(*self._exp_terms(size, component)))


class LogSumExp(Function):
    r""":math:`\operatorname{LSE}(z) = \log \sum_k e^{z_k}`; its gradient is the softmax."""

    lemma = "logsumexp"  # the derivation of the rule below (derive.engine.lemmas)

    nargs = 1

    @property
    def vector(self) -> IndexedBase:
        return self.args[0]

    def _eval_derivative(self, v: Expr) -> Expr:
        # ∂ LSE / ∂z_j = s_j
        jdx = _wrt_component(self.vector, v)
        return Softmax(self.vector, jdx) if jdx is not None else S.Zero

    def _eval_rewrite_as_exp(self, vector: IndexedBase, **kwargs) -> Expr:
        return log(_dummy_sum(lambda m: exp(vector[m])))

    def explicit(self, size: int, component: Components) -> Expr:
        return log(Add(*[exp(component(self.vector, m)) for m in range(1, size + 1)]))


class Sigmoid(Function):
    r""":math:`\sigma(x) = 1/(1 + e^{-x})`, with :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`."""

    lemma = "sigmoid"  # the derivation of the rule below (derive.engine.lemmas)

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg: Expr, **kwargs) -> Expr:
        return 1 / (1 + exp(-arg))

    def explicit(self, size: int, component: Components) -> Expr:
        return 1 / (1 + exp(-self.args[0]))


class Softplus(Function):
    r""":math:`\operatorname{softplus}(x) = \log(1 + e^{x})`, with derivative :math:`\sigma(x)`."""

    lemma = "softplus"  # the derivation of the rule below (derive.engine.lemmas)

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Expr:
        return Sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: Expr, **kwargs) -> Expr:
        return log(1 + exp(arg))

    def explicit(self, size: int, component: Components) -> Expr:
        return log(1 + exp(self.args[0]))


NAMED_FUNCTIONS: tuple[type[Function], ...] = (Softmax, LogSoftmax, LogSumExp, Sigmoid, Softplus)
