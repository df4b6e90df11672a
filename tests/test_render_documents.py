"""The documents as a reader gets them: every file of `derive all`, generated once per session into a
temporary folder, then checked: byte-identical to the committed outputs/, the same mathematics in
English and Chinese, self-contained HTML with MathML, links that resolve, ASCII English LaTeX."""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derive.catalogue import lemmas, names, verified
from derive.render import plots
from derive.render.documents import FORMATS
from derive.render.pages import PAGES
from derive.render.phrases import LANGUAGES, phrases

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "outputs"


def _documents(tree: Path, lang: str, fmt: str) -> list[Path]:
    return sorted((tree / lang).glob(f"*.{fmt}"))


def test_every_document_exists_in_every_format_and_language(tree):
    for lang in LANGUAGES:
        for name in [*names(), *PAGES]:
            for fmt in FORMATS:
                path = tree / lang / f"{name}.{fmt}"
                assert path.is_file() and path.stat().st_size > 500, path
        assert (tree / lang / "index.md").is_file() and (tree / lang / "index.html").is_file()
    assert (tree / "README.md").is_file()


@pytest.mark.skipif(not plots.available(), reason="the committed outputs include plots (matplotlib)")
def test_regenerated_tree_is_byte_identical_to_the_committed_outputs(tree):
    assert COMMITTED.is_dir(), "outputs/ is missing: run `derive all`"
    produced = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    committed = {p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*") if p.is_file()}
    assert produced == committed, (f"missing from outputs/: {sorted(produced - committed)[:5]}; "
                                   f"not produced: {sorted(committed - produced)[:5]}")
    stale = [path for path in sorted(produced)
             if (tree / path).read_bytes() != (COMMITTED / path).read_bytes()]
    assert not stale, f"stale in outputs/ (run `derive all`): {stale[:10]}"


def _equations(markdown: str) -> list[str]:
    displays = re.findall(r"^\$\$\n(.*?)\n\$\$$", markdown, re.S | re.M)
    rest = re.sub(r"^\$\$\n.*?\n\$\$$", "", markdown, flags=re.S | re.M)
    blocks = displays + re.findall(r"(?<![\\$])\$([^$\n]+?)\$", rest)
    return [re.sub(r"\\text\{[^}]*\}", r"\\text{}", block) for block in blocks]  # words of cases differ


@pytest.mark.parametrize("name", [*names(), *PAGES])
def test_chinese_has_the_same_equations_as_english(tree, name):
    english = _equations((tree / "en" / f"{name}.md").read_text(encoding="utf-8"))
    chinese = _equations((tree / "zh" / f"{name}.md").read_text(encoding="utf-8"))
    assert english and english == chinese


@pytest.mark.parametrize("name", ["cross_entropy", "sigmoid_focal_loss", "huber_loss", "softmax_regression"])
def test_every_step_is_shown_with_its_rule(tree, name):
    d, _ = verified(name)
    shown_lemmas = lemmas(d)  # each lemma's steps are shown (in a collapsible block) at its first use
    steps = len(d.steps) + (len(d.hessian.steps) if d.hessian else 0) + \
        sum(len(lemma.steps) for lemma in shown_lemmas.values())
    for lang in LANGUAGES:
        text = (tree / lang / f"{name}.md").read_text(encoding="utf-8")
        assert len(re.findall(r"^\*\*\d+\. ", text, re.M)) == steps
        assert text.count(r"\boxed{") == 1


def test_english_latex_is_ascii_so_pdflatex_needs_no_unicode_setup(tree):
    for path in _documents(tree, "en", "tex"):
        text = path.read_text(encoding="utf-8")
        bad = sorted({c for c in text if not c.isascii()})
        assert not bad, f"{path.name}: {bad}"


def test_chinese_latex_is_set_up_for_xelatex(tree):
    text = (tree / "zh" / "cross_entropy.tex").read_text(encoding="utf-8")
    assert r"\usepackage{xeCJK}" in text and "Noto Serif CJK SC" in text and "交叉熵" in text


_FALLBACK = re.compile(r"<mi>(piecewise|subs|named|indexed\w*|kroneckerdelta|derivative|softmax|logsoftmax|"
                       r"logsumexp|sigmoid|True|False)</mi>")


def test_html_is_self_contained_with_mathml(tree):
    for lang in LANGUAGES:
        for path in _documents(tree, lang, "html"):
            text = path.read_text(encoding="utf-8")
            assert "<script" not in text and "<link" not in text and "@import" not in text, path.name
            # nothing is loaded from the network; a citation may link out (<a href>, read on click)
            assert not re.search(r"""src=["']?(https?:)?//""", text), path.name
            outside = re.findall(r"""<(\w+)[^>]*href=["']?(?:https?:)?//""", text)
            assert all(tag == "a" for tag in outside), (path.name, outside)
            assert "<math" in text, path.name
            assert not _FALLBACK.search(text), f"{path.name}: {_FALLBACK.search(text).group(0)}"


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        found = re.findall(r"\]\(([^)\s]+)\)", text)
    else:
        found = re.findall(r'(?:href|src)="([^"#]+)"', text)
    return [link for link in found if not re.match(r"https?://", link)]  # citations link out


def test_every_link_resolves_inside_the_tree(tree):
    for path in [*tree.rglob("*.md"), *tree.rglob("*.html")]:
        for link in _links(path):
            assert (path.parent / link).resolve().is_file(), f"{path.relative_to(tree)} -> {link}"


def test_softmax_cross_entropy_reads_from_definition_to_s_minus_y(tree):
    for lang, words in (("en", ("Chain rule", "Softmax Jacobian")), ("zh", ("链式法则", "雅可比矩阵"))):
        text = (tree / lang / "cross_entropy.md").read_text(encoding="utf-8")
        assert all(word in text for word in words)
        assert r"\boxed{\frac{\partial L}{\partial z_{j}} = s_{j} - y_{j}}" in text
        assert r"s_{j} \sum_{i=1}^{n} y_{i} - y_{j}" in text  # the general form, without Σ y = 1


def test_information_theory_page_states_the_identity(tree):
    text = (tree / "en" / "information_theory.md").read_text(encoding="utf-8")
    assert (r"H{\left(p,q \right)} = H{\left(p \right)} + \operatorname{KL}\left(p \thinspace \Vert "
            r"\thinspace  q\right)") in text
    for name in ("self_information", "entropy", "kl_divergence", "cross_entropy_distributions"):
        assert f"({name}.md)" in text


def test_slowdown_page_has_numbers_from_the_closed_forms(tree):
    text = (tree / "en" / "mse_vs_cross_entropy.md").read_text(encoding="utf-8")
    assert "| 6 | 0.9975 | 0.9975 | 0.00246 |" in text  # σ(6), σ(6) − 0, σ(6)²(1 − σ(6)) = 0.0024599
    assert re.search(r"cross-entropy brings a below 0\.1 in \d+ steps, squared error needs \d+", text)


# --- viewers: LaTeX engines and a headless browser, where installed ----------------------------

TEX_SAMPLE = [("en", "cross_entropy"), ("en", "binary_cross_entropy_with_logits"), ("en", "huber_loss"),
              ("en", "softmax_regression"), ("en", "information_theory"), ("en", "mse_vs_cross_entropy"),
              ("zh", "cross_entropy")]


@pytest.mark.parametrize(("lang", "name"), TEX_SAMPLE)
def test_latex_compiles(tree, tmp_path, lang, name):
    engine = phrases(lang).meta["tex_engine"]
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed")
    command = [engine, "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp_path}",
               f"{name}.tex"]
    run = subprocess.run(command, cwd=tree / lang, capture_output=True, text=True, timeout=240)
    log = (tmp_path / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 10_000
    assert "Missing character" not in log, re.findall(r"Missing character.*", log)[:3]
    if plots.available() and (tree / "plots" / f"{name}.pdf").is_file():
        assert f"../plots/{name}.pdf" in log  # the plot was included, not the fallback


_PROBE = """<pre id="probe"></pre><script>
const math = [...document.querySelectorAll('math[display="block"]')];
const frac = document.querySelector('mfrac');
const line = parseFloat(getComputedStyle(document.querySelector('p')).lineHeight);
document.getElementById('probe').textContent = JSON.stringify({
  mathml: typeof MathMLElement !== 'undefined' && frac instanceof MathMLElement,
  blocks: math.length, empty: math.filter(m => m.getBoundingClientRect().width < 5).length,
  frac: frac.getBoundingClientRect().height, line: line});
</script></body>"""


def _browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_shows_real_math_in_a_headless_browser(tree, tmp_path, lang):
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium installed")
    page = tmp_path / "page.html"
    page.write_text((tree / lang / "cross_entropy.html").read_text(encoding="utf-8")
                    .replace("</body>", _PROBE), encoding="utf-8")
    run = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found and found.group(1), run.stderr[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["mathml"], "the browser did not parse MathML"
    assert probe["blocks"] >= 15 and probe["empty"] == 0
    assert probe["frac"] > 1.3 * probe["line"] / 1.6, probe  # a fraction is laid out in two rows, not inline
