"""The named functions: derivative rules and explicit forms agree with SymPy on explicit components."""

import pytest
from sympy import Add, Symbol, diff, exp, log

from derive.engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus
from derive.engine.identity import symbolically_equal
from derive.engine.instances import instantiate
from derive.engine.symbols import i, j, z, z0

SIZE = 3
Z = [Symbol(f"z_{m}", real=True) for m in range(1, SIZE + 1)]


def explicit_softmax(a: int):
    return exp(Z[a - 1]) / Add(*[exp(v) for v in Z])


@pytest.mark.parametrize("a", range(1, SIZE + 1))
@pytest.mark.parametrize("b", range(1, SIZE + 1))
def test_softmax_jacobian_rule(a, b):
    rule = instantiate(Softmax(z, i).diff(z[j]), SIZE, {i: a, j: b})
    assert symbolically_equal(rule, diff(explicit_softmax(a), Z[b - 1]))


@pytest.mark.parametrize("a", range(1, SIZE + 1))
@pytest.mark.parametrize("b", range(1, SIZE + 1))
def test_log_softmax_rule(a, b):
    rule = instantiate(LogSoftmax(z, i).diff(z[j]), SIZE, {i: a, j: b})
    assert symbolically_equal(rule, diff(log(explicit_softmax(a)), Z[b - 1]))


@pytest.mark.parametrize("b", range(1, SIZE + 1))
def test_logsumexp_gradient_is_softmax(b):
    rule = instantiate(LogSumExp(z).diff(z[j]), SIZE, {j: b})
    assert symbolically_equal(rule, diff(log(Add(*[exp(v) for v in Z])), Z[b - 1]))


def test_sigmoid_and_softplus_rules():
    x = z0
    assert Sigmoid(x).diff(x) == Sigmoid(x) * (1 - Sigmoid(x))
    assert Softplus(x).diff(x) == Sigmoid(x)
    assert symbolically_equal(diff(1 / (1 + exp(-x)), x), (1 / (1 + exp(-x))) * (1 - 1 / (1 + exp(-x))))
    assert symbolically_equal(diff(log(1 + exp(x)), x), 1 / (1 + exp(-x)))


def test_rewrite_as_exp_matches_explicit():
    general = Softmax(z, i).rewrite(exp)
    assert symbolically_equal(instantiate(general, SIZE, {i: 2}), explicit_softmax(2))
    assert Sigmoid(z0).rewrite(exp) == 1 / (1 + exp(-z0))
    assert Softplus(z0).rewrite(exp) == log(1 + exp(z0))


def test_derivative_wrt_unrelated_symbol_is_zero():
    y = Symbol("w")
    assert Softmax(z, i).diff(y) == 0
    assert LogSumExp(z).diff(y) == 0
