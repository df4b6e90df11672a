"""Each rewrite rule, one by one: it does its one job and leaves other expressions alone."""

from sympy import KroneckerDelta, Max, Mul, Rational, Sum, exp, log

from derive.engine.constraints import OneHot, Simplex
from derive.engine.functions import Sigmoid, Softmax, Softplus
from derive.engine.rules import (
    STRUCTURAL_RULES,
    common_denominator,
    delta_values,
    distribute,
    eliminate_delta,
    evaluate_products,
    pull_factors,
    refold_sigmoid,
    refold_softmax,
    run_rules,
    softmax_sums_to_one,
    split_sum,
    substitute_delta,
)
from derive.engine.symbols import a0, i, j, k, n, s, t, w, x, y, z, z0


def test_delta_elimination():
    assert eliminate_delta(Sum(KroneckerDelta(i, j) * y[i], (i, 1, n))) == y[j]
    assert eliminate_delta(Sum(KroneckerDelta(j, i) * log(x[i]) * w[i], (i, 1, n))) == log(x[j]) * w[j]
    assert eliminate_delta(Sum(KroneckerDelta(i, j), (i, 1, n))) == 1


def test_a_delta_common_to_every_term_goes_before_the_terms_are_multiplied_out():
    summand = KroneckerDelta(i, j) * y[i] * (1 - x[i]) + 2 * KroneckerDelta(i, j) * x[i]
    assert eliminate_delta(Sum(summand, (i, 1, n))) == y[j] * (1 - x[j]) + 2 * x[j]
    partial = KroneckerDelta(i, j) * y[i] + x[i]  # not in every term: left to the distribute route
    assert eliminate_delta(Sum(partial, (i, 1, n))) == Sum(partial, (i, 1, n))


def test_a_function_of_a_delta_takes_its_two_values():
    c = Rational(1, 10000)
    assert delta_values(log(Max(c, KroneckerDelta(k, t)))) == (1 - KroneckerDelta(k, t)) * log(c)
    assert delta_values(Sum(s[k] * log(Max(c, KroneckerDelta(k, t))), (k, 1, n))) \
        == Sum(s[k] * (1 - KroneckerDelta(k, t)) * log(c), (k, 1, n))
    kept = log(x[k] + KroneckerDelta(k, t))  # its values are not numbers: nothing is gained
    assert delta_values(kept) == kept


def test_delta_elimination_leaves_sums_without_delta():
    expr = Sum(y[i] * s[i], (i, 1, n))
    assert eliminate_delta(expr) == expr


def test_delta_substitution():
    assert substitute_delta(KroneckerDelta(j, t) * Softmax(z, j) / Softmax(z, t)) == KroneckerDelta(j, t)
    unchanged = KroneckerDelta(j, t) * w[j]
    assert substitute_delta(unchanged) == unchanged


def test_pull_factors_and_constant_sum():
    assert pull_factors(Sum(Softmax(z, j) * y[i], (i, 1, n))) == Softmax(z, j) * Sum(y[i], (i, 1, n))
    assert pull_factors(Sum(Softmax(z, j), (i, 1, n))) == n * Softmax(z, j)
    expr = Sum(y[i] * x[i], (i, 1, n))
    assert pull_factors(expr) == expr


def test_split_and_distribute():
    summand = y[i] * (KroneckerDelta(i, j) - Softmax(z, j))
    distributed = distribute(Sum(summand, (i, 1, n)))
    assert distributed == Sum(y[i] * KroneckerDelta(i, j) - y[i] * Softmax(z, j), (i, 1, n))
    assert split_sum(distributed) == (Sum(y[i] * KroneckerDelta(i, j), (i, 1, n))
                                      + Sum(-y[i] * Softmax(z, j), (i, 1, n)))


def test_evaluate_cancels_and_combines_powers():
    shown = Mul(-y[i] / Softmax(z, i), Softmax(z, i) * (KroneckerDelta(i, j) - Softmax(z, j)), evaluate=False)
    assert evaluate_products(shown) == -y[i] * (KroneckerDelta(i, j) - Softmax(z, j))
    g = 3
    assert evaluate_products((1 - a0) ** g / (1 - a0)) == (1 - a0) ** 2


def test_softmax_sums_to_one():
    assert softmax_sums_to_one(Sum(Softmax(z, k), (k, 1, n))) == 1
    expr = Sum(y[k], (k, 1, n))
    assert softmax_sums_to_one(expr) == expr


def test_refold_softmax():
    m = k
    assert refold_softmax(exp(z[j]) / Sum(exp(z[m]), (m, 1, n))) == Softmax(z, j)
    assert refold_softmax(y[j] * exp(z[j]) / Sum(exp(z[m]), (m, 1, n))) == y[j] * Softmax(z, j)
    other = exp(z[j]) / Sum(exp(x[m]), (m, 1, n))
    assert refold_softmax(other) == other


def test_refold_sigmoid_and_softplus():
    assert refold_sigmoid(1 / (1 + exp(-z0))) == Sigmoid(z0)
    assert refold_sigmoid(exp(z0) / (1 + exp(z0))) == Sigmoid(z0)
    assert refold_sigmoid(log(1 + exp(z0))) == Softplus(z0)
    assert refold_sigmoid(y[j] + z0) == y[j] + z0


def test_common_denominator_only_when_shorter():
    assert common_denominator(-y[j] / a0 + (1 - y[j]) / (1 - a0)) == (a0 - y[j]) / (a0 * (1 - a0))
    longer = a0 + 1 / z0
    assert common_denominator(longer) == longer


def test_constraints_rewrite():
    assert Simplex(y).rewrite(Softmax(z, j) * Sum(y[i], (i, 1, n)) - y[j]) == Softmax(z, j) - y[j]
    assert OneHot(y).rewrite(y[j]) == KroneckerDelta(j, t)


def test_driver_reaches_s_minus_y_and_stops():
    chain = Sum(Mul(-y[i] / Softmax(z, i), Softmax(z, i) * (KroneckerDelta(i, j) - Softmax(z, j)),
                    evaluate=False), (i, 1, n))
    trail = run_rules(chain, STRUCTURAL_RULES)
    rules = [rule.name for rule, _ in trail]
    assert rules[0] == "cancel" and "Kronecker delta" in rules
    final = trail[-1][1]
    assert final == Softmax(z, j) * Sum(y[i], (i, 1, n)) - y[j]
    assert run_rules(final, STRUCTURAL_RULES) == []
