"""Named functions of vector expressions (softmax(z/T), logsumexp(z + τ log π)), the spellings the engine
recognises, and the generated code of such losses at extreme logits."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from sympy import IndexedBase

from derive.engine.functions import Softmax, vector_expression
from derive.engine.symbols import j, k
from derive.language.custom import build, from_expression
from derive.language.module import module_source
from derive.language.names import Declared, declared_vector
from derive.printing.latex import latex
from derive.printing.mathml import mathml
from derive.printing.text import text

T = Declared("T", real=True)  # a user's names are their own symbols
z, g, y = (declared_vector(name) for name in "zgy")

DISTILLATION = "T**2 * sum(softmax(g/T) * (log_softmax(g/T) - log_softmax(z/T)))"
DISTILLATION_SPELLED = ("T**2 * sum(exp(g/T)/sum(exp(g/T)) * (log(exp(g/T)/sum(exp(g/T))) "
                        "- log(exp(z/T)/sum(exp(z/T)))))")


def _softmax_over(vector: IndexedBase) -> Softmax:
    return Softmax(vector_expression(vector[k] / T, k), j)


@pytest.mark.parametrize("expression", [DISTILLATION, DISTILLATION_SPELLED])
def test_distillation_gives_the_named_closed_form(expression):
    d = from_expression(expression, wrt="z", vectors="g", scalars={"T": 2.0})
    expected = T * (_softmax_over(z) - _softmax_over(g))
    assert (d.gradient - expected).expand() == 0
    assert text(d.gradient) == "T·(softmax(z/T)_j − softmax(g/T)_j)"


def test_the_spelled_out_loss_is_recognised_by_named_verified_steps():
    d = from_expression(DISTILLATION_SPELLED, wrt="z", vectors="g", scalars={"T": 2.0})
    recognised = [s.rule for s in d.steps if s.lhs == d.symbol][1:]
    assert recognised == ["refold softmax", "refold log-softmax"]
    assert "exp" not in text(d.named_loss) and "exp" in text(d.loss)  # loss stays as typed


@pytest.mark.parametrize(("expression", "kwargs", "shown"), [
    ("-sum(y*log_softmax(z + tau*log(prior)))", {"vectors": "prior", "onehot": "y", "scalars": {"tau": 1.0}},
     "softmax(τ·log(prior) + z)_j − δ_jt"),
    ("-sum(y*log_softmax(z/tau))", {"onehot": "y", "scalars": {"tau": 0.1}}, "(softmax(z/τ)_j − δ_jt)/τ"),
    ("logsumexp(z/T) - sum(y*z)/T", {"simplex": "y", "scalars": {"T": 3.0}}, "(softmax(z/T)_j − y_j)/T"),
    ("-sum(y*log(exp(z)/sum(exp(z))))", {"simplex": "y"}, "s_j − y_j"),
    ("sum(y*log(1+exp(-z)) + (1-y)*log(1+exp(z)))", {"vectors": "y"}, "σ(z_j) − y_j"),
    ("sum((exp(z) - exp(-z))/(exp(z) + exp(-z)) * y)", {"vectors": "y"}, "y_j·(1 − tanh(z_j)^2)"),
    ("sum((exp(2*z) - 1)/(exp(2*z) + 1) - y*z)", {"vectors": "y"}, "1 − tanh(z_j)^2 − y_j"),  # not σ(−2z)
    ("-log(sum(exp(z)*y)/sum(exp(z)))", {"vectors": "y"}, "s_j·(Σ_k y_k·s_k − y_j)/(Σ_k y_k·s_k)"),
])
def test_losses_from_papers_come_out_in_named_terms(expression, kwargs, shown):
    d = from_expression(expression, wrt="z", **kwargs)
    assert text(d.gradient) == shown


def test_the_chain_rule_through_the_expression_cites_the_lemma():
    d = from_expression("-sum(y*log_softmax(z/tau))", wrt="z", onehot="y", scalars={"tau": 0.1})
    differentiate = next(s for s in d.steps if s.rule == "differentiate")
    assert differentiate.lemmas == ("log_softmax",)


def test_printers_name_the_function_of_an_expression():
    s = _softmax_over(z)
    assert text(s) == "softmax(z/T)_j"
    assert latex(s) == r"\operatorname{softmax}\left(\frac{z}{T}\right)_{j}"
    assert "softmax" in mathml(s) and "<mi>T</mi>" in mathml(s)
    assert text(Softmax(z, j)) == "s_j"  # the logits' own softmax keeps its short name


def _reference(g_: np.ndarray, z_: np.ndarray, t_: float) -> tuple[float, np.ndarray]:
    """Distillation with float64 log-softmax (shifted), mean over the batch, and its gradient."""
    def log_softmax(a):
        shifted = a - a.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    p, log_q = np.exp(log_softmax(g_ / t_)), log_softmax(z_ / t_)
    value = (t_ ** 2 * (p * (log_softmax(g_ / t_) - log_q)).sum(axis=1)).mean()
    return value, t_ * (np.exp(log_q) - p) / len(z_)


@pytest.mark.parametrize("expression", [DISTILLATION, DISTILLATION_SPELLED])
def test_generated_code_is_finite_and_right_at_extreme_logits(tmp_path, expression):
    loss = build(expression, wrt="z", vectors="g", scalars={"T": 2.0}, name="distill")
    path = tmp_path / "distill.py"
    path.write_text(module_source(loss), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("distill", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(3)
    for scale in (1.0, 1e3, 1e4):
        for dtype in (np.float64, np.float32):
            z_ = (rng.normal(size=(4, 5)) * scale).astype(dtype)
            g_ = (rng.normal(size=(4, 5)) * scale).astype(dtype)
            value, grad = module.distill_value_and_grad(g_, z_, T=2.0)
            expected_value, expected_grad = _reference(g_.astype(float), z_.astype(float), 2.0)
            assert np.isfinite(value) and np.isfinite(grad).all()
            tolerance = 1e-12 if dtype == np.float64 else 1e-5
            assert abs(value - expected_value) <= tolerance * max(1.0, abs(expected_value))
            assert np.allclose(grad, expected_grad, rtol=tolerance * 10, atol=tolerance)


def test_a_one_hot_target_inside_a_named_function_keeps_its_name():
    """Additive-margin softmax (Wang et al. 2018): the margin is m·y, not m·δ_rt, in the closed form."""
    d = from_expression("-sum(y*log_softmax(s*(z - m*y)))", wrt="z", onehot="y",
                        scalars={"s": 30.0, "m": 0.35})
    assert text(d.gradient) == "s·(softmax(s·(z − m·y))_j − δ_jt)"


def test_a_sum_in_a_product_is_written_where_it_cannot_swallow_what_follows():
    d = from_expression("sum(y*log(softmax(z)))*sum(z)", wrt="z", vectors="y")
    assert text(d.gradient) == "(y_j − s_j·Σ_k y_k)·Σ_k z_k + Σ_k y_k·log(s_k)"
    from sympy import Sum

    from derive.engine.symbols import n
    y, z = IndexedBase("y"), IndexedBase("z")
    two = Sum(y[k], (k, 1, n)) * Sum(z[k], (k, 1, n))
    assert text(two) == "(Σ_k y_k)·Σ_k z_k"
