"""The NumPy printer and the stable rewrites: each rewrite against the naive form it replaces."""

from __future__ import annotations

import math
from pathlib import Path

import mpmath
import numpy as np
import pytest
from sympy import Eq, Function, KroneckerDelta, Piecewise, S, Sum, exp, log
from sympy.codegen.cfunctions import expm1, log1p
from sympy.codegen.numpy_nodes import logaddexp

from derive.engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus
from derive.engine.symbols import gamma, j, k, n, t, y, y0, z, z0
from derive.printing.forms import LogPlusExp, LogSigmoid, SafeDivide, XLogY, XMul, XOverExpm1, naive
from derive.printing.numpy import PrintingError, Scope, numpy_code
from derive.printing.stable import STABLE_RULES, stabilize

RUNTIME = Path(__file__).resolve().parents[1] / "templates" / "code" / "_core.py.j2"
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}  # underflow to 0 is fine
NAMES = {z0: "x", y0: "y", z: "z", y: "yv", t: "t", gamma: "gamma", n: "z.shape[1]"}


@pytest.fixture(scope="module")
def helpers() -> dict:
    namespace = {"np": np}
    exec(compile(RUNTIME.read_text(encoding="utf-8"), str(RUNTIME), "exec"), namespace)
    return namespace


def evaluate(expr, helpers: dict, **arrays) -> np.ndarray:
    """Print ``expr`` and run the printed code (bindings first) on ``arrays``."""
    scope = Scope(NAMES, target=t)
    code = numpy_code(expr, scope)
    namespace = {**helpers, **arrays}
    for binding in scope.bindings.values():
        namespace[binding.name] = eval(binding.code, namespace)
    return eval(code, namespace)


def rule(name: str):
    return next(r for r in STABLE_RULES if r.name == name)


# --- each rewrite: what it produces, equal to the naive form where that is finite, finite where not --


@pytest.mark.parametrize(("name", "before", "after"), [
    ("log-softmax", log(Softmax(z, j)), LogSoftmax(z, j)),
    ("sigmoid complement", 1 - Sigmoid(z0), Sigmoid(-z0)),
    ("softmax complement", 1 - Softmax(z, j), -expm1(LogSoftmax(z, j))),
    ("log-sigmoid", log(Sigmoid(z0)), LogSigmoid(z0)),
    ("log1p", log(1 - y0), log1p(-y0)),
    ("expm1", exp(z0) - 1, expm1(z0)),
    ("expm1", 1 - exp(z0), -expm1(z0)),
    ("expm1", exp(2 * z0) / 2 - S.Half + y0, expm1(2 * z0) / 2 + y0),
    ("log space", log(2 * Softmax(z, j) / (y[j] + Softmax(z, j))),
     log(2) + LogSoftmax(z, j) - LogPlusExp(y[j], LogSoftmax(z, j))),
    ("log space", log(exp(z0) / (1 + exp(z0))), z0 - logaddexp(0, z0)),
    ("log space", log(Sigmoid(z0) * Sigmoid(-z0)), LogSigmoid(z0) + LogSigmoid(-z0)),
    ("log space", log(Sum(exp(z[k]), (k, 1, n)) + 1), logaddexp(0, LogSumExp(z))),
    ("ratio space", y0 * exp(z0) / (exp(y0) + exp(z0)), y0 * exp(z0 - logaddexp(y0, z0))),
    ("x over expm1", -gamma * z0 * y0 / expm1(z0), -gamma * y0 * XOverExpm1(z0)),
    ("xlogy", y0 * log(y0), XLogY(y0, y0)),
])
def test_each_rule_rewrites_the_naive_form(name: str, before, after) -> None:
    assert rule(name).apply(before) == after


def test_xlogy_rule_guards_log_like_factors_of_targets_only() -> None:
    assert rule("xlogy").apply(y0 * Softplus(z0)) == XMul(y0, Softplus(z0))
    assert rule("xlogy").apply((1 - y0) * LogSigmoid(z0)) == XMul(1 - y0, LogSigmoid(z0))
    assert rule("xlogy").apply(z0 * log(z0)) == z0 * log(z0)  # a logit may not vanish: no guard


def test_affine_target_rule_removes_the_cancellation_in_one_minus_p_t() -> None:
    p_t = Sigmoid(z0) * y0 + (1 - Sigmoid(z0)) * (1 - y0)
    stable, used = stabilize(1 - p_t)
    assert "affine in the target" in [u.name for u in used]
    assert not stable.has(1 - Sigmoid(z0))


@pytest.mark.parametrize("expr", [
    log(Sigmoid(z0)), log(1 - Sigmoid(z0)), 1 - Sigmoid(z0), Softplus(z0), exp(z0) - 1,
    y0 * log(Sigmoid(z0)) + (1 - y0) * log(1 - Sigmoid(z0)),
])
def test_stable_scalar_forms_equal_the_naive_ones_at_moderate_points(expr, helpers) -> None:
    x = np.linspace(-5, 5, 41)  # where the naive forms are still accurate
    y_ = np.linspace(0, 1, 41)
    stable, _ = stabilize(expr)
    got = evaluate(stable, helpers, x=x, y=y_)
    want = evaluate(naive(expr).rewrite(exp), helpers, x=x, y=y_)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("expr", "exact"), [
    (log(Sigmoid(z0)), lambda x: -math.log1p(math.exp(-x)) if x > 0 else x - math.log1p(math.exp(x))),
    (log(1 - Sigmoid(z0)), lambda x: -x - math.log1p(math.exp(-x)) if x > 0 else -math.log1p(math.exp(x))),
    (1 - Sigmoid(z0), lambda x: 1 / (1 + math.exp(x)) if x < 700 else math.exp(-x)),
    (Softplus(z0), lambda x: x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))),
])
def test_stable_scalar_forms_are_right_where_the_naive_ones_fail(expr, exact, helpers) -> None:
    x = np.array([-1e4, -800.0, -40.0, 40.0, 800.0, 1e4])
    stable, _ = stabilize(expr)
    with np.errstate(**STRICT):
        got = evaluate(stable, helpers, x=x)
    np.testing.assert_allclose(got, [exact(v) for v in x], rtol=1e-13)
    with np.errstate(all="ignore"):
        naive_values = evaluate(naive(expr).rewrite(exp), helpers, x=x)
    assert not np.allclose(naive_values, got, rtol=1e-6, atol=0)  # the naive form really fails here


def test_log1p_keeps_small_arguments_exact(helpers) -> None:
    y_ = np.array([1e-17, 1e-10])
    stable, _ = stabilize(log(1 - y0))
    assert evaluate(stable, helpers, y=y_).tolist() == (-y_ - y_**2 / 2).tolist()
    assert evaluate(log(1 - y0), helpers, y=y_)[0] == 0.0  # the naive form loses it


def test_xlogy_and_xmul_give_zero_for_zero_targets(helpers) -> None:
    y_, x = np.array([0.0, 0.5]), np.array([0.0, 0.25])
    with np.errstate(**STRICT):
        assert evaluate(XLogY(y0, z0), helpers, y=y_, x=x).tolist() == [0.0, 0.5 * math.log(0.25)]
        assert evaluate(XMul(y0, z0), helpers, y=y_, x=np.array([-np.inf, 2.0])).tolist() == [0.0, 1.0]
    assert naive(XLogY(y0, z0)) == y0 * log(z0)


def test_safe_divide_is_zero_where_the_denominator_is() -> None:
    stable, used = stabilize((1 - Sigmoid(z0)) ** (gamma - 1) * Sigmoid(z0) * (1 - Sigmoid(z0)))
    assert stable.has(SafeDivide) and "safe power ratio" in [u.name for u in used]
    assert naive(SafeDivide(y0, z0)) == y0 / z0


def test_safe_power_ratio_is_finite_where_the_naive_power_is_infinite(helpers) -> None:
    expr = (1 - Sigmoid(z0)) ** (gamma - 1) * Sigmoid(z0) * (1 - Sigmoid(z0))  # σ(z)σ(−z)^γ
    stable, _ = stabilize(expr)
    x = np.array([-3.0, 0.5, 50.0, 800.0])
    with np.errstate(**STRICT):
        got = evaluate(stable, helpers, x=x, gamma=0.5)
    def log_sigmoid(v: float) -> float:
        return -math.log1p(math.exp(-v)) if v > 0 else v - math.log1p(math.exp(v))

    want = [math.exp(log_sigmoid(v) + 0.5 * log_sigmoid(-v)) for v in x]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-150)  # σ(−800) underflows to 0
    with np.errstate(all="ignore"):
        assert np.isnan(evaluate(expr.rewrite(exp), helpers, x=x, gamma=0.5)[-1])


# --- softmax family: one max-shifted log-sum-exp, bound once ----------------------------------------


def test_softmax_terms_share_one_log_sum_exp_and_one_softmax(helpers) -> None:
    scope = Scope(NAMES, target=t)
    code = numpy_code(Softmax(z, j) - Sum(y[k] * LogSoftmax(z, k), (k, 1, n)), scope)
    assert [b.name for b in scope.bindings.values()] == ["m", "shifted", "log_total", "log_s", "s", "total"]
    assert "np.exp" not in code and scope.bindings["log_s"].code == "shifted - log_total"


def test_target_components_are_gathered_not_one_hot(helpers) -> None:
    zv = np.array([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]])
    tv = np.array([[2], [0]])
    with np.errstate(**STRICT):
        got = evaluate(-LogSoftmax(z, t), helpers, z=zv, t=tv)
    want = [[math.log(math.exp(-2) + math.exp(-1) + 1)], [0.0]]
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_log_sum_exp_handles_infinite_rows(helpers) -> None:
    rows = np.array([[-np.inf, -np.inf], [np.inf, 0.0], [1e308, 1e308]])
    with np.errstate(all="ignore"):
        lse = evaluate(LogSumExp(z), helpers, z=rows)
    assert lse[0, 0] == -np.inf and lse[1, 0] == np.inf
    assert lse[2, 0] == pytest.approx(1e308)


def test_log_softmax_is_exact_where_the_softmax_rounds_to_one(helpers) -> None:
    """z − LSE(z) loses eps·|z| (float32 at z = 2500: 2.4e-4, so s_1 = 1 − 8.3e-7 became 1), and
    log(1 + e^−14) loses 7% of e^−14 to the rounding of 1 + e^−14; the shifted form (z − m) −
    log1p(Σ_{k≠1} exp(z_k − m)) keeps log s_1 = −log1p(e^−14) to rounding."""
    logits = np.array([[2500.0, 2486.0]], dtype=np.float32)
    got = evaluate(LogSoftmax(z, j), helpers, z=logits)
    exact = [-math.log1p(math.exp(-14.0)), -14.0 - math.log1p(math.exp(-14.0))]
    np.testing.assert_allclose(got[0], exact, rtol=2e-7)
    assert got.dtype == np.float32
    with np.errstate(**STRICT):  # and the limits: an all -inf row, a +inf entry, a NaN
        rows = evaluate(LogSumExp(z), helpers, z=np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0]]))
    assert rows[0, 0] == -np.inf and rows[1, 0] == np.inf and np.isnan(rows[2, 0])


# --- strictness ---------------------------------------------------------------------------------------


def test_printer_refuses_what_it_cannot_print() -> None:
    with pytest.raises(PrintingError, match="does not know"):
        numpy_code(Function("mystery")(z0), Scope(NAMES))
    with pytest.raises(PrintingError, match="Kronecker delta"):
        numpy_code(KroneckerDelta(j, t), Scope(NAMES, target=t))
    with pytest.raises(PrintingError, match="no array"):
        numpy_code(z0 + gamma, Scope({z0: "x"}))


def test_piecewise_prints_as_nested_where(helpers) -> None:
    expr = Piecewise((z0, z0 > 1), (-z0, z0 < -1), (0, True))
    # the constant branch is taken only where its condition's negation holds: NaN is not lost
    assert numpy_code(expr, Scope(NAMES)) == (
        "np.where((x > 1), x, np.where((x < -1), -x, np.where((x >= -1), 0, 1 + x)))")
    assert evaluate(expr, helpers, x=np.array([-2.0, 0.0, 2.0])).tolist() == [2.0, 0.0, 2.0]
    for dtype in (np.float32, np.float64):
        got = evaluate(expr, helpers, x=np.array([np.nan, -np.inf, np.inf], dtype))
        assert got.dtype == dtype and np.isnan(got[0]) and got[1:].tolist() == [np.inf, np.inf]


def test_target_class_equality_prints_as_a_mask(helpers) -> None:
    """k = t (a class index and the target) is the target-class mask, for excluding a term exactly."""
    expr = Piecewise((0, Eq(k, t)), (z[k], True))
    code = numpy_code(expr, Scope({z: "x", t: "target", n: "x.shape[1]"}, target=t))
    assert code == "np.where(is_t, 0, x)"


def test_sigmoid_helper_is_exact_and_never_overflows(helpers) -> None:
    x = np.array([-1e4, -745.0, -30.0, 0.0, 30.0, 1e4], dtype=np.float32)
    with np.errstate(**STRICT):
        got = helpers["_sigmoid"](x)
    assert got.dtype == np.float32
    assert got[0] == 0 and got[3] == 0.5 and got[-1] == 1
    exact = math.exp(-30) / (1 + math.exp(-30))
    assert helpers["_sigmoid"](np.array([-30.0]))[0] == pytest.approx(exact, rel=1e-15)


def test_log_cosh_stable_form_both_directions(helpers) -> None:
    """log cosh u → LogCosh(u) (logaddexp(u, −u) − log 2), whose derivative is tanh u and whose naive
    form is log cosh u again; finite where cosh overflows."""
    from sympy import cosh, tanh

    from derive.printing.forms import LogCosh

    stable, used = stabilize(log(cosh(z0)))
    assert stable == LogCosh(z0) and [rule.name for rule in used] == ["log-cosh"]
    assert naive(stable) == log(cosh(z0)) and stable.diff(z0) == tanh(z0)
    got = evaluate(stable, helpers, x=np.array([0.0, 1.0, 1e4, -1e4]))
    np.testing.assert_allclose(got, [0.0, math.log(math.cosh(1.0)), 1e4 - math.log(2), 1e4 - math.log(2)])


# --- log space: logs of softmax, sigmoid and exp terms never evaluate the terms ----------------------


def test_log_space_leaves_logs_without_such_terms_and_signs_it_cannot_know() -> None:
    log_space = rule("log space").apply
    assert log_space(log(1 + z0)) == log(1 + z0)  # for the log1p rule
    assert log_space(log(2 * y0)) == log(2 * y0)  # nothing known about y: no gain
    # y^2 may come from a negative y: log y^2 is not 2 log y; s_j > 0 comes out
    assert log_space(log(Softmax(z, j) * y0**2)) == LogSoftmax(z, j) + log(y0**2)


@pytest.mark.parametrize("r", [-0.75, -1e-300, 0.0, 1e-300, 0.3, 2.0, float("nan")])
def test_log_plus_exp_is_log_r_plus_e_to_the_u_without_forming_it(r: float, helpers) -> None:
    l_ = np.array([-2e4, -800.0, -1.0, 0.0, 5.0, 800.0])
    with np.errstate(**STRICT):
        got = helpers["_log_plus_exp"](np.full_like(l_, r), l_)
    with mpmath.workdps(50):
        for value, level in zip(got, l_, strict=True):
            exact = mpmath.mpf(r) + mpmath.exp(level)
            if not exact > 0:  # NaN r, or a log of a negative number: NaN; of 0: -inf
                assert np.isnan(value) if exact != 0 else value == -np.inf
            else:
                assert value == pytest.approx(float(mpmath.log(exact)), rel=4e-16), (r, level)


def test_log_plus_exp_both_directions() -> None:
    stable = LogPlusExp(y0, z0)
    assert naive(stable) == log(y0 + exp(z0))
    for variable in (y0, z0):
        assert (naive(stable.diff(variable)) - naive(stable).diff(variable)).simplify() == 0
    assert naive(logaddexp(0, z0)) == log(1 + exp(z0))
    assert naive(exp(LogSoftmax(z, j))) == Softmax(z, j)


def test_jensen_shannon_terms_are_finite_where_the_softmax_underflows(helpers) -> None:
    """s·log(2s/(y + s)) at s = 0 (z_j − max z = −2e4): 0, not 0·log 0 = NaN; and within rounding
    of the exact value where s is normal."""
    s = Softmax(z, j)
    stable, used = stabilize(s * log(2 * s / (y[j] + s)))
    assert "log space" in [u.name for u in used]
    logits = np.array([[0.0, -2e4, -1.0], [3.0, 2.0, 1.0]])
    targets = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    with np.errstate(**STRICT):
        got = evaluate(stable, helpers, z=logits, yv=targets)
    with mpmath.workdps(50):
        for row, (zs, ys) in enumerate(zip(logits, targets, strict=True)):
            e = [mpmath.exp(mpmath.mpf(v)) for v in zs]
            for c, (ek, yk) in enumerate(zip(e, ys, strict=True)):
                sk = ek / mpmath.fsum(e)
                exact = float(sk * mpmath.log(2 * sk / (yk + sk)))
                assert got[row, c] == pytest.approx(exact, rel=1e-14, abs=1e-300)


def test_x_over_expm1_is_its_limit_where_both_vanish(helpers) -> None:
    """γ·s·log s/(1 − s) in the softmax focal gradient was 0/0 = NaN where s_t rounds to 1."""
    x = np.array([0.0, -1e-300, 1e-10, -1.0, 2.0, -800.0])
    with np.errstate(**STRICT):
        got = helpers["_x_over_expm1"](x)
    with mpmath.workdps(40):
        exact = [1.0 if v == 0 else float(mpmath.mpf(v) / mpmath.expm1(v)) for v in x]
    np.testing.assert_allclose(got, exact, rtol=4e-16)
    assert naive(XOverExpm1(z0)) == z0 / (exp(z0) - 1)
    assert (naive(XOverExpm1(z0).diff(z0)) - (z0 / (exp(z0) - 1)).diff(z0)).simplify() == 0


def test_a_constant_prints_as_one_float_unless_it_overflows() -> None:
    assert numpy_code(log(2 * S.Pi) / 2 + z0, Scope(NAMES)) == "x + 0.9189385332046728"  # correctly rounded
    scope = Scope(NAMES)
    assert numpy_code(exp(1000) + z0, scope) == "x + exp" and scope.bindings["exp"].code == "np.exp(1000)"
