"""Formulas for documents: LaTeX and MathML with the words of a piecewise function in the document's
language ("if … otherwise" / "若 … 其他情况")."""

from __future__ import annotations

from typing import ClassVar

from sympy import Expr, true

from ..printing.latex import DeriveLatexPrinter
from ..printing.mathml import mathml

__all__ = ["Words", "document_latex", "document_mathml"]

Words = tuple[str, str]  # before a condition, for the last case
ENGLISH: Words = ("if", "otherwise")


class DocumentLatexPrinter(DeriveLatexPrinter):
    """:class:`DeriveLatexPrinter` with cases in the document's language."""

    _default_settings: ClassVar[dict] = {**DeriveLatexPrinter._default_settings, "piecewise_words": ENGLISH}

    def _print_Piecewise(self, expr: Expr) -> str:
        when, otherwise = self._settings["piecewise_words"]
        rows = []
        for value, condition in expr.args:
            if condition == true:
                case = rf"\text{{{otherwise}}}"
            else:
                case = rf"\text{{{when}}}\ {self._print(condition)}"
            rows.append(f"{self._print(value)} & {case}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def document_latex(expr: Expr, words: Words = ENGLISH) -> str:
    return DocumentLatexPrinter({"piecewise_words": words}).doprint(expr)


def document_mathml(expr: Expr, words: Words = ENGLISH) -> str:
    return mathml(expr, words)
