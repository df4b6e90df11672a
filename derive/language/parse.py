r"""A safe parser for losses written by users: ``-sum(y * log_softmax(z))``.

The text is never evaluated.  It is checked character by character (length,
ASCII, bracket depth) *before* Python's :func:`ast.parse` sees it, the syntax
tree is checked against a whitelist of node types, and the tree is then
translated node by node into SymPy (:mod:`derive.language.meaning`), looking names up
only in the language's function table and the caller's vectors and scalars.
No ``eval``, ``exec``, ``sympify`` or ``parse_expr`` is involved, so nothing
in the string can run.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from sympy import Expr, IndexedBase, Symbol

from .meaning import FUNCTIONS, MAX_EXPONENT, OPERATORS, ExpressionError, node_column, translate

__all__ = ["FUNCTIONS", "MAX_DEPTH", "MAX_EXPONENT", "MAX_LENGTH", "ExpressionError", "parse"]

MAX_LENGTH = 2000      # characters
MAX_DEPTH = 32         # nested brackets
MAX_TREE_DEPTH = 100   # nested operations of any kind (a + a + ... nests too)
MAX_NODES = 1000       # syntax-tree nodes

_REFUSED_OPERATORS = {
    ast.BitXor: "'^' is not a power here; write x**2",
    ast.FloorDiv: "'//' is not part of the language; use '/'",
    ast.Mod: "'%' is not part of the language",
    ast.MatMult: "'@' is not part of the language; use dot(a, b)",
}
_REFUSED_NODES = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed; a vector is used whole, elementwise",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed", ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed", ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed", ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed", ast.Dict: "dicts are not allowed",
    ast.Compare: "comparisons are not allowed; use max(a, b) or min(a, b)",
    ast.BoolOp: "'and'/'or' are not allowed", ast.IfExp: "conditional expressions are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed", ast.Starred: "'*' unpacking is not allowed",
    ast.keyword: "keyword arguments are not allowed", ast.JoinedStr: "strings are not allowed",
}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load,
            ast.USub, ast.UAdd, *OPERATORS)
_OPENING, _CLOSING = "([{", ")]}"


def parse(source: str, vectors: Mapping[str, IndexedBase], scalars: Mapping[str, Symbol]) -> Expr:
    """The scalar loss ``source`` as a SymPy expression over the given vectors and scalars.

    Raises :class:`ExpressionError` (a ``ValueError``) for anything outside the language."""
    if not isinstance(source, str):
        raise ExpressionError(f"the expression must be a string, not {type(source).__name__}", "")
    _scan(source)
    tree = _syntax_tree(source)
    _check_tree(tree, source)
    return translate(tree.body, source, vectors, scalars)


# --- before Python's parser sees the text ------------------------------------------------------


def _scan(source: str) -> None:
    """Length, characters and bracket depth, checked on the raw text (``ast.parse`` itself can
    exhaust the stack on deeply nested input)."""
    if not source.strip():
        raise ExpressionError("the expression is empty", source)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long ({len(source)} characters; at most "
                              f"{MAX_LENGTH})", source, MAX_LENGTH + 1)
    depth = 0
    for column, char in enumerate(source, 1):
        if not (char.isascii() and (char.isprintable())):
            raise ExpressionError(f"unexpected character {char!r}", source, column)
        if char in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"brackets are nested too deeply (more than {MAX_DEPTH} levels)",
                                      source, column)
        elif char in _CLOSING:
            depth -= 1


def _syntax_tree(source: str) -> ast.Expression:
    try:
        return ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        if not error.offset:  # the parser ran out of input
            raise ExpressionError("syntax error: the expression ends too early", source,
                                  len(source.rstrip()) + 1) from None
        offset = error.offset + len(source) - len(source.lstrip())
        raise ExpressionError(f"syntax error: {error.msg}", source, offset) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is too complex to parse", source) from None


def _check_tree(tree: ast.Expression, source: str) -> None:
    """Every node on the whitelist; the tree not too deep nor too large (iteratively)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_TREE_DEPTH or count > MAX_NODES:
            raise ExpressionError("the expression is too complex (too deeply nested or too large)",
                                  source, node_column(node, source))
        _check_node(node, source)
        stack.extend((child, depth + 1) for child in reversed(list(ast.iter_child_nodes(node))))


def _check_node(node: ast.AST, source: str) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) not in OPERATORS:
        message = _REFUSED_OPERATORS.get(type(node.op), "this operator is not part of the language "
                                         "(use + - * / **)")
        raise ExpressionError(message, source, _operator_column(node, source))
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes):
            raise ExpressionError("strings are not allowed", source, node_column(node, source))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"{value!r} is not a number", source, node_column(node, source))
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError("names starting with '_' are not allowed", source, node_column(node, source))
    if not isinstance(node, _ALLOWED):
        message = _REFUSED_NODES.get(type(node), f"{type(node).__name__} is not part of the language")
        column = node_column(node, source)
        if isinstance(node, ast.Attribute):
            column = source.find(".", node.value.end_col_offset) + 1 or column
        raise ExpressionError(message, source, column)


def _operator_column(node: ast.BinOp, source: str) -> int | None:
    """The column of the operator symbol of ``node`` (after the left operand and its brackets)."""
    left = node_column(node.left, source)
    if left is None:
        return node_column(node, source)
    position = left - 1 + (node.left.end_col_offset - node.left.col_offset)
    while position < len(source) and source[position] in " )":
        position += 1
    return position + 1
