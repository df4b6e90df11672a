"""The safe expression language: what it means, what it refuses, and that it never evaluates."""

import ast
import builtins
import io
import tokenize
from pathlib import Path

import pytest
import sympy.parsing.sympy_parser as sympy_parser
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Abs, IndexedBase, Max, Min, Rational, Sum, Symbol, exp, log, sqrt, tanh

import derive.language.meaning as language_module
import derive.language.parse as parse_module
from derive.engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus
from derive.engine.symbols import k, n
from derive.language.parse import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse

z, y = IndexedBase("z", real=True), IndexedBase("y", real=True)
q = Symbol("q", real=True)
VECTORS, SCALARS = {"z": z, "y": y}, {"q": q}
k2 = Symbol("l", integer=True)  # a nested sum's index: k, then l, i


def p(source):
    return parse(source, VECTORS, SCALARS)


def total(body, index=k):
    return Sum(body, (index, 1, n))


@pytest.mark.parametrize(("source", "expected"), [
    ("-sum(y * log_softmax(z))", -total(y[k] * LogSoftmax(z, k))),
    ("sum(y * log(softmax(z)))", total(y[k] * log(Softmax(z, k)))),
    ("logsumexp(z) - dot(y, z)", LogSumExp(z) - total(y[k] * z[k])),
    ("mean((z - y)**2)", total((z[k] - y[k]) ** 2) / n),
    ("sum(z + q)", total(z[k] + q)),                                  # scalars broadcast
    ("sum(sigmoid(z) * softplus(-z))", total(Sigmoid(z[k]) * Softplus(-z[k]))),
    ("sum(exp(z) + sqrt(y) + tanh(z) + abs(z))", total(exp(z[k]) + sqrt(y[k]) + tanh(z[k]) + Abs(z[k]))),
    ("sum(max(z, 0) - min(y, q))", total(Max(z[k], 0) - Min(y[k], q))),
    ("0.1 * sum(z) + 2e-3", Rational(1, 10) * total(z[k]) + Rational(2, 1000)),  # exact numbers
    ("sum(z * sum(y))", total(z[k] * total(y[k2], k2))),              # a nested sum gets its own index
    ("q ** 2 / +q", q),
    ("  sum(z)  # a comment", total(z[k])),
])
def test_language(source, expected):
    assert p(source) == expected


@pytest.mark.parametrize(("source", "message", "column"), [
    ("sum(zz)", "unknown name 'zz'", 5),
    ("sum(foo(z))", "unknown function 'foo'", 5),
    ("z * y", "the loss is a vector", 1),
    ("sum(q)", "needs a vector", 5),
    ("sum(z, y)", "takes 1 argument (2 given)", 1),
    ("max(z, z, z)", "takes 2 arguments (3 given)", 1),
    ("softmax(z / q) @ y", "'@' is not part of the language", 16),
    ("sum(softmax(q))", "needs a vector", 13),
    ("sum(z^2)", "'^' is not a power here", 6),
    ("sum(z) // 2", "'//' is not part of the language", 8),
    ("sum(z) + q(1)", "'q' is a scalar, not a function", 10),
    ("sum(log)", "log is a function", 5),
    ("sum(z) + log(0)", "not a finite real number", 10),
    ("sum(z) + 1/0", "not a finite real number", 10),
    ("sum(z) + sqrt(-1)", "not a finite real number", 10),
    ("sum(z) + 2**9**9", "too large", 13),
    ("sum(z) > 0", "comparisons are not allowed", 1),
    ("sum(z) if q else 0", "conditional expressions", 1),
    ("sum(z", "syntax error", 4),
    ("sum(z) +", "ends too early", 9),
    ("sum(z) + True", "True is not a number", 10),
    ("sum(z) + 1j", "1j is not a number", 10),
    ("sum(z, key=q)", "keyword arguments", 8),
    ("sum(*z)", "unpacking", 5),
    ("sum(z) + \u00e9", "unexpected character", 10),
    ("   ", "empty", None),
])
def test_errors_point_at_the_column(source, message, column):
    with pytest.raises(ExpressionError) as info:
        p(source)
    error = info.value
    assert message in error.message
    assert error.column == column
    if column is not None:  # the message shows the expression with a caret under the column
        lines = str(error).splitlines()
        assert lines[1] == f"  {source}" and lines[2] == "  " + " " * (column - 1) + "^"


HOSTILE = {
    "import": "__import__('os').system('touch PWNED')",
    "dunder": "().__class__",
    "class chain": "().__class__.__bases__[0].__subclasses__()",
    "lambda": "lambda: 0",
    "100 kB": "z" * 100_000,
    "1000-deep parentheses": "(" * 1000 + "z" + ")" * 1000,
    "attribute": "x.__dict__",
    "comprehension": "[i for i in x]",
    "generator": "sum(i for i in z)",
    "open": "open('f')",
    "eval": "eval('1')",
    "exec": "exec('import os')",
    "dunder name": "__builtins__",
    "private name": "_z",
    "walrus": "(a := 1)",
    "f-string": "f'{z}'",
    "subscript": "z[0]",
    "dict": "{'a': 1}",
    "starred call": "sum(*[z])",
    "deep unary": "-" * 1500 + "z",
    "long chain": "+".join(["sum(z)"] * 300),
    "newline": "sum(z)\nimport os",
    "null byte": "sum(z)\x00",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_refused(source):
    with pytest.raises(ExpressionError):
        parse(source, {"z": z, "x": IndexedBase("x", real=True)}, {})


def test_limits_are_stated():
    with pytest.raises(ExpressionError, match=f"at most {MAX_LENGTH}"):
        p("z" * (MAX_LENGTH + 1))
    with pytest.raises(ExpressionError, match="nested too deeply") as info:
        p("(" * (MAX_DEPTH + 1) + "sum(z)" + ")" * (MAX_DEPTH + 1))
    assert info.value.column == MAX_DEPTH + 1
    assert p("(" * (MAX_DEPTH - 1) + "sum(z)" + ")" * (MAX_DEPTH - 1)) == total(z[k])


def test_big_numbers_stay_cheap():
    assert p("9" * 1990 + " * sum(z)") == int("9" * 1990) * total(z[k])
    with pytest.raises(ExpressionError, match="too large"):
        p("sum(z) ** 100")


def test_nothing_is_evaluated(monkeypatch, tmp_path):
    """Parsing hostile input never reaches eval, exec, sympify's parser or a non-AST compile."""
    calls = []

    def spy(name, original):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)
        return wrapper

    real_compile = builtins.compile

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", spy("eval", builtins.eval))
    monkeypatch.setattr(builtins, "exec", spy("exec", builtins.exec))
    monkeypatch.setattr(builtins, "compile", only_ast)
    monkeypatch.setattr(sympy_parser, "parse_expr", spy("parse_expr", sympy_parser.parse_expr))
    monkeypatch.chdir(tmp_path)
    for source in HOSTILE.values():
        with pytest.raises(ExpressionError):
            parse(source.replace("PWNED", str(tmp_path / "pwned")), VECTORS, SCALARS)
    p("-sum(y * log_softmax(z)) + q")  # and a good expression is translated, not evaluated either
    assert calls == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module", [parse_module, language_module])
def test_the_parser_source_never_calls_an_evaluator(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    names = {tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
             if tok.type == tokenize.NAME}
    assert not names & {"eval", "exec", "sympify", "parse_expr", "__import__", "getattr", "compile"}


_WORDS = ["z", "y", "q", "sum", "mean", "dot", "log", "exp", "softmax", "log_softmax", "sigmoid",
          "max", "(", ")", ",", "+", "-", "*", "/", "**", "1", "0.5", ".", "[", "]", "_", "lambda", " "]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_WORDS), max_size=30).map("".join)))
def test_any_string_parses_or_is_refused_cleanly(source):
    """Arbitrary text either becomes an expression or raises ExpressionError: nothing else escapes."""
    try:
        p(source)
    except ExpressionError as error:
        assert str(error)
