r"""Verification of derivations: symbolic at concrete sizes, and numeric.

Three checks, all of which must pass before a derivation is shown:

1. **Steps**: both sides of every :class:`~derive.engine.derivation.Step` agree at
   concrete sizes (every value of every free index: one per pattern of equal and
   distinct indices where that is as strong, see :mod:`derive.engine.indices`), with the
   step's own assumptions imposed.
2. **Closed form**: for ``n = 2..6`` the closed-form gradient (and the general
   form, and the Hessian) equals SymPy's raw derivative of the loss written with
   explicit components :math:`z_1..z_n`.
3. **Numeric**: central differences in float64 at random points agree with the
   closed form (relative error reported).

Symbolic equality is decided without ``simplify``
(:func:`~derive.engine.identity.symbolically_equal`), on expressions made explicit at a concrete size
(:func:`~derive.engine.instances.instantiate`).

The symbolic checks are independent of one another: ``verify(..., jobs=2)`` shares
them, size by size, with a forked second process (Linux), which is how ``derive show``
answers within a second.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized

import numpy as np
from sympy import Derivative, Expr, Indexed, Symbol

from .batch import batch_checks
from .checks import NUMERIC_TOLERANCE, Check, VerificationError
from .constraints import Constraint, Linear
from .derivation import Derivation, Named, Step
from .functions import NAMED_FUNCTIONS
from .identity import symbolically_equal
from .indices import index_values
from .instances import instantiate, numeric, sample
from .parent import die_with_parent
from .symbols import n

__all__ = ["Check", "VerificationError", "ensure_verified", "verify"]

STEP_SIZES = (2, 3)
CLOSED_FORM_SIZES = (2, 3, 4, 5, 6)
NUMERIC_SIZE = 4


# --- the checks ----------------------------------------------------------------------------------


def _sizes(lhs: Expr, rhs: Expr, sizes: tuple[int, ...],
           constraints: tuple[Constraint, ...]) -> tuple[int, ...]:
    """The sizes an equation is checked at: only the first for a scalar equation (the size does not
    enter), whichever process checks it."""
    if not any(e.has(n) or e.atoms(Indexed) for e in (lhs, rhs)) \
            and not any(isinstance(c, Linear) for c in constraints):
        return sizes[:1]
    return sizes


def _equation_checks(kind: str, label: str, lhs: Expr, rhs: Expr, sizes: tuple[int, ...],
                     constraints: tuple[Constraint, ...], case: Expr | None = None) -> list[Check]:
    """Both sides agree at each size, at every index assignment that satisfies ``case``."""
    checks = []
    shown = (lhs, rhs) if case is None else (lhs, rhs, case)
    for size in _sizes(lhs, rhs, sizes, constraints):
        failures = [values for values in index_values(shown, size, constraints)
                    if (case is None or case.xreplace(values))
                    and not symbolically_equal(instantiate(lhs, size, values, constraints),
                                               instantiate(rhs, size, values, constraints))]
        detail = label if not failures else f"{label}: differs at {failures[0]}"
        checks.append(Check(kind, detail, size, 0.0 if not failures else 1.0, not failures))
    return checks


EquationTask = tuple[str, str, Expr, Expr, tuple[int, ...], tuple[Constraint, ...], Expr | None]


def _step_tasks(steps: tuple[Step, ...], prefix: str) -> list[EquationTask]:
    """A task per step; a name's first step defines it (``L = …``), a later step on the name (``L``
    rewritten in named terms) is checked against that definition."""
    tasks, defined = [], {}
    for number, step in enumerate(steps, 1):
        lhs = step.lhs
        if isinstance(lhs, Symbol) and not isinstance(lhs, Indexed):
            if lhs not in defined:
                defined[lhs] = step.rhs  # the definition of the loss itself
                continue
            lhs = defined[lhs]
        tasks.append(("step", f"{prefix}{number} ({step.rule})", lhs, step.rhs, STEP_SIZES,
                      step.assumes, step.case))
    return tasks


def _equation_tasks(derivation: Derivation) -> list[EquationTask]:
    """The symbolic checks of ``derivation``, in report order, as arguments of
    :func:`_equation_checks`."""
    used = derivation.steps[-1].assumes
    raw = Derivative(Named(derivation.symbol, derivation.loss), derivation.wrt)
    tasks = _step_tasks(derivation.steps, "step ") + _step_tasks(derivation.identities, "identity ")
    tasks.append(("closed form", "gradient = raw derivative", raw, derivation.gradient,
                  CLOSED_FORM_SIZES, used, None))
    if isinstance(derivation.symbol, NAMED_FUNCTIONS):  # a lemma: the rule diff applies is what it derives
        rule = derivation.symbol.diff(derivation.wrt)
        tasks.append(("rule", "the engine's rule = the derived result", rule, derivation.gradient,
                      CLOSED_FORM_SIZES[:3], (), None))
    if derivation.gradient_general is not None:
        tasks.append(("general form", "general form = raw derivative", raw, derivation.gradient_general,
                      CLOSED_FORM_SIZES, (), None))
    if derivation.hessian is not None:
        second = Derivative(raw, derivation.hessian.wrt)
        tasks += _step_tasks(derivation.hessian.steps, "hessian step ")
        tasks.append(("hessian", "Hessian = raw second derivative", second, derivation.hessian.expr,
                      CLOSED_FORM_SIZES[:3], used, None))
    return tasks


Extra = Callable[[], list[Check]]
# the checks of each equation (by position) and of each extra (-1, -2, …), or the error it raised
Results = dict[int, list[Check] | Exception]


def _by_size(pairs: list[EquationTask]) -> list[list[int]]:
    """The positions of ``pairs`` grouped by size (the checks at one size share their instantiations),
    the largest size, the costliest, first."""
    sizes = sorted({pair[4][0] for pair in pairs}, reverse=True)
    return [[p for p, pair in enumerate(pairs) if pair[4][0] == size] for size in sizes]


def _share(pairs: list[EquationTask], units: list[list[int]], taken: Synchronized,
           extras: tuple[Extra, ...]) -> Results:
    """Take the next unit not yet taken by either process (a size's equations, then each of
    ``extras``) and check it, until none is left: the checks done here.  An error is kept as the
    result of what raised it: the caller raises the first in the order of a serial run."""
    done: Results = {}
    while True:
        with taken.get_lock():
            unit = taken.value
            taken.value += 1
        if unit < len(units):
            done.update((p, _attempt(_equation_checks, *pairs[p])) for p in units[unit])
        elif unit < len(units) + len(extras):
            extra = unit - len(units)
            done[-1 - extra] = _attempt(extras[extra])
        else:
            return done


def _attempt(function: Callable[..., list[Check]], *args: object) -> list[Check] | Exception:
    try:
        return function(*args)
    except Exception as error:  # the caller raises it if no earlier check raised
        return error


def _share_into(pipe: Connection, parent: int, *work: object) -> None:
    """Run in a forked process: :func:`_share` ``work``, its checks or the exception raised into ``pipe``."""
    die_with_parent(parent)
    try:
        pipe.send(_share(*work))
    except BaseException as error:  # handed to the parent, which raises it
        try:
            pipe.send(error)
        except Exception:  # an exception that does not pickle
            pipe.send(RuntimeError(f"the verifying worker failed: {error!r}"))
    finally:
        pipe.close()


def _run_tasks(tasks: list[EquationTask], jobs: int, extras: tuple[Extra, ...]) -> list[Check]:
    """The checks of every task in order, then those of each of ``extras`` (the numeric checks, the
    lemmas').

    With ``jobs`` > 1 a forked second process shares the work: each process in turn takes the next
    size not yet taken, from the largest (n = 6, the costliest) down, and then the extras, so that
    neither waits long for the other; the checks of one size share their instantiations.  The
    results are those of the serial run.  Forking is done only where it is safe: on Linux, from a
    process without other threads.  If this process is interrupted (a time limit, Ctrl-C), the
    worker is killed with it."""
    pairs = [(*task[:4], (size,), *task[5:]) for task in tasks for size in _sizes(*task[2:6])]
    units = _by_size(pairs)
    if jobs < 2 or len(units) + len(extras) < 2 or sys.platform != "linux" or threading.active_count() > 1:
        return [c for task in tasks for c in _equation_checks(*task)] + [c for e in extras for c in e()]
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_share_into, args=(send, os.getpid(), pairs, units, taken, extras),
                             daemon=True)
    worker.start()
    send.close()
    try:
        results = _share(pairs, units, taken, extras)
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
    results.update(forked)
    checks: list[Check] = []
    for position in [*range(len(pairs)), *range(-1, -1 - len(extras), -1)]:  # the serial run's order
        result = results[position]
        if isinstance(result, Exception):
            raise result
        checks += result
    return checks


def _numeric_check(derivation: Derivation, rng: np.random.Generator) -> Check:
    """Central differences of the explicit loss against the closed form, float64."""
    size, used = NUMERIC_SIZE, derivation.steps[-1].assumes
    worst = 0.0
    for values in index_values((derivation.gradient, derivation.loss, derivation.wrt), size, used):
        loss = instantiate(derivation.loss, size, values, used)
        wrt = instantiate(derivation.wrt, size, values)
        grad = instantiate(derivation.gradient, size, values, used)
        variables = sorted(loss.free_symbols | grad.free_symbols | {wrt}, key=str)
        point = sample(set(variables), size, rng, used)
        f, g = (numeric(variables, e) for e in (loss, grad))
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


def verify(derivation: Derivation, seed: int = 0, jobs: int = 1, also: tuple[Extra, ...] = ()) -> list[Check]:
    """Every check of ``derivation``; see the module docstring; then the checks that each of ``also``
    returns (those of the lemmas it cites, which the caller knows).  With ``jobs`` > 1 a second process
    shares the checks (the results are the same)."""
    rng = np.random.default_rng(seed)

    def numeric() -> list[Check]:
        checks = [_numeric_check(derivation, rng)]
        if derivation.batch is not None:
            checks += batch_checks(derivation, rng)
        return checks

    return _run_tasks(_equation_tasks(derivation), jobs, (numeric, *also))


def ensure_verified(derivation: Derivation, jobs: int = 1, also: tuple[Extra, ...] = ()) -> list[Check]:
    """Run :func:`verify`; raise :class:`VerificationError` naming the first failed check."""
    checks = verify(derivation, jobs=jobs, also=also)
    failed = [c for c in checks if not c.passed]
    if failed:
        first = failed[0]
        raise VerificationError(f"{derivation.name}: {first.kind} check failed ({first.detail}, "
                                f"n={first.size}, error={first.error:.3g})")
    return checks
