"""Index patterns: one assignment per pattern of equal/distinct indices is as strong as all of them."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from sympy import (
    Derivative,
    Dummy,
    Eq,
    Heaviside,
    KroneckerDelta,
    Max,
    Piecewise,
    Sum,
    Symbol,
    exp,
    false,
    log,
    true,
)

from derive.engine.constraints import OneHot, Simplex
from derive.engine.derivation import Named
from derive.engine.functions import Softmax
from derive.engine.indices import equality_patterns, index_values, relabelling_invariant
from derive.engine.instances import numeric
from derive.engine.symbols import i, j, k, n, t, y, z
from derive.engine.verify import VerificationError, _equation_checks, ensure_verified
from derive.language.custom import build
from derive.language.reductions import ClassMax, ClassMin, IsExtremum


def test_equality_patterns_are_restricted_growth_strings():
    assert equality_patterns(0, 4) == [()]
    assert equality_patterns(1, 6) == [(1,)]
    assert equality_patterns(2, 6) == [(1, 1), (1, 2)]
    assert equality_patterns(3, 6) == [(1, 1, 1), (1, 1, 2), (1, 2, 1), (1, 2, 2), (1, 2, 3)]
    assert equality_patterns(3, 2) == [(1, 1, 1), (1, 1, 2), (1, 2, 1), (1, 2, 2)]  # no third value at n = 2


@pytest.mark.parametrize("expr", [
    Softmax(z, j) - KroneckerDelta(j, t),
    Sum(y[i] * log(Softmax(z, i)), (i, 1, n)),
    exp(z[j]) / Sum(exp(z[k]), (k, 1, n)),
    Piecewise((z[j], Eq(j, t)), (0, True)),
])
def test_uniform_expressions_are_invariant(expr):
    assert relabelling_invariant((expr,), (Simplex(y), OneHot(y, t)))


@pytest.mark.parametrize("expr", [
    z[1] * z[j],                          # a fixed component
    j * z[j],                             # an index used as a number
    Sum(z[i], (i, 1, j)),                 # a sum over part of the range
    KroneckerDelta(j, 1) * z[j],          # compared with a constant
    Piecewise((z[j], j < t), (0, True)),  # an order between indices
])
def test_expressions_that_single_out_components_are_not(expr):
    assert not relabelling_invariant((expr,))
    assert len(index_values((expr,), 3)) == 3 ** len(expr.free_symbols & {j, t})


def test_fewer_assignments_only_when_invariant():
    assert index_values((Softmax(z, j) - KroneckerDelta(j, t),), 6) == [{j: 1, t: 1}, {j: 1, t: 2}]
    assert len(index_values((j * z[j] + z[t],), 4)) == 16


def test_a_wrong_identity_is_still_caught():
    """s_j − δ_jt is not s_j (it differs where j = t), nor is δ_jt the same as δ_j1."""
    checks = _equation_checks("closed form", "wrong", Softmax(z, j) - KroneckerDelta(j, t), Softmax(z, j),
                              (2, 3), ())
    assert not any(c.passed for c in checks)
    checks = _equation_checks("closed form", "wrong", KroneckerDelta(j, t), KroneckerDelta(j, 1), (3,), ())
    assert not any(c.passed for c in checks)  # a constant index: every assignment is tried
    right = _equation_checks("closed form", "right", Sum(KroneckerDelta(i, j) * z[i], (i, 1, n)), z[j],
                             (2, 3, 4), ())
    assert all(c.passed for c in right)


# --- the class maximum: its bound index is a sum's, its indicator's subscript an index -----------------

K = Dummy("k", integer=True)  # the bound index of a class max, a dummy as the language writes it


def _u(index):
    """u_k = z_k + 1 − δ_kt, the body of Crammer & Singer's max."""
    return z[index] + 1 - KroneckerDelta(index, t)


def test_the_class_max_and_its_indicator_are_invariant():
    assert relabelling_invariant((ClassMax(_u(K), K, n) - Sum(y[i] * z[i], (i, 1, n)),), (OneHot(y, t),))
    assert relabelling_invariant((IsExtremum(_u(K), K, j, n, true) - KroneckerDelta(j, t),), (OneHot(y, t),))
    assert relabelling_invariant((ClassMin(z[K] * y[K], K, n) * z[j],))
    assert index_values((IsExtremum(_u(K), K, j, n, true) - KroneckerDelta(j, t),), 4) == [
        {j: 1, t: 1}, {j: 1, t: 2}]  # 2 assignments instead of 16


@pytest.mark.parametrize("expr", [
    IsExtremum(_u(K), K, 1, n, true) * z[j],      # the indicator of a fixed component
    ClassMax(z[K], K, j) + z[j],                   # a max over part of the range
    ClassMax(K * z[K], K, n) + z[j],               # its bound index used as a number
    ClassMax(z[K] + z[1], K, n) * z[j],            # a fixed component inside it
])
def test_a_class_max_that_singles_out_components_is_not(expr):
    assert not relabelling_invariant((expr,))
    assert len(index_values((expr,), 3)) == 3 ** len(expr.free_symbols & {j, t})


@pytest.mark.parametrize("wrong", [
    IsExtremum(_u(K), K, t, n, true) - KroneckerDelta(j, t),    # the indicator at the target class
    IsExtremum(_u(K), K, j, n, false) - KroneckerDelta(j, t),   # the minimum for the maximum
    IsExtremum(z[K] + 1, K, j, n, true) - KroneckerDelta(j, t),  # the margin's δ_kt dropped
    IsExtremum(_u(K), K, 1, n, true) - KroneckerDelta(j, t),    # the first component's indicator
])
def test_a_wrong_class_max_gradient_is_still_caught(wrong):
    """Mutants of ∂/∂z_j [max_k (z_k + 1 − δ_kt) − z_t] = 1[u_j = max u] − δ_jt fail, the right one passes."""
    loss = Named(Symbol("L"), ClassMax(_u(K), K, n) - z[t])
    raw = Derivative(loss, z[j])
    right = IsExtremum(_u(K), K, j, n, true) - KroneckerDelta(j, t)
    assert all(c.passed for c in _equation_checks("closed form", "right", raw, right, (2, 3, 4), ()))
    assert not all(c.passed for c in _equation_checks("closed form", "wrong", raw, wrong, (2, 3, 4), ()))


def test_a_wrong_crammer_singer_derivation_fails_verification():
    loss = build("max(z + 1 - y) - sum(y*z)", wrt="z", onehot="y", name="crammer_singer_paper")
    d = loss.derivation
    assert d.gradient.has(IsExtremum) and all(c.passed for c in loss.checks)
    extremum = next(iter(d.gradient.atoms(IsExtremum)))
    body, index, _, upper, largest = extremum.args
    wrong = d.gradient.xreplace({extremum: IsExtremum(body, index, t, upper, largest)})
    with pytest.raises(VerificationError, match="closed form"):
        ensure_verified(dataclasses.replace(d, gradient=wrong))


def test_the_numeric_checks_evaluate_heaviside_as_sympy_does():
    """H(0) = 1/2 unless given, as SymPy's Heaviside; printed as one call, not the Piecewise whose
    conditions SymPy's NumPy printer simplifies (seconds for the derivative of a max at n = 4)."""
    a, b = Symbol("a", real=True), Symbol("b", real=True)
    f = numeric([a, b], Heaviside(a - b))
    assert [f(2.0, 1.0), f(1.0, 1.0), f(0.0, 1.0)] == [1.0, 0.5, 0.0]
    assert numeric([a, b], Heaviside(a - b, 0))(1.0, 1.0) == 0.0
    assert "select" not in inspect.getsource(numeric([a], Max(a, 1, 2 * a).diff(a)))
