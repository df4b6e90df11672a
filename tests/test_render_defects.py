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


def test_symbols_are_described_by_the_entry_not_by_the_letter():
    cosine = render_document("cosine_embedding_loss", "md", "en")
    symbols = cosine.split("### Symbols", 1)[1].split("##", 1)[0]
    assert "label-smoothing" not in symbols and "number of classes" not in symbols
    assert "the length of the vectors u and v" in symbols
    logistic = render_document("logistic_regression", "md", "en").split("### Symbols", 1)[1].split("##", 1)[0]
    assert "number of classes" not in logistic


def test_a_custom_loss_describes_its_symbols_by_their_declared_roles():
    from derive.language.custom import build
    from derive.render.documents import render_derivation

    loss = build("sum(w * (b - x)**2)", wrt="b", vectors=["b", "x", "w"])
    text = render_derivation(loss.derivation, loss.checks, "md", "en")
    symbols = text.split("### Symbols", 1)[1].split("##", 1)[0]
    for wrong in ("log-probabilities", "linear layer", "class weights"):
        assert wrong not in symbols
    assert "differentiated with respect to" in symbols and "over the classes" not in symbols


def test_chinese_glosses_logits_once_per_page_and_uses_one_term_for_class_labels():
    from derive.render.documents import render_page

    for fmt in ("md", "html", "tex"):
        text = render_document("cross_entropy", fmt, "zh")
        assert text.count("logits（对数几率）") == 1, fmt
    assert render_page("framework_map", "md", "zh").count("对数几率") == 1
    assert "整数类别标签" in render_document("cross_entropy_index", "md", "zh")
    assert "类别下标" not in render_document("cross_entropy_index", "md", "zh")
    assert "流入输入的就是上面的结果" not in render_document("cross_entropy", "md", "zh")


def test_sums_of_negative_terms_are_written_with_the_minus_outside():
    text = render_document("cross_entropy", "tex", "en")
    assert r"\sum_{i=1}^{n} - " not in text and r"+ \sum_{i=1}^{n} -" not in text
    assert r"= - \sum_{i=1}^{n} y_{i} \left(\delta_{ij} - s_{j}\right)" in text
    assert r"\sum_{i=1}^{n} y_{i} s_{j} - \sum_{i=1}^{n} y_{i} \delta_{ij}" in text
    # the unevaluated product of the chain-rule step keeps its factors (s_i is not cancelled early)
    assert r"- \sum_{i=1}^{n} \frac{y_{i}}{s_{i}} s_{i} \left(\delta_{ij} - s_{j}\right)" in text


def test_a_long_piecewise_puts_each_condition_under_its_value_in_html():
    page = render_document("cosine_embedding_loss", "html", "en")
    result = page.split("<h2>Result</h2>", 1)[1].split("<h2>", 1)[0]
    # the three cases (y = 1, y = −1, otherwise) each with its condition on the line under its value
    assert result.count('style="text-align: left; padding-left: 2em; padding-right: 1em"') >= 3
    short = render_document("huber_loss", "html", "en").split("<h2>Result</h2>", 1)[1].split("<h2>", 1)[0]
    assert "padding-left: 2em" not in short  # short cases keep value and condition side by side


def test_a_named_quantity_is_defined_where_the_definition_uses_it():
    text = render_document("cosine_embedding_loss", "md", "en")
    definition = text.split("## Definition", 1)[1].split("### Symbols", 1)[0]
    assert r"where $\mathrm{cos} = \frac{\sum_{k=1}^{n} u_{k} v_{k}}" in definition
