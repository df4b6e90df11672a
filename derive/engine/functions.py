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
    Dummy,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    Lambda,
    S,
    Sum,
    Symbol,
    diff,
    exp,
    log,
)

from .symbols import m, n

Components = Callable[[IndexedBase, int], Expr]
Vector = IndexedBase | Lambda
"""A vector: a named one (``z``) or an expression of named ones (``z/T``, ``z + τ·log π``), written as
a ``Lambda`` over its component index."""


def vector_expression(body: Expr, index: Symbol) -> Vector:
    """The vector whose component ``index`` is ``body``: ``z`` itself for ``body = z_index``, else a
    ``Lambda`` over a variable ``r`` (``r_2``, … when that name is taken, as in nested softmaxes)."""
    if isinstance(body, Indexed) and body.indices == (index,):
        return body.base
    taken = {a.name for a in body.atoms(Symbol)}
    name = next(c for c in ("r", *(f"r_{d}" for d in range(2, 64))) if c not in taken)
    variable = Symbol(name, integer=True)
    return Lambda(variable, body.xreplace({index: variable}))


def component(vector: Vector, index: Expr) -> Expr:
    """Component ``index`` of ``vector``: ``z_index``, or the expression at that index."""
    return vector[index] if isinstance(vector, IndexedBase) else vector(index)


def shown_vector(vector: Vector) -> Expr:
    """``vector`` as a reader writes it: ``z/T`` for the components ``z_r/T``."""
    if isinstance(vector, IndexedBase):
        return vector
    (variable,), body = vector.variables, vector.expr
    return body.replace(lambda e: isinstance(e, Indexed) and e.indices == (variable,),
                        lambda e: e.base)


def _dummy_sum(body: Callable[[Expr], Expr]) -> Sum:
    """``Σ_{m=1}^{n} body(m)``; ``m`` is reserved for these sums (losses sum over ``k``)."""
    return Sum(body(m), (m, 1, n))


def _wrt_component(base: IndexedBase, v: Expr) -> Expr | None:
    """The index of ``v`` when ``v`` is a component of the vector ``base``."""
    if isinstance(v, Indexed) and v.base == base:
        return v.indices[0]
    return None


def _derivative(vector: Vector, v: Expr, outer: Callable[[Expr], Expr]) -> Expr:
    r"""The derivative with respect to ``v`` of a function of ``vector`` whose partial derivative in
    component ``m`` is ``outer(m)``: ``outer(j)`` for ``v = z_j``, and for an expression ``u`` the
    chain rule :math:`\sum_m \mathrm{outer}(m)\, \partial u_m / \partial v`."""
    if isinstance(vector, IndexedBase):
        jdx = _wrt_component(vector, v)
        return S.Zero if jdx is None else outer(jdx)
    placeholder = Dummy("component", integer=True)
    inner = diff(vector(placeholder), v)
    if inner == 0:
        return S.Zero
    taken = {a.name for a in (inner.atoms(Symbol) | vector.atoms(Symbol)) if a != placeholder}
    over = next(Symbol(c, integer=True) for c in ("m", *(f"m_{d}" for d in range(2, 64))) if c not in taken)
    return Sum(outer(over) * inner.xreplace({placeholder: over}), (over, 1, n))


class _VectorComponent(Function):
    """Component ``index`` of a function of the whole vector ``vector`` (softmax, log-softmax)."""

    nargs = 2

    @property
    def vector(self) -> Vector:
        return self.args[0]

    @property
    def index(self) -> Expr:
        return self.args[1]

    def _eval_is_commutative(self) -> bool:
        return True  # a number, whatever the vector is written as (a Lambda is not commutative)

    def _eval_derivative(self, v: Expr) -> Expr:
        return _derivative(self.vector, v, self.component_derivative)

    def component_derivative(self, jdx: Expr) -> Expr:
        """The derivative with respect to component ``jdx`` of the vector."""
        raise NotImplementedError

    def _at(self, index: Expr, component_of: Components) -> Expr:
        return component_of(self.vector, index) if isinstance(self.vector, IndexedBase) \
            else self.vector(index)

    def _exp_terms(self, size: int, component_of: Components) -> list[Expr]:
        return [exp(self._at(m, component_of)) for m in range(1, size + 1)]


class Softmax(_VectorComponent):
    r"""Component ``i`` of the softmax of the vector ``z``: :math:`s_i`."""

    lemma = "softmax"  # the derivation of the rule below (derive.engine.lemmas)

    def component_derivative(self, jdx: Expr) -> Expr:
        # softmax Jacobian: ∂s_i/∂z_j = s_i (δ_ij − s_j)
        return self * (KroneckerDelta(self.index, jdx) - Softmax(self.vector, jdx))

    def _eval_rewrite_as_exp(self, vector: Vector, index: Expr, **kwargs) -> Expr:
        return exp(component(vector, index)) / _dummy_sum(lambda m: exp(component(vector, m)))

    def explicit(self, size: int, component_of: Components) -> Expr:
        return exp(self._at(int(self.index), component_of)) / Add(*self._exp_terms(size, component_of))


class LogSoftmax(_VectorComponent):
    r"""Component ``i`` of the log-softmax: :math:`\log s_i = z_i - \operatorname{LSE}(z)`."""

    lemma = "log_softmax"  # the derivation of the rule below (derive.engine.lemmas)

    def component_derivative(self, jdx: Expr) -> Expr:
        # ∂ log s_i / ∂z_j = δ_ij − s_j
        return KroneckerDelta(self.index, jdx) - Softmax(self.vector, jdx)

    def _eval_rewrite_as_exp(self, vector: Vector, index: Expr, **kwargs) -> Expr:
        return component(vector, index) - log(_dummy_sum(lambda m: exp(component(vector, m))))

    def explicit(self, size: int, component_of: Components) -> Expr:
        return self._at(int(self.index), component_of) - log(Add(*self._exp_terms(size, component_of)))


class LogSumExp(Function):
    r""":math:`\operatorname{LSE}(z) = \log \sum_k e^{z_k}`; its gradient is the softmax."""

    lemma = "logsumexp"  # the derivation of the rule below (derive.engine.lemmas)

    nargs = 1

    @property
    def vector(self) -> Vector:
        return self.args[0]

    def _eval_is_commutative(self) -> bool:
        return True

    def _eval_derivative(self, v: Expr) -> Expr:
        # ∂ LSE / ∂z_j = s_j
        return _derivative(self.vector, v, lambda jdx: Softmax(self.vector, jdx))

    def _eval_rewrite_as_exp(self, vector: Vector, **kwargs) -> Expr:
        return log(_dummy_sum(lambda m: exp(component(vector, m))))

    def explicit(self, size: int, component_of: Components) -> Expr:
        at = (lambda m: component_of(self.vector, m)) if isinstance(self.vector, IndexedBase) else self.vector
        return log(Add(*[exp(at(m)) for m in range(1, size + 1)]))


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
