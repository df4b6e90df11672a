"""Plots for the documents (the ``plots`` extra): drawn from the verified closed forms.

For a loss of one scalar (a logit ``z`` or a probability ``p``): the function
and its derivative side by side, for targets y = 0 and y = 1.  For the
MSE-vs-cross-entropy page: the gradient magnitudes, and gradient descent from a
badly wrong start.  Output is SVG (HTML, Markdown) and PDF (LaTeX), byte-for-byte
deterministic: no dates, no version strings, fixed hash salt, text as paths.
Labels are mathematics only, so one figure serves both languages.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from sympy import Expr, Indexed, Symbol, lambdify

from ..catalogue import verified
from ..engine.derivation import unwrap
from ..engine.symbols import alpha, eps, gamma, p0, q0, y0, z0
from ..printing.latex import latex

__all__ = [
    "PARAMETER_VALUES",
    "Plot",
    "available",
    "descent",
    "loss_plot",
    "numeric",
    "panels_plot",
    "slowdown_plot",
]

PARAMETER_VALUES: dict[Symbol, float] = {gamma: 2.0, alpha: 0.25, q0: 3.0, eps: 0.1}
DOMAINS: dict[Symbol, tuple[float, float]] = {z0: (-6.0, 6.0), p0: (0.02, 0.98)}
TARGETS = (0.0, 1.0)
_RC = {
    "svg.hashsalt": "derive", "svg.fonttype": "path", "pdf.fonttype": 3, "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "figure.dpi": 100, "savefig.bbox": "tight",
}
_SVG_METADATA = {"Date": None, "Creator": None}
_PDF_METADATA = {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}


@dataclass(frozen=True)
class Plot:
    """One figure as SVG text and PDF bytes."""

    name: str
    svg: str
    pdf: bytes


def available() -> bool:
    """True when matplotlib (the ``plots`` extra) is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def numeric(expr: Expr, variables: list[Symbol]) -> Callable[..., np.ndarray]:
    """A NumPy function of ``variables`` for ``expr`` (parameters at :data:`PARAMETER_VALUES`)."""
    from ..engine.functions import Sigmoid, Softplus

    def sigmoid(x: np.ndarray) -> np.ndarray:
        return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))

    table = {Sigmoid.__name__: sigmoid, Softplus.__name__: lambda x: np.logaddexp(0, x)}
    values = {s: v for s, v in PARAMETER_VALUES.items() if s in expr.free_symbols}
    body = unwrap(expr).subs(values)
    return lambdify(variables, body, modules=[table, "numpy"])


def _save(name: str, figure: object) -> Plot:
    svg, pdf = io.StringIO(), io.BytesIO()
    figure.savefig(svg, format="svg", metadata=_SVG_METADATA)
    figure.savefig(pdf, format="pdf", metadata=_PDF_METADATA)
    return Plot(name, svg.getvalue(), pdf.getvalue())


def _figure(width: float = 7.2, height: float = 2.8) -> tuple[object, tuple[object, object]]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, tuple(figure.subplots(1, 2))


def is_scalar(entry: object) -> bool:
    """True for a catalogue entry (or derivation) of one scalar, a logit or a probability, whose other
    symbols are a target y and parameters with a value in :data:`PARAMETER_VALUES`."""
    wrt, loss = getattr(entry, "wrt", None), getattr(entry, "loss", None)
    if wrt not in DOMAINS or loss is None:
        return False
    loss = unwrap(loss)
    return not loss.atoms(Indexed) and loss.free_symbols <= {wrt, y0, *PARAMETER_VALUES}


@cache
def loss_plot(name: str) -> Plot | None:
    """The function and its derivative against the scalar it is differentiated by; None if not scalar."""
    d, _ = verified(name)
    if not is_scalar(d):
        return None
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure, (left, right) = _figure()
        x = np.linspace(*DOMAINS[d.wrt], 481)
        targets = TARGETS if y0 in unwrap(d.loss).free_symbols else (None,)
        for target in targets:
            args = [x] if target is None else [x, np.full_like(x, target)]
            variables = [d.wrt] if target is None else [d.wrt, y0]
            label = None if target is None else f"$y = {target:g}$"
            for axis, expr in ((left, d.loss), (right, d.gradient)):
                axis.plot(x, np.broadcast_to(numeric(expr, variables)(*args), x.shape), label=label)
        left.set_ylabel(f"${latex(d.symbol)}$")
        right.set_ylabel(rf"$\partial {latex(d.symbol)} / \partial {latex(d.wrt)}$")
        for axis in (left, right):
            axis.set_xlabel(f"${latex(d.wrt)}$")
            axis.axhline(0, color="0.5", linewidth=0.6)
        if targets != (None,):
            for axis in (left, right):
                axis.legend(frameon=False)
        shown = [f"{latex(s)} = {v:g}" for s, v in PARAMETER_VALUES.items() if s in d.parameters]
        if shown:
            left.set_title(f"${', '.join(shown)}$", fontsize=9)
        return _save(name, figure)


def descent(gradient: Callable[[float], float], start: float, rate: float, steps: int) -> np.ndarray:
    """The logits visited by ``steps`` steps of gradient descent from ``start``."""
    path = [start]
    for _ in range(steps):
        path.append(path[-1] - rate * gradient(path[-1]))
    return np.array(path)


@cache
def slowdown_plot(start: float, rate: float, steps: int) -> Plot:
    """|∂L/∂z| for y = 0 under MSE and cross-entropy, and a = σ(z) during gradient descent."""
    import matplotlib

    mse, _ = verified("mse_sigmoid")
    ce, _ = verified("binary_cross_entropy_with_logits")
    sigmoid = numeric(ce.gradient + y0, [z0])  # σ(z)
    with matplotlib.rc_context(_RC):
        figure, (left, right) = _figure()
        x = np.linspace(-6.0, 8.0, 561)
        for d, label in ((ce, "cross-entropy"), (mse, "squared error")):
            grad = numeric(d.gradient, [z0, y0])
            left.semilogy(x, np.abs(grad(x, np.zeros_like(x))), label=label)
            path = descent(lambda z, grad=grad: float(grad(z, 0.0)), start, rate, steps)
            right.plot(np.arange(steps + 1), sigmoid(path), label=label)
        left.set_xlabel("$z$")
        left.set_ylabel(r"$|\partial L / \partial z|$")
        right.set_xlabel("$k$")
        right.set_ylabel(r"$a = \sigma(z)$")
        right.set_ylim(0, 1)
        for axis in (left, right):
            axis.legend(frameon=False, fontsize=8)
        return _save("mse_vs_cross_entropy", figure)


Curves = tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...]


def panels_plot(name: str, panels: tuple[tuple[Curves, tuple[float, float], str, str], ...]) -> Plot:
    """Side-by-side panels, each ``(curves, domain, xlabel, ylabel)``; each curve ``(legend, f)`` is
    drawn as ``f(x)`` over the domain, with its legend."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(3.6 * len(panels) if len(panels) > 1 else 6.0, 3.0), layout="constrained")
        axes = figure.subplots(1, len(panels), squeeze=False)[0]
        for axis, (curves, domain, xlabel, ylabel) in zip(axes, panels, strict=True):
            x = np.linspace(*domain, 400)
            for label, f in curves:
                axis.plot(x, f(x), label=label)
            axis.axhline(0, color="0.5", linewidth=0.6)
            axis.set_xlabel(xlabel)
            axis.set_ylabel(ylabel)
            axis.legend(frameon=False, fontsize=8)
        return _save(name, figure)
