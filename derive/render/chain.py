r"""A chain of relations ``A = B ≤ C = 0``, one per line: LaTeX ``aligned``, an MathML ``mtable``.

Used where a page derives an identity in a few lines (Gibbs' inequality, the
decomposition of cross-entropy, the log-sum-exp route to :math:`s - y`): each
line starts with its relation, so a long derivation never runs off the page.
"""

from __future__ import annotations

from sympy import Expr

from .mathprint import ENGLISH, Words, document_latex, document_mathml

__all__ = ["Chain"]

_MATHML_RELATIONS = {"=": "=", r"\le": "&#8804;", r"\ge": "&#8805;"}


class Chain:
    """``first`` followed by ``(relation, expr)`` lines; relations are ``=``, ``\\le`` or ``\\ge``."""

    def __init__(self, first: Expr, steps: list[tuple[str, Expr]], words: Words = ENGLISH):
        self.first, self.steps, self.words = first, steps, words

    @property
    def latex(self) -> str:
        rows = [f"{document_latex(self.first, self.words)} &{relation} {document_latex(expr, self.words)}"
                if number == 0 else f"&{relation} {document_latex(expr, self.words)}"
                for number, (relation, expr) in enumerate(self.steps)]
        return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"

    @property
    def mathml(self) -> str:
        rows = []
        for number, (relation, expr) in enumerate(self.steps):
            left = document_mathml(self.first, self.words) if number == 0 else ""
            right = f"<mo>{_MATHML_RELATIONS[relation]}</mo>{document_mathml(expr, self.words)}"
            rows.append(f'<mtr><mtd style="text-align: right">{left}</mtd>'
                        f'<mtd style="text-align: left"><mrow>{right}</mrow></mtd></mtr>')
        return f"<mtable>{''.join(rows)}</mtable>"
