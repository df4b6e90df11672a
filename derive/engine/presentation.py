r"""The closed form a person writes: named rewrites, chosen by measured size.

After the rules of :mod:`derive.engine.rules` have brought a gradient to closed form, it is often
still not in the shape a paper prints: ``s_t^q·s_j − s_j^q·δ_jt`` instead of ``s_t^q(s_j − δ_jt)``,
terms not collected by the named functions, a sum of fractions that one denominator would shorten.
Each rewrite here is a :class:`~derive.engine.rules.Rule`; a *route* is a short sequence of them.
:func:`presentation_steps` tries every route and keeps the one whose result is shortest (the
operation count of the expression, :func:`size`), and only when it is shorter than what it started
from: the verifier checks each step like any other, so a rewrite can change the form, never the value.
"""

from __future__ import annotations

from collections.abc import Callable

from sympy import (
    Add,
    Expr,
    Heaviside,
    KroneckerDelta,
    Max,
    Mul,
    Symbol,
    collect,
    count_ops,
    factor_terms,
    fraction,
)

from .constraints import Constraint
from .derivation import Step
from .functions import NAMED_FUNCTIONS
from .rules import Rule, multiply_out, named_rule, over_one_denominator

__all__ = ["PRESENTATION_RULES", "presentation_steps", "size"]


def size(expr: Expr) -> int:
    """The measured size of a form: its operation count as printed (``a − b`` is one subtraction)."""
    return int(count_ops(expr, visual=False))



def _to_class_index(component: Symbol) -> Callable[[Expr], Expr]:
    r""":math:`\delta_{jt} f(j) = \delta_{jt} f(t)`: in a product with the delta, the gradient's component
    ``j`` is the class ``t``, so ``f`` is written at the class (a factor common to the other terms)."""

    def apply(expr: Expr) -> Expr:
        def query(e: Expr) -> bool:
            return e.is_Mul and any(_other_index(d, component) is not None for d in e.args
                                    if isinstance(d, KroneckerDelta))

        def value(e: Mul) -> Expr:
            delta = next(d for d in e.args if isinstance(d, KroneckerDelta)
                         and _other_index(d, component) is not None)
            rest = Mul(*[f for f in e.args if f is not delta])
            return delta * rest.xreplace({component: _other_index(delta, component)})

        return expr.replace(query, value)

    return apply


def _other_index(delta: KroneckerDelta, component: Symbol) -> Expr | None:
    a, b = delta.args
    if component not in (a, b) or not (a.is_Symbol and b.is_Symbol):
        return None
    return b if a == component else a


def _collect_named(expr: Expr) -> Expr:
    """Collect the terms by the named functions (σ, s_j, softmax(u)_j) and their powers."""
    named = sorted({e for e in expr.atoms(*NAMED_FUNCTIONS)}, key=str)
    if not named:
        return expr
    return collect(multiply_out(expr), named)


def _over_one_denominator(expr: Expr) -> Expr:
    """Every term over one denominator (unchanged when there is none to bring them over)."""
    new = over_one_denominator(expr)
    return expr if fraction(new)[1] == 1 else new


def _redundant_step(expr: Expr) -> Expr:
    r""":math:`H(x)\max(0, x) = \max(0, x)` (where :math:`H = 0`, the max is 0 too); and
    :math:`H(x) + H(-x) = 1` away from :math:`x = 0`, where the convention :math:`H(0) = 1/2` keeps it."""

    def query(e: Expr) -> bool:
        return e.is_Mul and _heaviside_of_max(e) is not None

    expr = expr.replace(query, _heaviside_of_max)
    return expr.replace(lambda e: e.is_Add and _opposite_steps(e) is not None, _opposite_steps)


def _heaviside_of_max(product: Mul) -> Expr | None:
    for step in product.args:
        if isinstance(step, Heaviside) and Max(0, step.args[0]) in product.args:
            return Mul(*[f for f in product.args if f is not step])
    return None


def _opposite_steps(total: Add) -> Expr | None:
    """``c·H(x) + c·H(−x)`` → ``c`` (a sum that holds both steps of one argument, same coefficient)."""
    terms = Add.make_args(total)
    for term in terms:
        coeff, step = term.as_independent(Heaviside, as_Add=False)
        if not isinstance(step, Heaviside):
            continue
        mirror = coeff * Heaviside(-step.args[0], *step.args[1:])
        if mirror in terms:
            rest = [t for t in terms if t is not term and t != mirror]
            return Add(coeff, *rest)
    return None


FACTOR = named_rule("factor", factor_terms, "Take the common factors out of the terms.", "提取各项的公因子。")
COLLECT = named_rule("collect", _collect_named, "Collect the terms by the named functions.",
                "按命名函数合并同类项。")
DENOMINATOR = named_rule("common denominator", _over_one_denominator,
                    "Put the terms over one denominator.", "通分。")
STEPS = named_rule("redundant step function", _redundant_step,
              "H(x)·max(0, x) = max(0, x), and H(x) + H(−x) = 1 (with H(0) = 1/2).",
              "H(x)·max(0, x) = max(0, x)，且 H(x) + H(−x) = 1（取 H(0) = 1/2）。")
PRESENTATION_RULES: tuple[Rule, ...] = (FACTOR, COLLECT, DENOMINATOR, STEPS)


def _routes(component: Symbol | None) -> list[tuple[Rule, ...]]:
    routes: list[tuple[Rule, ...]] = [(STEPS, FACTOR), (STEPS, COLLECT, FACTOR), (STEPS, DENOMINATOR, FACTOR)]
    if component is not None:
        at_class = named_rule("Kronecker delta", _to_class_index(component),
                         "Where δ_jt ≠ 0 the component is the class: δ_jt f(j) = δ_jt f(t).",
                         "δ_jt 不为零时分量就是类别：δ_jt f(j) = δ_jt f(t)。")
        routes += [(at_class, FACTOR), (at_class, COLLECT, FACTOR)]
    return routes


def presentation_steps(lhs: Expr, rhs: Expr, assumes: tuple[Constraint, ...] = (),
                       component: Symbol | None = None) -> list[Step]:
    """The steps of the shortest route from ``rhs`` (``component``: the gradient's free index), or none
    when no route shortens it."""
    best_size, best = size(rhs), []
    for route in _routes(component):
        steps, expr = [], rhs
        for rule in route:
            new = rule.apply(expr)
            if new != expr:
                steps.append(Step(lhs, new, rule.name, rule.note, assumes))
                expr = new
        if steps and size(expr) < best_size:
            best_size, best = size(expr), steps
    return best

