"""Index patterns: one assignment per pattern of equal/distinct indices is as strong as all of them."""

from __future__ import annotations

import pytest
from sympy import Eq, KroneckerDelta, Piecewise, Sum, exp, log

from derive.engine.constraints import OneHot, Simplex
from derive.engine.functions import Softmax
from derive.engine.indices import equality_patterns, index_values, relabelling_invariant
from derive.engine.symbols import i, j, k, n, t, y, z
from derive.engine.verify import _equation_checks


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
