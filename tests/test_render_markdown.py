"""The Markdown documents' math is portable: ``$…$`` and ``$$…$$`` that a CommonMark renderer with
dollar math (markdown-it-py + mdit-py-plugins, as VS Code, Jupyter, Obsidian and blogs use) finds
whole, with nothing inside that Markdown itself would consume (GitHub applies backslash escapes)."""

from __future__ import annotations

import re

import pytest

from derive.render.documents import render_document, render_index, render_page
from derive.render.pages import PAGES
from derive.render.prose import math_md

markdown_it = pytest.importorskip("markdown_it")
dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath")

SAMPLE = ("cross_entropy", "softmax", "huber_loss", "cosine_embedding_loss", "softmax_regression",
          "kl_divergence", "multi_margin_loss", "cross_entropy_distributions")
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")  # a backslash before ASCII punctuation: a Markdown escape


def _documents() -> list[tuple[str, str]]:
    found = [(f"{lang}/{name}", render_document(name, "md", lang))
             for name in SAMPLE for lang in ("en", "zh")]
    found += [(f"{lang}/{page}", render_page(page, "md", lang)) for page in PAGES for lang in ("en", "zh")]
    return found + [(f"{lang}/index", render_index("md", lang)) for lang in ("en", "zh")]


def _walk(tokens):
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


@pytest.mark.parametrize(("name", "text"), _documents(), ids=lambda v: v if "/" in str(v) else "")
def test_every_formula_is_found_whole_by_a_dollar_math_renderer(name, text):
    md = markdown_it.MarkdownIt("commonmark").enable("table").use(dollarmath.dollarmath_plugin)
    tokens = list(_walk(md.parse(text)))
    formulas = [t.content for t in tokens if t.type in ("math_inline", "math_block")]
    assert formulas, name
    prose = "".join(t.content for t in tokens if t.type in ("text", "code_inline"))
    assert "$" not in prose, f"{name}: a dollar sign outside math: {prose[prose.index('$') - 60:][:120]}"
    for formula in formulas:
        eaten = ESCAPE.search(formula)
        assert not eaten, f"{name}: GitHub would eat {eaten and eaten.group()!r} in {formula}"
        assert "|" not in formula and "\n\n" not in formula, formula
    # the markdown also stays free of GitHub-only syntax
    assert "```math" not in text and "$`" not in text
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [line.count("|") for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == len(cells)  # every table line became a table row


def test_math_md_rewrites_what_markdown_would_eat():
    assert math_md(r"a \\ b") == r"a \cr  b"
    assert math_md(r"\operatorname{KL}\left(p \,\|\, q\right)") == \
        r"\operatorname{KL}\left(p \thinspace \Vert \thinspace  q\right)"
    assert math_md(r"\left|x\right| \{1\}") == r"\left\vert x\right\vert  \lbrace 1\rbrace"
    assert math_md("a\n  b") == "a b"
