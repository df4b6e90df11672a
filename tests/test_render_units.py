"""Unit tests of the document pieces: prose escaping, the MathML printer, phrases, the environment."""

import re
from xml.dom.minidom import parseString

import pytest
from sympy import Abs, Derivative, Eq, Function, KroneckerDelta, Piecewise, Sum, Symbol, log

from derive.engine.derivation import Named
from derive.engine.functions import Sigmoid, Softmax
from derive.engine.symbols import i, j, k, n, p, q, y, z, z0
from derive.printing.latex import latex
from derive.printing.mathml import mathml
from derive.render.environment import template
from derive.render.mathprint import document_latex
from derive.render.phrases import LANGUAGES, MissingPhraseError, phrases
from derive.render.prose import code_tex, prose_html, prose_md, prose_tex

# --- prose -------------------------------------------------------------------------------------


def test_tex_prose_is_ascii_with_subscripts_in_math():
    out = prose_tex("Softmax Jacobian: ∂s_i/∂z_j = s_i(δ_ij − s_j), 50% of $5 & e^{−z}.")
    assert out.isascii()
    assert r"\ensuremath{s_{i}}" in out and r"\ensuremath{\delta_{ij}}" in out
    assert r"50\%" in out and r"\$5" in out and r"\&" in out
    assert r"\textsuperscript{\ensuremath{-}z}" in out


def test_code_names_are_not_subscripts():
    assert "<sub>" not in prose_html("log_softmax then nll_loss; pos_weight")
    assert r"\textsubscript" not in prose_tex("log_softmax then nll_loss")
    assert prose_md("log_softmax") == "log_softmax"


def test_html_prose_escapes_and_marks_up():
    out = prose_html("a < b & p_t^γ")
    assert "&lt;" in out and "&amp;" in out and "<i>p</i><sub>t</sub><sup>γ</sup>" in out


def test_markdown_prose_escapes_what_would_start_markup():
    assert prose_md("a*b $x$ |z| <tag>") == r"a\*b \$x\$ \|z\| \<tag>"


def test_code_tex_breaks_long_names():
    out = code_tex("torch.nn.functional.cross_entropy(input, target)")
    assert out.startswith(r"\texttt{") and r"\_\allowbreak{}" in out and r".\allowbreak{}" in out


# --- MathML ------------------------------------------------------------------------------------


def _parse(expr) -> str:
    xml = mathml(expr)
    parseString(f"<math>{xml}</math>")  # well-formed, no undeclared entities
    return xml


def test_mathml_reader_vocabulary():
    xml = _parse(Softmax(z, i) * (KroneckerDelta(i, j) - Softmax(z, j)))
    assert "<msub><mi>s</mi><mi>i</mi></msub>" in xml
    assert "<msub><mi>&#948;</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub>" in xml
    assert "&#8722;" in xml and "<mo>-</mo>" not in xml  # the minus sign, not a hyphen


def test_mathml_positive_terms_first_and_derivative_as_fraction():
    lhs = Derivative(Named(Symbol("L"), z0), z0, evaluate=False)
    xml = _parse(Eq(lhs, Sigmoid(z0) - y[j], evaluate=False))
    assert xml.index("&#963;") < xml.index("<mi>y</mi>")
    assert "<mfrac><mrow><mo>&#8706;</mo><mi>L</mi></mrow>" in xml


def test_mathml_sum_parenthesises_only_sums():
    plain = _parse(Sum(y[k] * log(Softmax(z, k)), (k, 1, n)))
    opened = re.compile(r"</munderover><mrow><mo[^>]*>\(</mo>")
    assert "<munderover>" in plain and not opened.search(plain)
    assert opened.search(_parse(Sum(y[k] + z[k], (k, 1, n))))


def test_brackets_stretch_only_around_tall_content():
    flat = _parse(log(Softmax(z, k)))
    assert flat.count('<mo stretchy="false">') == 2
    tall = _parse(log(Sum(z[k], (k, 1, n)) / n))
    assert 'stretchy="false"' not in tall


def test_kl_divergence_prints_with_a_double_bar_everywhere():
    kl = Function("KL")(p, q)
    assert "&#8214;" in _parse(kl)
    assert r"\|" in latex(kl)


def test_piecewise_words_follow_the_language():
    expr = Piecewise((z0**2 / 2, Abs(z0) < 1), (Abs(z0) - Symbol("c"), True))
    assert "&#20854;&#20182;" in mathml(expr, ("若", "其他"))
    assert r"\text{otherwise}" in document_latex(expr)
    assert r"\text{其他情况}" in document_latex(expr, ("若", "其他情况"))
    assert "<mi>piecewise</mi>" not in _parse(expr)


# --- phrases and templates ---------------------------------------------------------------------


def _keys(table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        keys |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


def test_language_files_have_the_same_keys():
    en, zh = (_keys(phrases(code).data) for code in LANGUAGES)
    assert en == zh, f"only in en: {sorted(en - zh)}; only in zh: {sorted(zh - en)}"


def test_chinese_uses_the_usual_terms():
    zh = phrases("zh")
    assert zh.rule("chain rule") == "链式法则"
    assert "雅可比矩阵" in zh.rule("softmax Jacobian")
    assert "独热编码" in zh.rule("one-hot target")
    assert "交叉熵" in zh.pages["information_theory"]["title"]


def test_missing_phrase_names_the_file_and_table():
    with pytest.raises(MissingPhraseError, match=r"zh\.toml has no \[rules\] entry 'no such rule'"):
        phrases("zh").rule("no such rule")


def test_unknown_language_is_a_value_error():
    with pytest.raises(ValueError, match="lang"):
        phrases("fr")


def test_latex_templates_use_their_own_delimiters():
    source = template("derivation.tex.j2").environment.variable_start_string
    assert source == "((("
    assert template("derivation.md.j2").environment.variable_start_string == "{{"


# --- without the plots extra --------------------------------------------------------------------


def test_documents_render_without_matplotlib_with_a_note(monkeypatch):
    from derive.render import build, plots
    from derive.render.documents import render_document

    monkeypatch.setattr(plots, "available", lambda: False)
    for lang in LANGUAGES:
        text = render_document("binary_cross_entropy_with_logits", "html", lang)
        assert phrases(lang).labels["plot_missing"].split("(")[0].split("（")[0] in text
        assert 'class="plot"' not in text  # no picture, only the note
    assert not [o for o in build.plan() if o.path.startswith("plots/")]


# --- the data beside the catalogue ---------------------------------------------------------------


def test_every_catalogue_entry_says_where_frameworks_have_it():
    from derive.catalogue import names
    from derive.catalogue.frameworks import USAGES

    missing = sorted(set(names()) - set(USAGES))
    assert not missing, f"add to catalogue/frameworks.py: {missing}"
    assert set(USAGES) <= set(names()), f"not in the catalogue: {sorted(set(USAGES) - set(names()))}"


def test_every_loss_says_how_it_is_computed_stably():
    from derive.catalogue import names, spec
    from derive.catalogue.stability import STABLE, is_listed

    losses = [name for name in names() if spec(name).family != "layers"]  # a layer reuses its base's form
    assert all(is_listed(name) for name in losses), [name for name in losses if not is_listed(name)]
    assert set(STABLE) <= set(names())
