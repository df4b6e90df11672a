r"""The runnable check of a document: a few lines of NumPy (and, optionally, PyTorch) that reproduce
the closed form numerically.

The loss and the closed-form gradient are printed from the derivation itself at general ``n``
(vectors are whole arrays; with two free indices the first runs down the rows, the second along
the columns), the inputs are those of the worked example (:mod:`.example`), and the check compares
the closed form with central differences :math:`(L(x + h e_m) - L(x - h e_m)) / 2h` of the loss.
The PyTorch part differentiates the same loss with autograd.  Class indices are 0-based in the
code (the documents count from 1).
"""

from __future__ import annotations

import re

from sympy import (
    Add,
    Derivative,
    Expr,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    Piecewise,
    Pow,
    S,
    Sum,
    Symbol,
)
from sympy.printing.str import StrPrinter

from ..engine.constraints import OneHot
from ..engine.derivation import Derivation
from ..engine.functions import LogSoftmax, Softmax
from ..engine.symbols import n, t
from .example import CLASS, SIZE, WorkedExample, free_indices, layer_of

__all__ = ["SnippetError", "runnable_check"]

_NAMES = {"varepsilon": "eps", "lambda": "rate", "Delta": "margin", "x_1": "x1", "x_2": "x2"}
_FUNCTIONS = {"exp": "exp", "log": "log", "log1p": "log1p", "expm1": "expm1", "sign": "sign", "Abs": "abs",
              "tanh": "tanh", "cosh": "cosh", "sinh": "sinh", "sqrt": "sqrt"}


class SnippetError(ValueError):
    """An expression the snippet printer cannot write as array code."""


class _ArrayPrinter(StrPrinter):
    """Array code over the module ``m`` (``np`` or ``torch``); ``axes`` are the free indices, each an
    axis of the result."""

    printmethod = "_snippet"  # not StrPrinter's, which Indexed overrides

    def __init__(self, module: str, axes: tuple[Symbol, ...]):
        super().__init__({"order": "none"})
        self.m, self.axes = module, axes
        self.summed: set[Symbol] = set()
        self.bindings: dict[str, str] = {}

    def _array(self, name: str, indices: tuple[Expr, ...]) -> str:
        if indices == (t,):
            return f"{name}[t]"
        if any(ix not in self.axes and ix not in self.summed for ix in indices):
            raise SnippetError(f"the snippet cannot index {name} by {indices}")
        if len(self.axes) < 2 or set(indices) <= self.summed or tuple(indices) == self.axes:
            return name
        if len(indices) == 1:
            return f"{name}[:, None]" if indices[0] == self.axes[0] else f"{name}[None, :]"
        return f"{name}.T"

    def _print_Symbol(self, expr: Symbol) -> str:
        if expr == n:
            return "n"
        if expr == t:
            return "t"
        return _NAMES.get(expr.name, expr.name)

    def _print_Indexed(self, expr: Indexed) -> str:
        return self._array(self._print(expr.base.label), expr.indices)

    def _print_IndexedBase(self, expr: Expr) -> str:
        return self._print(expr.label)  # a whole vector, e.g. the argument of logsumexp

    def _print_Sum(self, expr: Sum) -> str:
        index = expr.limits[0][0]
        self.summed.add(index)
        try:
            return f"{self.m}.sum({self._print(expr.function)})"
        finally:
            self.summed.discard(index)

    def _print_Softmax(self, expr: Expr) -> str:
        return self._array("s", (expr.index,))

    def _print_LogSoftmax(self, expr: Expr) -> str:
        return f"{self.m}.log({self._array('s', (expr.index,))})"

    def _print_LogSumExp(self, expr: Expr) -> str:
        return f"{self.m}.log({self.m}.sum({self.m}.exp({self._print(expr.vector)})))"

    def _print_Sigmoid(self, expr: Expr) -> str:
        return f"1 / (1 + {self.m}.exp({self._print(-expr.args[0])}))"

    def _print_Softplus(self, expr: Expr) -> str:
        return f"{self.m}.log1p({self.m}.exp({self._print(expr.args[0])}))"

    def _print_Named(self, expr: Expr) -> str:
        """A named sub-expression (cos, p_t) is computed once, on a line of its own."""
        name = self._print(expr.label)
        if name not in self.bindings:
            self.bindings[name] = self._print(expr.expr)
        return name

    def _print_KroneckerDelta(self, expr: KroneckerDelta) -> str:
        eye = f"{self.m}.eye(n, dtype={self.m}.float64)"
        a, b = expr.args
        if t in (a, b):
            other = b if a == t else a
            return self._array(f"{eye}[t]", (other,)).replace("[t][t]", "[t, t]")
        if len(self.axes) == 2 and {a, b} == set(self.axes):
            return eye
        raise SnippetError(f"the snippet cannot print {expr}")

    def _print_Function(self, expr: Expr) -> str:
        name = type(expr).__name__
        if name not in _FUNCTIONS:
            raise SnippetError(f"the snippet printer does not know {name}")
        return f"{self.m}.{_FUNCTIONS[name]}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Abs(self, expr: Expr) -> str:
        return self._print_Function(expr)

    def _print_Pow(self, expr: Pow, rational: bool = False) -> str:
        if expr.exp == S.Half:
            return f"{self.m}.sqrt({self._print(expr.base)})"
        if expr.exp == -S.Half:
            return f"1 / {self.m}.sqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)

    def _print_Add(self, expr: Add, order: str | None = None) -> str:
        terms = sorted(Add.make_args(expr), key=lambda term: term.could_extract_minus_sign())
        return super()._print_Add(Add(*terms, evaluate=False), order="none")

    def _print_Piecewise(self, expr: Piecewise) -> str:
        *pieces, (last, condition) = expr.args
        code = self._print(last) if condition == S.true else "float('nan')"
        for value, cond in reversed(pieces):
            test = self._print(cond) if self.m == "np" else f"torch.as_tensor{self._print(cond)}"
            code = f"{self.m}.where({test}, {self._print(value)}, {code})"
        return code

    def _print_Relational(self, expr: Expr) -> str:
        op = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[expr.rel_op]
        return f"({self._print(expr.lhs)} {op} {self._print(expr.rhs)})"

    def _print_And(self, expr: Expr) -> str:
        return " & ".join(self._print(a) for a in expr.args)

    def _print_Derivative(self, expr: Derivative) -> str:
        raise SnippetError("an unevaluated derivative cannot be printed")


def _code(expr: Expr, module: str, axes: tuple[Symbol, ...]) -> str:
    return _ArrayPrinter(module, axes).doprint(expr)


def _lines(expr: Expr, module: str, axes: tuple[Symbol, ...]) -> tuple[list[str], str]:
    """The lines binding the named sub-expressions of ``expr``, and ``expr`` itself as code."""
    printer = _ArrayPrinter(module, axes)
    code = printer.doprint(expr)
    return [f"{name} = {value}" for name, value in printer.bindings.items()], code


def _literal(values) -> str:
    """A Python literal for a number, a vector or a matrix."""
    if getattr(values, "ndim", 0) == 0:
        return repr(float(values))
    return "[" + ", ".join(_literal(v) for v in values) + "]"


def _inputs(example: WorkedExample) -> list[tuple[str, str]]:
    """``(name, literal)`` of every input of the example; the class index counted from 0."""
    found = []
    for quantity in example.inputs:
        label = quantity.label.label if isinstance(quantity.label, IndexedBase) else quantity.label
        if label == t:
            found.append(("t", f"{CLASS - 1}  # the class t = {CLASS} of the text, counted from 0"))
        elif getattr(quantity.values, "ndim", 0):
            found.append((_code(label, "np", ()), f"np.array({_literal(quantity.values)})"))
        else:
            found.append((_code(label, "np", ()), _literal(quantity.values)))
    return found


def runnable_check(d: Derivation, example: WorkedExample) -> tuple[str, str]:
    """The NumPy check and the optional PyTorch check of ``d`` with the inputs of ``example``.

    Raises :class:`SnippetError` when an expression has no array form here."""
    wrt = d.wrt.base.label if isinstance(d.wrt, Indexed) else d.wrt
    argument = _code(wrt, "np", ())
    outputs = tuple(free_indices(d.loss))
    axes = outputs + (d.wrt.indices if isinstance(d.wrt, Indexed) else ())
    exprs = (d.loss, d.gradient)
    prelude = []
    if layer_of(d) is not None:
        prelude.append("z = W @ x + b")
    if any(e.atoms(Softmax, LogSoftmax) for e in exprs):
        prelude.append("s = {m}.exp(z) / {m}.sum({m}.exp(z))")
    inputs = _inputs(example)
    inputs += [(_code(c.vector.label, "np", ()), f"np.eye({SIZE})[t]  # the one-hot target of class t")
               for c in d.assumptions if isinstance(c, OneHot)]
    if any(re.search(r"\bn\b", _code(e, "np", axes)) for e in exprs):
        inputs.append(("n", str(SIZE)))

    def loss(module: str, name: str) -> list[str]:
        named, code = _lines(d.loss, module, outputs)
        body = [line.format(m=module) for line in prelude] + named
        return [f"def {name}({argument}):", *[f"    {line}" for line in body], f"    return {code}"]

    named, gradient = _lines(d.gradient, "np", axes)
    numpy = ["import numpy as np", "", *[f"{name} = {value}" for name, value in inputs], "",
             *loss("np", "loss"), "", *[line.format(m="np") for line in prelude], *named,
             f"grad = {gradient}  # the closed form", "h = 1e-6"]
    if axes:
        numpy += [f"steps = h * np.eye(np.size({argument})).reshape(-1, *np.shape({argument}))",
                  f"columns = [(loss({argument} + e) - loss({argument} - e)) / (2 * h) for e in steps]",
                  "numeric = np.moveaxis(np.array(columns), 0, -1).reshape(np.shape(grad))"]
    else:
        numpy.append(f"numeric = (loss({argument} + h) - loss({argument} - h)) / (2 * h)")
    numpy += ["print(grad)", "print(numeric)", "assert np.allclose(grad, numeric, atol=1e-6)"]
    tensors = [f"{name} = torch.tensor({name}, dtype=torch.float64)" for name, _ in inputs
               if name not in (argument, "t", "n")]
    torch = ["import torch", "", *tensors, *loss("torch", "loss_torch"), "",
             f"autograd = torch.autograd.functional.jacobian(loss_torch, torch.tensor({argument}, "
             "dtype=torch.float64))",
             "print(autograd)", "assert np.allclose(autograd.numpy(), grad)"]
    return "\n".join(numpy) + "\n", "\n".join(torch) + "\n"
