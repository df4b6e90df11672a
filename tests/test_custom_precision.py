"""``derive custom --format py`` against an mpmath reference, however the loss is spelled.

Each case is a loss as a user might type it, with the loss per row written independently in mpmath
(60 digits, so no softmax underflows and no exponential overflows); the gradient reference is
mpmath's own numerical derivative of that.  At typical, extreme (|z| up to 1e4) and, where the loss
has a log1p/expm1 flavour, tiny arguments, in float64 and float32, the generated module must be
finite wherever the reference is a finite number of that dtype, and within float rounding of it:

    |value − ref| ≤ K·eps·max(|ref|, S),      |grad − ref| ≤ K·eps·max(1, S)·max_row |ref grad|,

with S the largest input of the row (a logit of 1e4 is only known to eps·1e4 once it is shifted by
the row's log-sum-exp, in PyTorch as here).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial

import mpmath
import numpy as np
import pytest

from derive.language.custom import build
from derive.language.module import module_source

mp = mpmath.mp
ROWS, CLASSES, K = 4, 4, 64


def softmax(z: list) -> list:
    top = max(z)
    e = [mp.exp(v - top) for v in z]
    return [v / mp.fsum(e) for v in e]


def xlogy(a, b):
    """a·log b with 0·log 0 = 0: the limit, as the loss means it."""
    return mp.zero if a == 0 else a * mp.log(b)


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def each(f: Callable, *vectors: list):
    """Σ_k f(a_k, b_k, ...) over the components of the vectors."""
    return mp.fsum(f(*parts) for parts in zip(*vectors, strict=True))


def js(z, y):
    return each(lambda a, b: xlogy(a, 2 * a / (a + b)) + xlogy(b, 2 * b / (a + b)), y, softmax(z)) / 2


def distillation(z, t, T=4):
    p, q = softmax([a / T for a in t]), softmax([a / T for a in z])
    return T**2 * each(lambda a, b: xlogy(a, a / b), p, q)


def focal_sigmoid(z, y, a=0.25, g=2):
    return each(lambda u, b: -a * b * sigmoid(-u) ** g * mp.log(sigmoid(u))
                - (1 - a) * (1 - b) * sigmoid(u) ** g * mp.log(sigmoid(-u)), z, y)


JS = "(sum(y*log(2*y/(y + softmax(z)))) + sum(softmax(z)*log(2*softmax(z)/(y + softmax(z)))))/2"
SOFTMAX_SPELLED = "exp(z)/sum(exp(z))"


@dataclass(frozen=True)
class Case:
    expression: str
    reference: Callable[..., object]          # the loss of one row, from mpmath lists
    inputs: dict[str, str]                    # vector → kind (the first is the wrt vector)
    options: dict = field(default_factory=dict)
    regimes: tuple[str, ...] = ("typical", "extreme")


CASES = {
    "js": Case(JS, js, {"z": "real", "y": "simplex"}, {"simplex": "y"}),
    "js_onehot": Case(JS, js, {"z": "real", "y": "onehot"}),
    "js_softmax_spelled": Case(JS.replace("softmax(z)", SOFTMAX_SPELLED), js, {"z": "real", "y": "simplex"},
                               {"simplex": "y"}),
    "kl_p_log_p": Case("sum(p*log(p)) - sum(p*log_softmax(z))",
                       lambda z, p: each(lambda a, b: xlogy(a, a) - xlogy(a, b), p, softmax(z)),
                       {"z": "real", "p": "onehot"}),
    "kl_log_ratio": Case("sum(p*log(p/softmax(z)))",
                         lambda z, p: each(lambda a, b: xlogy(a, a / b), p, softmax(z)),
                         {"z": "real", "p": "sparse"}),
    "entropy_spelled": Case(f"sum({SOFTMAX_SPELLED}*log({SOFTMAX_SPELLED}))",
                            lambda z: mp.fsum(xlogy(b, b) for b in softmax(z)), {"z": "real"}),
    "softplus_spelled": Case("sum(log(1 + exp(z)) - y*z)",
                             lambda z, y: each(lambda a, b: mp.log1p(mp.exp(a)) - b * a, z, y),
                             {"z": "real", "y": "unit"}),
    "bce_spelled": Case("-sum(y*log(1/(1 + exp(-z))) + (1 - y)*log(1 - 1/(1 + exp(-z))))",
                        lambda z, y: -each(lambda a, b: xlogy(b, sigmoid(a)) + xlogy(1 - b, sigmoid(-a)),
                                           z, y),
                        {"z": "real", "y": "binary"}),
    "log_cosh_spelled": Case("sum(log((exp(z - y) + exp(y - z))/2))",
                             lambda z, y: each(lambda a, b: mp.log(mp.cosh(a - b)), z, y),
                             {"z": "real", "y": "real"}),
    "log_of_lse_plus_one": Case("log(sum(exp(z)) + 1)", lambda z: mp.log(1 + each(mp.exp, z)), {"z": "real"}),
    "logaddexp_spelled": Case("sum(log(exp(z) + exp(y)))",
                              lambda z, y: each(lambda a, b: mp.log(mp.exp(a) + mp.exp(b)), z, y),
                              {"z": "real", "y": "real"}),
    "distillation_spelled": Case("T**2*sum(exp(t/T)/sum(exp(t/T))*(log(exp(t/T)/sum(exp(t/T)))"
                                 " - log(exp(z/T)/sum(exp(z/T)))))", distillation, {"z": "real", "t": "real"},
                                 {"scalars": {"T": 4.0}}),
    "focal_sigmoid": Case("sum(-a*y*(1 - sigmoid(z))**g*log(sigmoid(z)) - (1 - a)*(1 - y)*sigmoid(z)**g"
                          "*log(1 - sigmoid(z)))", focal_sigmoid, {"z": "real", "y": "binary"},
                          {"scalars": {"a": 0.25, "g": 2.0}}),
    "generalized_ce": Case("sum(y*(1 - softmax(z)**q)/q)",
                           lambda z, y: each(lambda a, b: a * (1 - b**0.7) / 0.7, y, softmax(z)),
                           {"z": "real", "y": "onehot"}, {"scalars": {"q": 0.7}}),
    "focal_softmax": Case("-sum(y*(1 - softmax(z))**g*log_softmax(z))",
                          lambda z, y: -each(lambda a, b: a * (1 - b) ** 2 * mp.log(b), y, softmax(z)),
                          {"z": "real", "y": "onehot"}, {"scalars": {"g": 2.0}}),
    "log_two_cosh": Case("sum(log(2*cosh(z - y)))",
                         lambda z, y: each(lambda a, b: mp.log(2 * mp.cosh(a - b)), z, y),
                         {"z": "real", "y": "real"}),
    "kl_sigmoid_spelled": Case("sum(y*log(y/(1/(1 + exp(-z)))))",
                               lambda z, y: each(lambda a, b: xlogy(b, b / sigmoid(a)), z, y),
                               {"z": "real", "y": "unit"}),
    "log1p": Case("sum(log1p(z))", lambda z: mp.fsum(mp.log1p(a) for a in z), {"z": "real"},
                  regimes=("small", "typical", "extreme")),
    "log_one_plus": Case("sum(log(1 + z))", lambda z: mp.fsum(mp.log1p(a) for a in z), {"z": "real"},
                         regimes=("small", "typical", "extreme")),
    "expm1": Case("sum(expm1(z))", lambda z: mp.fsum(mp.expm1(a) for a in z), {"z": "real"},
                  regimes=("small", "typical", "extreme")),
    "exp_minus_one": Case("sum(exp(z) - 1)", lambda z: mp.fsum(mp.expm1(a) for a in z), {"z": "real"},
                          regimes=("small", "typical", "extreme")),
    "one_minus_exp": Case("sum(1 - exp(z))", lambda z: -mp.fsum(mp.expm1(a) for a in z), {"z": "real"},
                          regimes=("small", "typical", "extreme")),
    "half_expm1": Case("sum(expm1(2*z)/2)", lambda z: mp.fsum(mp.expm1(2 * a) for a in z) / 2, {"z": "real"},
                       regimes=("small", "typical", "extreme")),
}


def sample(kind: str, regime: str, rng: np.random.Generator) -> np.ndarray:
    shape = (ROWS, CLASSES)
    if kind == "real":
        scale = {"typical": 3.0, "extreme": 1e4, "small": 1e-9}[regime]
        return rng.uniform(-scale, scale, shape)
    if kind == "simplex":
        return rng.dirichlet(np.full(CLASSES, 2.0), ROWS)
    if kind == "onehot":
        return np.eye(CLASSES)[rng.integers(0, CLASSES, ROWS)]
    if kind == "sparse":  # a distribution with zeros
        p = rng.dirichlet(np.ones(CLASSES), ROWS) * (rng.uniform(size=shape) < 0.6)
        p[:, 0] += p.sum(axis=1) == 0
        return p / p.sum(axis=1, keepdims=True)
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(float)
    if kind == "unit":
        return rng.uniform(0, 1, shape)
    raise ValueError(kind)


@cache
def module(name: str, folder: str):
    case = CASES[name]
    vectors = list(case.inputs)
    loss = build(case.expression, wrt=vectors[0], vectors=vectors, name=name, **case.options)
    path = f"{folder}/{name}.py"
    with open(path, "w", encoding="utf-8") as file:
        file.write(module_source(loss))
    spec = importlib.util.spec_from_file_location(f"precision_{name}", path)
    generated = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generated)
    return generated


def reference(case: Case, arrays: dict[str, np.ndarray], row: int) -> tuple[object, list]:
    """(loss, gradient) of one row in mpmath; the gradient by mpmath's numerical derivative."""
    values = {name: [mp.mpf(float(v)) for v in a[row]] for name, a in arrays.items()}
    wrt = next(iter(case.inputs))

    def at(position: int, x):
        moved = {**values, wrt: [x if c == position else v for c, v in enumerate(values[wrt])]}
        return case.reference(**moved)

    return case.reference(**values), [mp.diff(partial(at, c), values[wrt][c]) for c in range(CLASSES)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("precision"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CASES))
def test_generated_code_is_finite_and_within_rounding_of_mpmath(name: str, dtype: type, folder: str) -> None:
    case, generated = CASES[name], module(name, folder)
    rng = np.random.default_rng(13)
    with mp.workdps(60):
        for regime in case.regimes:
            arrays = {v: sample(kind, regime, rng).astype(dtype) for v, kind in case.inputs.items()}
            value = getattr(generated, name)(**arrays, reduction="none")
            grad = getattr(generated, f"{name}_grad")(**arrays, reduction="sum")
            assert value.dtype == dtype and grad.dtype == dtype
            for row in range(ROWS):
                where = f"{name} {regime} {np.dtype(dtype)} row {row}"
                check_row(case, arrays, row, value[row], grad[row], where)


def check_row(case: Case, arrays: dict[str, np.ndarray], row: int, value, grad, where: str) -> None:
    """NaN where the loss is not real; else finite and within K·eps of the reference where it is a
    finite number of the dtype (module docstring)."""
    ref, ref_grad = reference(case, arrays, row)
    if isinstance(ref, mpmath.mpc) and ref.imag != 0:  # log of a negative number: no real loss
        assert np.isnan(value), (where, value, ref)
        return
    dtype = grad.dtype
    eps, largest, tiny = float(np.finfo(dtype).eps), float(np.finfo(dtype).max), float(np.finfo(dtype).tiny)
    scale = max(float(abs(a[row]).max()) for v, a in arrays.items() if case.inputs[v] == "real")
    if abs(ref) < largest:
        assert abs(value - ref) <= K * eps * max(abs(ref), scale) + tiny, (where, value, ref)
    # mpmath's derivative is exact to ~50 digits of the loss: below that, a gradient is 0 for it
    size = max(float(max(abs(g) for g in ref_grad)), 1e-40 * (1 + float(abs(ref))))
    for c, g in enumerate(ref_grad):
        if abs(g) < largest:
            assert abs(grad[c] - g) <= K * eps * max(1.0, scale) * size + tiny, (where, c, grad, ref_grad)
