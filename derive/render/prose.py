r"""Plain-text sentences and code names, escaped for each output format.

The phrases and notes are written as plain Unicode (``s_i(δ_ij − s_j)``,
``e^{−z}``); here ``x_i`` and ``x^{…}`` become sub- and superscripts, and each
format's special characters are escaped.  LaTeX gets pure ASCII for the math
symbols (``\ensuremath{\sigma}``), so ``pdflatex`` needs no Unicode set-up;
Chinese text passes through to ``xelatex``.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable

from markupsafe import Markup

__all__ = ["code_html", "code_md", "code_tex", "math_md", "prose_html", "prose_md", "prose_tex"]

# a one-letter base followed by a short subscript (s_i, δ_ij, p_t), not a code name (log_softmax)
_SCRIPT = re.compile(
    r"(?<![A-Za-z0-9_])(?P<base>[A-Za-zα-ωΑ-Ω])_(?:\{(?P<sub_braced>[^{}]*)\}|(?P<sub>[A-Za-z0-9]{1,3})(?![A-Za-z0-9_]))"
    r"|\^(?:\{(?P<sup_braced>[^{}]*)\}|(?P<sup>[A-Za-z0-9α-ωΑ-Ω]+))"
)

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_\allowbreak{}", "^": r"\^{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
_TEX_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "θ": r"\theta",
    "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "σ": r"\sigma", "τ": r"\tau", "Σ": r"\Sigma", "Δ": r"\Delta",
    "∂": r"\partial", "−": "-", "‖": r"\|", "≤": r"\le", "≥": r"\ge", "≈": r"\approx", "→": r"\to",
    "∞": r"\infty", "·": r"\cdot", "∈": r"\in", "≠": r"\neq", "×": r"\times", "∑": r"\sum",
    "′": "'", "²": "^2", "ᵀ": r"^{\top}", "√": r"\surd", "±": r"\pm", "⊙": r"\odot", "ℓ": r"\ell",
    "∇": r"\nabla", "∝": r"\propto", "⇒": r"\Rightarrow", "↦": r"\mapsto", "≡": r"\equiv", "∀": r"\forall",
    "⁻": "^{-}", "⌈": r"\lceil ", "⌉": r"\rceil ", "⁽": "^{(}", "⁾": "^{)}", "ʳ": "^{r}", "ⁿ": "^{n}",
    **{sub: f"_{digit}" for digit, sub in enumerate("₀₁₂₃₄₅₆₇₈₉")},
    **{sup: f"^{digit}" for digit, sup in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
}
_TEX_TEXT = {"…": r"\ldots{}", "—": "---", "–": "--", "“": "``", "”": "''", "‘": "`", "’": "'",
             "\u00a0": "~"}


def _convert(text: str, plain: Callable[[str], str], sub: Callable[[str, str], str],
             sup: Callable[[str], str]) -> str:
    """Split ``text`` at sub/superscripts: ``plain`` escapes text, ``sub(base, index)`` and ``sup(body)``
    write the scripts."""
    out, last = [], 0
    for match in _SCRIPT.finditer(text):
        out.append(plain(text[last:match.start()]))
        if match["base"]:
            out.append(sub(match["base"], _first(match["sub_braced"], match["sub"])))
        else:
            out.append(sup(_first(match["sup_braced"], match["sup"])))
        last = match.end()
    out.append(plain(text[last:]))
    return "".join(out)


def _first(braced: str | None, bare: str) -> str:
    return braced if braced is not None else bare


# --- LaTeX -------------------------------------------------------------------------------------

_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")  # a quoted code value: reduction='mean'


def _tex_escape(text: str) -> str:
    """Special characters escaped, Unicode math as commands; ``'mean'`` in typewriter type with
    straight quotes (a plain ``'`` would be typeset as a curly ’)."""
    parts = _QUOTED.split(text)
    return "".join(_tex_chars(part) if number % 2 == 0 else
                   rf"\texttt{{\textquotesingle{{}}{_tex_chars(part)}\textquotesingle{{}}}}"
                   for number, part in enumerate(parts))


def _tex_chars(text: str) -> str:
    out = []
    for char in text:
        if char in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[char])
        elif char in _TEX_MATH:
            out.append(rf"\ensuremath{{{_TEX_MATH[char]}}}")
        else:
            out.append(_TEX_TEXT.get(char, char))
    return "".join(out)


def prose_tex(text: str) -> str:
    """A sentence for a LaTeX document; ``s_i`` becomes the math ``s_{i}``."""
    def sub(base: str, index: str) -> str:
        return rf"\ensuremath{{{_TEX_MATH.get(base, base)}_{{{_tex_math(index)}}}}}"

    return _convert(text, _tex_escape, sub, lambda body: rf"\textsuperscript{{{_tex_escape(body)}}}")


def _tex_math(text: str) -> str:
    """Text inside math mode: Unicode symbols as commands, letters as they are."""
    return "".join(_TEX_MATH.get(c, "" if c in "{}" else c) for c in text)


def code_tex(text: str) -> str:
    r"""A code name for LaTeX: ``\texttt``, breakable after ``_ . , (``."""
    escaped = "".join(_TEX_SPECIAL.get(c, c) for c in text)
    for mark in (".", ",", "("):
        escaped = escaped.replace(mark, mark + r"\allowbreak{}")
    return rf"\texttt{{{_tex_escape_unicode(escaped)}}}"


def _tex_escape_unicode(text: str) -> str:
    return "".join(rf"\ensuremath{{{_TEX_MATH[c]}}}" if c in _TEX_MATH else c for c in text)


# --- HTML --------------------------------------------------------------------------------------

def prose_html(text: str) -> Markup:
    """A sentence for an HTML document (escaped; ``s_i`` as ``<i>s</i><sub>i</sub>``)."""
    def escape(part: str) -> str:
        return _html.escape(part, quote=False)

    def sub(base: str, index: str) -> str:
        return f"<i>{escape(base)}</i><sub>{escape(index)}</sub>"

    return Markup(_convert(text, escape, sub, lambda body: f"<sup>{escape(body)}</sup>"))


def code_html(text: str) -> Markup:
    return Markup(f"<code>{_html.escape(text, quote=False)}</code>")


# --- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*$<|])")


def prose_md(text: str) -> str:
    """A sentence for GitHub Markdown: characters that would start markup are escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# LaTeX control symbols that are Markdown backslash escapes: GitHub's Markdown turns ``\,`` into ``,``
# and ``\\`` into ``\`` inside $…$ before the math is typeset.  Each is written as a control word that
# MathJax (GitHub, Jupyter, Typora, Obsidian) and KaTeX (VS Code, most blogs) read alike.
_MD_MATH = {"\\\\": r"\cr ", r"\,": r"\thinspace ", r"\;": r"\thickspace ", r"\!": r"\negthinspace ",
            r"\|": r"\Vert ", r"\{": r"\lbrace ", r"\}": r"\rbrace ", r"\:": r"\medspace ",
            r"\%": r"\text{\char37}", r"\#": r"\text{\char35}", r"\&": r"\text{\char38}",
            r"\_": r"\text{\char95}", r"\$": r"\text{\char36}", "|": r"\vert "}  # | would end a table cell
_MD_MATH_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_MD_MATH, key=len, reverse=True)))


def math_md(latex: str) -> str:
    r"""LaTeX for ``$…$`` and ``$$…$$`` in Markdown that every common renderer typesets as written:
    no backslash escape that Markdown would consume (``\,`` becomes ``\thinspace``, a row break
    ``\\`` becomes ``\cr``), no blank line, no space just inside an inline ``$``."""
    # longest match first: a row break \\ is one token, so \\, is a row break then a comma
    written = _MD_MATH_PATTERN.sub(lambda match: _MD_MATH[match.group()], latex)
    return re.sub(r"\s*\n\s*", " ", written).strip()


def code_md(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"
