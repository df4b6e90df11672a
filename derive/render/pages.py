"""The pages beyond one derivation: the index, information theory, and MSE against cross-entropy.

Each page's content comes from the verified derivations (definitions, closed
forms, identities, numbers computed from the closed forms); its prose comes
from the ``[pages.*]`` tables of the language files.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Derivative, Expr, Function, Mul, Symbol, expand

from ..catalogue import names, verified
from ..engine.derivation import Named, unwrap
from ..engine.functions import Sigmoid
from ..engine.symbols import p0, y0, z0
from . import plots, topics
from .chain import Chain
from .information import information_extras
from .phrases import Phrases
from .training import training_plot, training_view
from .views import Math, equation, step_views

__all__ = ["PAGES", "Descent", "IndexEntry", "Section", "index_context", "page_context"]

PAGES = ("information_theory", "mse_vs_cross_entropy", "framework_map", "improved_forms")
INFORMATION_ORDER = ("self_information", "entropy", "kl_divergence", "cross_entropy_distributions")
DESCENT_START, DESCENT_RATE, DESCENT_GOAL, DESCENT_STEPS = 5.0, 1.0, 0.1, 250
TABLE_LOGITS = (0.0, 2.0, 4.0, 6.0, 8.0)


@dataclass(frozen=True)
class Section:
    """One concept of a page: its name, a sentence, its definition and its closed form."""

    name: str
    title: str
    lead: str
    definition: Math
    gradient: Math


@dataclass(frozen=True)
class IndexEntry:
    name: str
    title: str
    result: Math


def _section(name: str, lead: str, t: Phrases, label: Expr | None = None) -> Section:
    d, _ = verified(name)
    label = d.symbol if label is None else label
    return Section(name, getattr(d.title, t.code), lead, equation(label, d.loss, t.words),
                   equation(Derivative(label, d.wrt, evaluate=False), d.gradient, t.words))


def _information_theory(t: Phrases) -> dict:
    page = t.pages["information_theory"]
    identity = verified("cross_entropy_distributions")[0].identities[0]
    labels = {named.expr: named.label for side in (identity.lhs, identity.rhs) for named in side.atoms(Named)}
    sections = []
    for name in INFORMATION_ORDER:
        loss = verified(name)[0].loss
        label = labels.get(loss, Function("I")(p0) if name == "self_information" else None)
        sections.append(_section(name, page[name], t, label))
    kl, ce = sections[2], sections[3]
    return {
        "sections": sections,
        "identity": step_views((identity,), t)[0],
        "same_gradient": (kl.gradient, ce.gradient),
        "next": _section("cross_entropy", page["next"], t),
        **information_extras(t),
    }


@dataclass(frozen=True)
class Descent:
    rows: tuple[tuple[str, str, str, str], ...]   # z, a, |CE gradient|, |MSE gradient| for y = 0
    training: str
    plot_caption: str


def _numbers(page: dict) -> Descent:
    ce, _ = verified("binary_cross_entropy_with_logits")
    mse, _ = verified("mse_sigmoid")
    numeric = {d.name: plots.numeric(d.gradient, [z0, y0]) for d in (ce, mse)}
    sigmoid = plots.numeric(Sigmoid(z0), [z0])
    rows = tuple((f"{z:g}", f"{float(sigmoid(z)):.4f}", f"{float(numeric[ce.name](z, 0.0)):.4g}",
                  f"{float(numeric[mse.name](z, 0.0)):.4g}") for z in TABLE_LOGITS)
    steps = {}
    for d in (ce, mse):
        path = plots.descent(lambda z, d=d: float(numeric[d.name](z, 0.0)), DESCENT_START, DESCENT_RATE,
                             20 * DESCENT_STEPS)
        steps[d.name] = int(next(k for k, z in enumerate(path) if sigmoid(z) < DESCENT_GOAL))
    training = page["training"].format(
        start=f"{DESCENT_START:g}", a0=f"{float(sigmoid(DESCENT_START)):.4f}", rate=f"{DESCENT_RATE:g}",
        goal=f"{DESCENT_GOAL:g}", ce_steps=steps[ce.name], mse_steps=steps[mse.name])
    return Descent(rows, training, page["plot"].format(start=f"{DESCENT_START:g}"))


def slowdown_factor() -> Chain:
    """∂L_MSE/∂z = σ'(z) · ∂L_CE/∂z = σ(z)(1 − σ(z))(σ(z) − y), checked against the two verified
    closed forms."""
    ce, _ = verified("binary_cross_entropy_with_logits")
    mse, _ = verified("mse_sigmoid")
    sigma = Sigmoid(z0)
    factor = sigma * (1 - sigma)
    if expand(unwrap(mse.gradient) - factor * unwrap(ce.gradient)) != 0:
        raise AssertionError("the MSE gradient is not σ'(z) times the cross-entropy gradient")
    mse_lhs = Derivative(Symbol("L_MSE"), z0, evaluate=False)
    ce_lhs = Derivative(Symbol("L_CE"), z0, evaluate=False)
    slope = Derivative(sigma, z0, evaluate=False)
    return Chain(mse_lhs, [("=", Mul(slope, ce_lhs, evaluate=False)),
                           ("=", Mul(factor, ce.gradient, evaluate=False))])


def _mse_vs_cross_entropy(t: Phrases) -> dict:
    page = t.pages["mse_vs_cross_entropy"]
    mse, ce = verified("mse_sigmoid")[0], verified("binary_cross_entropy_with_logits")[0]
    curvature = [(page[key], equation(Derivative(Symbol(label), z0, z0), d.hessian.expr, t.words),
                  getattr(d.hessian.remark, t.code) if d.hessian.remark else "")
                 for d, key, label in ((ce, "cross_entropy", "L_CE"), (mse, "squared_error", "L_MSE"))
                 if d.hessian is not None]
    return {
        "sections": [_section("mse_sigmoid", page["squared_error"], t),
                     _section("binary_cross_entropy_with_logits", page["cross_entropy"], t)],
        "factor": slowdown_factor(),
        "numbers": _numbers(page),
        "curvature": curvature,
        "remarks": [getattr(r, t.code) for r in mse.remarks],
        "plot": slowdown_plot(),
        "training": training_view(t),
        "training_plot": training_plot(),
    }


def slowdown_plot() -> plots.Plot | None:
    return plots.slowdown_plot(DESCENT_START, DESCENT_RATE, DESCENT_STEPS) if plots.available() else None


def page_context(page: str, t: Phrases) -> dict:
    """What the template of special page ``page`` shows, in the language of ``t``."""
    if page == "information_theory":
        return _information_theory(t)
    if page == "mse_vs_cross_entropy":
        return _mse_vs_cross_entropy(t)
    if page == "framework_map":
        return topics.framework_map(t)
    if page == "improved_forms":
        return topics.improved_forms(t)
    raise ValueError(f"page must be one of {', '.join(PAGES)}, not {page!r}")


def index_context(t: Phrases) -> dict:
    """The catalogue grouped by family, in catalogue order, each entry with its closed form."""
    families: dict[str, list[IndexEntry]] = {}
    for name in names():
        d, _ = verified(name)
        families.setdefault(t.family(d.family), []).append(
            IndexEntry(name, getattr(d.title, t.code), equation(d.steps[-1].lhs, d.gradient, t.words)))
    pages = [(page, t.pages[page]["title"]) for page in PAGES]
    return {"families": list(families.items()), "pages": pages}

