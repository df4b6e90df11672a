"""One-line Unicode math for the terminal: ``∂L/∂z_j = s_j − y_j``."""

from __future__ import annotations

from sympy import Add, Derivative, Expr, Function, IndexedBase, Mul, Pow, S, Sum
from sympy.printing.str import StrPrinter

from ..engine.derivation import Named
from ..engine.functions import shown_vector
from .declared import declared_text
from .latex import reader_order

__all__ = ["text"]

_GREEK = {"varepsilon": "ε", "gamma": "γ", "alpha": "α", "alpha_t": "α_t", "sigma": "σ", "beta": "β",
          "delta": "δ", "Delta": "Δ", "lambda": "λ"}


class _Bracketed(Function):
    """A sum printed in brackets, as a factor that other factors follow."""

    nargs = 1


def _over_a_sum(factor: Expr) -> bool:
    """A division by a sum of products, which must be bracketed (``x/(Σ_k y_k·s_k)``)."""
    return factor.is_Pow and factor.exp.is_negative and isinstance(factor.base, Sum) \
        and not factor.base.function.is_Atom and not factor.base.function.is_Indexed


class TextPrinter(StrPrinter):
    """Compact Unicode: Σ, δ, σ, ∂; subscripts as ``_j``."""

    printmethod = "_derive_text"  # not StrPrinter's, which Indexed overrides

    def _print_Symbol(self, expr: Expr) -> str:
        return _GREEK.get(expr.name, expr.name)

    def _print_Declared(self, expr: Expr) -> str:
        return declared_text(expr.name)

    def _print_Indexed(self, expr: Expr) -> str:
        label = self._print(expr.base.label)
        if "_" in label:  # a name with an underscore is one name: (x_j)_j
            label = f"({label})"
        return f"{label}_{''.join(self._print(i) for i in expr.indices)}"

    def _print_Softmax(self, expr: Expr) -> str:
        if isinstance(expr.vector, IndexedBase):
            return f"s_{self._print(expr.index)}"
        return f"softmax({self._print(shown_vector(expr.vector))})_{self._print(expr.index)}"

    def _print_LogSoftmax(self, expr: Expr) -> str:
        if isinstance(expr.vector, IndexedBase):
            return f"log s_{self._print(expr.index)}"
        return f"log_softmax({self._print(shown_vector(expr.vector))})_{self._print(expr.index)}"

    def _print_LogSumExp(self, expr: Expr) -> str:
        return f"LSE({self._print(shown_vector(expr.vector))})"

    def _print_Sigmoid(self, expr: Expr) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_Softplus(self, expr: Expr) -> str:
        return f"softplus({self._print(expr.args[0])})"

    def _print_IndexedBase(self, expr: Expr) -> str:
        return self._print(expr.label)

    def _print_Function(self, expr: Expr) -> str:
        if expr.func.__name__ == "KL":  # KL(p‖q)
            return f"KL({'‖'.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr)

    def _print_Named(self, expr: Named) -> str:
        return self._print(expr.label)

    def _print_KroneckerDelta(self, expr: Expr) -> str:
        return "δ_" + "".join(self._print(a) for a in expr.args)

    def _print_Sum(self, expr: Sum) -> str:
        index = expr.limits[0][0]
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = f"({body})"
        return f"Σ_{self._print(index)} {body}"

    def _print_Derivative(self, expr: Derivative) -> str:
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        inner = expr.expr
        while isinstance(inner, Derivative):
            inner = inner.expr
        order = "" if len(variables) == 1 else "²" if len(variables) == 2 else f"^{len(variables)}"
        if len(set(variables)) == 1 and len(variables) > 1:
            bottom = f"∂{self._print(variables[0])}{order}"
        else:
            bottom = "".join(f"∂{self._print(v)}" for v in variables)
        return f"∂{order}{self._print(inner)}/{bottom}"

    def _print_Mul(self, expr: Mul) -> str:
        factors = reader_order(expr).args
        shown = [_Bracketed(f) if isinstance(f, Sum) and f is not factors[-1]  # (Σ_k a_k)·Σ_k b_k
                 else Pow(_Bracketed(f.base), f.exp) if _over_a_sum(f)  # x/(Σ_k y_k·s_k)
                 else f for f in factors]
        return super()._print_Mul(Mul(*shown, evaluate=False)).replace("**", "^").replace("*", "·")

    def _print__Bracketed(self, expr: Expr) -> str:
        return f"({self._print(expr.args[0])})"

    def _print_Pow(self, expr: Expr, rational: bool = False) -> str:
        if isinstance(expr.base, Sum) and expr.exp != -1:  # (Σ_k e^{z_k})^2, not Σ_k e^{z_k}^2
            power = self.parenthesize(expr.exp, 1000) if not expr.exp.is_Integer else self._print(expr.exp)
            return f"({self._print(expr.base)})^{power}"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Add(self, expr: Add, order: str | None = None) -> str:
        terms = sorted(Add.make_args(expr), key=lambda term: term.could_extract_minus_sign())
        return super()._print_Add(Add(*terms, evaluate=False), order="none").replace(" - ", " − ")

    # piecewise losses (Huber, hinges): branches in words, |x|, ≥ and ≠
    def _print_Piecewise(self, expr: Expr) -> str:
        *branches, (last, condition) = expr.args
        parts = [f"{self._print(value)} if {self._print(cond)}" for value, cond in branches]
        tail = self._print(last)
        parts.append(tail if condition is S.true else f"{tail} if {self._print(condition)}")
        return f"({'; '.join(parts[:-1])}; else {parts[-1]})"

    def _print_Max(self, expr: Expr) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: Expr) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Heaviside(self, expr: Expr) -> str:
        return f"H({self._print(expr.args[0])})"  # the step function, H(0) = 1/2

    def _print_Abs(self, expr: Expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Relational(self, expr: Expr) -> str:
        op = {"==": "=", "!=": "≠", ">=": "≥", "<=": "≤"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"


def text(expr: Expr) -> str:
    """A one-line Unicode rendering of ``expr``."""
    return TextPrinter({"order": "none"}).doprint(expr)
