r"""Kernels: the closed forms of verified derivations, printed as fused NumPy functions.

A kernel computes the values of one or more loss terms and, when asked, the
vector-Jacobian product of their sum with the upstream coefficients ``coef``:

.. code-block:: python

    def _k_cross_entropy_index(input, target, coef=None):
        ...                                   # what the value needs (lse, input_t)
        value = lse - input_t
        if coef is None:
            return value, None
        ...                                   # what only the gradient needs (s)
        grad = coef*s
        _add_at(grad, target, -coef)          # the δ_jt term, without a one-hot array
        return value, grad

Everything comes from the derivation: its loss and closed-form gradient are
stabilised (:mod:`derive.printing.stable`), the Kronecker-delta part
:math:`B\,\delta_{jt}` of the gradient is split off and scattered at the target
class, and the rest is printed by :class:`~derive.printing.numpy.NumPyPrinter`,
which binds every intermediate (softmax, log-sum-exp, sigmoid) once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sympy import Add, Dummy, Eq, Expr, Indexed, IndexedBase, KroneckerDelta, Mul, Piecewise, S, Sum, Symbol

from ..catalogue import verified
from ..engine.derivation import Derivation, unwrap
from ..engine.rules import settle
from ..engine.symbols import i, j, n
from ..printing.numpy import Binding, Scope, numpy_code
from ..printing.stable import STABLE_RULES, Rewrite, stabilize
from ..printing.text import text

__all__ = ["Kernel", "KernelSpec", "Line", "Term", "build_kernel"]

_UPSTREAM = IndexedBase("g", real=True)  # the upstream gradient of a Jacobian (softmax, log_softmax)


@dataclass(frozen=True)
class Term:
    """One loss term: its value is the loss of ``value``; its gradients those of ``grads``
    (one catalogue name per differentiable argument, all differentiating the same loss)."""

    value: str
    grads: tuple[str, ...] = ()
    general: bool = False  # use the form before assumptions
    substitute: tuple[tuple[Expr, Expr], ...] = ()  # e.g. the targets y → the weights w
    scale: Expr = S.One  # a constant factor of the term

    def show(self, expr: Expr) -> Expr:
        """``expr`` (a loss or a gradient of this term) with the substitutions and the scale."""
        return self.scale * expr.xreplace(dict(self.substitute))

    def apply(self, expr: Expr) -> Expr:
        """:meth:`show` with every named subexpression written out, ready to print as code."""
        return self.show(unwrap(expr))

    @property
    def gradient_names(self) -> tuple[str, ...]:
        return self.grads or (self.value,)


@dataclass(frozen=True)
class KernelSpec:
    """How to print a kernel: its arguments (symbol → name, in order), terms and rewrites.

    ``vector`` kernels work along the class axis 1 (``n`` is its length); ``target`` is the
    class-index symbol gathered there; ``jacobian`` contracts the derivative of an indexed
    output (``∂s_i/∂z_j``) with the upstream vector ``coef`` (a VJP) instead of scaling it.
    ``rewrites`` are framework semantics (PyTorch's clamps) applied before the stable rules.
    """

    name: str
    arguments: tuple[tuple[Expr, str], ...]
    terms: tuple[Term, ...] = ()
    parameters: tuple[tuple[Expr, str], ...] = ()
    expression: Expr | None = None  # a value-only kernel of a term that does not depend on the inputs
    vector: bool = False
    target: Symbol | None = None
    jacobian: bool = False
    rewrites: tuple[Rewrite, ...] = ()
    grad_rewrites: tuple[Rewrite, ...] = ()


@dataclass(frozen=True)
class Line:
    """``name = code  # comment`` (``name`` empty for a statement)."""

    name: str
    code: str
    comment: str = ""


@dataclass(frozen=True)
class Kernel:
    """A printed kernel: what the template needs to write the function."""

    name: str
    arguments: tuple[str, ...]
    value_lines: tuple[Line, ...]
    value_return: str
    grad_lines: tuple[Line, ...]
    grad_return: str
    math: tuple[str, ...]  # the formulas, one per line of the docstring
    identities: tuple[str, ...] = field(default=())  # the stable identities the lines rely on
    gradient: bool = True  # False: a value-only kernel (no coef)


def _derivation(name: str) -> Derivation:
    return verified(name)[0]


def _closed_form(d: Derivation, general: bool) -> Expr:
    return d.gradient_general if general and d.gradient_general is not None else d.gradient


def _deltas_out_of_piecewise(expr: Expr) -> Expr:
    r"""Σ_k Piecewise(((a + b δ_kt) B_k, c_k), (0, True)) = a Σ_{k≠t} P_k + (a + b) P_t with
    P_k = Piecewise((B_k, c_k), (0, True)): SymPy folds the δ into the branch, where the delta rules
    cannot reach it.  The target's term is masked out of the sum, not added and subtracted: for
    (1 − δ_kt) that would round Δ + x_t − x_t to 0 at a large x_t and give NaN at an infinite one."""

    def parts(e: Expr) -> tuple | None:
        if not (isinstance(e, Sum) and isinstance(e.function, Piecewise) and len(e.function.args) == 2):
            return None
        (branch, condition), otherwise = e.function.args
        index = e.limits[0][0]
        deltas = [f for f in Mul.make_args(branch) if f.has(KroneckerDelta)]
        if otherwise != (S.Zero, S.true) or len(deltas) != 1:
            return None
        delta = next((d for d in deltas[0].atoms(KroneckerDelta) if index in d.args), None)
        return None if delta is None else (index, delta, deltas[0], branch / deltas[0], condition)

    def value(e: Sum) -> Expr:
        index, delta, factor, rest, condition = parts(e)
        other = delta.args[1] if delta.args[0] == index else delta.args[0]
        marker = Dummy("delta")
        marked = factor.xreplace({delta: marker})
        a, b = marked.xreplace({marker: 0}), marked.diff(marker)
        piece = Piecewise((rest, condition), (0, True))
        return a * Sum(_masked(piece, index, other), *e.limits) + (a + b) * piece.xreplace({index: other})

    return expr.replace(lambda e: parts(e) is not None, value)


def _masked(f: Expr, index: Symbol, other: Expr) -> Expr:
    """f with the term index = other excluded by a mask: [index ≠ other]·f, printed as a where."""
    return Piecewise((0, Eq(index, other)), (f, True))


def _target_sums_masked(dense: Expr, scattered: Expr, target: Symbol) -> tuple[Expr, Expr]:
    r"""``A_j + δ_jt·(c·Σ_k g_k + r)`` where ``A_t = −c·g_t`` (the sum repeats the target's own term
    with the opposite sign): ``[j ≠ t]·A_j + δ_jt·(c·Σ_{k≠t} g_k + r)``, the same value without
    computing the target's term twice and cancelling it (exact where it is huge or infinite)."""
    at_target = dense.xreplace({j: target})
    for term in Add.make_args(scattered):
        sums = [f for f in Mul.make_args(term) if isinstance(f, Sum) and len(f.limits) == 1]
        if len(sums) != 1:
            continue
        (total,) = sums
        index = total.limits[0][0]
        c = term / total
        if (at_target + c * total.function.xreplace({index: target})).expand() == 0:
            masked = c * Sum(_masked(total.function, index, target), *total.limits)
            return _masked(dense, j, target), scattered - term + masked
    return dense, scattered


def _prepare(expr: Expr, rewrites: tuple[Rewrite, ...]) -> tuple[Expr, list[Rewrite]]:
    if expr.has(KroneckerDelta) and expr.has(Sum):
        expr = _deltas_out_of_piecewise(expr)
        expr = settle(expr)  # Σ_k δ_kt f_k = f_t before printing
    return stabilize(expr, (*rewrites, *STABLE_RULES))


def _split_delta(expr: Expr, target: Symbol | None) -> tuple[Expr, Expr]:
    r"""``expr = A + B δ_jt``: return (A, B) with ``j = t`` in ``B``."""
    if target is None or not expr.has(KroneckerDelta(j, target)):
        return expr, S.Zero
    marker = Dummy("delta")
    marked = expr.xreplace({KroneckerDelta(j, target): marker})
    if marked.diff(marker, 2) != 0:
        raise ValueError(f"gradient is not linear in δ_jt: {expr}")
    return marked.xreplace({marker: 0}), marked.diff(marker).xreplace({j: target})


def _jacobian_vjp(gradient: Expr) -> Expr:
    r"""Σ_i g_i ∂y_i/∂z_j, brought to closed form by the structural rules."""
    return settle(Sum(_UPSTREAM[i] * gradient, (i, 1, n)))


def _scope(spec: KernelSpec) -> tuple[Scope, list[Symbol]]:
    names = {sym: name for sym, name in (*spec.arguments, *spec.parameters)}
    if spec.vector:
        names[n] = f"{spec.arguments[0][1]}.shape[1]"
    count = len(spec.terms)
    coefs = [Symbol("coef" if count == 1 else f"coef_{number}") for number in range(count)]
    names.update({c: "coef" if len(coefs) == 1 else f"coef[{number}]" for number, c in enumerate(coefs)})
    names[_UPSTREAM] = "coef"
    return Scope(names, target=spec.target), coefs


def _values(spec: KernelSpec, scope: Scope, used: list[Rewrite]) -> tuple[list[Line], list[str]]:
    """The value line of each term (after the bindings they need) and their formulas."""
    lines, math = [], []
    for number, term in enumerate(spec.terms):
        d = _derivation(term.value)
        loss = d.loss
        for constraint in () if term.general else d.assumptions:  # e.g. a one-hot target: y_k = δ_kt
            loss = constraint.rewrite(loss)
        expr, rules = _prepare(term.apply(loss), spec.rewrites)
        used += rules
        formula = f"{text(d.definition.lhs)} = {text(term.show(d.definition.rhs))}"
        name = "value" if len(spec.terms) == 1 else f"value{number}"
        lines.append(Line(name, numpy_code(expr, scope), "" if spec.jacobian else formula))
        math.append(formula)
    return lines, math


def _gradients(
    spec: KernelSpec, scope: Scope, coefs: list[Symbol], used: list[Rewrite]
) -> tuple[list[Line], list[str], list[str]]:
    """The gradient statements (one result per differentiable argument), their results and formulas."""
    statements, results, math = [], [], []
    arguments = dict(spec.arguments)
    positions = len(spec.terms[0].gradient_names)
    for position in range(positions):
        total, shown = S.Zero, []
        for c, term in zip(coefs, spec.terms, strict=True):
            d = _derivation(term.gradient_names[position])
            closed = term.apply(_closed_form(d, term.general))
            math.append(f"{text(d.steps[-1].lhs)} = {text(term.show(_closed_form(d, term.general)))}")
            contribution = _jacobian_vjp(closed) if spec.jacobian else c * closed
            if spec.jacobian:
                math.append(f"Σ_i g_i·{text(d.steps[-1].lhs)} = {text(contribution)}")
            shown.append(
                text(contribution if spec.jacobian else c * term.show(_closed_form(d, term.general)))
            )
            total += contribution
        dense, scattered = _split_delta(unwrap(total), spec.target)
        if scattered != 0:
            dense, scattered = _target_sums_masked(dense, scattered, spec.target)
        dense, rules = _prepare(dense, spec.grad_rewrites)
        scattered, more = _prepare(scattered, spec.grad_rewrites)
        used += rules + more
        name = arguments[_wrt_symbol(d)]
        result = "grad" if positions == 1 else f"grad_{name}"
        results.append(result)
        code = f"np.zeros_like({name})" if dense == 0 else numpy_code(dense, scope)
        statements.append(Line(result, code, " + ".join(shown)))
        if scattered != 0:
            at = f"{scope.name(spec.target)}, {numpy_code(scattered, scope)}"
            statements.append(
                Line(
                    "",
                    f"_add_at({result}, {at})",
                    "the δ_jt term, added at the target class (no one-hot array)",
                )
            )
    return statements, results, math


def build_kernel(spec: KernelSpec) -> Kernel:
    """Print the kernel described by ``spec`` from the verified derivations it names."""
    scope, coefs = _scope(spec)
    arguments = tuple(name for _, name in (*spec.arguments, *spec.parameters))
    if spec.expression is not None:
        expr, used = stabilize(spec.expression)
        code = numpy_code(expr, scope)
        lines = (*_bindings(scope, 0), Line("value", code, text(spec.expression)))
        return Kernel(
            spec.name,
            arguments,
            lines,
            "value",
            (),
            "",
            (text(spec.expression),),
            tuple(rule.identity for rule in used),
            gradient=False,
        )
    used: list[Rewrite] = []
    value_lines, math = _values(spec, scope, used)
    value_lines = [*_bindings(scope, 0), *value_lines]
    mark = len(scope.bindings)
    statements, results, grad_math = _gradients(spec, scope, coefs, used)
    grad_lines = (*_bindings(scope, mark), *statements)
    value_return = ", ".join(line.name for line in value_lines[-len(spec.terms) :])
    grad_return = results[0] if len(results) == 1 else f"({', '.join(results)})"
    identities = tuple(dict.fromkeys(rule.identity for rule in used))
    return Kernel(
        spec.name,
        arguments,
        tuple(value_lines),
        value_return,
        grad_lines,
        grad_return,
        (*math, *grad_math),
        identities,
    )


def _wrt_symbol(d: Derivation) -> Expr:
    return d.wrt.base if isinstance(d.wrt, Indexed) else d.wrt


def _bindings(scope: Scope, start: int) -> list[Line]:
    bindings: list[Binding] = list(scope.bindings.values())[start:]
    return [Line(b.name, b.code, b.comment) for b in bindings]
