r"""Lemmas: the derivative rule of every named function, derived from its definition.

The rules :mod:`derive.engine.functions` gives ``diff`` (the softmax Jacobian, :math:`\sigma' =
\sigma(1 - \sigma)`, ...) are not axioms: each is the result of a derivation built here from the
function's explicit definition, one named rewrite per step, the way a person derives it.  The
verifier checks every step at concrete sizes, the result against SymPy's derivative of the
definition, and that the rule ``diff`` applies is the result derived (the ``rule`` check).  A step of
any other derivation that applies a rule cites the lemma by name (:attr:`Step.lemmas`).

.. math::

    \frac{\partial s_i}{\partial z_j}
      = \frac{\delta_{ij} e^{z_i} \sum_k e^{z_k} - e^{z_i} e^{z_j}}{(\sum_k e^{z_k})^2}
      = \begin{cases} s_i(1 - s_i) & i = j \\ -s_i s_j & i \ne j \end{cases}
      = s_i(\delta_{ij} - s_j),
    \qquad
    \sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2}
      = \frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}} = \sigma(z)(1 - \sigma(z)).
"""

from __future__ import annotations

from collections.abc import Callable

from sympy import (
    Add,
    Derivative,
    Expr,
    Function,
    KroneckerDelta,
    Mul,
    Ne,
    Pow,
    S,
    Sum,
    UnevaluatedExpr,
    diff,
    exp,
    expand,
    expand_log,
    factor_terms,
    fraction,
    log,
)

from .derivation import Step, Text
from .functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus
from .rules import DELTA, REFOLD_LOGSUMEXP, REFOLD_SIGMOID, REFOLD_SOFTMAX, Rule, eliminate_delta, named_rule
from .symbols import i, j, k, n, z, z0

__all__ = ["cited", "lemma_steps"]

Route = tuple[list[Step], Expr]


def _follow(lhs: Expr, rhs: Expr, rules: tuple[Rule, ...], **fields: object) -> Route:
    """Apply ``rules`` in order, one step each; a rule that changes nothing is a broken route."""
    steps = []
    for rule in rules:
        new = rule.apply(rhs)
        if new == rhs:
            raise RuntimeError(f"lemma route: {rule.name!r} does not apply to {rhs}")
        steps.append(Step(lhs, new, rule.name, rule.note, **fields))
        rhs = new
    return steps, rhs



# --- the rewrites the lemmas use -----------------------------------------------------------------


def _quotient_rule(wrt: Expr) -> Callable[[Expr], Expr]:
    r""":math:`(u/v)' = (u'v - uv')/v^2`, with :math:`u'` and :math:`v'` evaluated (a sum's derivative
    keeps its one matching term)."""

    def apply(expr: Expr) -> Expr:
        num, den = fraction(expr)
        d_num, d_den = (eliminate_delta(diff(part, wrt)) for part in (num, den))
        top = Add(Mul(d_num, den, evaluate=False), Mul(S.NegativeOne, num, d_den, evaluate=False),
                  evaluate=False)
        return Mul(top, Pow(den, -2, evaluate=False), evaluate=False)

    return apply


def _differentiate(wrt: Expr) -> Callable[[Expr], Expr]:
    return lambda expr: diff(expr, wrt)


def _split_square(expr: Expr) -> Expr:
    r""":math:`a/u^2 = \frac{1}{u} \cdot \frac{a}{u}`, the two fractions kept apart for the reader."""
    squares = [f for f in Mul.make_args(expr) if isinstance(f, Pow) and f.exp == -2 and f.base.is_Add]
    if not squares:
        return expr
    base = squares[0].base
    rest = Mul(*[f for f in Mul.make_args(expr) if f is not squares[0]])
    return Mul(UnevaluatedExpr(1 / base), UnevaluatedExpr(rest / base), evaluate=False)


def _evaluated(expr: Expr) -> Expr:
    """``expr`` with the factors kept apart for the reader multiplied out again."""
    return expr.replace(lambda e: isinstance(e, UnevaluatedExpr), lambda e: e.args[0])


def _complement(expr: Expr) -> Expr:
    r""":math:`\frac{a}{1 + a} = \frac{(1 + a) - 1}{1 + a} = 1 - \frac{1}{1 + a}`."""

    def query(e: Expr) -> bool:
        if not e.is_Mul or len(e.args) != 2:
            return False
        den = next((f.base for f in e.args if isinstance(f, Pow) and f.exp == -1), None)
        num = next((f for f in e.args if not (isinstance(f, Pow) and f.exp == -1)), None)
        return den is not None and num is not None and expand(den - num) == 1

    def value(e: Expr) -> Expr:
        den = next(f.base for f in e.args if isinstance(f, Pow) and f.exp == -1)
        return 1 - 1 / den

    return expr.replace(query, value)


def _divide_through(expr: Expr) -> Expr:
    r""":math:`\frac{e^{x}}{1 + e^{x}} = \frac{1}{e^{-x} + 1}` (both divided by :math:`e^{x}`)."""
    num, den = fraction(expr)
    if not isinstance(num, exp):
        return expr
    return 1 / expand(den / num)


def _log_of_quotient(expr: Expr) -> Expr:
    r""":math:`\log(a/b) = \log a - \log b` and :math:`\log e^{x} = x`."""
    return expand_log(expr, force=True)


def _fold(equal: Expr, distinct: Expr) -> Expr:
    r""":math:`f = f_{i \ne j} + \delta_{ij}(f_{i = j} - f_{i \ne j}|_{j = i})`, factored."""
    return factor_terms(expand(distinct + KroneckerDelta(i, j) * (equal - distinct.xreplace({j: i}))))


QUOTIENT = "quotient rule"
EXPAND = named_rule("split the fraction", expand, "Split the fraction into its terms.", "把分式拆成各项。")
FACTOR = named_rule("factor", factor_terms, "Take out the common factor.", "提取公因子。")
SPLIT_SQUARE = named_rule("split the fraction", _split_square,
                     "Write the square in the denominator as a product of two fractions.",
                     "把分母中的平方拆成两个分式的乘积。")
COMPLEMENT = named_rule("add and subtract 1", _complement,
                   "Add and subtract 1 in the numerator: a/(1 + a) = ((1 + a) − 1)/(1 + a) = 1 − 1/(1 + a).",
                   "分子加 1 再减 1：a/(1 + a) = ((1 + a) − 1)/(1 + a) = 1 − 1/(1 + a)。")
DIVIDE_THROUGH = named_rule("divide by e^x", _divide_through,
                       "Divide numerator and denominator by e^x.", "分子分母同除以 e^x。")
RECOGNISE_SIGMOID = named_rule(REFOLD_SIGMOID.name, lambda e: _evaluated(REFOLD_SIGMOID.apply(e)),
                          REFOLD_SIGMOID.note.en, REFOLD_SIGMOID.note.zh)
LOG_QUOTIENT = named_rule("log of a quotient", _log_of_quotient,
                     "The log of a quotient is the difference of the logs, and log e^{z_i} = z_i.",
                     "商的对数等于对数之差，且 log e^{z_i} = z_i。")


# --- the lemmas ------------------------------------------------------------------------------------


def _softmax() -> Route:
    subject, wrt = Softmax(z, i), z[j]
    definition = exp(z[i]) / Sum(exp(z[k]), (k, 1, n))
    lhs = Derivative(subject, wrt, evaluate=False)
    quotient = named_rule(QUOTIENT, _quotient_rule(wrt),
                     "Quotient rule (u/v)' = (u'v − uv')/v², with ∂e^{z_i}/∂z_j = δ_ij e^{z_i} "
                     "and ∂(Σ_k e^{z_k})/∂z_j = e^{z_j}: only the term k = j of the sum depends on z_j.",
                     "商的求导法则 (u/v)' = (u'v − uv')/v²，其中 ∂e^{z_i}/∂z_j = δ_ij e^{z_i}，"
                     "∂(Σ_k e^{z_k})/∂z_j = e^{z_j}：求和中只有 k = j 那一项与 z_j 有关。")
    about = Text("The softmax: exponentiate each logit and normalise.",
                 "softmax：对每个 logit 取指数再归一化。")
    steps = [Step(subject, definition, "definition", about)]
    more, general = _follow(lhs, definition, (quotient,))
    steps += more
    same_lhs = Derivative(subject, z[i], evaluate=False)
    equal_case = named_rule("case i = j", lambda e: e.xreplace({j: i}),
                       "The case i = j: δ_ii = 1.", "情形 i = j：δ_ii = 1。")
    more, equal = _follow(same_lhs, general, (equal_case, EXPAND, REFOLD_SOFTMAX, FACTOR))
    steps += more
    distinct_case = named_rule("case i ≠ j", lambda e: e.xreplace({KroneckerDelta(i, j): S.Zero}),
                          "The case i ≠ j: δ_ij = 0, so only the second term remains.",
                          "情形 i ≠ j：δ_ij = 0，只剩第二项。")
    more, distinct = _follow(lhs, general, (distinct_case, REFOLD_SOFTMAX), case=Ne(i, j))
    steps += more
    folded = _fold(equal, distinct)
    steps.append(Step(lhs, folded, "both cases in one",
                      Text("δ_ij is 1 when i = j and 0 otherwise, so one formula covers both cases: "
                           "s_i(1 − s_i) and −s_i s_j. In matrix form J = diag(s) − s sᵀ.",
                           "δ_ij 在 i = j 时为 1、否则为 0，所以一个公式同时涵盖两种情形：s_i(1 − s_i) 与 "
                           "−s_i s_j。写成矩阵形式为 J = diag(s) − s sᵀ。")))
    return steps, folded


def _by_chain_rule(subject: Expr, wrt: Expr, definition: Expr, about: Text, chain: Text,
                   rest: tuple[Rule, ...]) -> Route:
    """Definition, the chain rule on it, then ``rest`` in order."""
    differentiate = Rule("chain rule", chain, _differentiate(wrt))
    steps = [Step(subject, definition, "definition", about)]
    more, result = _follow(Derivative(subject, wrt, evaluate=False), definition, (differentiate, *rest))
    return steps + more, result


def _sigmoid() -> Route:
    return _by_chain_rule(
        Sigmoid(z0), z0, 1 / (1 + exp(-z0)),
        Text("The sigmoid squashes a real number into (0, 1).", "sigmoid 把实数压缩到 (0, 1) 区间。"),
        Text("The derivative of 1/u is −u'/u², with u = 1 + e^{−z} and u' = −e^{−z}.",
             "1/u 的导数是 −u'/u²，其中 u = 1 + e^{−z}，u' = −e^{−z}。"),
        (SPLIT_SQUARE, COMPLEMENT, RECOGNISE_SIGMOID))


def _softplus() -> Route:
    return _by_chain_rule(
        Softplus(z0), z0, log(1 + exp(z0)),
        Text("Softplus, a smooth version of max(0, z).", "softplus，max(0, z) 的光滑版本。"),
        Text("The derivative of log u is u'/u, with u = 1 + e^z and u' = e^z.",
             "log u 的导数是 u'/u，其中 u = 1 + e^z，u' = e^z。"),
        (DIVIDE_THROUGH, REFOLD_SIGMOID))


def _logsumexp() -> Route:
    return _by_chain_rule(
        LogSumExp(z), z[j], log(Sum(exp(z[k]), (k, 1, n))),
        Text("Log-sum-exp, a smooth maximum of the logits.", "log-sum-exp，logits 的光滑最大值。"),
        Text("The derivative of log u is u'/u, with u = Σ_k e^{z_k} and ∂u/∂z_j = Σ_k δ_kj e^{z_k}.",
             "log u 的导数是 u'/u，其中 u = Σ_k e^{z_k}，∂u/∂z_j = Σ_k δ_kj e^{z_k}。"),
        (DELTA, REFOLD_SOFTMAX))


def _log_softmax() -> Route:
    subject, wrt = LogSoftmax(z, i), z[j]
    definition = log(exp(z[i]) / Sum(exp(z[k]), (k, 1, n)))
    about = Text("The logarithm of the softmax.", "softmax 的对数。")
    steps = [Step(subject, definition, "definition", about)]
    more, split = _follow(subject, definition, (LOG_QUOTIENT, REFOLD_LOGSUMEXP))
    steps += more
    lhs = Derivative(subject, wrt, evaluate=False)
    result = diff(split, wrt)
    steps.append(Step(lhs, result, "differentiate",
                      Text("∂z_i/∂z_j = δ_ij, and the derivative of log-sum-exp is the softmax.",
                           "∂z_i/∂z_j = δ_ij，log-sum-exp 的导数是 softmax。"),
                      lemmas=cited(split, wrt)))
    return steps, result


_ROUTES: dict[type[Function], Callable[[], Route]] = {
    Softmax: _softmax, LogSoftmax: _log_softmax, LogSumExp: _logsumexp, Sigmoid: _sigmoid,
    Softplus: _softplus,
}


def lemma_steps(subject: Expr) -> Route:
    """The steps deriving ``subject``'s derivative rule from its definition, and the result.

    ``subject`` is a named function at its lemma's own arguments (``Softmax(z, i)``, ``Sigmoid(z)``)."""
    return _ROUTES[type(subject)]()


def cited(expr: Expr, wrt: Expr) -> tuple[str, ...]:
    """The lemmas whose rules differentiating ``expr`` with respect to ``wrt`` applies, sorted."""
    functions = expr.atoms(*_ROUTES)
    return tuple(sorted({f.lemma for f in functions if f.diff(wrt) != 0}))
