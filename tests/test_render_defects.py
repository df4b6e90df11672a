"""Rendering defects of issue 15: spaces in HTML math, expm1, quoted code values in LaTeX, cross-links."""

from derive.catalogue import spec
from derive.render.documents import render_document


def test_html_math_puts_a_space_before_a_named_function():
    page = render_document("binary_cross_entropy_with_logits", "html", "en")
    assert "<mi>y</mi><mo>&#8290;</mo><mrow><mi>log</mi>" not in page  # rendered "ylog(σ(z))"
    assert '<mi>y</mi><mspace width="0.1667em"/><mrow><mi>log</mi>' in page


def test_expm1_is_one_upright_name():
    text = render_document("softmax_focal_loss", "tex", "en")
    assert r"\operatorname{expm1}" in text and "expm}_{1}" not in text


def test_quoted_code_values_keep_straight_quotes_in_latex():
    text = render_document("kl_divergence", "tex", "en")
    assert r"\texttt{\textquotesingle{}batchmean\textquotesingle{}}" in text
    assert "'mean'" not in text


def test_a_catalogue_name_in_prose_links_the_page_by_its_title():
    for lang in ("en", "zh"):
        title = getattr(spec("logistic_regression").title, lang)
        md = render_document("sigmoid_neuron_mse", "md", lang)
        assert f"[{title}](logistic_regression.md)" in md
        html = render_document("sigmoid_neuron_mse", "html", lang)
        assert '<a href="logistic_regression.html">' in html
    assert "Compare with logistic_regression" not in render_document("sigmoid_neuron_mse", "md", "en")
