"""Every catalogue entry derives and verifies; the key closed forms are the textbook ones."""

import pytest
from sympy import KroneckerDelta, Sum, log

from derive.catalogue import UnknownLossError, derivation, names, resolve, verified
from derive.engine.functions import LogSoftmax, Sigmoid, Softmax
from derive.engine.symbols import eps, i, j, l, n, p, p0, q, q0, s, t, w, y, y0, z, z0

SEED_MINIMUM = {
    "self_information", "entropy", "cross_entropy_distributions", "kl_divergence", "softmax",
    "log_softmax", "cross_entropy", "cross_entropy_index", "sigmoid", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_pos_weight", "nll_loss",
    "mse_sigmoid", "cross_entropy_weighted", "cross_entropy_label_smoothing", "sigmoid_focal_loss",
    "softmax_focal_loss",
}


def test_catalogue_has_the_seed_minimum():
    assert set(names()) >= SEED_MINIMUM


@pytest.mark.parametrize("name", names())
def test_every_entry_verifies(name):
    d, checks = verified(name)
    kinds = {c.kind for c in checks}
    assert {"step", "closed form", "numeric"} <= kinds
    assert all(c.passed for c in checks)
    assert d.steps[0].rule == "definition"


# Closed forms written down from the mathematics (not from the engine's output).
EXPECTED = {
    "self_information": -1 / p0,
    "entropy": -log(p[j]) - 1,
    "cross_entropy_distributions": -p[j] / q[j],
    "kl_divergence": -p[j] / q[j],
    "softmax": Softmax(z, i) * (KroneckerDelta(i, j) - Softmax(z, j)),
    "log_softmax": KroneckerDelta(i, j) - Softmax(z, j),
    "cross_entropy": Softmax(z, j) - y[j],
    "cross_entropy_index": Softmax(z, j) - KroneckerDelta(j, t),
    "nll_loss": -w[t] * KroneckerDelta(j, t),
    "cross_entropy_weighted": w[t] * (Softmax(z, j) - KroneckerDelta(j, t)),
    "cross_entropy_label_smoothing": Softmax(z, j) - ((1 - eps) * y[j] + eps / n),
    "sigmoid": Sigmoid(z0) * (1 - Sigmoid(z0)),
    "binary_cross_entropy": (p0 - y0) / (p0 * (1 - p0)),
    "binary_cross_entropy_with_logits": Sigmoid(z0) - y0,
    "binary_cross_entropy_with_logits_pos_weight": (1 + (q0 - 1) * y0) * Sigmoid(z0) - q0 * y0,
    "mse_sigmoid": (Sigmoid(z0) - y0) * Sigmoid(z0) * (1 - Sigmoid(z0)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_textbook_closed_forms(name):
    assert (derivation(name).gradient - EXPECTED[name]).expand() == 0


def test_cross_entropy_walks_the_human_route():
    d = derivation("cross_entropy")
    rules = [s.rule for s in d.steps]
    last = {rule: number for number, rule in enumerate(rules)}
    for earlier, later in [("outer derivative", "softmax Jacobian"), ("softmax Jacobian", "chain rule"),
                           ("chain rule", "Kronecker delta"), ("Kronecker delta", "sum to one")]:
        assert rules.index(earlier) < last[later]
    outer = d.steps[rules.index("outer derivative")]
    assert outer.rhs != -y[i] / s[i]  # the raw derivative: the sum is still there ...
    settled = [step for step in d.steps if step.lhs == outer.lhs][-1]
    assert settled.rule == "Kronecker delta" and settled.rhs == -y[i] / s[i]  # ... until δ picks y_i/s_i
    assert d.gradient_general == Softmax(z, j) * Sum(y[i], (i, 1, n)) - y[j]
    assert d.steps[-1].assumes and d.assumptions


def test_softmax_cross_entropy_hessian_is_diag_minus_outer():
    h = derivation("cross_entropy").hessian
    assert h.wrt == z[l]
    assert (h.expr - (Softmax(z, j) * KroneckerDelta(j, l) - Softmax(z, j) * Softmax(z, l))).expand() == 0
    assert "diag" in h.matrix.text and h.remark is not None


def test_bce_with_logits_hessian_and_mse_hessian():
    assert derivation("binary_cross_entropy_with_logits").hessian.expr.equals(Sigmoid(z0) * (1 - Sigmoid(z0)))
    assert derivation("mse_sigmoid").hessian is not None


def test_log_cosh_gradient_is_tanh_and_its_stable_form_holds_at_1e4():
    """REFERENCE.md 2.7 / A.3: optax's log_cosh [0, 1, 1e4] gives [0, 0.43378, 9999.30685]; gradient tanh."""
    import numpy as np
    from sympy import cosh, lambdify, tanh

    from derive.catalogue.stability import stable_form
    from derive.engine.symbols import x0

    d = derivation("log_cosh")
    assert d.gradient == tanh(x0 - y0) and d.hessian.expr == 1 - tanh(x0 - y0) ** 2
    assert resolve("LogCosh") == "log_cosh"
    form = stable_form("log_cosh")
    assert form.naive == log(cosh(x0 - y0))
    stable = lambdify((x0, y0), form.stable, modules=[{"logaddexp": np.logaddexp}, "numpy"])
    np.testing.assert_allclose(stable(np.array([0.0, 1.0, 1e4]), 0.0), [0.0, 0.43378, 9999.30685], atol=6e-6)
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(np.cosh(1e4)))  # the textbook formula overflows there


def test_information_identity_is_recorded_and_checked():
    d, checks = verified("cross_entropy_distributions")
    assert d.identities and any(c.detail.startswith("identity") and c.passed for c in checks)


def test_log_softmax_matches_definition():
    assert derivation("log_softmax").loss == LogSoftmax(z, i)


@pytest.mark.parametrize("alias, name", [
    ("CrossEntropyLoss", "cross_entropy"), ("softmax_cross_entropy_with_logits", "cross_entropy"),
    ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits"), ("NLLLoss", "nll_loss"),
    ("sigmoid_cross_entropy_with_logits", "binary_cross_entropy_with_logits"),
    ("sparse_softmax_cross_entropy_with_logits", "cross_entropy_index"),
    ("bceloss", "binary_cross_entropy"), ("cross-entropy", "cross_entropy"),
])
def test_aliases(alias, name):
    assert resolve(alias) == name


def test_unknown_name_suggests():
    with pytest.raises(UnknownLossError) as info:
        resolve("crossentropy")
    assert "cross_entropy" in info.value.suggestions
    assert "did you mean" in str(info.value)
