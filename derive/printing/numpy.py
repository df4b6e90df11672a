r"""NumPy code for closed forms, in SymPy's ``_print_<Class>`` style.

The printer works inside a :class:`Scope`: the names of the arrays a kernel
receives (``z → input``, ``y → target``) and the intermediate variables the
printed expressions need.  Printing a softmax does not write exponentials: it
asks the scope for ``s`` (bound once to ``np.exp(log_s)``, which needs
``log_s = input - lse``, which needs the max-shifted ``lse``), so a kernel
computes each of them once and its value-only path computes only what the value
needs.  Vectors are arrays whose class axis is ``axis``; a component with a free
or summed index is the whole array (sums keep the axis), a component at the
class-index target ``t`` is gathered with ``np.take_along_axis``.

The printer is strict: a node it does not know raises :class:`PrintingError`
instead of printing broken code (SymPy's ``strict`` setting).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sympy import (
    Add,
    And,
    Expr,
    GreaterThan,
    IndexedBase,
    LessThan,
    Not,
    Piecewise,
    S,
    StrictGreaterThan,
    StrictLessThan,
    Symbol,
    sqrt,
)
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..engine.functions import LogSoftmax, shown_vector
from ..engine.symbols import i, j, k, n
from .forms import naive
from .text import text

__all__ = ["Binding", "NumPyPrinter", "PrintingError", "Scope", "numpy_code"]

_ORDERED = (GreaterThan, LessThan, StrictGreaterThan, StrictLessThan)
_INDICES = (i, j, k)


class PrintingError(ValueError):
    """An expression the NumPy printer cannot print faithfully."""


@dataclass(frozen=True)
class Binding:
    """One intermediate line ``name = code  # comment``."""

    name: str
    code: str
    comment: str


class Scope:
    """The arrays a kernel sees and the intermediate variables its expressions need.

    ``names`` maps symbols and vectors to the code that denotes them (``z → "input"``,
    ``n → "input.shape[1]"``); ``target`` is the class-index symbol (``t``), whose
    components are gathered along ``axis``.  Bindings are kept in the order they were
    first needed, which is an order in which they can be computed.
    """

    def __init__(self, names: Mapping[Expr, str], target: Symbol | None = None, axis: int = 1):
        self.names, self.target, self.axis = dict(names), target, axis
        self.bindings: dict[str, Binding] = {}
        self._by_code: dict[str, str] = {}

    def bind(self, prefix: str, code: str, comment: str) -> str:
        """The variable holding ``code``; bound under a fresh name the first time it is needed."""
        if code in self._by_code:
            return self._by_code[code]
        name, number = prefix, 1
        while name in self.bindings or name in self.names.values():
            number += 1
            name = f"{prefix}_{number}"
        self.bindings[name] = Binding(name, code, comment)
        self._by_code[code] = name
        return name

    def name(self, expr: Expr) -> str:
        try:
            return self.names[expr]
        except KeyError:
            raise PrintingError(f"no array is bound to {expr}") from None


class NumPyPrinter(StrPrinter):
    """Prints closed forms as NumPy expressions over the arrays of a :class:`Scope`."""

    printmethod = "_numpycode"

    _FUNCTIONS: Mapping[str, tuple[str, str]] = {  # SymPy name: (NumPy function, variable prefix)
        "exp": ("np.exp", "exp"), "log": ("np.log", "log"), "log1p": ("np.log1p", "log1p"),
        "expm1": ("np.expm1", "expm1"), "sign": ("np.sign", "sign"), "Abs": ("np.abs", "absolute"),
        "tanh": ("np.tanh", "tanh"), "cosh": ("np.cosh", "cosh"), "sinh": ("np.sinh", "sinh"),
        "cos": ("np.cos", "cos"), "sin": ("np.sin", "sin"), "acos": ("np.arccos", "acos"),
    }

    def __init__(self, scope: Scope):
        super().__init__({"order": "none"})
        self.scope = scope

    def _print(self, expr: Expr, **kwargs: object) -> str:
        if isinstance(expr, Expr) and expr.is_number and not expr.is_Atom and expr.is_real:
            value = float(expr.evalf(30))  # log(2·pi)/2: one Python float (float32 stays float32)
            if math.isfinite(value):
                return repr(value)
        return super()._print(expr, **kwargs)

    # --- atoms ------------------------------------------------------------------------------------
    def _print_Symbol(self, expr: Symbol) -> str:
        return self.scope.name(expr)

    def _print_Float(self, expr: Expr) -> str:
        return repr(float(expr))

    def _print_Pi(self, expr: Expr) -> str:
        return "np.pi"

    def _print_Exp1(self, expr: Expr) -> str:
        return "np.e"

    def _print_BooleanTrue(self, expr: Expr) -> str:
        return "True"

    def _print_Indexed(self, expr: Expr) -> str:
        base, (index,) = expr.base, expr.indices
        name = self.scope.name(base)
        if index != self.scope.target:
            return name
        return self._gathered(name, text(expr))

    def _gathered(self, name: str, label: str) -> str:
        target, axis = self.scope.name(self.scope.target), self.scope.axis
        return self.scope.bind(f"{name}_t", f"np.take_along_axis({name}, {target}, axis={axis})",
                               f"{label}: the component at the target class")

    # --- sums and the softmax family ----------------------------------------------------------------
    def _print_Sum(self, expr: Expr) -> str:
        code = f"np.sum({self._print(expr.function)}, axis={self.scope.axis}, keepdims=True)"
        return self.scope.bind("total", code, text(naive(expr)))

    def _print_LogSumExp(self, expr: Expr) -> str:
        return self._lse(expr.vector)

    def _vector(self, vector: Expr) -> str:
        """The array of a vector: a named one, or a vector expression (``z/T``) computed once."""
        if isinstance(vector, IndexedBase):
            return self.scope.name(vector)
        return self.scope.bind("u", self._print(vector.expr), f"u = {text(shown_vector(vector))}")

    def _shifted(self, vector: Expr) -> tuple[str, str, str]:
        """(m, z − m, log Σ_k exp(z_k − m)) for m = max_k z_k: the pieces of the log-sum-exp."""
        z, axis = self._vector(vector), self.scope.axis
        m = self.scope.bind("m", f"_row_max({z}, {axis})", "m = max_k z_k, the shift")
        shifted = self.scope.bind("shifted", f"{z} - {m}", "z − m ≤ 0: exact where z_k is near the max")
        log_total = self.scope.bind("log_total", f"_log_total({shifted}, {axis})",
                                    "log Σ_k exp(z_k − m) as log1p: exact where s ≈ 1, no exp overflows")
        return m, shifted, log_total

    def _lse(self, vector: Expr) -> str:
        m, _, log_total = self._shifted(vector)
        return self.scope.bind("lse", f"{m} + {log_total}", "LSE(z) = m + log Σ_k exp(z_k − m)")

    def _print_LogSoftmax(self, expr: Expr) -> str:
        _, shifted, log_total = self._shifted(expr.vector)
        if expr.index != self.scope.target:
            return self.scope.bind("log_s", f"{shifted} - {log_total}",
                                   "log s = (z − m) − log Σ_k exp(z_k − m): exact where s ≈ 1")
        shifted_t = self._gathered(shifted, f"{text(shown_vector(expr.vector))}_t − m")
        return self.scope.bind("log_s_t", f"{shifted_t} - {log_total}",
                               "log s_t = (z_t − m) − log Σ_k exp(z_k − m)")

    def _print_Softmax(self, expr: Expr) -> str:
        log_s = self._print(LogSoftmax(*expr.args))
        if expr.index != self.scope.target:
            return self.scope.bind("s", f"np.exp({log_s})", "s = exp(log s): the softmax, computed once")
        return self.scope.bind("s_t", f"np.exp({log_s})", "s_t = exp(log s_t)")

    # --- the sigmoid family -------------------------------------------------------------------------
    def _print_Sigmoid(self, expr: Expr) -> str:
        return self.scope.bind("sig", f"_sigmoid({self._print(expr.args[0])})",
                               f"{text(expr)}, without overflow for either sign")

    def _print_LogSigmoid(self, expr: Expr) -> str:
        arg = expr.args[0]
        return self.scope.bind("log_sig", f"-np.logaddexp(0, {self._print(-arg)})",
                               f"log σ({text(arg)}) = −logaddexp(0, {text(-arg)})")

    def _print_Softplus(self, expr: Expr) -> str:
        arg = text(expr.args[0])
        return self.scope.bind("softplus", f"np.logaddexp(0, {self._print(expr.args[0])})",
                               f"softplus({arg}) = log(1 + e^({arg})) = logaddexp(0, {arg})")

    # --- stable helpers (see derive.printing.stable) ------------------------------------------------
    def _print_XLogY(self, expr: Expr) -> str:
        return f"_xlogy({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_XMul(self, expr: Expr) -> str:
        return f"_xmul({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_LogFloor(self, expr: Expr) -> str:
        u, floor = expr.args
        if u.is_Add and S.One in u.args:  # log(1 + v) as log1p(v): exact for small v
            return f"_log1p_floor({self._print(u - 1)}, {self._print(floor)})"
        return f"_log_floor({self._print(u)}, {self._print(floor)})"

    def _print_LogCosh(self, expr: Expr) -> str:
        u, shown = self._print(expr.args[0]), text(expr.args[0])
        return self.scope.bind("log_cosh", f"np.logaddexp({u}, -({u})) - {math.log(2)!r}",
                               f"log cosh({shown}) = logaddexp({shown}, −({shown})) − log 2")

    def _print_logaddexp(self, expr: Expr) -> str:
        a, b = expr.args
        return self.scope.bind("logaddexp", f"np.logaddexp({self._print(a)}, {self._print(b)})",
                               f"{text(naive(expr))}, no exp overflows")

    def _print_LogPlusExp(self, expr: Expr) -> str:
        r, u = expr.args
        return self.scope.bind("log_sum", f"_log_plus_exp({self._print(r)}, {self._print(u)})",
                               f"{text(naive(expr))} from {text(u)}, without forming e^({text(u)})")

    def _print_XOverExpm1(self, expr: Expr) -> str:
        return f"_x_over_expm1({self._print(expr.args[0])})"

    def _print_SafeDivide(self, expr: Expr) -> str:
        return f"_div0({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    # --- operators and functions --------------------------------------------------------------------
    def _print_Pow(self, expr: Expr, rational: bool = False) -> str:
        if expr.exp in (S.Half, -S.Half):
            root = self.scope.bind("root", f"np.sqrt({self._print(expr.base)})", text(sqrt(expr.base)))
            return root if expr.exp == S.Half else f"1/{root}"
        if not expr.exp.is_Number:  # a power with a parameter exponent: computed once
            return self.scope.bind("power", super()._print_Pow(expr, rational), text(expr))
        return super()._print_Pow(expr, rational)

    def _print_Add(self, expr: Expr, order: str | None = None) -> str:
        # positive terms first: ``s - target``, not ``-target + s``
        terms = sorted(Add.make_args(expr), key=lambda term: term.could_extract_minus_sign())
        return super()._print_Add(Add(*terms, evaluate=False), order="none")

    def _print_Function(self, expr: Expr) -> str:
        name = type(expr).__name__
        if name not in self._FUNCTIONS:
            raise PrintingError(f"the NumPy printer does not know {name} (in {expr})")
        function, prefix = self._FUNCTIONS[name]
        code = f"{function}({', '.join(self._print(a) for a in expr.args)})"
        return self.scope.bind(prefix, code, text(expr))

    def _print_Abs(self, expr: Expr) -> str:
        return self._print_Function(expr)

    def _print_Max(self, expr: Expr) -> str:
        return self._fold("np.maximum", expr.args)

    def _print_Min(self, expr: Expr) -> str:
        return self._fold("np.minimum", expr.args)

    def _fold(self, function: str, args: tuple[Expr, ...]) -> str:
        code = self._print(args[-1])
        for arg in reversed(args[:-1]):
            code = f"{function}({self._print(arg)}, {code})"
        return code

    def _print_Piecewise(self, expr: Piecewise) -> str:
        """Nested ``np.where``.  A comparison with NaN is False, which would hand a NaN operand to
        the branch after it; where that branch does not carry every symbol of the condition (a
        constant, a label), the condition's negation selects it, and where neither holds the result
        is lhs − rhs of its comparisons, which is NaN there: NaN propagates, in the operands' dtype."""
        *pieces, (last, condition) = expr.args
        if condition != S.true:
            raise PrintingError(f"a Piecewise needs an 'otherwise' branch: {expr}")
        code, rest = self._print(last), last
        for value, cond in reversed(pieces):
            parts = cond.args if isinstance(cond, And) else (cond,)
            ordered = [c for c in parts if isinstance(c, _ORDERED)]
            if ordered and not cond.free_symbols <= rest.free_symbols:
                nan = self._print(Add(*(c.lhs - c.rhs for c in ordered)))
                code = f"np.where({self._print(Not(cond).simplify())}, {code}, {nan})"
            code = f"np.where({self._print(cond)}, {self._print(value)}, {code})"
            rest = Piecewise((value, cond), (rest, True))
        return code

    def _print_Equality(self, expr: Expr) -> str:
        """``k = t`` for a class index k and the target t: the target-class mask (a where, so
        that the target's own term is excluded exactly, not subtracted)."""
        target = self.scope.target
        if target is not None and target in expr.args and any(a in _INDICES for a in expr.args):
            z = self.scope.name(n).removesuffix(".shape[1]")
            return self.scope.bind("is_t", f"_is_target({z}, {self.scope.name(target)})",
                                   "k = t: the target class, as a mask")
        return self._print_Relational(expr)

    def _print_Relational(self, expr: Expr) -> str:
        ops = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        return f"({self._print(expr.lhs)} {ops[expr.rel_op]} {self._print(expr.rhs)})"

    def _print_And(self, expr: Expr) -> str:
        return self._join(" & ", expr.args, PRECEDENCE["BitwiseAnd"])

    def _print_Or(self, expr: Expr) -> str:
        return self._join(" | ", expr.args, PRECEDENCE["BitwiseOr"])

    def _join(self, operator: str, args: tuple[Expr, ...], level: int) -> str:
        """Conditions joined by a bitwise operator; a comparison prints its own parentheses."""
        return operator.join(self._print(a) if a.is_Relational else self.parenthesize(a, level) for a in args)

    def _print_KroneckerDelta(self, expr: Expr) -> str:
        raise PrintingError(f"a Kronecker delta must be split off before printing: {expr}")

    def _print_Derivative(self, expr: Expr) -> str:
        raise PrintingError(f"an unevaluated derivative cannot be printed: {expr}")


def numpy_code(expr: Expr, scope: Scope) -> str:
    """``expr`` as a NumPy expression in ``scope`` (bindings it needs are added to the scope)."""
    return NumPyPrinter(scope).doprint(expr)
