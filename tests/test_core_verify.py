"""The verifier: it proves true identities and, above all, catches wrong ones."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Derivative, KroneckerDelta, Symbol, exp, lambdify, log

from derive.catalogue import derivation
from derive.engine.derivation import Named
from derive.engine.functions import Sigmoid, Softmax
from derive.engine.identity import symbolically_equal
from derive.engine.instances import instantiate
from derive.engine.symbols import j, y, z, z0
from derive.engine.verify import VerificationError, ensure_verified, verify

E1, E2 = Symbol("z_1", real=True), Symbol("z_2", real=True)


def test_equal_proves_identities():
    assert symbolically_equal(log(exp(E1) / (exp(E1) + exp(E2))), E1 - log(exp(E1) + exp(E2)))
    assert symbolically_equal(1 / (1 + exp(-E1)), exp(E1) / (1 + exp(E1)))
    assert symbolically_equal((1 - 1 / (1 + exp(-E1))) ** Symbol("g"), (1 + exp(E1)) ** -Symbol("g"))


def test_equal_rejects_near_misses():
    assert not symbolically_equal(log(exp(E1) + exp(E2)), E1 + E2)
    assert not symbolically_equal(exp(E1) / (exp(E1) + exp(E2)), exp(E2) / (exp(E1) + exp(E2)))
    assert not symbolically_equal(E1 ** 2, E1 ** 2 + 1e-12)


def test_instantiate_expands_sums_and_evaluates_derivatives():
    raw = Derivative(Named(Symbol("L"), -log(Softmax(z, 1))), z[j])
    explicit = instantiate(raw, 2, {j: 1})
    assert symbolically_equal(explicit, exp(E1) / (exp(E1) + exp(E2)) - 1)


def _broken(name, **changes):
    return dataclasses.replace(derivation(name), **changes)


def test_wrong_closed_form_is_caught():
    bad = _broken("cross_entropy", gradient=Softmax(z, j) + y[j])
    with pytest.raises(VerificationError, match="closed form"):
        ensure_verified(bad)


def test_wrong_general_form_is_caught():
    bad = _broken("cross_entropy", gradient_general=Softmax(z, j) - y[j])  # needs Σy = 1
    failed = [c for c in verify(bad) if not c.passed]
    assert [c.kind for c in failed] and {c.kind for c in failed} == {"general form"}


def test_wrong_intermediate_step_is_caught():
    d = derivation("cross_entropy")
    steps = list(d.steps)
    jacobian = next(n for n, s in enumerate(steps) if s.rule == "softmax Jacobian")
    steps[jacobian] = dataclasses.replace(steps[jacobian], rhs=Softmax(z, Symbol("i", integer=True))
                                          * (KroneckerDelta(Symbol("i", integer=True), j) + Softmax(z, j)))
    failed = [c for c in verify(_broken("cross_entropy", steps=tuple(steps))) if not c.passed]
    assert failed and all(c.kind == "step" and "softmax Jacobian" in c.detail for c in failed)


def test_wrong_hessian_is_caught():
    d = derivation("binary_cross_entropy_with_logits")
    bad = dataclasses.replace(d, hessian=dataclasses.replace(d.hessian, expr=Sigmoid(z0)))
    assert any(c.kind == "hessian" and not c.passed for c in verify(bad))


def test_numeric_check_measures_error():
    checks = verify(derivation("binary_cross_entropy_with_logits"))
    numeric = [c for c in checks if c.kind == "numeric"]
    assert numeric and numeric[0].passed and 0 < numeric[0].error < 1e-6


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=5, max_size=5),
       st.lists(st.floats(0.01, 1), min_size=5, max_size=5))
def test_cross_entropy_closed_form_matches_central_differences(logits, weights):
    """Property: at n = 5, s_j − y_j equals the float64 central difference of −Σ y log softmax."""
    target = np.asarray(weights) / np.sum(weights)
    zs = np.asarray(logits)

    def loss(v):
        shifted = v - v.max()
        return -(target * (shifted - np.log(np.exp(shifted).sum()))).sum()

    d = derivation("cross_entropy")
    symbols = [Symbol(f"{v}_{m}", real=True) for v in "zy" for m in range(1, 6)]
    for col in range(5):
        closed = lambdify(symbols, instantiate(d.gradient, 5, {j: col + 1}), "numpy")
        h = 1e-6
        step = np.zeros(5)
        step[col] = h
        fd = (loss(zs + step) - loss(zs - step)) / (2 * h)
        assert closed(*zs, *target) == pytest.approx(fd, abs=1e-6)



def _in_a_fresh_process(script: str, timeout: float = 120) -> str:
    """Run ``script`` in a new interpreter (the test process may have threads, where the verifier
    does not fork) and return what it printed; it must exit 0."""
    import subprocess
    import sys
    import textwrap

    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, run.stderr
    return run.stdout


_SPY = """
    import multiprocessing
    import derive.engine.verify as V
    from derive.catalogue import derivation

    started = []
    real = multiprocessing.get_context

    def spying(method):
        context = real(method)

        class Recorded(context.Process):
            def start(self):
                started.append(method)
                super().start()

        context.Process = Recorded
        return context

    V.multiprocessing.get_context = spying
    d = derivation("cross_entropy")
"""


def test_parallel_verification_gives_the_serial_checks() -> None:
    """`verify(..., jobs=2)` forks one worker for n = 4..6; the checks are those of the serial run."""
    out = _in_a_fresh_process(_SPY + """
    parallel, serial = V.verify(d, jobs=2), V.verify(d, jobs=1)
    assert started == ["fork"], started
    assert parallel == serial and all(c.passed for c in parallel), (parallel, serial)
    assert {c.size for c in parallel if c.kind == "closed form"} == {2, 3, 4, 5, 6}
    print("ok", len(parallel))
    """)
    assert out.startswith("ok")


def test_parallel_verification_gives_the_serial_checks_for_every_entry() -> None:
    """The same for the whole catalogue: an equation without n (a scalar loss's steps) is checked at one
    size in either case (it was checked at every size when forked: 10 checks instead of 4)."""
    out = _in_a_fresh_process(_SPY + """
    from derive.catalogue import names
    differ = [name for name in names()
              if V.verify(derivation(name), jobs=2) != V.verify(derivation(name), jobs=1)]
    print("forked" if "fork" in started else "not forked", "differ:", *differ)
    """, timeout=900)
    assert out.split() == ["forked", "differ:"], out


def test_checks_the_caller_adds_are_shared_and_come_last() -> None:
    """`also` (the lemmas' checks) is one more unit of the shared work: its checks come after the
    numeric check whichever process ran it, and an error in it is raised here."""
    out = _in_a_fresh_process(_SPY + """
    import os
    from derive.engine.checks import Check

    def extra():
        return [Check("lemma", "extra", None, 0.0, True)]

    def failing():
        raise ArithmeticError(f"in the extra, the {'worker' if os.getpid() != parent else 'parent'}")

    parent = os.getpid()
    parallel, serial = V.verify(d, jobs=2, also=(extra,)), V.verify(d, jobs=1, also=(extra,))
    assert parallel == serial and [c.kind for c in parallel[-2:]] == ["numeric", "lemma"], parallel
    try:
        V.verify(d, jobs=2, also=(failing,))
    except ArithmeticError as error:
        print("raised", error, started)
    """)
    assert out.startswith("raised in the extra") and "fork" in out


def test_an_error_in_the_forked_worker_is_raised_here() -> None:
    out = _in_a_fresh_process(_SPY + """
    real_checks = V._equation_checks

    def failing(kind, label, lhs, rhs, sizes, *rest):
        if sizes[0] > 3:
            raise ArithmeticError(f"at n={sizes[0]}")
        return real_checks(kind, label, lhs, rhs, sizes, *rest)

    V._equation_checks = failing
    try:
        V.verify(d, jobs=2)
    except ArithmeticError as error:
        print("raised", error, started)
    """)
    assert out.startswith("raised at n=") and "fork" in out


def test_the_error_raised_is_the_serial_runs_whichever_process_met_it() -> None:
    """Every size raises here: the error is the first a serial run meets (the first step at n = 2),
    whether the worker or this process checked n = 2; the numeric check is not run first."""
    out = _in_a_fresh_process(_SPY + """
    def failing(kind, label, lhs, rhs, sizes, *rest):
        raise ArithmeticError(f"{label} at n={sizes[0]}")

    V._equation_checks = failing
    for jobs in (1, 2):
        try:
            V.verify(d, jobs=jobs)
        except ArithmeticError as error:
            print(jobs, error)
    print(started)
    """)
    lines = out.splitlines()
    assert lines[0].startswith("1 step 2 ") and lines[0].endswith(" at n=2"), out
    assert lines[1] == "2" + lines[0][1:] and "fork" in lines[2], out


def test_nan_is_not_equal_to_itself():
    """An instance undefined everywhere (a denominator that vanishes at every size) is reported as
    such, not taken for an identity because both sides print alike."""
    from sympy import nan, zoo

    from derive.engine.identity import UndefinedEverywhere

    for undefined in (nan, zoo * E1, E1 / (E2 - E2)):
        with pytest.raises(UndefinedEverywhere):
            symbolically_equal(undefined, undefined)


def test_a_time_limit_ends_the_forked_worker_too() -> None:
    out = _in_a_fresh_process(_SPY + """
    import multiprocessing, time
    from derive.language.custom import DerivationFailed
    from derive.language.output import time_limit
    real_checks = V._equation_checks

    def slow(kind, label, lhs, rhs, sizes, *rest):
        if sizes[0] > 3:
            time.sleep(60)
        return real_checks(kind, label, lhs, rhs, sizes, *rest)

    V._equation_checks = slow
    start = time.perf_counter()
    try:
        with time_limit(2):
            V.verify(d, jobs=2)
    except DerivationFailed:
        print("stopped", round(time.perf_counter() - start), len(multiprocessing.active_children()), started)
    """)
    words = out.split()
    assert words[0] == "stopped" and int(words[1]) < 10 and words[2] == "0", out


def test_hyperbolic_functions_are_compared_through_exponentials() -> None:
    from sympy import cosh, sinh, tanh

    from derive.engine.identity import symbolically_equal
    from derive.engine.symbols import x0, y0

    u = x0 - y0
    assert symbolically_equal(tanh(u), sinh(u) / cosh(u))
    assert symbolically_equal(1 - tanh(u) ** 2, 1 / cosh(u) ** 2)
    assert not symbolically_equal(tanh(u), sinh(u))
    assert not symbolically_equal(tanh(u), tanh(x0 + y0))


def test_powers_with_a_symbolic_exponent_compare_their_bases_by_value():
    """(1 − a/(a + b))^γ and (b/(a + b))^γ are one number (focal Tversky was rejected for this); a wrong
    step with a symbolic exponent is still caught."""
    a, b, gamma = (Symbol(name, positive=True) for name in ("a", "b", "gamma"))
    assert symbolically_equal((1 - a / (a + b)) ** gamma * a, (b / (a + b)) ** gamma * a)
    assert symbolically_equal((1 - a / (a + b)) ** (gamma - 1), (a + b) ** (1 - gamma) * b ** (gamma - 1))
    assert not symbolically_equal((1 - a / (a + b)) ** gamma, (a / (a + b)) ** gamma)
    assert not symbolically_equal((1 + a) ** gamma, (1 - a) ** gamma)


def test_a_max_that_differs_in_one_region_of_six_is_caught():
    """max(z_1..z_6) against the max of five of them, and 1[z_m is the largest] against 0, differ only
    where z_m is the largest (one point in six): piecewise expressions are compared at more points."""
    from sympy import Heaviside, Max, symbols

    zs = symbols("z_1:7", real=True)
    for m, zm in enumerate(zs):
        others = Max(*(zs[:m] + zs[m + 1:]))
        assert not symbolically_equal(Heaviside(zm - others), 0)
        assert not symbolically_equal(Max(*zs), others)
        assert symbolically_equal(Max(*zs), Max(zm, others))


def test_a_product_with_a_factor_set_to_zero_is_zero_unless_another_is_infinite():
    """Instantiation's substitution: y_1 = 0 makes y_1·f vanish at once (SymPy would first ask whether
    f is finite), but 0·∞ stays nan as in SymPy, and everything else is xreplace."""
    from sympy import exp, nan, oo

    from derive.engine.instances import _substitute

    y1, big = Symbol("y_1", real=True), E1 / (1 + exp(E1 - E2)) ** 3 + E2
    assert _substitute(y1 * big + E2, {y1: 0}) == E2
    assert _substitute(y1 * oo * big, {y1: 0}) is nan
    assert _substitute(y1 * big + log(E1 + y1), {y1: 2}) == (y1 * big + log(E1 + y1)).xreplace({y1: 2})


def test_values_with_a_radical_are_compared_as_numbers():
    """A norm is √S: at a rational point the sides are radicals SymPy does not bring to one form."""
    from sympy import sqrt, symbols

    a, b = symbols("a b", positive=True)
    root = sqrt(a ** 2 + b ** 2)
    written = 2 * b / (root + 1) - b * root / (root + 1) ** 2
    factored = (2 - root / (root + 1)) * b / (root + 1)
    assert symbolically_equal(written, factored)
    assert not symbolically_equal(written, (2 - root / (root + 2)) * b / (root + 1))
    assert not symbolically_equal(written, factored + b * 10 ** -30)  # 30 digits agree, not 45
