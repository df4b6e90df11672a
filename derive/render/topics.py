r"""Two topic pages built from the catalogue: the framework map and the improved forms.

**Framework map**: which PyTorch, TensorFlow, Keras and optax function expects
logits, probabilities or log-probabilities, with which target, and the
gradient it computes (the verified closed form of the catalogue entry that
describes it); then the classic mistakes, each with a number computed here.

**Improved forms**: class weights, label smoothing, focal loss and
``pos_weight``, each beside the plain gradient :math:`s - y` (or
:math:`\sigma(z) - y`): their verified closed forms, the worked examples'
gradients side by side, and a plot of the gradient at the true class against
:math:`s_t`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sympy import IndexedBase, Symbol

from ..catalogue import verified
from ..engine.constraints import OneHot
from ..engine.instances import component, instantiate
from ..engine.symbols import eps, gamma, j, q0, t, w, y, y0, z, z0
from . import plots
from .example import worked_example
from .phrases import Phrases
from .views import Math, equation
from .worked import number

__all__ = ["IMPROVED", "MAP", "Cell", "Table", "framework_map", "improved_forms", "mentions"]


@dataclass(frozen=True)
class MapRow:
    """One framework function: what its input is, what its target is, and the catalogue entry whose
    closed form is the gradient it computes with respect to that input."""

    api: str
    input: str    # logits | probabilities | log_probabilities
    target: str   # index | distribution | binary
    entry: str


MAP = (
    MapRow("torch.nn.BCELoss", "probabilities", "binary", "binary_cross_entropy"),
    MapRow("torch.nn.BCEWithLogitsLoss", "logits", "binary", "binary_cross_entropy_with_logits"),
    MapRow("torch.nn.NLLLoss", "log_probabilities", "index", "nll_loss"),
    MapRow("torch.nn.CrossEntropyLoss", "logits", "index", "cross_entropy_index"),
    MapRow("torch.nn.CrossEntropyLoss", "logits", "distribution", "cross_entropy"),
    MapRow("tf.nn.sigmoid_cross_entropy_with_logits", "logits", "binary", "binary_cross_entropy_with_logits"),
    MapRow("tf.nn.softmax_cross_entropy_with_logits", "logits", "distribution", "cross_entropy"),
    MapRow("tf.nn.sparse_softmax_cross_entropy_with_logits", "logits", "index", "cross_entropy_index"),
    MapRow("keras.losses.BinaryCrossentropy(from_logits=False)", "probabilities", "binary",
           "binary_cross_entropy"),
    MapRow("keras.losses.BinaryCrossentropy(from_logits=True)", "logits", "binary",
           "binary_cross_entropy_with_logits"),
    MapRow("keras.losses.CategoricalCrossentropy(from_logits=False)", "probabilities",
           "distribution", "cross_entropy_distributions"),
    MapRow("keras.losses.CategoricalCrossentropy(from_logits=True)", "logits", "distribution",
           "cross_entropy"),
    MapRow("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", "logits",
           "index", "cross_entropy_index"),
    MapRow("optax.losses.sigmoid_binary_cross_entropy", "logits", "binary",
           "binary_cross_entropy_with_logits"),
    MapRow("optax.losses.softmax_cross_entropy", "logits", "distribution", "cross_entropy"),
    MapRow("optax.losses.softmax_cross_entropy_with_integer_labels", "logits", "index",
           "cross_entropy_index"),
)

# The improved forms beside their plain loss: (entry, the plain loss it changes).
IMPROVED = (("cross_entropy_weighted", "cross_entropy_index"),
            ("cross_entropy_label_smoothing", "cross_entropy"),
            ("softmax_focal_loss_index", "cross_entropy_index"),
            ("binary_cross_entropy_with_logits_pos_weight", "binary_cross_entropy_with_logits"))


@dataclass(frozen=True)
class Cell:
    """A table cell: text, code, a formula, or a link to a document (``value`` is its title)."""

    kind: str   # text | code | math | link
    value: object
    href: str = ""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def mentions(name: str) -> tuple[str, ...]:
    """The topic pages that discuss catalogue entry ``name`` (for its "see also" line)."""
    pages = []
    if any(row.entry == name for row in MAP):
        pages.append("framework_map")
    if any(name in pair for pair in IMPROVED):
        pages.append("improved_forms")
    return tuple(pages)


def _gradient(name: str, t: Phrases) -> Math:
    d, _ = verified(name)
    return equation(d.steps[-1].lhs, d.gradient, t.words)


def _link(name: str, t: Phrases) -> Cell:
    return Cell("link", getattr(verified(name)[0].title, t.code), name)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _mistakes(page: dict) -> list[str]:
    """The classic mistakes, each with its consequence computed for the worked example's logits."""
    z = np.array([2.0, 1.0, 0.1])
    right, twice = -np.log(_softmax(z)[0]), -np.log(_softmax(_softmax(z))[0])
    n = len(z)
    floor = np.log1p((n - 1) / np.e)  # −log(e / (e + n − 1)): the best a probability vector can do
    sigmoid = 1 / (1 + np.exp(-1.0))
    keras = -np.log(z[0] / z.sum())
    return [
        page["softmax_twice"].format(right=number(right), twice=number(twice), n=n, floor=number(floor)),
        page["sigmoid_twice"].format(one=number(-np.log(sigmoid)), zero=number(np.log(2.0))),
        page["from_logits"].format(keras=number(keras), right=number(right)),
        page["nll_on_probabilities"],
    ]


def framework_map(t: Phrases) -> dict:
    """The framework map page's table and mistakes, in the language of ``t``."""
    page = t.pages["framework_map"]
    kinds = page["kinds"]
    rows = tuple((Cell("code", row.api), Cell("text", kinds[row.input]), Cell("text", kinds[row.target]),
                  Cell("math", _gradient(row.entry, t)), _link(row.entry, t)) for row in MAP)
    header = (page["api"], page["input"], page["target"], page["gradient"], page["derivation"])
    return {"table": Table(header, rows), "mistakes": _mistakes(page)}


def _side_by_side(t: Phrases) -> Table:
    """The worked examples' gradients at z = (2, 1, 0.1) (or z = 0.5): plain and improved forms."""
    page = t.pages["improved_forms"]
    names = ["cross_entropy_index", *[improved for improved, _ in IMPROVED[:3]]]
    columns = {name: [r.closed for r in worked_example(verified(name)[0]).rows] for name in names}
    labels = [row.label for row in worked_example(verified(names[0])[0]).rows]
    header = (page["component"], *[getattr(verified(name)[0].title, t.code) for name in names])
    rows = tuple((Cell("math", Math(label, t.words)), *[Cell("text", number(columns[name][m], 4))
                                                          for name in names])
                 for m, label in enumerate(labels))
    return Table(header, rows)


def improved_forms(t: Phrases) -> dict:
    """The improved forms page: each form's closed form beside the plain one, the worked examples'
    gradients side by side, and the plot."""
    page = t.pages["improved_forms"]
    sections = []
    for improved, plain in IMPROVED:
        sections.append({"name": improved, "title": getattr(verified(improved)[0].title, t.code),
                         "why": page[improved], "plain": _gradient(plain, t), "plain_name": plain,
                         "improved": _gradient(improved, t)})
    return {"sections": sections, "table": _side_by_side(t),
            "plot": improved_plot() if plots.available() else None}


# The plot's curves: the entry, its legend, and the values of its other inputs (two classes, t = 1).
CURVES = (("cross_entropy_index", "cross-entropy", {}),
          ("cross_entropy_weighted", "class weight $w_t = 2$", {w: (2.0, 1.0)}),
          ("cross_entropy_label_smoothing", r"label smoothing $\varepsilon = 0.1$",
           {y: (1.0, 0.0), eps: 0.1}),
          ("softmax_focal_loss_index", r"focal $\gamma = 2$", {gamma: 2.0}),
          ("binary_cross_entropy_with_logits_pos_weight", "pos_weight $q = 3$", {y0: 1.0, q0: 3.0}))


def _true_class(name: str, values: dict) -> Callable[[np.ndarray], np.ndarray]:
    """∂L/∂z_t of ``name`` as a function of s_t, for two classes with logits (logit(s_t), 0) and t = 1
    (a binary loss: ∂L/∂z at σ(z) = s_t, y = 1)."""
    d, _ = verified(name)
    constraints = tuple(c for c in d.assumptions if isinstance(c, OneHot))
    indices = {ix: 1 for ix in (j, t)}
    gradient = instantiate(d.gradient, 2, indices, constraints)
    point = {}
    for symbol, value in values.items():
        if isinstance(symbol, IndexedBase):
            point.update({component(symbol, m + 1): v for m, v in enumerate(value)})
        else:
            point[symbol] = value
    logit = z0 if isinstance(d.wrt, Symbol) else component(z, 1)
    others = {component(z, 2): 0.0} if logit != z0 else {}
    f = plots.numeric(gradient.xreplace({**point, **others}), [logit])
    return lambda s: np.broadcast_to(f(np.log(s) - np.log1p(-s)), s.shape)


def improved_plot() -> plots.Plot:
    """∂L/∂z_t against s_t for the plain cross-entropy and each improved form."""
    curves = tuple((label, _true_class(name, values)) for name, label, values in CURVES)
    panel = (curves, (0.01, 0.99), "$s_t$", r"$\partial L / \partial z_t$")
    return plots.panels_plot("improved_forms", (panel,))
