r"""``max(v)`` and ``min(v)`` of one vector: reductions over the classes, and their subgradient.

:math:`\max_k u_k` is written at general ``n`` as ``ClassMax(u_k, k, n)``; at a concrete size it is
SymPy's ``Max(u_1, …, u_n)``, so the verifier compares it with SymPy's own derivative.  Its
derivative is :math:`\partial \max_k u_k / \partial z_j = \sum_k \mathbb{1}[u_k = \max u]\,
\partial u_k / \partial z_j`: ``IsExtremum(u_k, k, m, n)`` is the indicator that component ``m``
is the maximum, at a concrete size exactly SymPy's ``Max.fdiff`` (``H(u_m − max_{k≠m} u_k)``).  At a
tie the generated code splits the gradient evenly among the tied components, as ``torch.amax``
does (one valid subgradient).
"""

from __future__ import annotations

from sympy import Dummy, Expr, Function, Heaviside, Integer, Max, Min, S, Sum, Symbol
from sympy.printing.printer import Printer

from ..engine.indices import IndexUse
from ..engine.symbols import m
from ..printing.text import text

__all__ = ["ClassMax", "ClassMin", "IsExtremum"]


class _Extremum(Function):
    """The largest (``ClassMax``) or smallest (``ClassMin``) component of the vector expression
    ``body`` written at the bound index ``index``, over ``1..upper``."""

    nargs = 3
    pairwise: type[Function] = Max

    @property
    def body(self) -> Expr:
        return self.args[0]

    @property
    def index(self) -> Expr:
        return self.args[1]

    @classmethod
    def eval(cls, body: Expr, index: Expr, upper: Expr) -> Expr | None:
        if upper.is_Integer:
            return cls.pairwise(*[body.xreplace({index: Integer(m)}) for m in range(1, int(upper) + 1)])
        return None

    def _eval_derivative(self, v: Expr) -> Expr:
        # ∂ max_k u_k / ∂v = Σ_m 1[u_m is the maximum] ∂u_m/∂v
        body, index, upper = self.args
        at = m
        bound = Dummy("k", integer=True)
        inner = body.xreplace({index: bound})
        return Sum(IsExtremum(inner, bound, at, upper, self.largest) * body.xreplace({index: at}).diff(v),
                   (at, 1, upper))

    @property
    def largest(self) -> Expr:
        return S.true if self.pairwise is Max else S.false

    def _index_use(self) -> IndexUse:
        """The bound index runs over the classes, like a sum's (:mod:`derive.engine.indices`)."""
        body, index, upper = self.args
        return IndexUse(index, upper, body)

    # printing: SymPy's printmethod hooks of the text, LaTeX, MathML and NumPy printers
    def _word(self) -> str:
        return "max" if self.largest else "min"

    def _derive_text(self, printer: Printer) -> str:
        body, index = _shown(self.body, self.index)
        return f"{self._word()}_{printer._print(index)}({printer._print(body)})"

    def _latex(self, printer: Printer) -> str:
        body, index = _shown(self.body, self.index)
        return rf"\{self._word()}_{{{printer._print(index)}}} \left({printer._print(body)}\right)"

    def _mathml_presentation(self, printer: Printer) -> object:
        body, index = _shown(self.body, self.index)
        head = printer._element("msub", printer._identifier(self._word()), printer._print(index))
        return printer._element("mrow", head, printer._element("mo", "("), printer._print(body),
                                printer._element("mo", ")"))

    def _numpycode(self, printer: Printer) -> str:
        word, axis = self._word(), printer.scope.axis
        return printer.scope.bind(f"{word}imum", f"np.{word}({printer._print(self.body)}, axis={axis}, "
                                  "keepdims=True)", f"{text(self)} over the classes")


class ClassMax(_Extremum):
    r""":math:`\max_k u_k`."""

    pairwise = Max


class ClassMin(_Extremum):
    r""":math:`\min_k u_k`."""

    pairwise = Min


class IsExtremum(Function):
    """1 where component ``at`` of ``body`` (written at ``index``, over ``1..upper``) is the maximum
    (``largest`` true) or the minimum; at a concrete size, SymPy's derivative of ``Max``/``Min``."""

    nargs = 5

    @classmethod
    def eval(cls, body: Expr, index: Expr, at: Expr, upper: Expr, largest: Expr) -> Expr | None:
        if not (upper.is_Integer and at.is_Integer):
            return None
        parts = [body.xreplace({index: Integer(m)}) for m in range(1, int(upper) + 1)]
        mine, others = parts[int(at) - 1], parts[:int(at) - 1] + parts[int(at):]
        if not others:
            return S.One
        pairwise = Max if largest else Min
        rest = others[0] if len(others) == 1 else pairwise(*others)
        return Heaviside(mine - rest) if largest else Heaviside(rest - mine)

    @property
    def component(self) -> Expr:
        """The component ``at`` of the body."""
        body, index, at = self.args[:3]
        return body.xreplace({index: at})

    def _index_use(self) -> IndexUse:
        """The bound index runs over the classes; ``at`` picks a component (:mod:`derive.engine.indices`)."""
        body, index, at, upper, _ = self.args
        return IndexUse(index, upper, body, (at,))

    @property
    def extremum(self) -> Expr:
        body, index, _, upper, largest = self.args
        return (ClassMax if largest else ClassMin)(body, index, upper)

    def _derive_text(self, printer: Printer) -> str:
        return f"𝟙[{printer._print(self.component)} = {printer._print(self.extremum)}]"

    def _latex(self, printer: Printer) -> str:
        return rf"\mathbb{{1}}\left[{printer._print(self.component)} = {printer._print(self.extremum)}\right]"

    def _mathml_presentation(self, printer: Printer) -> object:
        return printer._element("mrow", printer._identifier("𝟙"), printer._element("mo", "["),
                                printer._print(self.component), printer._element("mo", "="),
                                printer._print(self.extremum), printer._element("mo", "]"))

    def _numpycode(self, printer: Printer) -> str:
        # 1[u_j = max_k u_k] / #ties: at a tie the gradient is split evenly, as torch.amax does
        axis = printer.scope.axis
        hit = printer.scope.bind("at_extremum", f"{printer._print(self.component)} == "
                                 f"{printer._print(self.extremum)}", "the components at the extremum")
        return printer.scope.bind("tie_share", f"{hit} / np.sum({hit}, axis={axis}, keepdims=True)",
                                  f"{text(self)}, split evenly among ties (as torch.amax)")


def _shown(body: Expr, index: Expr) -> tuple[Expr, Symbol]:
    """The body with its bound index as a plain symbol, for display (``z_k``, not ``z__k``)."""
    name = Symbol(index.name, integer=True)
    return body.xreplace({index: name}), name

