r"""Presentation MathML for the small LaTeX of hand-written matrix forms (``\frac{1}{N} (S - Y)^{\top} X``).

The catalogue writes a few formulas by hand, as Unicode text and as LaTeX
(:class:`~derive.derivation.MatrixForm`): the batch gradients in matrix form,
``diag(s) − s sᵀ``.  The HTML documents need them as MathML like every other
formula, so this module reads the LaTeX they use: letters and digits,
``\frac``, ``\sum`` with limits, sub- and superscripts, ``\left( … \right)``,
``\operatorname``, ``\mathbf``, Greek letters and a few operators.  Anything
else is an error naming the command, never a silent approximation.
"""

from __future__ import annotations

import re
from html import escape

__all__ = ["LatexSyntaxError", "latex_to_mathml"]

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[0-9]+(?:\.[0-9]+)?|\S")
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "varepsilon": "ε", "epsilon": "ϵ",
          "sigma": "σ", "tau": "τ", "lambda": "λ", "mu": "μ", "pi": "π", "Sigma": "Σ", "Delta": "Δ"}
_OPERATORS = {"partial": "∂", "odot": "⊙", "cdot": "·", "times": "×", "top": "⊤", "le": "≤", "ge": "≥",
              "ne": "≠", "neq": "≠", "to": "→", "infty": "∞", "sum": "∑"}
_SPACES = {",", ";", "!", " ", ":", "quad", "qquad"}
_LIMITS = {"∑"}
_SCRIPT_TAGS = {(False, True, True): "msubsup", (False, True, False): "msub", (False, False, True): "msup",
                (True, True, True): "munderover", (True, True, False): "munder", (True, False, True): "mover"}


class LatexSyntaxError(ValueError):
    """LaTeX outside the subset this module reads."""


class _Parser:
    def __init__(self, latex: str):
        self.tokens = _TOKEN.findall(latex)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise LatexSyntaxError("unexpected end of the formula")
        self.position += 1
        return token

    def expect(self, token: str) -> None:
        found = self.take()
        if found != token:
            raise LatexSyntaxError(f"expected {token!r}, found {found!r}")

    def row(self, until: tuple[str, ...] = ()) -> str:
        """Atoms with their scripts up to one of ``until`` (not consumed) or the end."""
        items = []
        while self.peek() is not None and self.peek() not in until:
            atom = self.atom()
            if atom:
                items.append(self.scripts(atom))
        return items[0] if len(items) == 1 else f"<mrow>{''.join(items)}</mrow>"

    def argument(self) -> str:
        if self.peek() == "{":
            self.take()
            body = self.row(("}",))
            self.expect("}")
            return body
        atom = self.atom()
        if not atom:
            raise LatexSyntaxError("a script or argument is missing")
        return atom

    def text_argument(self) -> str:
        self.expect("{")
        words = []
        while self.peek() != "}":
            words.append(self.take())
        self.expect("}")
        return "".join(words)

    def scripts(self, base: str) -> str:
        sub = sup = None
        while self.peek() in ("_", "^"):
            if self.take() == "_":
                sub = self.argument()
            else:
                sup = self.argument()
        if sub is None and sup is None:
            return base
        limits = any(f"<mo>{op}</mo>" == base for op in _LIMITS)  # Σ takes its limits under and over
        tag = _SCRIPT_TAGS[(limits, sub is not None, sup is not None)]
        return f"<{tag}>{base}{sub or ''}{sup or ''}</{tag}>"

    def atom(self) -> str:
        token = self.take()
        if token == "{":
            body = self.row(("}",))
            self.expect("}")
            return f"<mrow>{body}</mrow>"
        if token.startswith("\\"):
            return self.command(token[1:])
        if token[0].isdigit():
            return f"<mn>{token}</mn>"
        if token.isalpha():
            return f"<mi>{escape(token)}</mi>"
        if token == "-":
            return "<mo>\u2212</mo>"
        if token in "()[]":
            return f'<mo stretchy="false">{token}</mo>'
        return f"<mo>{escape(token)}</mo>"

    def command(self, name: str) -> str:
        if name in _SPACES:
            return ""
        if name == "frac":
            return f"<mfrac>{self.argument()}{self.argument()}</mfrac>"
        if name == "left":
            opening = self.take()
            body = self.row(("\\right",))
            self.expect("\\right")
            closing = self.take()
            fence = "".join(f"<mo>{escape(d)}</mo>" for d in (opening,) if d != ".")
            end = "".join(f"<mo>{escape(d)}</mo>" for d in (closing,) if d != ".")
            return f"<mrow>{fence}{body}{end}</mrow>"
        if name in ("operatorname", "mathrm"):
            return f"<mi>{escape(self.text_argument())}</mi>"
        if name == "mathbf":
            return f'<mi mathvariant="bold">{escape(self.text_argument())}</mi>'
        if name == "top":
            return '<mi mathvariant="normal">\u22a4</mi>'
        if name in _GREEK:
            return f"<mi>{_GREEK[name]}</mi>"
        if name in _OPERATORS:
            return f"<mo>{_OPERATORS[name]}</mo>"
        raise LatexSyntaxError(f"the LaTeX command \\{name} is not supported here")


def latex_to_mathml(latex: str) -> str:
    """The content of a ``<math>`` element for ``latex`` (the subset described above)."""
    parser = _Parser(latex)
    body = parser.row()
    return body.encode("ascii", "xmlcharrefreplace").decode()
