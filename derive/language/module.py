"""``derive custom --format py``: a standalone NumPy module for a verified custom loss.

The loss and its gradient are stabilised (:mod:`derive.printing.stable`) and printed by the
project's NumPy printer (:mod:`derive.printing.numpy`), which binds each intermediate (softmax,
log-sum-exp, sigmoid) once; ``templates/code/custom.py.j2`` lays the module out around the shared
runtime (validation, reductions) of ``templates/code/_core.py.j2``.

The code uses the gradient before any ``--simplex``/``--onehot`` assumption (the general form), so
it is right for every input, as autograd of the same expression would be.
"""

from __future__ import annotations

import builtins
import re
from functools import cache

import jinja2
from sympy import Expr, Sum

from ..codegen.kernel import Line
from ..codegen.layout import call, statement
from ..engine.derivation import unwrap
from ..engine.symbols import j, n
from ..printing.numpy import NumPyPrinter, PrintingError, Scope
from ..printing.stable import STABLE_RULES, stabilize
from ..printing.text import text
from ..resources import templates_dir
from ..version import __version__
from .custom import CustomLoss

__all__ = ["module_source"]

# the generated functions' own argument and module names
_TAKEN = frozenset({"np", "reduction", "grad_output", "want", "rows", "coef", "value", "grad"})


class _Printer(NumPyPrinter):
    """The project's printer, plus the Heaviside step that max and min differentiate to."""

    def _print_Heaviside(self, expr: Expr) -> str:
        at_zero = expr.args[1] if len(expr.args) > 1 else 0.5
        return self.scope.bind("step", f"np.heaviside({self._print(expr.args[0])}, {float(at_zero)!r})",
                               f"{text(expr)}, with H(0) = {float(at_zero)}")


def module_source(loss: CustomLoss) -> str:
    """The Python source of the module ``loss.derivation.name`` with ``NAME``, ``NAME_grad`` and
    ``NAME_value_and_grad``; ``PrintingError`` (a ``ValueError``) when a form cannot be printed."""
    d = loss.derivation
    vectors = [v.label.name for v in loss.vectors]
    scalars = [(s.name, default) for s, default in loss.scalars]
    clash = sorted({*vectors, *(name for name, _ in scalars)} & (_TAKEN | _builtins_used() | {d.name}))
    if clash:
        raise ValueError(f"name: {clash[0]!r} is taken by the generated module; rename it")
    general = d.gradient_general if d.gradient_general is not None else d.gradient
    wrt = d.wrt.base.label.name
    scope = Scope({**{v: v.label.name for v in loss.vectors}, **{s: s.name for s, _ in loss.scalars},
                   n: f"{wrt}.shape[1]"})
    printer = _Printer(scope)
    value, used = stabilize(unwrap(d.named_loss), STABLE_RULES)  # in named terms, however typed
    value_code = printer.doprint(value)
    value_lines = _lines(scope, 0)
    mark = len(scope.bindings)
    gradient, more = stabilize(unwrap(general), STABLE_RULES)
    _check_sums(gradient)
    gradient_code = printer.doprint(gradient)
    notes = [f"{a.vector.label} is {'a distribution' if a.rule == 'sum to one' else 'one-hot'} in the "
             "derivation; the code uses the general form, right for any input." for a in d.assumptions]
    arguments = [*vectors, *(name for name, _ in scalars)]
    signature = [*vectors, "*", *(f"{name}={default!r}" for name, default in scalars), 'reduction="mean"']
    return _environment().get_template("custom.py.j2").render(
        name=d.name, version=__version__, expression=loss.expression, wrt=wrt,
        loss_math=f"{text(d.symbol)} = {text(d.loss)}", gradient_lhs=text(d.steps[-1].lhs),
        gradient_math=f"{text(d.steps[-1].lhs)} = {text(general)}", notes=notes,
        vectors=vectors, indices=list(loss.indices),
        scalars=[{"name": name, "default": default} for name, default in scalars],
        arguments=arguments, signature=signature,
        identities=list(dict.fromkeys(rule.identity for rule in (*used, *more))),
        value_lines=[*value_lines, Line("_value", f"_rows({value_code}, {wrt}.shape[0])")],
        grad_lines=[*_lines(scope, mark), Line("_grad", f"_full(_coef * ({gradient_code}), {wrt}.shape)")])


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir() / "code"),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(statement=statement, call=call)  # the line layout of `derive code`
    return env


@cache
def _builtins_used() -> frozenset[str]:
    """The Python builtins the module's templates call (ValueError, isinstance, ...): an argument of
    that name would shadow them."""
    source = "".join((templates_dir() / "code" / name).read_text(encoding="utf-8")
                     for name in ("custom.py.j2", "_core.py.j2"))
    return frozenset(name for name in dir(builtins) if re.search(rf"\b{name}\b", source))


def _lines(scope: Scope, start: int) -> list[Line]:
    return [Line(b.name, b.code, b.comment) for b in list(scope.bindings.values())[start:]]


def _check_sums(gradient: Expr) -> None:
    """A sum over k whose body also depends on the component j cannot be a whole-array sum."""
    for total in gradient.atoms(Sum):
        if j in total.function.free_symbols:
            raise PrintingError(f"no NumPy form for a sum that depends on the component j: {text(total)}")
