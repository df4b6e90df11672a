r"""Verification of derivations: symbolic at concrete sizes, and numeric.

Three checks, all of which must pass before a derivation is shown:

1. **Steps**: both sides of every :class:`~derive.derivation.Step` agree at
   concrete sizes (every value of every free index: one per pattern of equal and
   distinct indices where that is as strong, see :mod:`derive.indices`), with the
   step's own assumptions imposed.
2. **Closed form**: for ``n = 2..6`` the closed-form gradient (and the general
   form, and the Hessian) equals SymPy's raw derivative of the loss written with
   explicit components :math:`z_1..z_n`.
3. **Numeric**: central differences in float64 at random points agree with the
   closed form (relative error reported).

Symbolic equality is decided without ``simplify``: the difference is brought
to a canonical form (logits ``z_m = log E_m`` with ``E_m > 0``, logarithms
expanded, powers split), its transcendental atoms become independent variables,
and the rational function that remains is evaluated exactly at random rational
points (:func:`symbolically_equal`).

The symbolic checks are independent of one another: ``verify(..., jobs=2)`` runs
the larger sizes in a forked second process (Linux), which is how ``derive show``
answers within a second.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection

import numpy as np
from sympy import (
    Add,
    Derivative,
    Expr,
    Indexed,
    IndexedBase,
    Integer,
    Pow,
    Rational,
    Sum,
    Symbol,
    exp,
    expand,
    expand_log,
    expand_power_base,
    expand_power_exp,
    factor_terms,
    lambdify,
    log,
    nan,
    together,
    zoo,
)
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

from .constraints import Constraint, Linear, Simplex
from .derivation import Derivation, Named, Step
from .functions import NAMED_FUNCTIONS
from .indices import index_values
from .symbols import Role, dim, n, role_of

__all__ = ["Check", "VerificationError", "ensure_verified", "instantiate", "verify"]

STEP_SIZES = (2, 3)
CLOSED_FORM_SIZES = (2, 3, 4, 5, 6)
NUMERIC_SIZE = 4
NUMERIC_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Check:
    """One verification: what was checked, how, at which size, its error, and whether it passed."""

    kind: str          # "step", "closed form", "general form", "hessian", "numeric"
    detail: str
    size: int | None
    error: float
    passed: bool


class VerificationError(AssertionError):
    """A derivation failed a check; it must not be shown as if it were right."""


# --- explicit components at a concrete size -----------------------------------------------------

_ORIGIN: dict[Symbol, IndexedBase] = {}


def component(base: IndexedBase, *m: int) -> Symbol:
    """The explicit symbol ``z_m`` for component ``m`` of the vector ``base`` (``W_j_k`` for a matrix)."""
    sym = Symbol("_".join(map(str, (base.label, *m))), real=True)
    _ORIGIN[sym] = base
    return sym


def _expand_sum(e: Sum) -> Expr:
    (index, lo, hi), body = e.limits[0], e.function
    return Add(*[body.xreplace({index: Integer(m)}) for m in range(int(lo), int(hi) + 1)])


def instantiate(expr: Expr, size: int, values: dict[Symbol, int],
                constraints: tuple[Constraint, ...] = ()) -> Expr:
    """``expr`` at ``n = size`` with the free indices set to ``values``: explicit components,
    named functions written out, constraints imposed, derivatives evaluated."""
    return _instantiate(expr, size, tuple(sorted(values.items(), key=str)), constraints)


@lru_cache(maxsize=4096)
def _instantiate(expr: Expr, size: int, values: tuple[tuple[Symbol, int], ...],
                 constraints: tuple[Constraint, ...]) -> Expr:
    values = dict(values)
    expr = expr.replace(lambda e: isinstance(e, Named), lambda e: e.expr)
    expr = expr.xreplace({n: Integer(size), dim: Integer(size), **{k: Integer(v) for k, v in values.items()}})
    while expr.has(Sum):
        expr = expr.replace(lambda e: isinstance(e, Sum) and not e.function.has(Sum), _expand_sum)
    expr = expr.replace(lambda e: isinstance(e, NAMED_FUNCTIONS),
                        lambda e: e.explicit(size, lambda base, m: base[m]))
    for constraint in constraints:
        expr = expr.xreplace(constraint.substitutions(size, values))
    expr = expr.replace(lambda e: isinstance(e, Indexed),
                        lambda e: component(e.base, *map(int, e.indices)))
    return expr.replace(lambda e: isinstance(e, Derivative), lambda e: e.doit())


# --- symbolic equality without simplify -----------------------------------------------------------


def _canonical(expr: Expr) -> Expr:
    """Write hyperbolic functions with exponentials and every exponentiated logit as a positive
    symbol ``E``; factor the arguments of logs and the bases of powers; expand logs and powers.  The
    result is rational in the ``E``s, the other variables, ``log`` atoms and ``base**symbol`` atoms."""
    if expr.has(HyperbolicFunction):  # tanh u = (e^u − e^−u)/(e^u + e^−u), and so on
        expr = expr.replace(lambda e: isinstance(e, HyperbolicFunction), lambda e: e.rewrite(exp))
    inside_exp = set().union(*[e.args[0].free_symbols for e in expr.atoms(exp)] or [set()])
    positives = {v: Symbol(f"E_{v.name}", positive=True) for v in inside_exp}
    expr = expr.xreplace({v: log(e) for v, e in positives.items()})
    expr = expr.replace(lambda e: isinstance(e, exp), lambda e: exp(expand(e.args[0])))
    expr = expand_power_exp(expr)
    expr = expr.replace(lambda e: isinstance(e, log), lambda e: log(factor_terms(together(e.args[0]))))
    expr = expr.replace(lambda e: isinstance(e, Pow) and e.base.is_Add,
                        lambda e: Pow(factor_terms(together(e.base)), e.exp))
    expr = expand_power_base(expand_log(expr, force=True), force=True)
    return expand_power_exp(expr)


def _as_rational(expr: Expr) -> Expr:
    """Replace each transcendental atom (``log u``, ``b**γ``, ``exp(u v)``) by a fresh generator symbol.

    An identity that holds with the atoms as independent variables holds in particular."""
    atoms: dict[Expr, Symbol] = {}

    def generator(key: Expr) -> Symbol:
        return atoms.setdefault(key, Symbol(f"G{len(atoms)}"))

    def split_power(e: Pow) -> Expr:
        result = Pow(e.base, e.exp.as_coeff_Add()[0])
        for term in Add.make_args(e.exp.as_coeff_Add()[1]):
            coeff, symbolic = term.as_coeff_Mul()
            result *= generator(Pow(e.base, symbolic)) ** coeff if coeff.is_Integer \
                else generator(Pow(e.base, term))
        return result

    def split_exp(e: exp) -> Expr:
        # what remains of exp after _canonical has a product in it, e.g. exp(W_11 x_1) of a layer
        result = Integer(1)
        for term in Add.make_args(expand(e.args[0])):
            coeff, symbolic = term.as_coeff_Mul()
            result *= generator(exp(symbolic)) ** coeff if coeff.is_Integer else generator(exp(term))
        return result

    expr = expr.replace(lambda e: isinstance(e, exp) and not e.args[0].is_Number, split_exp)
    expr = expr.replace(lambda e: isinstance(e, Pow) and not e.exp.is_Number, split_power)
    return expr.replace(lambda e: isinstance(e, log), lambda e: generator(e))


def symbolically_equal(a: Expr, b: Expr, trials: int = 3) -> bool:
    """True when ``a - b`` is identically zero.

    The difference is brought to canonical form and made rational (:func:`_as_rational`); a
    rational function is then tested exactly at random rational points with large numerators
    (Schwartz-Zippel: a non-zero function vanishes at such a point with probability below
    degree / 10^9).  Exact arithmetic throughout, no floating point and no ``simplify``."""
    diff = a - b
    if diff == 0:
        return True
    rational = _as_rational(_canonical(diff))
    variables = sorted(rational.free_symbols, key=str)
    rng = random.Random(20261125)
    zeros = 0
    while zeros < trials:
        point = {v: Rational(rng.randint(1, 10**9), rng.randint(1, 10**9)) for v in variables}
        value = rational.xreplace(point)
        if value.has(zoo, nan):
            continue  # a pole of the function; draw another point
        if value != 0:
            return False
        zeros += 1
    return True


# --- random points -------------------------------------------------------------------------------


def _sample(symbols: set[Symbol], size: int, rng: np.random.Generator,
            constraints: tuple[Constraint, ...]) -> dict[Symbol, float]:
    simplex = {c.vector for c in constraints if isinstance(c, Simplex)}
    point: dict[Symbol, float] = {}
    dirichlet: dict[IndexedBase, np.ndarray] = {}
    for sym in sorted(symbols, key=str):
        base = _ORIGIN.get(sym)
        role = role_of(base if base is not None else sym)
        if base is not None and (base in simplex or role is Role.PROBABILITY):
            draw = dirichlet.setdefault(base, rng.dirichlet(np.full(size, 2.0)))
            point[sym] = float(draw[int(sym.name.rsplit("_", 1)[1]) - 1])
            continue
        point[sym] = {
            Role.REAL: lambda: rng.normal(0.0, 1.5),
            Role.PROBABILITY: lambda: rng.uniform(0.05, 0.95),
            Role.TARGET: lambda: rng.uniform(0.0, 1.0),
            Role.POSITIVE: lambda: rng.uniform(0.5, 2.0),
            Role.SMOOTHING: lambda: rng.uniform(0.0, 0.5),
            Role.FOCUS: lambda: rng.uniform(0.5, 3.0),
            Role.SIGN: lambda: float(rng.choice((-1.0, 1.0))),
        }[role]()
    return point


# --- the checks ----------------------------------------------------------------------------------


def _equation_checks(kind: str, label: str, lhs: Expr, rhs: Expr, sizes: tuple[int, ...],
                     constraints: tuple[Constraint, ...]) -> list[Check]:
    checks = []
    if not any(e.has(n) or e.atoms(Indexed) for e in (lhs, rhs)) \
            and not any(isinstance(c, Linear) for c in constraints):
        sizes = sizes[:1]  # a scalar equation: the size does not enter
    for size in sizes:
        failures = [values for values in index_values((lhs, rhs), size, constraints)
                    if not symbolically_equal(instantiate(lhs, size, values, constraints),
                                              instantiate(rhs, size, values, constraints))]
        detail = label if not failures else f"{label}: differs at {failures[0]}"
        checks.append(Check(kind, detail, size, 0.0 if not failures else 1.0, not failures))
    return checks


EquationTask = tuple[str, str, Expr, Expr, tuple[int, ...], tuple[Constraint, ...]]


def _step_tasks(steps: tuple[Step, ...], prefix: str) -> list[EquationTask]:
    tasks = []
    for number, step in enumerate(steps, 1):
        if isinstance(step.lhs, Symbol) and not isinstance(step.lhs, Indexed):
            continue  # the definition of the loss itself
        tasks.append(("step", f"{prefix}{number} ({step.rule})", step.lhs, step.rhs, STEP_SIZES,
                      step.assumes))
    return tasks


def _equation_tasks(derivation: Derivation) -> list[EquationTask]:
    """The symbolic checks of ``derivation``, in report order, as arguments of
    :func:`_equation_checks`."""
    used = derivation.steps[-1].assumes
    raw = Derivative(Named(derivation.symbol, derivation.loss), derivation.wrt)
    tasks = _step_tasks(derivation.steps, "step ") + _step_tasks(derivation.identities, "identity ")
    tasks.append(("closed form", "gradient = raw derivative", raw, derivation.gradient,
                  CLOSED_FORM_SIZES, used))
    if derivation.gradient_general is not None:
        tasks.append(("general form", "general form = raw derivative", raw, derivation.gradient_general,
                      CLOSED_FORM_SIZES, ()))
    if derivation.hessian is not None:
        second = Derivative(raw, derivation.hessian.wrt)
        tasks += _step_tasks(derivation.hessian.steps, "hessian step ")
        tasks.append(("hessian", "Hessian = raw second derivative", second, derivation.hessian.expr,
                      CLOSED_FORM_SIZES[:3], used))
    return tasks


def _checks_into(pipe: Connection, pairs: list[EquationTask]) -> None:
    """Run in a forked process: the checks of ``pairs``, or the exception raised, into ``pipe``."""
    try:
        pipe.send([_equation_checks(*pair) for pair in pairs])
    except BaseException as error:  # handed to the parent, which raises it
        try:
            pipe.send(error)
        except Exception:  # an exception that does not pickle
            pipe.send(RuntimeError(f"the verifying worker failed: {error!r}"))
    finally:
        pipe.close()


def _run_tasks(tasks: list[EquationTask], jobs: int, meanwhile: Callable[[], list[Check]]) -> list[Check]:
    """The checks of every task in order, then those of ``meanwhile()``.

    With ``jobs`` > 1 a forked second process checks the closed form, general form and Hessian at
    the sizes above the steps' (n = 4, 5, 6), while this one checks everything at the steps' sizes
    (which share their instantiations) and runs ``meanwhile``.  Forking is done only where it is
    safe: on Linux, from a process without other threads.  If this process is interrupted (a
    time limit, Ctrl-C), the worker is killed with it."""
    pairs = [(*task[:4], (size,), task[5]) for task in tasks for size in task[4]]
    larger = [p for p, pair in enumerate(pairs) if pair[4][0] > max(STEP_SIZES)]
    if jobs < 2 or not larger or sys.platform != "linux" or threading.active_count() > 1:
        return [c for task in tasks for c in _equation_checks(*task)] + meanwhile()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_checks_into, args=(send, [pairs[p] for p in larger]), daemon=True)
    worker.start()
    send.close()
    try:
        forked_positions = set(larger)
        results = {p: _equation_checks(*pair) for p, pair in enumerate(pairs) if p not in forked_positions}
        after = meanwhile()
        try:
            forked = receive.recv()
        except EOFError:
            forked = RuntimeError("the verifying worker process ended without a result")
    finally:
        receive.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if isinstance(forked, BaseException):
        raise forked
    results.update(zip(larger, forked, strict=True))
    return [c for position in range(len(pairs)) for c in results[position]] + after


def _numeric_check(derivation: Derivation, rng: np.random.Generator) -> Check:
    """Central differences of the explicit loss against the closed form, float64."""
    size, used = NUMERIC_SIZE, derivation.steps[-1].assumes
    worst = 0.0
    for values in index_values((derivation.gradient, derivation.loss, derivation.wrt), size, used):
        loss = instantiate(derivation.loss, size, values, used)
        wrt = instantiate(derivation.wrt, size, values)
        grad = instantiate(derivation.gradient, size, values, used)
        variables = sorted(loss.free_symbols | grad.free_symbols | {wrt}, key=str)
        point = _sample(set(variables), size, rng, used)
        f, g = (lambdify(variables, e, modules="numpy") for e in (loss, grad))
        h = 1e-6 * max(1.0, abs(point[wrt]))
        up, down = dict(point), dict(point)
        up[wrt] += h
        down[wrt] -= h
        with np.errstate(all="ignore"):  # an overflow shows as a non-finite error below
            fd = (f(*[up[v] for v in variables]) - f(*[down[v] for v in variables])) / (2 * h)
            exact, value = g(*[point[v] for v in variables]), f(*[point[v] for v in variables])
            # a central difference cannot resolve less than the round-off of f itself, ε|f|/h: an
            # error of that size is scaled to the tolerance (the exact checks above still hold)
            resolution = np.finfo(float).eps * abs(value) / h / NUMERIC_TOLERANCE
            error = abs(fd - exact) / max(1.0, abs(exact), resolution)
        worst = max(worst, float(error)) if np.isfinite(error) else float("inf")
    return Check("numeric", "central differences vs closed form", size, float(worst),
                 bool(worst < NUMERIC_TOLERANCE))


def verify(derivation: Derivation, seed: int = 0, jobs: int = 1) -> list[Check]:
    """Every check of ``derivation``; see the module docstring.  With ``jobs`` > 1 a second process
    shares the symbolic checks (the results are the same)."""
    rng = np.random.default_rng(seed)

    def numeric() -> list[Check]:
        checks = [_numeric_check(derivation, rng)]
        if derivation.batch is not None:
            from .batch import batch_checks  # batch.py builds on this module

            checks += batch_checks(derivation, rng)
        return checks

    return _run_tasks(_equation_tasks(derivation), jobs, numeric)


def ensure_verified(derivation: Derivation, jobs: int = 1) -> list[Check]:
    """Run :func:`verify`; raise :class:`VerificationError` naming the first failed check."""
    checks = verify(derivation, jobs=jobs)
    failed = [c for c in checks if not c.passed]
    if failed:
        first = failed[0]
        raise VerificationError(f"{derivation.name}: {first.kind} check failed ({first.detail}, "
                                f"n={first.size}, error={first.error:.3g})")
    return checks
