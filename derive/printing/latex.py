r"""LaTeX in the reader's vocabulary: ``s_j - y_j``, ``\sigma(z)``, ``\partial L / \partial z_j``.

A :class:`~sympy.printing.latex.LatexPrinter` with one ``_print_<Class>`` method
per node this project adds, and a term order that puts positive terms first
(``s_j - y_j``, not ``- y_j + s_j``).
"""

from __future__ import annotations

from sympy import Add, Derivative, Expr, IndexedBase, Mul, Sum
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.latex import greek_letters_set as greek_letters

from ..engine.derivation import Named
from ..engine.functions import shown_vector
from .declared import declared_latex

__all__ = ["LatexPrinter", "latex"]


class DeriveLatexPrinter(LatexPrinter):
    """LaTeX for derivations."""

    def __init__(self, settings: dict | None = None):
        super().__init__({"order": "none", **(settings or {})})

    # the named functions
    def _vector_component(self, expr: Expr, name: str) -> str:
        r"""``s_i`` for the softmax of the logits, ``\operatorname{softmax}(z/T)_i`` of an expression."""
        index = self._print(expr.index)
        if isinstance(expr.vector, IndexedBase):
            return f"s_{{{index}}}"
        return rf"\operatorname{{{name}}}\left({self._print(shown_vector(expr.vector))}\right)_{{{index}}}"

    def _print_Softmax(self, expr: Expr, exp: str | None = None) -> str:
        head = self._vector_component(expr, "softmax")
        if exp is None:
            return head
        named = isinstance(expr.vector, IndexedBase)
        return f"{head}^{{{exp}}}" if named else rf"\left({head}\right)^{{{exp}}}"

    def _print_LogSoftmax(self, expr: Expr, exp: str | None = None) -> str:
        head = rf"\log {self._vector_component(expr, 'softmax')}"
        return head if exp is None else rf"\left({head}\right)^{{{exp}}}"

    def _print_LogSumExp(self, expr: Expr, exp: str | None = None) -> str:
        head = rf"\operatorname{{LSE}}\left({self._print(shown_vector(expr.vector))}\right)"
        return head if exp is None else f"{head}^{{{exp}}}"

    def _print_Sigmoid(self, expr: Expr, exp: str | None = None) -> str:
        head = r"\sigma" if exp is None else rf"\sigma^{{{exp}}}"
        return rf"{head}\left({self._print(expr.args[0])}\right)"

    def _print_Softplus(self, expr: Expr, exp: str | None = None) -> str:
        head = r"\operatorname{softplus}" if exp is None else rf"\operatorname{{softplus}}^{{{exp}}}"
        return rf"{head}\left({self._print(expr.args[0])}\right)"

    def _print_Function(self, expr: Expr, exp: str | None = None) -> str:
        if expr.func.__name__ == "KL":  # KL(p‖q)
            args = r" \,\|\, ".join(self._print(a) for a in expr.args)
            return rf"\operatorname{{KL}}\left({args}\right)"
        name = expr.func.__name__
        if isinstance(expr, AppliedUndef) and len(name) > 1:  # expm1, logaddexp: one upright name
            head = rf"\operatorname{{{name}}}" if exp is None else rf"\operatorname{{{name}}}^{{{exp}}}"
            return rf"{head}\left({', '.join(self._print(a) for a in expr.args)}\right)"
        return super()._print_Function(expr, exp)

    def _print_Symbol(self, expr: Expr, style: str = "plain") -> str:
        # a name of several letters (CE, cos) is upright, not a product of italic letters
        name = expr.name
        if name.isalpha() and len(name) > 1 and name.isascii() and name not in _GREEK_NAMES:
            return rf"\mathrm{{{name}}}"
        return super()._print_Symbol(expr, style)

    def _print_Declared(self, expr: Expr, style: str = "plain") -> str:
        return declared_latex(expr.name)

    def _print_Named(self, expr: Named, exp: str | None = None) -> str:
        label = self._print(expr.label)
        return label if exp is None else f"{label}^{{{exp}}}"

    def _print_Indexed(self, expr: Expr) -> str:
        indices = "".join(self._print(i) for i in expr.indices)
        return f"{self._print(expr.base.label)}_{{{indices}}}"

    def _print_KroneckerDelta(self, expr: Expr, exp: str | None = None) -> str:
        indices = "".join(self._print(i) for i in expr.args)
        return rf"\delta_{{{indices}}}" if exp is None else rf"\delta_{{{indices}}}^{{{exp}}}"

    def _print_Derivative(self, expr: Derivative) -> str:
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        order = len(variables)
        top = r"\partial" if order == 1 else rf"\partial^{{{order}}}"
        powers = [("" if count == 1 else f"^{{{count}}}") for _, count in _runs(variables)]
        bottom = " ".join(rf"\partial {self._print(v)}{power}"
                          for (v, _), power in zip(_runs(variables), powers, strict=True))
        inner = expr.expr
        while isinstance(inner, Derivative):
            inner = inner.expr
        return rf"\frac{{{top} {self._print(inner)}}}{{{bottom}}}"

    def _print_Mul(self, expr: Mul) -> str:
        return super()._print_Mul(reader_order(expr))

    def _print_Add(self, expr: Add, order: str | None = None) -> str:
        terms = list(Add.make_args(expr))
        terms.sort(key=lambda term: term.could_extract_minus_sign())
        return super()._print_Add(Add(*terms, evaluate=False), order="none")


_GREEK_NAMES = frozenset(greek_letters) | {"varepsilon", "vartheta", "varphi", "varrho", "varsigma", "varpi",
                                            "varkappa", *(g.capitalize() for g in greek_letters)}


def _runs(variables: list[Expr]) -> list[tuple[Expr, int]]:
    """Consecutive equal variables counted: ``[z, z, w]`` → ``[(z, 2), (w, 1)]`` (∂z² ∂w)."""
    runs: list[tuple[Expr, int]] = []
    for v in variables:
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1] + 1)
        else:
            runs.append((v, 1))
    return runs


def reader_order(expr: Mul) -> Mul:
    """Numbers first, then single symbols, then powers and brackets, sums last: ``s_i (δ_ij − s_j)``,
    ``(y_j − s_j) Σ_k z_k`` (a sum in front would seem to run over what follows it)."""

    def rank(factor: Expr) -> int:
        if factor.is_Number:
            return 0
        if isinstance(factor, Sum):
            return 3
        if factor.is_Add or (factor.is_Pow and factor.base.is_Add):
            return 2
        return 1

    return Mul(*sorted(Mul.make_args(expr), key=rank), evaluate=False)


def latex(expr: Expr) -> str:
    """LaTeX for ``expr`` in the reader's vocabulary."""
    return DeriveLatexPrinter().doprint(expr)
