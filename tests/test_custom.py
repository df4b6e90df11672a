"""Losses the catalogue does not have, typed once and derived through the same pipeline."""

import pytest
from custom_losses import build_loss
from sympy import KroneckerDelta, Mul, Rational, Sum, exp, tanh

from derive import from_expression
from derive.engine.constraints import OneHot
from derive.engine.functions import LogSoftmax, Sigmoid, Softmax
from derive.engine.identity import symbolically_equal
from derive.engine.instances import instantiate
from derive.engine.symbols import Role, j, k, l, n, role_of, t
from derive.engine.verify import VerificationError
from derive.language.custom import NO_CLOSED_FORM, SUBGRADIENT, build
from derive.language.names import Declared, declared_vector
from derive.printing.text import text

# a user's names are their own symbols, apart from the engine's z, y, x of the same spelling
q, eps, alpha, beta = (Declared(name, real=True) for name in ("q", "eps", "alpha", "beta"))
x, y, z = (declared_vector(name) for name in ("x", "y", "z"))


def same(a, b, constraints=(), sizes=(2, 3)):
    """``a == b`` at concrete sizes, for every value of the free indices."""
    free = sorted((a.free_symbols | b.free_symbols) & {j, l, t}, key=str)
    for size in sizes:
        for combo in _combos(len(free), size):
            values = dict(zip(free, combo, strict=True))
            if not symbolically_equal(instantiate(a, size, values, constraints),
                                      instantiate(b, size, values, constraints)):
                return False
    return True


def _combos(count, size):
    if count == 0:
        return [()]
    return [(v, *rest) for v in range(1, size + 1) for rest in _combos(count - 1, size)]


def s(index):
    return Softmax(z, index)


def test_generalized_cross_entropy():
    """Zhang & Sabuncu (2018): L_q = (1 − s_t^q)/q; q → 0 is cross-entropy, q = 1 is MAE."""
    c = build_loss("gce")
    d = c.derivation
    assert all(check.passed for check in c.checks) and c.closed_form
    assert d.gradient == s(t) ** q * (s(j) - KroneckerDelta(j, t))  # δ_jt s_j^q = δ_jt s_t^q, factored
    assert [step.rule for step in d.steps[-2:]] == ["Kronecker delta", "factor"]
    assert d.assumptions == (OneHot(y),)
    assert same(d.gradient_general, s(j) * Sum(y[k] * s(k) ** q, (k, 1, n)) - y[j] * s(j) ** q)
    assert c.scalars == ((q, 0.7),)


def test_poly1_reduces_to_cross_entropy_at_eps_zero():
    """Leng et al. (2022): Poly-1 = CE + ε(1 − p_t)."""
    c = build_loss("poly1")
    g = c.derivation.gradient
    assert c.closed_form and not g.has(Sum)
    assert same(g, s(j) - KroneckerDelta(j, t) + eps * s(j) * (s(t) - KroneckerDelta(j, t)), (OneHot(y),))
    assert same(g.subs(eps, 0), s(j) - KroneckerDelta(j, t), (OneHot(y),))


def test_soft_dice_on_sigmoid_outputs():
    c = build_loss("dice")
    g = c.derivation.gradient
    assert c.closed_form and c.derivation.steps[-1].rule in {"factor", "collect", "rearrange", "name"}
    sig = Sigmoid(z[j])
    assert {sig, 1 - sig} <= set(Mul.make_args(g))  # σ'(z_j) = σ(1 − σ), factored out
    inter, total = Sum(Sigmoid(z[k]) * y[k], (k, 1, n)), Sum(Sigmoid(z[k]) + y[k], (k, 1, n)) + 2
    assert same(g, sig * (1 - sig) * ((2 * inter + 2) / total**2 - 2 * y[j] / total))


def test_tversky_with_equal_weights_is_dice():
    """Salehi et al. (2017): 1 − TP/(TP + α FP + β FN), with FP = Σσ − TP and FN = Σy − TP."""
    c = build_loss("tversky")
    assert all(check.passed for check in c.checks) and c.closed_form
    half = {alpha: Rational(1, 2), beta: Rational(1, 2)}
    sig = Sigmoid(z[j])
    inter, total = Sum(Sigmoid(z[k]) * y[k], (k, 1, n)), Sum(Sigmoid(z[k]) + y[k], (k, 1, n))
    dice = sig * (1 - sig) * (2 * inter / total**2 - 2 * y[j] / total)  # ∂(1 − 2I/D)/∂z_j
    assert same(c.derivation.gradient.xreplace(half), dice)


def test_log_cosh_gradient_is_tanh():
    c = build_loss("mean_log_cosh")
    assert c.closed_form
    assert same(c.derivation.gradient, tanh(x[j] - y[j]).rewrite(exp) / n)


def test_entropy_regulariser():
    """−H(softmax(z)) = Σ s log s; its gradient s_j (log s_j + H)."""
    c = build_loss("neg_entropy")
    assert c.derivation.gradient == s(j) * (LogSoftmax(z, j) - Sum(s(k) * LogSoftmax(z, k), (k, 1, n)))


def test_hessian_on_request():
    c = build("logsumexp(z) - dot(y, z)", wrt="z", simplex="y", hessian=True, name="ce")
    assert c.derivation.gradient == s(j) - y[j]
    assert c.derivation.hessian.expr == s(j) * (KroneckerDelta(j, l) - s(l))
    assert any(check.kind == "hessian" for check in c.checks)


def test_from_expression_returns_the_verified_derivation():
    d = from_expression("mean(softplus(z) - y * z)", wrt="z", vectors=["z", "y"], name="bce")
    assert d.name == "bce" and d.family == "custom"
    assert same(d.gradient, (Sigmoid(z[j]) - y[j]) / n)


def test_no_named_closed_form_is_said():
    c = build("log(sum(exp(z) * w))", wrt="z", vectors="w", name="weighted_lse")  # a weighted normaliser
    assert not c.closed_form and NO_CLOSED_FORM in c.derivation.remarks
    assert all(check.passed for check in c.checks)  # still verified


def test_the_tempered_softmax_is_named_however_it_is_typed():
    c = build("-sum(y * log(exp(z / T) / sum(exp(z / T))))", wrt="z", simplex="y", scalars={"T": 2.0},
              name="tempered")
    assert c.closed_form and NO_CLOSED_FORM not in c.derivation.remarks
    assert "softmax(z/T)_j" in text(c.derivation.gradient)


def test_kinks_are_subgradients():
    c = build_loss("hinge")
    assert SUBGRADIENT in c.derivation.remarks and c.closed_form


def test_argument_order_and_roles():
    c = build("sum(target * log(prob)) + sum(logit * target)", wrt="prob", vectors="logit,target",
              name="ce_p")
    prob, logit, target = (declared_vector(name) for name in ("prob", "logit", "target"))
    assert c.vectors == (logit, target, prob)  # declared first, then wrt
    assert c.derivation.gradient == target[j] / prob[j]
    # prob sits in a log: sampled positive; other new vectors are targets in [0, 1]
    assert [role_of(v) for v in c.vectors] == [Role.TARGET, Role.TARGET, Role.PROBABILITY]
    assert all(check.passed for check in c.checks)


def test_overflow_is_a_failed_check_not_a_pass():
    """The loss overflows float64 at ordinary points: the numeric check cannot confirm it, so it fails."""
    with pytest.raises(VerificationError, match=r"numeric check failed.*error=inf"):
        build("sum(exp(exp(exp(exp(exp(z))))))", wrt="z")


def test_high_powers_pass_the_numeric_check():
    """Central differences of Σ z^64 lose digits to round-off; the check allows for that honestly."""
    c = build("sum(z**64) + sum(z**3)", wrt="z")
    assert (c.derivation.gradient - 64 * z[j] ** 63 - 3 * z[j] ** 2).expand() == 0


def test_the_loss_name_only_needs_to_be_an_identifier():
    assert build("mean(z)", wrt="z", name="loss_2").derivation.name == "loss_2"


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"wrt": "j"}, "wrt"),
    ({"wrt": "z_1"}, "wrt"),
    ({"wrt": "log"}, "wrt"),
    ({"wrt": "z", "name": "my-loss"}, "name"),
    ({"wrt": "z", "name": "lambda"}, "name"),
    ({"wrt": "z", "name": "cross_entropy"}, "name"),
    ({"wrt": "z", "vectors": "z,z"}, "vectors"),
    ({"wrt": "z", "scalars": {"q": float("nan")}}, "scalars"),
    ({"wrt": "z", "scalars": {"z": 1.0}}, "scalars"),
    ({"wrt": "z", "simplex": "z"}, "wrt"),
    ({"wrt": "z", "onehot": "y", "simplex": "y"}, "onehot"),
    ({"wrt": "w"}, "wrt"),  # the expression does not depend on w
])
def test_bad_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}: "):
        build("sum(y * log_softmax(z))", **{"vectors": "z,y", **kwargs})


def test_a_one_hot_target_that_drops_out_still_gets_a_class():
    """|y_k − 1/2| = 1/2 for a one-hot y: the class index leaves the expressions, the constraint keeps it."""
    from sympy import Rational

    assert from_expression("sum(abs(y - 0.5)*z)", wrt="z", onehot="y").gradient == Rational(1, 2)
