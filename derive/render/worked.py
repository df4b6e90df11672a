"""The worked example and the runnable check of a document, as finished objects for the templates.

The numbers come from :mod:`.example` (the derivation evaluated when the
document is built), the code from :mod:`.snippet`; here they are formatted
(LaTeX, MathML, text with the minus sign U+2212) and put into the sentences
of the document's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sympy import Expr

from ..engine.derivation import Derivation
from .example import BATCH, CLASS, Quantity, Row, WorkedExample, worked_example
from .mathprint import document_latex, document_mathml
from .phrases import Phrases
from .snippet import SnippetError, runnable_check
from .views import Math

__all__ = ["CheckView", "ExampleView", "Formula", "example_view", "number"]

MINUS = "\u2212"


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
TIMES_TEN = " × 10"


def number(value: float, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits, no trailing zeros, the minus sign U+2212 and a
    power of ten as people write it (``9.9 × 10⁻¹¹``)."""
    if float(value) == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}{TIMES_TEN}{str(int(exponent)).translate(_SUPERSCRIPTS)}"
    return text.replace("-", MINUS)


def _split(text: str) -> tuple[str, str, str | None]:
    """The sign, the mantissa and the exponent (None without a power of ten) of a formatted number."""
    sign, body = ("-", text[1:]) if text.startswith(MINUS) else ("", text)
    if TIMES_TEN not in body:
        return sign, body, None
    mantissa, exponent = body.split(TIMES_TEN)
    return sign, mantissa, exponent.translate(_PLAIN)


def _latex_number(text: str) -> str:
    sign, mantissa, exponent = _split(text)
    return f"{sign}{mantissa}" if exponent is None else rf"{sign}{mantissa} \times 10^{{{exponent}}}"


def _mathml_number(text: str) -> str:
    sign, mantissa, exponent = _split(text)
    minus = "<mo>&#8722;</mo>" if sign else ""
    if exponent is None:
        return f"{minus}<mn>{mantissa}</mn>"
    power = exponent.replace("-", "&#8722;")
    return f"{minus}<mn>{mantissa}</mn><mo>&#215;</mo><msup><mn>10</mn><mn>{power}</mn></msup>"


class Formula:
    """``label = values`` with the values as numbers: a number, a vector ``(a, b, c)`` or a matrix."""

    def __init__(self, label: Expr, values: np.ndarray, digits: int = 4):
        self.label, self.values, self.digits = label, np.asarray(values), digits

    def _texts(self, values: np.ndarray) -> list:
        if values.ndim == 0:
            return number(float(values), self.digits)
        return [self._texts(v) for v in values]

    @property
    def latex(self) -> str:
        texts = self._texts(self.values)
        if self.values.ndim == 0:
            body = _latex_number(texts)
        elif self.values.ndim == 1:
            body = r"\left(" + ", ".join(map(_latex_number, texts)) + r"\right)"
        else:
            rows = r" \\ ".join(" & ".join(map(_latex_number, row)) for row in texts)
            body = r"\begin{pmatrix} " + rows + r" \end{pmatrix}"
        return f"{document_latex(self.label)} = {body}"

    @property
    def mathml(self) -> str:
        texts = self._texts(self.values)
        if self.values.ndim == 0:
            body = _mathml_number(texts)
        elif self.values.ndim == 1:
            items = "<mo>,</mo>".join(_mathml_number(text) for text in texts)
            body = f'<mo stretchy="false">(</mo>{items}<mo stretchy="false">)</mo>'
        else:
            rows = "".join("<mtr>" + "".join(f"<mtd>{_mathml_number(x)}</mtd>" for x in row) + "</mtr>"
                           for row in texts)
            body = f"<mrow><mo>(</mo><mtable>{rows}</mtable><mo>)</mo></mrow>"
        return f"<mrow>{document_mathml(self.label)}<mo>=</mo>{body}</mrow>"


@dataclass(frozen=True)
class RowView:
    label: Math
    closed: str
    numeric: str


@dataclass(frozen=True)
class ExampleView:
    inputs: tuple[Formula, ...]
    intermediates: tuple[Formula, ...]
    value: Formula
    rows: tuple[RowView, ...]
    error: str                 # the largest difference, a sentence
    one_hot: str | None        # s_t − 1 for the true class, s_j for the others
    batch: str | None          # reduction='mean': the sentence before the batch rows
    batch_inputs: tuple[Formula, ...]
    batch_rows: tuple[RowView, ...]


@dataclass(frozen=True)
class CheckView:
    numpy: str
    torch: str


def _rows(rows: tuple[Row, ...], t: Phrases) -> tuple[RowView, ...]:
    return tuple(RowView(Math(r.label, t.words), number(r.closed, 10), number(r.numeric, 10)) for r in rows)


def _formulas(quantities: tuple[Quantity, ...]) -> tuple[Formula, ...]:
    return tuple(Formula(q.label, q.values) for q in quantities)


def _one_hot(example: WorkedExample, t: Phrases) -> str | None:
    if not example.one_hot:
        return None
    closed = [r.closed for r in example.rows]
    true = closed[CLASS - 1]
    others = ", ".join(number(c) for m, c in enumerate(closed, 1) if m != CLASS)
    return t.example["one_hot"].format(t=CLASS, true=number(true), s_t=number(true + 1), others=others)


def _batch(example: WorkedExample, t: Phrases) -> str | None:
    batch = example.batch
    if batch is None:
        return None
    key = "batch_shared" if batch.shared else "batch_divided"
    losses = " + ".join(number(value) for value in batch.losses)
    return t.example[key].format(N=BATCH, losses=losses, mean=number(batch.mean))


def example_view(d: Derivation, t: Phrases) -> tuple[ExampleView | None, CheckView | None]:
    """The worked example and the runnable check of ``d``; None for what cannot be computed (a
    user's loss with symbols the example has no value for)."""
    example = worked_example(d)
    if example is None:
        return None, None
    view = ExampleView(
        _formulas(example.inputs), _formulas(example.intermediates), Formula(example.value.label,
                                                                             example.value.values),
        _rows(example.rows, t), t.example["error"].format(error=number(example.error, 2)),
        _one_hot(example, t), _batch(example, t),
        _formulas(example.batch.inputs) if example.batch else (),
        _rows(example.batch.rows, t) if example.batch else ())
    try:
        numpy, torch = runnable_check(d, example)
    except SnippetError:
        return view, None
    return view, CheckView(numpy, torch)
