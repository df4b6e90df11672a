"""The framework map and the improved forms pages (issue 15)."""

import numpy as np
import pytest

from derive.render.documents import render_document, render_page
from derive.render.topics import CURVES, _true_class


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_both_pages_render_in_every_format_and_language(fmt, lang):
    for page in ("framework_map", "improved_forms"):
        text = render_page(page, fmt, lang)
        assert len(text) > 2000
        if fmt != "tex":
            assert "cross_entropy_label_smoothing" in text or "cross_entropy_index" in text


def test_framework_map_gives_input_target_and_the_derived_gradient():
    text = render_page("framework_map", "md", "en")
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("| `torch.nn.BCEWithLogitsLoss`"))
    assert "logits" in row and r"\sigma\left(z\right) - y" in row
    assert "(binary_cross_entropy_with_logits.md)" in row
    row = next(line for line in lines if line.startswith("| `torch.nn.NLLLoss`"))
    assert "log-probabilities" in row and r"- w_{t} \delta_{jt}" in row
    # softmax applied twice: with n = 3 classes the loss cannot go below log(1 + 2/e)
    assert f"{np.log1p(2 / np.e):.4g}" in text
    assert "整数类别标签" in render_page("framework_map", "md", "zh")
    assert "nll_loss takes log-probabilities" in text  # PyTorch's function, not linked as a page


def test_improved_forms_curves_are_the_derived_gradients():
    s = np.linspace(0.05, 0.95, 7)
    expected = {"cross_entropy_index": s - 1, "cross_entropy_weighted": 2 * (s - 1),
                "cross_entropy_label_smoothing": s - (1 - 0.1 + 0.1 / 2),
                "binary_cross_entropy_with_logits_pos_weight": 3 * (s - 1)}
    for name, _, values in CURVES:
        curve = _true_class(name, values)(s)
        if name in expected:
            assert np.allclose(curve, expected[name]), name
        else:  # focal γ = 2, two classes: −(1 − s)² log s differentiated through s = σ(z_t − z_2)
            u = np.log(s) - np.log1p(-s)
            h = 1e-6
            loss = lambda v: -(1 - 1 / (1 + np.exp(-v))) ** 2 * np.log(1 / (1 + np.exp(-v)))  # noqa: E731
            assert np.allclose(curve, (loss(u + h) - loss(u - h)) / (2 * h), atol=1e-6)


def test_loss_pages_link_the_topic_pages_that_discuss_them():
    assert "(framework_map.md)" in render_document("cross_entropy", "md", "en")
    assert "(improved_forms.md)" in render_document("cross_entropy_label_smoothing", "md", "zh")
    assert 'href="framework_map.html"' in render_document("nll_loss", "html", "en")
    assert "framework_map" not in render_document("huber_loss", "md", "en")


def test_information_theory_page_proves_what_it_states():
    text = render_page("information_theory", "md", "en")
    for heading in ("Gibbs' inequality", "Deriving H(p, q) = H(p) + KL(p‖q)", "maximum likelihood",
                    "Bits and nats", "shortest code", "binary entropy"):
        assert heading in text, heading
    assert r"&\le \sum_{k=1}^{n} p_{k} \left(\frac{q_{k}}{p_{k}} - 1\right)" in text  # log x ≤ x − 1
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.5, 0.3, 0.2])
    assert f"KL(p‖q) = {np.sum(p * np.log(p / q)):.4g}" in text
    assert f"1/ln 2 = {1 / np.log(2):.4g} bits" in text
    assert "奈特" in render_page("information_theory", "md", "zh")


def test_mse_page_shows_both_curvatures_and_the_factor_and_credits_nielsen():
    text = render_page("mse_vs_cross_entropy", "md", "en")
    for loss in ("CE", "MSE"):
        assert rf"\frac{{\partial^{{2}} L_{{{loss}}}}}{{\partial z^{{2}}}}" in text
    assert r"\frac{\partial \sigma\left(z\right)}{\partial z} \frac{\partial L_{CE}}{\partial z}" in text
    assert "neuralnetworksanddeeplearning.com/chap3.html" in text


def test_cross_entropy_page_has_the_log_sum_exp_route():
    for lang, title in (("en", "Another way to see it"), ("zh", "换个角度")):
        text = render_document("cross_entropy", "md", lang)
        assert title in text
        assert r"&= \operatorname{LSE}\left(z\right) - \sum_{k=1}^{n} y_{k} z_{k}" in text
        assert r"\frac{\partial \operatorname{LSE}\left(z\right)}{\partial z_{j}} - y_{j}" in text
    assert "Another way to see it" not in render_document("huber_loss", "md", "en")
