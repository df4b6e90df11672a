"""Formulas for documents: LaTeX and MathML with the words of a piecewise function in the document's
language ("if … otherwise" / "若 … 其他情况")."""

from __future__ import annotations

from typing import ClassVar

from sympy import Expr, Mul, Sum, true

from ..printing.latex import DeriveLatexPrinter
from ..printing.mathml import mathml

__all__ = ["Words", "document_latex", "document_mathml", "minus_out_of_sums"]

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


def _negated(body: Expr) -> Expr | None:
    """``body`` without its leading minus sign, the other factors left as written (an unevaluated
    product keeps the step it shows: −(y_i/s_i)·s_i(δ_ij − s_j) does not cancel s_i); None when
    there is no minus to take out."""
    if body.is_Mul:
        factors = list(body.args)
        for number, factor in enumerate(factors):
            if not factor.is_Add and factor.could_extract_minus_sign():  # −y_i/s_i, not (q/p − 1)
                factors[number] = -factor
                kept = [f for f in factors if f != 1]
                return Mul(*kept, evaluate=False) if len(kept) > 1 else kept[0]
        return None
    if body.is_Add:  # only when every term is negative: Σ (a − b) stays as it is
        return -body if all(term.could_extract_minus_sign() for term in body.args) else None
    return -body if body.could_extract_minus_sign() else None


def minus_out_of_sums(expr: Expr) -> Expr:
    """A sum of negative terms written as a person writes it: ``−Σ_i y_i δ_ij``, not ``Σ_i −y_i δ_ij``
    (and ``a − Σ …``, not ``a + Σ −…``)."""
    def pull(e: Sum) -> Expr:
        positive = _negated(e.function)
        return e if positive is None else Mul(-1, Sum(positive, *e.limits), evaluate=False)

    return expr.replace(lambda e: isinstance(e, Sum) and _negated(e.function) is not None, pull)


def document_latex(expr: Expr, words: Words = ENGLISH) -> str:
    return DocumentLatexPrinter({"piecewise_words": words}).doprint(minus_out_of_sums(expr))


def document_mathml(expr: Expr, words: Words = ENGLISH) -> str:
    return mathml(minus_out_of_sums(expr), words)
