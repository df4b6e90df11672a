r"""The rewrite rules that bring indexed sums to closed form.

SymPy's ``simplify`` cannot finish expressions such as
:math:`\partial_{z_j} \sum_i y_i \log s_i` (it even raises on some), so the
engine carries this small explicit rule set.  Each rule is a :class:`Rule`: a
name, a sentence, and a targeted rewrite; the driver :func:`run_rules` applies
the first rule that changes the expression and starts again, until no rule
applies.  No unbounded ``simplify`` is called anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sympy import (
    Abs,
    Add,
    Expr,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Piecewise,
    Pow,
    S,
    Sum,
    Symbol,
    Wild,
    cosh,
    exp,
    expand,
    fraction,
    log,
    powsimp,
    sinh,
    tanh,
    together,
)

from .constraints import Constraint
from .derivation import Step, Text
from .functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus, Vector, component, vector_expression
from .symbols import n

__all__ = ["RECOGNITION_RULES", "STRUCTURAL_RULES", "Rule", "multiply_out", "named_rule",
           "over_one_denominator", "rewrite_steps", "run_rules", "settle"]

_MAX_STEPS = 40


@dataclass(frozen=True)
class Rule:
    """A named, targeted rewrite; ``apply`` returns the expression unchanged when it does not apply."""

    name: str
    note: Text
    apply: Callable[[Expr], Expr]


# --- the rewrites ---------------------------------------------------------------------------------


def _sums(expr: Expr, rewrite: Callable[[Sum], Expr | None]) -> Expr:
    """Rewrite every single-index ``Sum`` bottom-up; ``rewrite`` returns None to leave one alone."""

    def query(e: Expr) -> bool:
        return isinstance(e, Sum) and len(e.limits) == 1

    def value(e: Sum) -> Expr:
        new = rewrite(e)
        return e if new is None else new

    return expr.replace(query, value)


def evaluate_products(expr: Expr) -> Expr:
    """Evaluate products that were built unevaluated for display, so common factors cancel;
    powers of a common base combine (``x^γ / x = x^(γ-1)``)."""
    return powsimp(_evaluate(expr), combine="exp", deep=True)


def _evaluate(expr: Expr) -> Expr:
    if not expr.args:
        return expr
    return expr.func(*[_evaluate(a) for a in expr.args])


def distribute(expr: Expr) -> Expr:
    """Multiply out the summands of sums (no powers, logs or exponentials are expanded)."""
    return _sums(expr, lambda e: Sum(expand(e.function, deep=False, mul=True, multinomial=False,
                                            power_exp=False, power_base=False, log=False),
                                     *e.limits))


def common_denominator(expr: Expr) -> Expr:
    """Bring a sum-free expression over one denominator and multiply out the numerator.

    Applied only when the result is shorter, e.g. ``-y/a + (1-y)/(1-a) -> (a - y)/(a(1 - a))``.
    """
    if expr.has(Sum) or not any(d.free_symbols for d in _denominators(expr)):
        return expr
    new = over_one_denominator(expr)
    return new if new.count_ops() < expr.count_ops() else expr


def multiply_out(expr: Expr) -> Expr:
    """``expr`` with its products multiplied out; powers, logs and exponentials left as they are."""
    return expand(expr, power_exp=False, power_base=False, log=False, multinomial=False)


def over_one_denominator(expr: Expr) -> Expr:
    """Every term of ``expr`` over one denominator, the numerator multiplied out."""
    num, den = fraction(together(expr))
    return multiply_out(num) / den


def _denominators(expr: Expr) -> list[Expr]:
    return [p.base for p in expr.atoms(Pow) if p.exp.is_negative]


def substitute_delta(expr: Expr) -> Expr:
    r""":math:`\delta_{jt} f(j) = \delta_{jt} f(t)`: in a product with a delta the indices are equal."""

    def query(e: Expr) -> bool:
        return e.is_Mul and _delta_substitution(e) is not None

    return expr.replace(query, _delta_substitution)


def _delta_substitution(product: Mul) -> Expr | None:
    for delta in product.atoms(KroneckerDelta):
        if delta not in product.args or not all(a.is_Symbol for a in delta.args):
            continue
        rest = product / delta
        a, b = delta.args
        sums = rest.atoms(Sum)
        options = [new for new in (rest.xreplace({a: b}), rest.xreplace({b: a}))
                   if new.atoms(Sum) == sums]  # a sum's body keeps its indices (code vectorises it)
        if not options:
            continue
        best = min(options, key=lambda e: (e.count_ops(), str(e)))
        if best.count_ops() < rest.count_ops():
            return delta * best
    return None


def split_sum(expr: Expr) -> Expr:
    r""":math:`\sum_i (a_i + b_i) = \sum_i a_i + \sum_i b_i`."""
    return _sums(expr, lambda e: Add(*[Sum(term, *e.limits) for term in e.function.args])
                 if e.function.is_Add else None)


def pull_factors(expr: Expr) -> Expr:
    r""":math:`\sum_i c f_i = c \sum_i f_i` when ``c`` does not depend on ``i``; :math:`\sum_i c = n c`."""

    def rewrite(e: Sum) -> Expr | None:
        index, lo, hi = e.limits[0]
        const, rest = e.function.as_independent(index, as_Add=False)
        if const == 1:
            return None
        if rest == 1:
            return const * (hi - lo + 1)
        return const * Sum(rest, *e.limits)

    return _sums(expr, rewrite)


def eliminate_delta(expr: Expr) -> Expr:
    r""":math:`\sum_i \delta_{ij} f_i = f_j` (``j`` is a valid index, so the term is in range); a delta
    common to every term of the summand is taken out first, so an element-wise loss is not multiplied out."""

    def rewrite(e: Sum) -> Expr | None:
        index = e.limits[0][0]
        terms = [Mul.make_args(term) for term in Add.make_args(e.function)]
        for factor in terms[0]:
            other = _partner(factor, index)
            if other is not None and all(factor in term for term in terms):
                rest = Add(*[Mul(*[f for f in term if f != factor]) for term in terms])
                return rest.xreplace({index: other})
        return None

    return _sums(expr, rewrite)


def _partner(factor: Expr, index: Symbol) -> Expr | None:
    r"""``j`` when ``factor`` is :math:`\delta_{ij}` (or :math:`\delta_{ji}`) for the summation index
    ``i`` and a ``j`` free of it: the value the delta sets ``i`` to."""
    if not isinstance(factor, KroneckerDelta) or index not in factor.free_symbols:
        return None
    a, b = factor.args
    other = b if a == index else a
    return None if index in other.free_symbols else other


def softmax_sums_to_one(expr: Expr) -> Expr:
    r""":math:`\sum_i s_i = 1`, an identity of the softmax (no assumption needed)."""
    return _sums(expr, lambda e: S.One if isinstance(e.function, Softmax)
                 and e.function.index == e.limits[0][0] else None)


def refold_softmax(expr: Expr) -> Expr:
    r""":math:`e^{z_j} / \sum_k e^{z_k} = s_j`, and for products and powers
    :math:`e^{a z_i + b z_j} / (\sum_k e^{z_k})^{a + b} = s_i^a s_j^b`."""

    def query(e: Expr) -> bool:
        return e.is_Mul and _softmax_parts(e) is not None

    return expr.replace(query, lambda e: _softmax_parts(e))


def _exp_sum_vector(base: Expr) -> Vector | None:
    r"""The vector ``u`` when ``base`` is :math:`\sum_{m=1}^{n} e^{u_m}`: ``z`` for :math:`e^{z_m}`, the
    vector expression ``z/T`` for :math:`e^{z_m/T}`."""
    if not isinstance(base, Sum) or len(base.limits) != 1:
        return None
    body, (m, lo, hi) = base.function, base.limits[0]
    if isinstance(body, exp) and body.args[0].has(m) and (lo, hi) == (1, n):
        return vector_expression(body.args[0], m)
    return None


def _component_index(vector: Vector, value: Expr) -> Expr | None:
    """The index ``j`` with ``u_j = value``, among the integer symbols of ``value``."""
    candidates = sorted((s for s in value.free_symbols if isinstance(s, Symbol) and s.is_integer), key=str)
    return next((c for c in candidates if component(vector, c) == value), None)


def _softmax_parts(product: Mul) -> Expr | None:
    r"""``product`` with :math:`e^{\sum_a c_a z_a} (\sum_k e^{z_k})^{-p}` written as
    :math:`\prod_a s_a^{c_a} (\sum_k e^{z_k})^{c - p}` (positive integers :math:`c_a`,
    :math:`c = \sum_a c_a \le p`), or None when it has no such factors."""
    factors = Mul.make_args(product)
    for den in factors:
        if not (isinstance(den, Pow) and den.exp.is_Integer and den.exp < 0):
            continue
        vector = _exp_sum_vector(den.base)
        if vector is None:
            continue
        averaged = _sum_over_exps(factors, vector)
        if averaged is not None and den.exp == -1:  # Σ_k y_k e^{u_k} / Σ_m e^{u_m} = Σ_k y_k·softmax(u)_k
            rest = Mul(*[f for f in factors if f is not den and f is not averaged])
            return Sum(averaged.function * den, *averaged.limits) * rest
        if not isinstance(vector, IndexedBase):  # a vector expression: e^{u_j} / Σ_m e^{u_m}
            found = [(f, _component_index(vector, f.args[0])) for f in factors if isinstance(f, exp)]
            found = [(f, index) for f, index in found if index is not None]
            if not found:
                continue
            numerator, index = found[0]
            rest = Mul(*[f for f in factors if f is not den and f is not numerator])
            return Softmax(vector, index) * rest * den.base ** (den.exp + 1)
        powers: dict[Expr, int] = {}
        numerators = []
        for f in factors:
            base, power = f.as_base_exp() if isinstance(f, Pow) and f.exp.is_Integer else (f, S.One)
            if not isinstance(base, exp) or power < 1:
                continue
            terms = [t.as_coeff_Mul() for t in Add.make_args(expand(base.args[0]))]
            if not all(c.is_Integer and c > 0 and isinstance(v, Indexed) and v.base == vector
                       for c, v in terms):
                continue
            numerators.append(f)
            for c, v in terms:
                powers[v.indices[0]] = powers.get(v.indices[0], 0) + int(c * power)
        total = sum(powers.values())
        if not numerators or total > -den.exp:
            continue
        rest = Mul(*[f for f in factors if f is not den and f not in numerators])
        named = Mul(*[Softmax(vector, index) ** c for index, c in powers.items()])
        return named * rest * den.base ** (den.exp + total)
    return None


def _sum_over_exps(factors: tuple[Expr, ...], vector: Vector) -> Sum | None:
    """The factor ``Σ_k f_k·e^{u_k}`` (over all the classes, ``e^{u_k}`` at its own index), if any."""
    for f in factors:
        if isinstance(f, Sum) and len(f.limits) == 1 and f.limits[0][1:] == (1, n):
            index = f.limits[0][0]
            if any(_component_index(vector, e.args[0]) == index for e in f.function.atoms(exp)):
                return f
    return None


def refold_logsumexp(expr: Expr) -> Expr:
    r""":math:`\log \sum_k e^{z_k} = \operatorname{LSE}(z)`."""
    return expr.replace(lambda e: isinstance(e, log) and _exp_sum_vector(e.args[0]) is not None,
                        lambda e: LogSumExp(_exp_sum_vector(e.args[0])))


def refold_log_softmax(expr: Expr) -> Expr:
    r""":math:`u_j - \operatorname{LSE}(u) = \log \operatorname{softmax}(u)_j`, and the log of the softmax of
    an expression: :math:`\log \operatorname{softmax}(u)_j`, computed without forming the softmax."""

    def query(e: Expr) -> bool:
        return e.is_Add and _log_softmax_parts(e) is not None

    expr = expr.replace(query, _log_softmax_parts)
    return expr.replace(lambda e: isinstance(e, log) and isinstance(e.args[0], Softmax)
                        and not isinstance(e.args[0].vector, IndexedBase),
                        lambda e: LogSoftmax(*e.args[0].args))


def _log_softmax_parts(total: Add) -> Expr | None:
    terms = Add.make_args(total)
    for term in terms:
        if not (term.could_extract_minus_sign() and isinstance(-term, LogSumExp)):
            continue
        vector = (-term).vector
        for other in terms:
            index = _component_index(vector, other) if other is not term else None
            if index is not None:
                rest = Add(*[t for t in terms if t is not term and t is not other])
                return LogSoftmax(vector, index) + rest
    return None


def refold_tanh(expr: Expr) -> Expr:
    r""":math:`\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = \frac{\sinh x}{\cosh x} = \tanh x` and
    :math:`\frac{e^{2x} - 1}{e^{2x} + 1} = \tanh x`, also as two factors of a longer product."""

    def query(e: Expr) -> bool:
        return e.is_Mul and _tanh_parts(e) is not None

    return expr.replace(query, _tanh_parts)


def _tanh_parts(product: Mul) -> Expr | None:
    factors = Mul.make_args(product)
    for den in factors:  # sinh(x)/cosh(x)
        if isinstance(den, Pow) and den.exp == -1 and isinstance(den.base, cosh) \
                and sinh(den.base.args[0]) in factors:
            rest = Mul(*[f for f in factors if f is not den and f != sinh(den.base.args[0])])
            return tanh(den.base.args[0]) * rest
    x = Wild("x")
    ratios = (  # (denominator, numerator, tanh) in terms of the matched argument
        (exp(x) + exp(-x), lambda a: exp(a) - exp(-a), lambda a: tanh(a)),
        (exp(x) + 1, lambda a: exp(a) - 1, lambda a: tanh(a / 2)),  # (e^{2u} − 1)/(e^{2u} + 1) = tanh u
    )
    for den in factors:
        if not (isinstance(den, Pow) and den.exp == -1):
            continue
        for pattern, numerator, value in ratios:
            match = den.base.match(pattern)
            if not match or not match[x].free_symbols:
                continue
            argument = match[x]
            for num in factors:
                for sign in (1, -1):
                    if num is not den and expand(num - sign * numerator(argument)) == 0:
                        rest = Mul(*[f for f in factors if f is not den and f is not num])
                        return sign * value(argument) * rest
    return None


def sigmoid_symmetry(expr: Expr) -> Expr:
    r""":math:`\sigma(-x) = 1 - \sigma(x)`, in a sum that also has :math:`\sigma(x)`, when that shortens it
    (:math:`\sigma(z) - y\sigma(-z) - y\sigma(z) = \sigma(z) - y`)."""

    def query(e: Expr) -> bool:
        return e.is_Add and _symmetric(e) is not None

    return expr.replace(query, _symmetric)


def _symmetric(total: Add) -> Expr | None:
    sigmoids = total.atoms(Sigmoid)
    for negative in sigmoids:
        if negative.args[0].could_extract_minus_sign() and Sigmoid(-negative.args[0]) in sigmoids:
            new = multiply_out(total.xreplace({negative: 1 - Sigmoid(-negative.args[0])}))
            if new.count_ops() < total.count_ops():
                return new
    return None


def refold_sigmoid(expr: Expr) -> Expr:
    r"""Refold the sigmoid family.

    :math:`1/(1 + e^{-x}) = \sigma(x)`, :math:`e^{x}/(1 + e^{x}) = \sigma(x)`,
    :math:`\log(1 + e^{x}) = \operatorname{softplus}(x)`.
    """
    x = Wild("x")
    rules = [
        (exp(x) / (1 + exp(x)), Sigmoid(x)),
        (1 / (1 + exp(-x)), Sigmoid(x)),
        (log(1 + exp(x)), Softplus(x)),
    ]
    for pattern, target in rules:
        expr = expr.replace(pattern, target)
    return expr


def delta_values(expr: Expr) -> Expr:
    r"""A Kronecker delta is 0 or 1, so a function of it takes its two values:
    :math:`f(\delta) = \delta f(1) + (1 - \delta) f(0)` (``log max(10⁻⁴, δ_kt) = (1 − δ_kt)·log 10⁻⁴``).
    Applied to ``log``, ``max``, ``min`` and ``|·|`` where both values are numbers."""

    def values(e: Expr) -> tuple[KroneckerDelta, Expr, Expr] | None:
        if not isinstance(e, _OF_A_DELTA) or len(e.atoms(KroneckerDelta)) != 1:
            return None
        (delta,) = e.atoms(KroneckerDelta)
        one, zero = e.xreplace({delta: S.One}), e.xreplace({delta: S.Zero})
        return (delta, one, zero) if one.is_number and zero.is_number else None

    def value(e: Expr) -> Expr:
        delta, one, zero = values(e)
        return delta * one + (1 - delta) * zero

    return expr.replace(lambda e: values(e) is not None, value)


_OF_A_DELTA = (log, Max, Min, Abs)


def delta_through_cases(expr: Expr) -> Expr:
    r""":math:`\sum_k [C_k]\,\delta_{jk} f_k = [C_j] f_j`: the Kronecker deltas in a case whose other branch
    is 0 come out of it (where ``C`` fails both sides are 0), are multiplied out, and each meets the sum
    (``Σ_k [u_k > 0](1 − δ_kt)(δ_jk − δ_jt) f_k = [u_j > 0] f_j − δ_jt Σ_k [u_k > 0] f_k``).  SymPy folds a
    factor back into a case inside a sum, so this is one rule, not "pull out" then "eliminate"."""

    def rewrite(e: Sum) -> Expr | None:
        index = e.limits[0][0]
        split = _deltas_and_case(e.function)
        if split is None:
            return None
        deltas, case = split
        total = S.Zero
        for term in Add.make_args(expand(deltas)):
            delta = next((f for f in Mul.make_args(term) if _partner(f, index) is not None), None)
            if delta is not None:
                other = _partner(delta, index)
                total += (term / delta).xreplace({index: other}) * case.xreplace({index: other})
            elif index in term.free_symbols:
                return None
            else:
                total += term * Sum(case, *e.limits)
        return total

    return _sums(expr, rewrite)


def _deltas_and_case(function: Expr) -> tuple[Expr, Piecewise] | None:
    """``[C]·δ-factors·f`` as (the δ-factors, ``[C]·f``), for a case whose other branch is 0."""
    if not (isinstance(function, Piecewise) and len(function.args) == 2 and function.args[1].expr == 0
            and function.args[1].cond == S.true):
        return None
    body, condition = function.args[0]
    if condition.has(KroneckerDelta):
        return None
    deltas = [f for f in Mul.make_args(body) if f.has(KroneckerDelta)]
    rest = [f for f in Mul.make_args(body) if f not in deltas]
    return (Mul(*deltas), Piecewise((Mul(*rest), condition), (0, True))) if deltas else None


def named_rule(name: str, apply: Callable[[Expr], Expr], en: str, zh: str) -> Rule:
    """A :class:`Rule` with its sentence in English and Chinese."""
    return Rule(name, Text(en, zh), apply)


EVALUATE = named_rule("cancel", evaluate_products,
                 "Multiply out the factors; common factors cancel.",
                 "把各因子相乘，公共因子约去。")
FRACTIONS = named_rule("common denominator", common_denominator,
                  "Put the terms over one denominator; common factors cancel.",
                  "通分，约去公因子。")
DELTA_SUBSTITUTE = named_rule("Kronecker delta", substitute_delta,
                         "Where δ_jt ≠ 0 the two indices are equal, so one can replace the other.",
                         "δ_jt 不为零时两个下标相等，可以互相替换。")
DISTRIBUTE = named_rule("distribute", distribute,
                   "Multiply out the products over the bracket.",
                   "展开括号，逐项相乘。")
SPLIT = named_rule("linearity of the sum", split_sum,
              "A sum of terms is the sum of the separate sums.",
              "求和对加法是线性的，拆成各项分别求和。")
PULL = named_rule("pull out constant factors", pull_factors,
             "Factors that do not depend on the summation index move in front of the sum.",
             "与求和下标无关的因子提到求和号外。")
DELTA = named_rule("Kronecker delta", eliminate_delta,
              "The Kronecker delta keeps only the term whose index matches: Σ_i δ_ij f_i = f_j.",
              "克罗内克 δ 只保留下标相同的那一项：Σ_i δ_ij f_i = f_j。")
SOFTMAX_SUM = named_rule("softmax sums to one", softmax_sums_to_one,
                    "The softmax outputs form a distribution: Σ_i s_i = 1.",
                    "softmax 的输出是一个概率分布：Σ_i s_i = 1。")
REFOLD_SOFTMAX = named_rule("refold softmax", refold_softmax,
                       "Recognise exp(z_j)/Σ_k exp(z_k) as the softmax output s_j.",
                       "把 exp(z_j)/Σ_k exp(z_k) 写回 softmax 输出 s_j。")
REFOLD_LOGSUMEXP = named_rule("refold log-sum-exp", refold_logsumexp,
                         "Recognise log Σ_k exp(z_k) as log-sum-exp, LSE(z).",
                         "把 log Σ_k exp(z_k) 写回 log-sum-exp，即 LSE(z)。")
REFOLD_LOG_SOFTMAX = named_rule("refold log-softmax", refold_log_softmax,
                           "Recognise u_j − LSE(u), and the log of softmax(u)_j, as log_softmax(u)_j.",
                           "把 u_j − LSE(u) 以及 softmax(u)_j 的对数写回 log_softmax(u)_j。")
REFOLD_TANH = named_rule("refold tanh", refold_tanh,
                    "Recognise (e^x − e^{−x})/(e^x + e^{−x}) as tanh(x).",
                    "把 (e^x − e^{−x})/(e^x + e^{−x}) 写回 tanh(x)。")
SIGMOID_SYMMETRY = named_rule("sigmoid symmetry", sigmoid_symmetry,
                         "The sigmoid is symmetric: σ(−x) = 1 − σ(x).",
                         "sigmoid 的对称性：σ(−x) = 1 − σ(x)。")
REFOLD_SIGMOID = named_rule("refold sigmoid", refold_sigmoid,
                       "Recognise 1/(1 + e^{-x}) as σ(x) and log(1 + e^x) as softplus(x).",
                       "把 1/(1 + e^{-x}) 写回 σ(x)，把 log(1 + e^x) 写回 softplus(x)。")

DELTA_VALUES = named_rule("values of the delta", delta_values,
                          "A Kronecker delta is 0 or 1: f(δ) = δ·f(1) + (1 − δ)·f(0).",
                          "Kronecker δ 只取 0 或 1：f(δ) = δ·f(1) + (1 − δ)·f(0)。")

DELTA_CASES = named_rule("Kronecker delta", delta_through_cases,
                         "The Kronecker deltas come out of a case whose other branch is 0 and meet the sum: "
                         "Σ_k [C_k]·δ_jk·f_k = [C_j]·f_j.",
                         "Kronecker δ 移出另一分支为 0 的分段函数，再与求和相消："
                         "Σ_k [C_k]·δ_jk·f_k = [C_j]·f_j。")

STRUCTURAL_RULES: tuple[Rule, ...] = (
    EVALUATE, DELTA_VALUES, DELTA, DELTA_CASES, DISTRIBUTE, SPLIT, PULL, DELTA_SUBSTITUTE, SOFTMAX_SUM,
    REFOLD_SOFTMAX, REFOLD_SIGMOID, SIGMOID_SYMMETRY, REFOLD_TANH, FRACTIONS,
)
RECOGNITION_RULES: tuple[Rule, ...] = (
    REFOLD_SOFTMAX, REFOLD_LOGSUMEXP, REFOLD_LOG_SOFTMAX, REFOLD_TANH, REFOLD_SIGMOID,
)
"""The rules that give a loss, however it is spelled, the names a person uses (before differentiating)."""



def run_rules(expr: Expr, rules: Iterable[Rule] = STRUCTURAL_RULES) -> list[tuple[Rule, Expr]]:
    """Apply the first rule that changes ``expr``, again and again; the list of (rule, result)."""
    rules = tuple(rules)
    trail: list[tuple[Rule, Expr]] = []
    while len(trail) < _MAX_STEPS:
        for rule in rules:
            new = rule.apply(expr)
            if new != expr:
                trail.append((rule, new))
                expr = new
                break
        else:
            return trail
    raise RuntimeError(f"rewrite rules did not settle after {_MAX_STEPS} steps: {expr}")


def settle(expr: Expr) -> Expr:
    """The fixed point of the structural rules (silently)."""
    trail = run_rules(expr)
    return trail[-1][1] if trail else evaluate_products(expr)


def rewrite_steps(lhs: Expr, rhs: Expr, assumes: tuple[Constraint, ...] = ()) -> list[Step]:
    """The steps that bring ``rhs`` to its fixed point under the structural rules."""
    return [Step(lhs, new, rule.name, rule.note, assumes) for rule, new in run_rules(rhs)]


