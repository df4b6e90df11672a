r"""The closed form a person writes: named rewrites, chosen by measured size.

After the rules of :mod:`derive.engine.rules` have brought a gradient to closed form, it is often
still not in the shape a paper prints: ``s_t^q·s_j − s_j^q·δ_jt`` instead of ``s_t^q(s_j − δ_jt)``,
terms not collected by the named functions, a sum of fractions that one denominator would shorten.
Each rewrite here is a :class:`~derive.engine.rules.Rule`; a *route* is a short sequence of them.
:func:`presentation_steps` tries every route and keeps the one whose result is shortest (the
operation count of the expression, :func:`size`), and only when it is shorter than what it started
from: the verifier checks each step like any other, so a rewrite can change the form, never the value.
Last, a sum over the classes that occurs more than once is given a name shown in a "where" line
(``D = TP + α·FP + β·FN``), as papers write it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations

from sympy import (
    Add,
    Expr,
    Heaviside,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Pow,
    S,
    Sum,
    Symbol,
    collect,
    count_ops,
    factor,
    factor_terms,
    fraction,
    powsimp,
)

from .constraints import Constraint
from .derivation import Named, Step
from .functions import NAMED_FUNCTIONS
from .rules import Rule, multiply_out, named_rule, over_one_denominator

__all__ = ["PRESENTATION_RULES", "presentation_steps", "size"]


def size(expr: Expr) -> int:
    """The measured size of a form: its operation count as printed (``a − b`` is one subtraction); a
    named sub-expression (``p_t``, shown once in a "where" line) counts as one symbol."""
    return int(count_ops(expr.replace(lambda e: isinstance(e, Named), lambda e: e.label), visual=False))


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
    r"""A step function is redundant beside what it guards, and two opposite steps add up to one:

    * :math:`H(x) f = f` when :math:`f` vanishes where :math:`x < 0` (``H(x)·max(0, x) = max(0, x)``,
      ``H(1 − u)·(1 − min(1, u))² = (1 − min(1, u))²``);
    * otherwise, under :math:`H(a - b)`, :math:`\min(a, b) = b` and :math:`\max(a, b) = a`, so that terms
      cancel (``H(d − |r|)·min(d, |r|) − H(d − |r|)·|r| = 0``);
    * :math:`H(x) + H(-x) = 1` away from :math:`x = 0`, where the convention :math:`H(0) = 1/2` keeps it.

    At :math:`x = 0` both sides agree: the guarded factor vanishes, or ``min(a, a) = a``."""

    if not expr.has(Heaviside):
        return expr
    changed = [new for new in map(_without_redundant_steps, (expr, multiply_out(expr))) if new != expr]
    return min(changed, key=size, default=expr)


def _without_redundant_steps(expr: Expr) -> Expr:
    expr = expr.replace(lambda e: e.is_Mul and _guarded(e) is not None, _guarded)
    return expr.replace(lambda e: e.is_Add and _opposite_steps(e) is not None, _opposite_steps)


def _guarded(product: Mul) -> Expr | None:
    """``product`` with a step function made redundant (see :func:`_redundant_step`), or None."""
    for step in product.args:
        if not isinstance(step, Heaviside):
            continue
        rest = Mul(*[f for f in product.args if f is not step])
        if _on_side(rest, step.args[0], positive=False) == 0:
            return rest
        inside = _on_side(rest, step.args[0], positive=True)
        if inside != rest:
            return step * inside
    return None


def _on_side(expr: Expr, x: Expr, positive: bool) -> Expr:
    """``expr`` where ``x > 0`` (``positive``) or ``x < 0``: each ``min``/``max`` of two arguments whose
    difference is ``±x`` takes the argument that is then the smaller/larger."""

    def side(e: Min | Max) -> Expr:
        if len(e.args) != 2:
            return e
        first, second = e.args
        if (first - second - x).expand() == 0:
            larger = first if positive else second
        elif (second - first - x).expand() == 0:
            larger = second if positive else first
        else:
            return e
        smaller = second if larger is first else first
        return larger if isinstance(e, Max) else smaller

    return expr.replace(lambda e: isinstance(e, (Min, Max)), side)


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


def _group_terms(expr: Expr) -> Expr:
    """Take out the factors common to some of the terms: the pair of terms whose common factor
    shortens the sum most is merged, again and again (``a·y·(1−p)^γ·γ·p·log p − a·y·(1−p)^γ·(1−p)
    → a·y·(1−p)^γ·(γ·p·log p − (1 − p))``); a power ``x^(γ+1)`` counts as ``x^γ·x``."""
    return expr.replace(lambda e: e.is_Add, _group)


def _group(total: Add) -> Expr:
    terms = [_split_powers(t) for t in total.args]
    pairs: dict[tuple[Expr, Expr], Expr] = {}
    while len(terms) > 1:
        best = None
        for i, j in combinations(range(len(terms)), 2):
            if (terms[i], terms[j]) not in pairs:
                pairs[terms[i], terms[j]] = factor_terms(terms[i] + terms[j])
            merged = pairs[terms[i], terms[j]]
            gain = size(terms[i]) + size(terms[j]) + 1 - size(merged)
            if merged.is_Mul and gain > 0 and (best is None or gain > best[0]):
                best = (gain, i, j, merged)
        if best is None:
            break
        _, i, j, merged = best
        terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [merged]
    new = powsimp(Add(*terms), combine="exp")  # a power split and not taken out is whole again
    return new if size(new) < size(total) else total


def _split_powers(expr: Expr) -> Expr:
    """``x^(γ + 1) → x^γ·x`` (a power whose exponent adds a positive whole number, as a product of
    powers; ``x^(γ − 1)`` stays whole, so no division by ``x`` appears where ``x`` may vanish)."""

    def query(e: Expr) -> bool:
        return isinstance(e, Pow) and e.exp.is_Add and e.exp.as_coeff_Add()[0].is_positive

    def value(e: Pow) -> Expr:
        whole, rest = e.exp.as_coeff_Add()
        return Pow(e.base, rest) * Pow(e.base, whole)

    return expr.replace(query, value)


def _factor_polynomials(expr: Expr) -> Expr:
    """Factor each sum that factors into a shorter product (``ν z + z − ν y − y = (ν + 1)(z − y)``)."""

    def shorter(total: Add) -> Expr:
        product = _absorb_sign(factor(total))
        return product if size(product) < size(total) else total

    return expr.replace(lambda e: e.is_Add, shorter)


def _absorb_sign(product: Expr) -> Expr:
    """``−(ν + 1)(y − z) → (ν + 1)(z − y)``: a leading minus sign taken into a difference factor."""
    coeff, rest = product.as_coeff_Mul()
    differences = [f for f in Mul.make_args(rest) if f.is_Add and size(-f) <= size(f)]
    if not (coeff.is_negative and differences):
        return product
    flipped = differences[-1]
    return -coeff * Mul(*[f for f in Mul.make_args(rest) if f is not flipped]) * -flipped


def _local_denominators(expr: Expr) -> Expr:
    """Each sum of fractions over one denominator where that shortens it, inside the expression
    (``(1 − y)/(1 − σ) − y/σ → (σ − y)/(σ(1 − σ))``)."""

    def shorter(total: Add) -> Expr:
        if not any(_has_denominator(term) for term in total.args):
            return total
        new = over_one_denominator(total)
        return new if size(new) <= size(total) else total

    return expr.replace(lambda e: e.is_Add, shorter)


def _has_denominator(term: Expr) -> bool:
    return any(p.exp.is_negative and p.base.free_symbols for p in Mul.make_args(term) if p.is_Pow)


def _into_bracket(expr: Expr) -> Expr:
    """Multiply the factors of a product into its bracket of fractions where they cancel
    (``σ(1 − σ)·(A·(σ − y)/(σ(1 − σ)) + B) → A·(σ − y) + σ(1 − σ)·B``)."""

    def value(product: Mul) -> Expr:
        for bracket in product.args:
            if bracket.is_Add and any(_has_denominator(term) for term in bracket.args):
                others = [f for f in product.args if f is not bracket]
                new = Add(*[Mul(*others, term) for term in bracket.args])
                if size(new) < size(product):
                    return new
        return product

    return expr.replace(lambda e: e.is_Mul, value)


def _name_repeated(expr: Expr) -> Expr:
    """Give a sum over the classes that occurs more than once (up to its sign, however multiplied out)
    a name, shown once in a "where" line, as papers write ``D = TP + α·FP + β·FN``: the one whose
    naming saves the most, again and again.  A name is ``D``, ``E``, … for a denominator, else ``A``,
    ``B``, …"""
    while (named := _name_one(expr)) is not None:
        expr = named
    return expr


def _name_one(expr: Expr) -> Expr | None:
    taken = {str(a) for a in expr.atoms(Symbol, IndexedBase)}
    members: dict[Expr, list[Expr]] = {}
    for node in _outside_names(expr):
        if node.is_Add and node.has(Sum) and not _component_of(node):
            key = min(multiply_out(node), multiply_out(-node), key=str)
            members.setdefault(key, []).append(node)
    best = None
    for found in members.values():
        shortest = min(found, key=lambda e: (size(e), str(e)))
        saving = (len(found) - 1) * size(shortest) - len(found)
        if len(found) > 1 and saving > 0 and (best is None or saving > best[0]):
            best = (saving, shortest, set(found))
    if best is None:
        return None
    _, shown, found = best
    denominators = {p.base for p in expr.atoms(Pow) if p.exp.is_negative}
    letters = "DEFGH" if found & denominators else "ABCEFGH"
    name = Named(Symbol(next(c for c in letters if c not in taken)), shown)
    sign = {e: 1 if multiply_out(e - shown) == 0 else -1 for e in found}
    new = expr.xreplace({e: sign[e] * name for e in found})
    return None if new == expr else new


def _component_of(expr: Expr) -> bool:
    """Whether ``expr`` holds a component (``u_j``) outside its sums: such a quantity has an index and
    is not named by a bare letter."""
    return bool(expr.replace(lambda e: isinstance(e, Sum), lambda e: S.Zero).atoms(Indexed))


def _outside_names(expr: Expr) -> Iterator[Expr]:
    """Every sub-expression of ``expr`` (each occurrence), not looking inside a named one."""
    yield expr
    if not isinstance(expr, Named):
        for arg in expr.args:
            yield from _outside_names(arg)


def _factor_out(expr: Expr) -> Expr:
    """The common factors of the terms taken out, a leading minus sign taken into a difference
    (``−a·(δ_jt − s_j) → a·(s_j − δ_jt)``)."""
    return factor_terms(expr).replace(lambda e: e.is_Mul, _absorb_sign)


FACTOR = named_rule("factor", _factor_out, "Take the common factors out of the terms.", "提取各项的公因子。")
COLLECT = named_rule("collect", _collect_named, "Collect the terms by the named functions.",
                "按命名函数合并同类项。")
DENOMINATOR = named_rule("common denominator", _over_one_denominator,
                    "Put the terms over one denominator.", "通分。")
STEPS = named_rule("redundant step function", _redundant_step,
              "A step function is redundant where what it multiplies vanishes: H(x)·max(0, x) = max(0, x); "
              "under H(a − b), min(a, b) = b; and H(x) + H(−x) = 1 (with H(0) = 1/2).",
              "阶跃函数乘以在其为零处本就为零的量时可以省去：H(x)·max(0, x) = max(0, x)；"
              "在 H(a − b) 下 min(a, b) = b；且 H(x) + H(−x) = 1（取 H(0) = 1/2）。")
GROUP = named_rule("group", _group_terms, "Take out the factors common to some of the terms.",
                   "提取部分项的公因子。")
POLYNOMIAL = named_rule("factorise", _factor_polynomials, "Factor the sums that factor.",
                        "对能因式分解的和式因式分解。")
FRACTIONS = named_rule("common denominator", _local_denominators,
                       "Put each sum of fractions over one denominator.", "把每个分式之和通分。")
INTO = named_rule("cancel", _into_bracket, "Multiply the factors into the bracket; common factors cancel.",
                  "把因子乘进括号，公因子约去。")
NAME = named_rule("name", _name_repeated, "Give a sum that occurs more than once a name.",
                  "给多次出现的和式起一个名字。")
PRESENTATION_RULES: tuple[Rule, ...] = (
    FACTOR, COLLECT, DENOMINATOR, STEPS, GROUP, POLYNOMIAL, FRACTIONS, INTO, NAME,
)


def _routes(component: Symbol | None) -> list[tuple[Rule, ...]]:
    routes: list[tuple[Rule, ...]] = [(STEPS, FACTOR), (STEPS, COLLECT, FACTOR), (STEPS, DENOMINATOR, FACTOR),
                                      (STEPS, GROUP), (STEPS, POLYNOMIAL), (STEPS, DENOMINATOR, POLYNOMIAL),
                                      (STEPS, FRACTIONS, INTO, FACTOR)]
    if component is not None:
        at_class = named_rule("Kronecker delta", _to_class_index(component),
                         "Where δ_jt ≠ 0 the component is the class: δ_jt f(j) = δ_jt f(t).",
                         "δ_jt 不为零时分量就是类别：δ_jt f(j) = δ_jt f(t)。")
        routes += [(at_class, FACTOR), (at_class, COLLECT, FACTOR), (at_class, GROUP),
                   (at_class, GROUP, POLYNOMIAL)]
    return routes


def presentation_steps(lhs: Expr, rhs: Expr, assumes: tuple[Constraint, ...] = (),
                       component: Symbol | None = None) -> list[Step]:
    """The steps of the shortest route from ``rhs`` (``component``: the gradient's free index), or none
    when no route shortens it."""
    best_size, best = size(rhs), []
    applied: dict[tuple[Rule, Expr], Expr] = {}  # routes share prefixes: each rewrite is computed once
    for route in _routes(component):
        steps, expr = [], rhs
        for rule in route:
            if (rule, expr) not in applied:
                applied[rule, expr] = rule.apply(expr)
            new = applied[rule, expr]
            if new != expr:
                steps.append(Step(lhs, new, rule.name, rule.note, assumes))
                expr = new
        if steps and size(expr) < best_size:
            best_size, best = size(expr), steps
    final = best[-1].rhs if best else rhs
    named = NAME.apply(final)
    return [*best, Step(lhs, named, NAME.name, NAME.note, assumes)] if named != final else best

