"""Hand-written matrix forms (batch gradients, diag(s) − s sᵀ) reach HTML as MathML, not as text."""

import re

import pytest

from derive.printing.latex_mathml import LatexSyntaxError, latex_to_mathml
from derive.render.documents import render_document


def test_fraction_sum_and_scripts():
    mathml = latex_to_mathml(r"\frac{1}{N} \sum_{r=1}^{N} x^{(r)}_{k}")
    assert mathml.startswith("<mrow><mfrac><mn>1</mn><mi>N</mi></mfrac><munderover><mo>&#8721;</mo>")
    assert "<msubsup><mi>x</mi><mi>k</mi><mrow>" in mathml


def test_unknown_command_is_an_error_naming_it():
    with pytest.raises(LatexSyntaxError, match=r"\\frobnicate"):
        latex_to_mathml(r"\frobnicate{x}")


@pytest.mark.parametrize("name", ["softmax_regression", "softmax_regression_index", "logistic_regression",
                                  "sigmoid_neuron_mse", "cross_entropy"])
def test_batch_and_matrix_forms_are_mathml_in_html(name):
    page = render_document(name, "html", "en")
    texts = re.findall(r"<mtext>(.*?)</mtext>", page)
    assert not [text for text in texts if "∂" in text or "diag" in text or "ᵀ" in text], texts
    if "<h2>For a batch" in page:
        batch = page.split("<h2>For a batch", 1)[1].split("<h2>", 1)[0]
        assert batch.count("<mfrac>") >= 3 and "<munderover>" in batch
