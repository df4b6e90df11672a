"""The learning-slowdown experiment on the MSE-against-cross-entropy page: a table and a plot.

The numbers come from :func:`derive.render.experiments.slowdown` (a saturated sigmoid neuron with a
weight and a bias, trained with the derived gradients); the prose from the ``[training]`` table
of the language files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from . import plots
from .experiments import LEARNED, Slowdown, slowdown
from .phrases import Phrases

__all__ = ["EVERY", "TrainingView", "training_plot", "training_view"]

EVERY = 25  # a table row every this many steps
PLOT_NAME = "slowdown_training"


@dataclass(frozen=True)
class TrainingView:
    intro: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    verdict: str
    plot_caption: str


def _verdict(result: Slowdown, t: Phrases) -> str:
    table = t.training
    ce, mse = result.cross_entropy.steps_to(), result.mse.steps_to()
    mse_text = table["mse_reached"].format(steps=mse) if mse is not None else \
        table["mse_not_reached"].format(steps=result.steps)
    ratio = result.mse.initial_gradient / result.cross_entropy.initial_gradient
    return table["verdict"].format(goal=f"{LEARNED:g}", ce_steps=ce, mse=mse_text, ratio=f"{ratio:.3f}")


def training_view(t: Phrases) -> TrainingView:
    """The experiment in the language of ``t``."""
    result, table = slowdown(), t.training
    a0 = result.mse.outputs[0]
    intro = table["intro"].format(w=f"{result.weight:g}", b=f"{result.bias:g}", x=f"{result.input:g}",
                                  y=f"{result.target:g}", rate=f"{result.rate:g}", a0=f"{a0:.3f}")
    rows = tuple((str(step), *(f"{v:.4f}" for v in values)) for step, *values in result.rows(EVERY))
    header = (table["step"], table["a_mse"], table["loss_mse"], table["a_ce"], table["loss_ce"])
    return TrainingView(intro, header, rows, _verdict(result, t), table["plot"])


@cache
def training_plot() -> plots.Plot | None:
    """Each loss (log scale) and the output a against the step, for both losses."""
    if not plots.available():
        return None
    import matplotlib

    result = slowdown()
    steps = np.arange(result.steps + 1)
    # labelled by their weight gradients: mathematics only, so one figure serves both languages
    runs = ((r"$(a - y)\,x$", result.cross_entropy), (r"$(a - y)\,\sigma'(z)\,x$", result.mse))
    with matplotlib.rc_context(plots._RC):
        figure, (left, right) = plots._figure()
        for label, run in runs:
            left.semilogy(steps, run.losses, label=label)
            right.plot(steps, run.outputs, label=label)
        left.set_xlabel("$k$")
        left.set_ylabel("$L$")
        right.set_xlabel("$k$")
        right.set_ylabel(r"$a = \sigma(w x + b)$")
        right.set_ylim(0, 1)
        right.axhline(result.target + LEARNED, color="0.5", linewidth=0.6, linestyle="--")
        left.legend(frameon=False, fontsize=8)
        return plots._save(PLOT_NAME, figure)
