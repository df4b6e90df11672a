"""Derive your own loss: one expression in, a verified :class:`~derive.engine.derivation.Derivation` out.

``from_expression("sum(y * (1 - softmax(z)**q) / q)", wrt="z", scalars={"q": 0.7}, onehot="y")``
parses the expression safely (:mod:`derive.language.parse`), declares the vectors and scalars with the
roles the verifier samples them from, builds a :class:`~derive.engine.derivation.LossSpec` and sends it
through the same pipeline as the catalogue: :func:`derive.engine.calculus.derive`, then
:func:`derive.engine.verify.ensure_verified`.  A result that fails a check raises; it is never returned.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from sympy import (
    Abs,
    Derivative,
    Expr,
    Float,
    IndexedBase,
    KroneckerDelta,
    Max,
    Min,
    Number,
    Pow,
    S,
    Subs,
    Sum,
    Symbol,
    count_ops,
    exp,
    factor_terms,
    log,
    nan,
    zoo,
)

from ..engine.calculus import derive, rearranged
from ..engine.constraints import Constraint, OneHot, Simplex
from ..engine.derivation import Derivation, HessianSpec, LossSpec, Text
from ..engine.functions import NAMED_FUNCTIONS
from ..engine.identity import UndefinedEverywhere
from ..engine.symbols import CLASS_INDICES, Role, i, j, k, l, register_role
from ..engine.verify import Check, ensure_verified
from .meaning import CONSTANTS
from .names import RESERVED, RESERVED_VECTORS, Declared, check_identifier, declared_vector
from .parse import FUNCTIONS, parse
from .reductions import ClassMax, ClassMin

__all__ = ["CustomLoss", "DerivationFailed", "build", "from_expression"]

NO_CLOSED_FORM = Text(
    "No further closed form in named terms (s, σ) was found: the gradient above is verified and "
    "is the simplest form the rules reached.",
    "没有找到用命名量（s、σ）表示的更进一步的闭式：上面的梯度已通过验证，是这些规则所能化到的最简形式。")
SUBGRADIENT = Text(
    "abs, max and min have a kink where their arguments meet; there the formula gives one valid "
    "subgradient (sign(0) = 0, H(0) = 1/2, as torch.abs and torch.maximum do; max(v) and min(v) over "
    "the classes split the gradient evenly among tied components, as torch.amax does).",
    "abs、max 和 min 在参数相等处不可导；在那里公式给出的是一个合法的次梯度（sign(0) = 0，"
    "H(0) = 1/2，与 torch.abs 和 torch.maximum 一致；对类别取 max(v)、min(v) 时梯度在并列的分量间平分，"
    "与 torch.amax 一致）。")


UNDEFINED = ("the expression is undefined everywhere (it divides by zero or takes the log of zero "
             "whatever the inputs)")


class DerivationFailed(RuntimeError):
    """The engine could not differentiate or simplify the expression."""


@dataclass(frozen=True)
class CustomLoss:
    """A verified user-defined loss and what code generation needs to know about its arguments."""

    derivation: Derivation
    checks: tuple[Check, ...]
    expression: str
    vectors: tuple[IndexedBase, ...]           # positional arguments, in --vector order
    scalars: tuple[tuple[Symbol, float], ...]  # keyword arguments and their defaults
    closed_form: bool
    indices: tuple[str, ...] = ()              # one-hot vectors the code takes as class indices


def from_expression(expression: str, *, wrt: str, vectors: Sequence[str] | str = (),
                    scalars: Mapping[str, float] | None = None, simplex: Sequence[str] | str = (),
                    onehot: Sequence[str] | str | None = None, name: str = "custom", hessian: bool = False,
                    jobs: int = 1) -> Derivation:
    """The verified derivation of the loss ``expression`` with respect to the vector ``wrt``.

    ``vectors`` names the vectors (length ``n``; ``wrt`` and the ``simplex``/``onehot`` vectors are
    added when missing), ``scalars`` the scalars and their default values; ``simplex`` vectors sum
    to one, each ``onehot`` vector is the one-hot encoding of a class (``t``, then ``u``, ``v``, ``w``
    for further ones, skipping declared names: ``y_i = δ_it``).  Raises ``ValueError``
    for bad arguments or an expression outside the language (:class:`derive.language.parse.ExpressionError`),
    :class:`derive.engine.verify.VerificationError` when a check fails.  ``jobs=2`` shares the checks with a
    second process (:func:`derive.engine.verify.verify`)."""
    return build(expression, wrt=wrt, vectors=vectors, scalars=scalars, simplex=simplex,
                 onehot=onehot, name=name, hessian=hessian, jobs=jobs).derivation


def build(expression: str, *, wrt: str, vectors: Sequence[str] | str = (),
          scalars: Mapping[str, float] | None = None, simplex: Sequence[str] | str = (),
          onehot: Sequence[str] | str | None = None, name: str = "custom", hessian: bool = False,
          jobs: int = 1, index: Sequence[str] | str | None = None) -> CustomLoss:
    """Like :func:`from_expression`, with the checks and the argument list for code generation.

    ``index`` names one-hot vectors that the generated code takes as integer class indices (one per
    row) instead of one-hot rows; in the math they are one-hot like ``onehot``'s (δ_jt)."""
    check_identifier("name", name)
    from ..catalogue import SPECS, lemma_checks  # names documents look up; the lemmas' own checks

    if name in SPECS:
        raise ValueError(f"name: {name!r} is a catalogue loss (derive show {name}); choose another name")
    simplex_names = _names("simplex", simplex)
    index_names = _names("index", index or ())
    onehot_names = _names("onehot", onehot or ()) + index_names
    if len(set(onehot_names)) < len(onehot_names):
        raise ValueError("index: a vector is either --onehot (one-hot rows) or --index (class indices)")
    _check_name("wrt", wrt)
    if wrt in simplex_names + onehot_names:
        raise ValueError(f"wrt: {wrt!r} is also declared --simplex/--onehot; differentiate with "
                         "respect to an unconstrained vector")
    if set(simplex_names) & set(onehot_names):
        raise ValueError("onehot: a vector cannot be both --simplex and --onehot")
    vector_names = list(dict.fromkeys([*_names("vectors", vectors), wrt, *simplex_names, *onehot_names]))
    defaults = _scalar_defaults(scalars or {}, vector_names)
    for vector in vector_names:
        if vector in RESERVED_VECTORS:
            raise ValueError(f"vectors: {vector!r} is reserved for vectors ({vector}_j is the softmax in "
                             "the printed math); choose another name")
    bases = {v: declared_vector(v) for v in vector_names}
    symbols = {v: Declared(v, real=True) for v in defaults}
    classes = _class_indices(len(onehot_names), {*vector_names, *defaults})
    loss = parse(expression, bases, symbols)
    if loss.has(zoo, nan):  # SymPy folded a division by zero: x/(a - a) is zoo·x
        raise ValueError(UNDEFINED)
    _check_numbers(loss)
    vector = bases[wrt]
    if vector not in loss.atoms(IndexedBase):
        raise ValueError(f"wrt: the expression does not depend on {wrt!r}")
    _declare_roles(loss, bases, vector, symbols, defaults)
    assumptions: tuple[Constraint, ...] = (*(Simplex(bases[v]) for v in simplex_names),
                                           *(OneHot(bases[v], c) for v, c in zip(onehot_names, classes,
                                                                                  strict=True)))
    spec = LossSpec(
        name=name,
        title=Text(f"Custom loss {name}", f"自定义损失 {name}"),
        family="custom",
        description=Text(f"A user-defined loss, written as {expression.strip()}.",
                         f"用户定义的损失，写作 {expression.strip()}。"),
        loss=loss, wrt=vector[j], assumptions=assumptions,
        hessian=HessianSpec(vector[_second_index(loss)]) if hessian else None,
        parameters=tuple(s for s in symbols.values() if loss.has(s)),
    )
    try:
        derivation = _derive(spec)
        tidy = _tidy(derivation.gradient)
        if tidy is not None:
            derivation = rearranged(derivation, tidy)
        closed = _closed_form(derivation.gradient, vector)
        remarks = (() if closed else (NO_CLOSED_FORM,)) + \
            ((SUBGRADIENT,) if loss.has(Abs, Max, Min, ClassMax, ClassMin) else ())
        derivation = replace(derivation, remarks=remarks)
        checks = tuple(ensure_verified(derivation, jobs, also=(partial(lemma_checks, derivation),)))
    except UndefinedEverywhere:  # a denominator the rules do not see is zero, such as sum(y)/2 - sum(y/2)
        raise ValueError(UNDEFINED) from None
    return CustomLoss(derivation, checks, expression.strip(), tuple(bases.values()),
                      tuple((symbols[s], defaults[s]) for s in defaults), closed, tuple(index_names))


def _check_numbers(loss: Expr) -> None:
    """Every number in the loss (after SymPy folded the constants: 1e308*10 is 1e309) is a finite
    float64, as the numeric checks and the generated code compute in float64."""
    for number in loss.atoms(Number):
        try:
            finite = math.isfinite(float(number))
        except OverflowError:  # an integer beyond float64
            finite = False
        if not finite:
            raise ValueError(f"the number {Float(number, 4)} is too large: at most "
                             f"{sys.float_info.max:.4g} in magnitude (float64)")


def _derive(spec: LossSpec) -> Derivation:
    try:
        return derive(spec)
    except (RuntimeError, TypeError, ValueError, NotImplementedError, RecursionError) as error:
        raise DerivationFailed(f"could not derive {spec.name}: {error}") from error


# --- the arguments ------------------------------------------------------------------------------


def _check_name(argument: str, value: object) -> None:
    """The name of a vector or scalar: an identifier that is no index, constant, function or component."""
    check_identifier(argument, value)
    if value in RESERVED or re.search(r"_\d+\Z", value):
        raise ValueError(f"{argument}: {value!r} is reserved (the indices i j k l, the loss L, names "
                         "ending in _<digits>)")
    if value in CONSTANTS:
        raise ValueError(f"{argument}: {value!r} is a constant of the language ({CONSTANTS[value]})")
    if value in FUNCTIONS:
        raise ValueError(f"{argument}: {value!r} is the name of a function of the language")


def _class_indices(count: int, names: set[str]) -> list[Symbol]:
    """The class symbols of ``count`` one-hot vectors: t, u, v, w, skipping the declared names."""
    free = [c for c in CLASS_INDICES if c.name not in names]
    if count > len(free):
        raise ValueError(f"onehot: at most {len(free)} one-hot vectors here (their classes are "
                         f"{', '.join(c.name for c in free)}; the other letters are declared names)")
    return free[:count]


def _names(argument: str, value: Sequence[str] | str) -> list[str]:
    """``"z,y"``, ``"z y"`` or ``["z", "y"]`` → ``["z", "y"]``, each checked."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    for item in items:
        _check_name(argument, item)
    if len(set(items)) != len(items):
        raise ValueError(f"{argument}: a name is repeated in {items}")
    return items


def _second_index(loss: Expr) -> Symbol:
    """The Hessian's second index: ``l``, unless a nested sum of the loss uses it."""
    taken = loss.atoms(Symbol)
    return next(c for c in (l, i, *(Symbol(f"l_{d}", integer=True) for d in range(2, 64))) if c not in taken)


def _scalar_defaults(scalars: Mapping[str, float], vectors: list[str]) -> dict[str, float]:
    defaults = {}
    for key, value in scalars.items():
        _check_name("scalars", key)
        if key in vectors:
            raise ValueError(f"scalars: {key!r} is also a vector")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"scalars: the value of {key!r} must be a finite number, not {value!r}")
        defaults[key] = float(value)
    return defaults


def _declare_roles(loss: Expr, bases: dict[str, IndexedBase], wrt: IndexedBase,
                   symbols: dict[str, Symbol], defaults: dict[str, float]) -> None:
    """Tell the verifier where to sample each declared vector and scalar, whatever its name.

    A vector inside a log, a root or a denominator is sampled as probabilities, the ``wrt`` vector
    otherwise as reals, any other vector as targets in [0, 1]; a scalar near its default's sign
    and size."""
    outside = loss.replace(lambda e: isinstance(e, NAMED_FUNCTIONS), lambda e: S.One)
    guarded = [e.args[0] for e in outside.atoms(log)]
    guarded += [e.base for e in outside.atoms(Pow) if not (e.exp.is_Integer and e.exp > 0)]
    roles: dict[Symbol | IndexedBase, Role] = {}
    for base in bases.values():
        if any(base in g.atoms(IndexedBase) for g in guarded):
            roles[base] = Role.PROBABILITY
        else:
            roles[base] = Role.REAL if base == wrt else Role.TARGET
    for key, symbol in symbols.items():
        value = defaults[key]
        roles[symbol] = Role.PROBABILITY if 0 < value < 1 else Role.POSITIVE if value >= 1 \
            else Role.SMOOTHING if value == 0 else Role.REAL
    for symbol, role in roles.items():
        register_role(symbol, role)  # the user's own symbols: the core z, y, ... keep their roles


def _tidy(gradient: Expr) -> Expr | None:
    """The gradient with common factors pulled out and equal sums recognised as equal
    (``Σ_i y_i s_i / Σ_k y_k s_k = 1``), when that is no longer; the verifier checks the step."""
    candidate = factor_terms(_rename_sums(gradient))
    if candidate == gradient or count_ops(candidate) > count_ops(gradient):
        return None
    return candidate


def _rename_sums(expr: Expr) -> Expr:
    """Give every outermost sum without a sum inside it the index ``k``."""
    if isinstance(expr, Sum):
        (index, low, high), body = expr.limits[0], expr.function
        return expr if body.has(Sum) else Sum(body.xreplace({index: k}), (k, low, high))
    if not expr.args or isinstance(expr, IndexedBase):
        return expr
    return expr.func(*[_rename_sums(a) for a in expr.args])


def _closed_form(gradient: Expr, vector: IndexedBase) -> bool:
    """False when the rules left a derivative, a sum with a Kronecker delta inside, or a sum of
    exponentials of ``vector`` (a normaliser they could not name, as with ``exp(z/T)``)."""
    if gradient.has(Derivative, Subs):
        return False
    return not any(s.function.has(KroneckerDelta) or any(vector in e.atoms(IndexedBase)
                                                         for e in s.function.atoms(exp))
                   for s in gradient.atoms(Sum))
