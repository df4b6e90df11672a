"""The meaning of the custom-loss language: a checked syntax tree, translated into SymPy.

:mod:`derive.language.parse` refuses anything unsafe before this module sees the tree; here each node of
the whitelist becomes a SymPy expression, looking names up only in this module's function table
and the caller's vectors and scalars.  A vector expression is written at a placeholder index until
``sum``/``mean``/``dot`` binds it; the summation indices are then named ``k``, ``k_2``, ... by depth.

The language: numbers, ``pi`` and ``n`` (the class count); the caller's named scalars and vectors
(length ``n``); ``+ - * / **``; the elementwise functions ``log exp sqrt tanh abs sigmoid softplus
cosh sinh cos sin acos log1p expm1`` and ``max(a, b)``, ``min(a, b)``; on vectors
``softmax(u)``, ``log_softmax(u)`` and ``logsumexp(u)``, where ``u`` is a vector name or any vector
expression; the reductions ``sum(e)``, ``mean(e)``
(over the vector index), ``dot(a, b)``, ``norm(e)`` (√Σ e²) and ``max(e)``, ``min(e)`` of one vector
(:mod:`derive.language.reductions`).  Vectors combine elementwise and scalars broadcast.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sympy import (
    Abs,
    Dummy,
    Expr,
    IndexedBase,
    Integer,
    Max,
    Min,
    Rational,
    S,
    Sum,
    Symbol,
    acos,
    cos,
    cosh,
    exp,
    log,
    nan,
    oo,
    pi,
    sin,
    sinh,
    sqrt,
    tanh,
    zoo,
)

from ..engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus, vector_expression
from ..engine.symbols import i, k, l, n
from .reductions import ClassMax, ClassMin

__all__ = ["CONSTANTS", "FUNCTIONS", "MAX_EXPONENT", "OPERATORS", "ExpressionError", "node_column",
           "translate"]

MAX_EXPONENT = 64      # |numeric exponent|, so that 9**9**9 is refused rather than computed

_ELEMENTWISE: dict[str, Callable[[Expr], Expr]] = {
    "log": log, "exp": exp, "sqrt": sqrt, "tanh": tanh, "abs": Abs,
    "sigmoid": Sigmoid, "softplus": Softplus, "cosh": cosh, "sinh": sinh, "cos": cos, "sin": sin,
    "acos": acos,
    # the same numbers as log(1 + x) and exp(x) − 1; the generated code evaluates them stably
    "log1p": lambda x: log(1 + x), "expm1": lambda x: exp(x) - 1,
}
CONSTANTS: dict[str, Expr] = {"n": n, "pi": pi}  # n: the number of classes (the vectors' length)
_PAIRWISE: dict[str, Callable[[Expr, Expr], Expr]] = {"max": Max, "min": Min}
_ON_VECTORS = {"softmax", "log_softmax", "logsumexp"}
_REDUCTIONS = {"sum", "mean", "dot", "norm"}
FUNCTIONS: frozenset[str] = frozenset({*_ELEMENTWISE, *_PAIRWISE, *_ON_VECTORS, *_REDUCTIONS})

OPERATORS: dict[type[ast.operator], Callable[[Expr, Expr], Expr]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_ELEMENT = Dummy("element", integer=True)  # the index of a vector expression until a sum binds it


class ExpressionError(ValueError):
    """The expression is not in the language; ``column`` (1-based) points at the problem."""

    def __init__(self, message: str, source: str, column: int | None = None):
        super().__init__(message)
        self.message, self.source, self.column = message, source, column

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        start = max(0, self.column - 1 - 60)
        shown = self.source[start:self.column - 1 + 60]
        prefix = "…" if start else ""
        suffix = "…" if start + len(shown) < len(self.source) else ""
        caret = " " * (len(prefix) + self.column - 1 - start) + "^"
        return f"{self.message} (column {self.column})\n  {prefix}{shown}{suffix}\n  {caret}"


@dataclass(frozen=True)
class _Value:
    """A translated node: a scalar, or a vector written at the index ``_ELEMENT``."""

    expr: Expr
    vector: bool


def translate(node: ast.AST, source: str, vectors: Mapping[str, IndexedBase],
              scalars: Mapping[str, Symbol]) -> Expr:
    """The scalar loss that the checked expression ``node`` of ``source`` denotes."""
    value = _Translator(source, vectors, scalars).visit(node)
    if value.vector:
        raise ExpressionError("the loss is a vector (elementwise); reduce it with sum(...) or mean(...)",
                              source, 1)
    return _name_indices(value.expr)


def node_column(node: ast.AST, source: str) -> int | None:
    """The 1-based column of ``node`` in ``source`` (the text is ASCII: bytes are characters)."""
    if not isinstance(node, ast.expr | ast.keyword):
        return None
    return node.col_offset + 1 + len(source) - len(source.lstrip())


class _Translator:
    def __init__(self, source: str, vectors: Mapping[str, IndexedBase], scalars: Mapping[str, Symbol]):
        self.source, self.vectors, self.scalars = source, vectors, scalars

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.source, node_column(node, self.source))

    def visit(self, node: ast.AST) -> _Value:
        visitors = {ast.Constant: self.visit_Constant, ast.Name: self.visit_Name,
                    ast.UnaryOp: self.visit_UnaryOp, ast.BinOp: self.visit_BinOp, ast.Call: self.visit_Call}
        value = visitors[type(node)](node)
        if value.expr.has(zoo, oo, -oo, nan, S.ImaginaryUnit):
            raise self.error("this is not a finite real number (division by zero, log of a "
                             "non-positive number, ...)", node)
        return value

    def visit_Constant(self, node: ast.Constant) -> _Value:
        if isinstance(node.value, int):
            return _Value(Integer(node.value), False)
        if node.value != node.value or abs(node.value) == float("inf"):
            raise self.error("this number is not finite", node)
        return _Value(Rational(repr(node.value)), False)  # exact: 0.1 is 1/10

    def visit_Name(self, node: ast.Name) -> _Value:
        if node.id in self.vectors:
            return _Value(self.vectors[node.id][_ELEMENT], True)
        if node.id in self.scalars:
            return _Value(self.scalars[node.id], False)
        if node.id in CONSTANTS:
            return _Value(CONSTANTS[node.id], False)
        if node.id in FUNCTIONS:
            raise self.error(f"{node.id} is a function; call it as {node.id}(...)", node)
        raise self.error(f"unknown name {node.id!r} (declare it as a vector or a scalar)", node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> _Value:
        value = self.visit(node.operand)
        return value if isinstance(node.op, ast.UAdd) else _Value(-value.expr, value.vector)

    def visit_BinOp(self, node: ast.BinOp) -> _Value:
        left, right = self.visit(node.left), self.visit(node.right)
        a, b = left.expr, right.expr
        if isinstance(node.op, ast.Pow) and b.is_Number and abs(b) > MAX_EXPONENT:
            raise self.error(f"the exponent {b} is too large (at most {MAX_EXPONENT} in magnitude)",
                             node.right)
        return _Value(OPERATORS[type(node.op)](a, b), left.vector or right.vector)

    def visit_Call(self, node: ast.Call) -> _Value:
        if not isinstance(node.func, ast.Name):
            raise self.error("only the language's functions can be called", node)
        name = node.func.id
        if name not in FUNCTIONS:
            kind = "a vector" if name in self.vectors else "a scalar" if name in self.scalars else None
            known = ", ".join(sorted(FUNCTIONS))
            message = f"{name!r} is {kind}, not a function" if kind else \
                f"unknown function {name!r} (the language has: {known})"
            raise self.error(message, node)
        arity = 2 if name in _PAIRWISE or name == "dot" else 1
        if name in _PAIRWISE and len(node.args) == 1:
            return self._extremum(name, node.args[0])
        if name == "norm":
            return self._norm(node.args[0]) if len(node.args) == 1 else self._arity_error(name, 1, node)
        if len(node.args) != arity:
            raise self.error(f"{name}() takes {arity} argument{'s' * (arity > 1)} "
                             f"({len(node.args)} given)", node)
        if name in _ON_VECTORS:
            return self._on_vector(name, node.args[0])
        args = [self.visit(a) for a in node.args]
        if name in _ELEMENTWISE:
            return _Value(_ELEMENTWISE[name](args[0].expr), args[0].vector)
        if name in _PAIRWISE:
            return _Value(_PAIRWISE[name](args[0].expr, args[1].expr), args[0].vector or args[1].vector)
        for arg, value in zip(node.args, args, strict=True):
            if not value.vector:
                raise self.error(f"{name}() needs a vector; this is a scalar", arg)
        body = args[0].expr * args[1].expr if name == "dot" else args[0].expr
        total = _sum(body)
        return _Value(total / n if name == "mean" else total, False)

    def _arity_error(self, name: str, arity: int, node: ast.Call) -> _Value:
        raise self.error(f"{name}() takes {arity} argument{'s' * (arity > 1)} ({len(node.args)} given)", node)

    def _vector(self, name: str, arg: ast.AST) -> Expr:
        value = self.visit(arg)
        if not value.vector:
            raise self.error(f"{name}() of one argument needs a vector; this is a scalar", arg)
        return value.expr

    def _extremum(self, name: str, arg: ast.AST) -> _Value:
        """``max(v)``: the largest component (a reduction); ``max(a, b)`` stays elementwise."""
        index = Dummy("index", integer=True)
        body = self._vector(name, arg).xreplace({_ELEMENT: index})
        return _Value((ClassMax if name == "max" else ClassMin)(body, index, n), False)

    def _norm(self, arg: ast.AST) -> _Value:
        """``norm(v)``: the Euclidean norm, √(Σ_k v_k²)."""
        return _Value(sqrt(_sum(self._vector("norm", arg) ** 2)), False)

    def _on_vector(self, name: str, arg: ast.AST) -> _Value:
        """``softmax(u)``, ``log_softmax(u)``, ``logsumexp(u)`` of a vector ``u``: a name or any vector
        expression (``z/T``, ``z + tau*log(prior)``)."""
        vector = vector_expression(self._vector(name, arg), _ELEMENT)
        if name == "logsumexp":
            return _Value(LogSumExp(vector), False)
        return _Value((Softmax if name == "softmax" else LogSoftmax)(vector, _ELEMENT), True)


def _sum(body: Expr) -> Sum:
    index = Dummy("index", integer=True)
    return Sum(body.xreplace({_ELEMENT: index}), (index, 1, n))


def summation_index(depth: int) -> Symbol:
    """The index of a sum nested ``depth`` deep, as papers name them: ``k``, then ``l``, ``i``, then
    ``k_4``, ``k_5``... (all reserved names, so no vector or scalar of the user's can take them)."""
    return (k, l, i)[depth] if depth < 3 else Symbol(f"k_{depth + 1}", integer=True)


def _name_indices(expr: Expr, depth: int = 0) -> Expr:
    """Name the summation indices by depth (:func:`summation_index`)."""
    if isinstance(expr, Sum | ClassMax | ClassMin):
        (index, low, high), body = expr.limits[0] if isinstance(expr, Sum) else (*expr.args[1:], n), \
            expr.args[0]
        name = summation_index(depth)
        if not isinstance(expr, Sum):  # a function's bound index stays apart from the free indices
            name = Dummy(name.name, integer=True)
        inner = _name_indices(body.xreplace({index: name}), depth + 1)
        return Sum(inner, (name, low, high)) if isinstance(expr, Sum) else expr.func(inner, name, high)
    if not expr.args or isinstance(expr, IndexedBase | Rational):
        return expr
    return expr.func(*[_name_indices(a, depth) for a in expr.args])
