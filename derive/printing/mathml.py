r"""Presentation MathML in the reader's vocabulary, for the offline HTML documents.

A :class:`~sympy.printing.mathml.MathMLPresentationPrinter` with one
``_print_<Class>`` method per node this project adds, mirroring
:mod:`derive.printing.latex`: ``s_j − y_j``, ``σ(z)``, ``∂L/∂z_j`` as a fraction,
``δ_ij``, positive terms first.  The output is MathML Core (no ``mfenced``, no
entities outside HTML's), so browsers render it without JavaScript.
"""

from __future__ import annotations

from typing import ClassVar
from xml.dom.minidom import Element

from sympy import Add, Derivative, Expr, IndexedBase, Mul, true
from sympy.core.function import AppliedUndef
from sympy.printing.mathml import MathMLPresentationPrinter

from ..engine.derivation import Named
from ..engine.functions import shown_vector
from .declared import declared_text
from .latex import _runs, reader_order

__all__ = ["mathml"]

MINUS = "\u2212"
_GREEK_NAMES = {"varepsilon": "\u03b5", "sigma": "\u03c3"}


class DeriveMathMLPrinter(MathMLPresentationPrinter):
    """MathML for derivations; ``piecewise_words`` are the words before a condition and for the
    last case (``("if", "otherwise")``), so a document can print them in its language."""

    _default_settings: ClassVar[dict] = {**MathMLPresentationPrinter._default_settings,
                                         "piecewise_words": ("if", "otherwise")}

    def __init__(self, settings: dict | None = None):
        super().__init__({"order": "old", **(settings or {})})

    def doprint(self, expr: Expr) -> str:
        node = self._print(expr)
        _flat_brackets(node)
        _space_before_functions(node)
        return node.toxml().encode("ascii", "xmlcharrefreplace").decode()

    # small builders
    def _element(self, tag: str, *children: Element | str) -> Element:
        node = self.dom.createElement(tag)
        for child in children:
            node.appendChild(self.dom.createTextNode(child) if isinstance(child, str) else child)
        return node

    def _identifier(self, name: str, upright: bool = False) -> Element:
        node = self._element("mi", name)
        if upright and len(name) == 1:
            node.setAttribute("mathvariant", "normal")
        return node

    def _subscript(self, base: Element, indices: tuple[Expr, ...]) -> Element:
        if len(indices) == 1:
            return self._element("msub", base, self._print(indices[0]))
        return self._element("msub", base, self._element("mrow", *[self._print(i) for i in indices]))

    def _applied(self, head: Element, *args: Expr) -> Element:
        return self._element("mrow", head, self._paren_comma_separated(*args))

    # the named functions
    def _print_Softmax(self, expr: Expr) -> Element:
        if isinstance(expr.vector, IndexedBase):
            return self._subscript(self._identifier("s"), (expr.index,))
        return self._subscript(self._applied(self._identifier("softmax"), shown_vector(expr.vector)),
                               (expr.index,))

    def _print_LogSoftmax(self, expr: Expr) -> Element:
        return self._element("mrow", self._identifier("log"), self._element("mo", "\u2061"),
                             self._print_Softmax(expr))

    def _print_LogSumExp(self, expr: Expr) -> Element:
        return self._applied(self._identifier("LSE"), shown_vector(expr.vector))

    def _print_Sigmoid(self, expr: Expr) -> Element:
        return self._applied(self._identifier("\u03c3"), expr.args[0])

    def _print_Softplus(self, expr: Expr) -> Element:
        return self._applied(self._identifier("softplus"), expr.args[0])

    def _print_Named(self, expr: Named) -> Element:
        return self._print(expr.label)

    def _print_UnevaluatedExpr(self, expr: Expr) -> Element:
        return self._print(expr.args[0])  # factors kept apart for the reader (a lemma's step)

    def _print_Indexed(self, expr: Expr) -> Element:
        return self._subscript(self._print(expr.base.label), expr.indices)

    def _print_IndexedBase(self, expr: Expr) -> Element:
        return self._print(expr.label)

    def _print_KroneckerDelta(self, expr: Expr) -> Element:
        return self._subscript(self._identifier("\u03b4"), expr.args)

    def _print_Symbol(self, sym: Expr, style: str = "plain") -> Element:
        if sym.name in _GREEK_NAMES:
            return self._identifier(_GREEK_NAMES[sym.name])
        return super()._print_Symbol(sym, style)

    def _print_Declared(self, sym: Expr, style: str = "plain") -> Element:
        return self._identifier(declared_text(sym.name))

    def _print_Exp1(self, expr: Expr) -> Element:
        return self._identifier("e")

    def _print_exp(self, expr: Expr) -> Element:
        return self._element("msup", self._identifier("e"), self._print(expr.args[0]))

    def _print_Function(self, expr: Expr) -> Element:
        if expr.func.__name__ == "KL":
            return self._divergence(expr)
        if isinstance(expr, AppliedUndef):  # H(p, q): the name as written
            return self._applied(self._identifier(expr.func.__name__, upright=True), *expr.args)
        return super()._print_Function(expr)

    def _print_Derivative(self, expr: Derivative) -> Element:
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        inner = expr.expr
        while isinstance(inner, Derivative):
            inner = inner.expr
        top = self._element("mo", "\u2202")
        if len(variables) > 1:
            top = self._element("msup", top, self._element("mn", str(len(variables))))
        bottom = self._element("mrow")
        for v, count in _runs(variables):
            bottom.appendChild(self._element("mo", "\u2202"))
            power = self._element("mn", str(count))
            bottom.appendChild(self._print(v) if count == 1 else self._element("msup", self._print(v), power))
        return self._element("mfrac", self._element("mrow", top, self._print(inner)), bottom)

    def _divergence(self, expr: Expr) -> Element:
        """KL(p‖q): the arguments of a divergence are separated by a double bar."""
        inside = self._element("mrow", self._l_paren())
        for number, arg in enumerate(expr.args):
            if number:
                inside.appendChild(self._element("mo", "\u2016"))
            inside.appendChild(self._print(arg))
        inside.appendChild(self._r_paren())
        return self._element("mrow", self._identifier("KL"), inside)

    def _print_Sum(self, expr: Expr) -> Element:
        (index, low, high), body = expr.limits[0], expr.function
        limits = self._element("mrow", self._print(index), self._element("mo", "="), self._print(low))
        row = self._element("mrow", self._element("munderover", self._element("mo", "\u2211"), limits,
                                                  self._print(high)))
        row.appendChild(self._paren(body) if body.is_Add else self._print(body))
        return row

    def _paren(self, expr: Expr) -> Element:
        return self._element("mrow", self._l_paren(), self._print(expr), self._r_paren())

    def _print_Piecewise(self, expr: Expr) -> Element:
        """Cases in a table, value then condition; when a value is long, each condition goes on its
        own line under its value, so that no condition sits off-screen to the right of a long value."""
        when, otherwise = self._settings["piecewise_words"]
        cases = []
        for value, condition in expr.args:
            if condition == true:
                case = self._element("mtext", otherwise)
            else:
                case = self._element("mrow", self._element("mtext", f"{when}\u00a0"), self._print(condition))
            cases.append((self._print(value), case))
        stacked = any(_size(value) > LONG_CASE for value, _ in cases)
        table = self._element("mtable")
        for value, case in cases:
            rows = ((value,), (case,)) if stacked else ((value, case),)
            for number, cells in enumerate(rows):
                row = self._element("mtr")
                for content in cells:
                    cell = self._element("mtd", content)
                    indent = "padding-left: 2em; " if stacked and number == 1 else ""
                    cell.setAttribute("style", f"text-align: left; {indent}padding-right: 1em")
                    row.appendChild(cell)
                table.appendChild(row)
        return self._element("mrow", self._element("mo", "{"), table)

    def _print_Subs(self, expr: Expr) -> Element:
        inner, variables, points = expr.args
        at = self._element("mrow")
        for number, (variable, point) in enumerate(zip(variables, points, strict=True)):
            if number:
                at.appendChild(self._comma())
            at.appendChild(self._print(variable))
            at.appendChild(self._element("mo", "="))
            at.appendChild(self._print(point))
        bar = self._element("mrow", self._print(inner), self._element("mo", "|"))
        return self._element("msub", bar, at)

    def _print_Relational(self, expr: Expr) -> Element:
        tag = self.mathml_tag(expr)
        operator = self._element("mo", {"<": "&lt;", ">": "&gt;"}.get(tag, tag))
        return self._element("mrow", self._print(expr.lhs), operator, self._print(expr.rhs))

    # term order and the minus sign
    def _print_Mul(self, expr: Mul) -> Element:
        return _minus(super()._print_Mul(reader_order(expr)))

    def _print_Add(self, expr: Add, order: str | None = None) -> Element:
        terms = sorted(Add.make_args(expr), key=lambda term: term.could_extract_minus_sign())
        return _minus(super()._print_Add(Add(*terms, evaluate=False), order="none"))


LONG_CASE = 24  # leaves (identifiers, numbers, operators) beyond which a case's value is long


def _size(node: Element) -> int:
    """The number of leaves (mi, mn, mo) of a MathML element."""
    return sum(len(node.getElementsByTagName(tag)) for tag in ("mi", "mn", "mo")) + (
        node.nodeName in ("mi", "mn", "mo"))


_TALL = frozenset({"mfrac", "munderover", "munder", "mover", "msqrt", "mroot", "mtable"})
_OPENING, _CLOSING = frozenset("(|"), frozenset(")|")


def _flat_brackets(node: Element) -> None:
    """Brackets around content of one line height do not stretch: a stretchy bracket gets the wide
    spacing of a large delimiter in browsers, ``log ( s )``, where ``log(s)`` is meant."""
    for row in node.getElementsByTagName("mrow") + ([node] if node.nodeName == "mrow" else []):
        children = [c for c in row.childNodes if c.nodeType == c.ELEMENT_NODE]
        if len(children) < 3 or not (_is_mo(children[0], _OPENING) and _is_mo(children[-1], _CLOSING)):
            continue
        if not any(child.getElementsByTagName(tag) or child.nodeName == tag
                   for child in children[1:-1] for tag in _TALL):
            for bracket in (children[0], children[-1]):
                bracket.setAttribute("stretchy", "false")


def _function_name(node: Element) -> bool:
    """True for a named function applied to its argument (``log(s)``, ``logaddexp(0, x)``)."""
    while node.nodeName == "mrow" and node.firstChild is not None:
        node = node.firstChild
    return node.nodeName == "mi" and node.firstChild is not None and len(node.firstChild.data) > 1


def _space_before_functions(node: Element) -> None:
    """An invisible product before a named function becomes a thin space: ``y log(s)``, not
    ``ylog(s)`` (browsers give invisible times no width)."""
    for times in [mo for mo in node.getElementsByTagName("mo") if mo.firstChild is not None
                  and mo.firstChild.data in ("\u2062", "&InvisibleTimes;")]:
        following = times.nextSibling
        if following is not None and _function_name(following):
            space = times.ownerDocument.createElement("mspace")
            space.setAttribute("width", "0.1667em")
            times.parentNode.replaceChild(space, times)


def _is_mo(node: Element, texts: frozenset[str]) -> bool:
    return node.nodeName == "mo" and node.firstChild is not None and node.firstChild.data in texts


def _minus(node: Element) -> Element:
    """Replace the ASCII hyphen SymPy writes for subtraction with the minus sign U+2212."""
    for child in node.childNodes:
        if child.nodeName == "mo" and child.firstChild is not None and child.firstChild.data == "-":
            child.firstChild.data = MINUS
    return node


def mathml(expr: Expr, piecewise_words: tuple[str, str] = ("if", "otherwise")) -> str:
    """Presentation MathML for ``expr`` (the content of a ``<math>`` element)."""
    # numeric references only: the output is valid in HTML and in XML alike
    printer = DeriveMathMLPrinter({"piecewise_words": piecewise_words})
    xml = printer.doprint(expr).replace("&InvisibleTimes;", "&#8290;")
    # every minus is the minus sign U+2212, also in negative numbers (<mn>-1</mn>)
    return xml.replace("<mo>-</mo>", "<mo>&#8722;</mo>").replace("<mn>-", "<mo>&#8722;</mo><mn>")
