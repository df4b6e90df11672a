"""The generated training steps: a loss behind a linear layer, with the gradients of W and b.

``softmax_regression`` is ``cross_entropy`` on the logits ``X Wᵀ + b`` and ``logistic_regression`` is
``binary_cross_entropy_with_logits`` on them: their drivers (``templates/code/_layers.py.j2``) call
those losses' drivers with the same kernels and semantics, then apply the matrix form derived in the
catalogue entries ``softmax_regression`` and ``logistic_regression``: ∂L/∂W = Gᵀ X, ∂L/∂b = Σ_r G_r,
with G = ∂L/∂Z the loss's gradient at the logits.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import api_classes, api_elementwise
from .spec import CodeSpec, signature

__all__ = ["SPECS", "LayerCodeSpec"]


@dataclass(frozen=True)
class LayerCodeSpec(CodeSpec):
    """A function through a layer: its derivations are the layer entries (whose gradient at the logits
    is the kernels' closed form), so the loss's own documents do not list it."""

    layers: tuple[str, ...] = ()

    @property
    def derivations(self) -> tuple[str, ...]:
        return self.layers


def _kernels(specs: tuple[CodeSpec, ...], name: str) -> tuple:
    return next(spec for spec in specs if spec.name == name).kernels


_SHAPES = ("W: (C, d), one row of weights per class (as torch.nn.Linear(d, C).weight); b: (C); X: (N, d), "
           "one example per row. Errors about 'input' refer to the logits X Wᵀ + b.")
_RETURNS = ("The gradient is the tuple (∂L/∂W, ∂L/∂b) = (Gᵀ X, Σ_r G_r), shaped like W and b, where G is the "
            "gradient of {loss} with respect to the logits (grad_output included).")

SPECS = (
    LayerCodeSpec(
        name="logistic_regression",
        mean="1/numel of the logits (N, or N·C for C outputs)",
        summary="Binary logistic regression: binary_cross_entropy_with_logits on X W + b, and ∂L/∂W, ∂L/∂b.",
        parameters=signature("W", "b", "X", "target", weight=None, reduction="mean", pos_weight=None),
        driver="_logistic_regression", runtime="layers",
        kernels=_kernels(api_elementwise.SPECS, "binary_cross_entropy_with_logits"),
        differentiable=("W", "b"),
        layers=("logistic_regression",),
        notes=(
            "W: (d) and b a scalar for one output, the logit X W + b of shape (N); or W (C, d) and b (C) for "
            "C independent outputs (multi-label), logits X Wᵀ + b of shape (N, C). X: (N, d). target, "
            "weight, pos_weight and reduction as in binary_cross_entropy_with_logits on those logits.",
            _RETURNS.format(loss="binary_cross_entropy_with_logits"),
            "For reduction 'mean' and one output: ∂L/∂W = Xᵀ(a − y)/N and ∂L/∂b = (a − y)ᵀ 1/N, with "
            "a = σ(X W + b), the matrix form derived in logistic_regression from ∂L/∂W_k = (σ(z) − y) x_k "
            "for one example.",
        ),
        origin="derive",
    ),
    LayerCodeSpec(
        name="softmax_regression",
        mean="1/Σ w[t] over the rows (1/N without weights); probability targets: 1/N",
        summary="Softmax regression: cross_entropy on the logits X Wᵀ + b, and ∂L/∂W, ∂L/∂b.",
        parameters=signature("W", "b", "X", "target", weight=None, label_smoothing=0.0, reduction="mean"),
        driver="_softmax_regression", runtime="layers",
        kernels=_kernels(api_classes.SPECS, "cross_entropy"),
        differentiable=("W", "b"),
        layers=("softmax_regression", "softmax_regression_index"),
        notes=(
            _SHAPES + " target: class indices (N) or probabilities (N, C); weight, label_smoothing and "
            "reduction as in cross_entropy on the logits (ignore_index is not used).",
            _RETURNS.format(loss="cross_entropy"),
            "For reduction 'mean' without weights: ∂L/∂W = (S − Y)ᵀ X/N and ∂L/∂b = (S − Y)ᵀ 1/N, with S the "
            "softmax of the logits and Y the targets (one-hot rows for class indices), the matrix form "
            "derived in softmax_regression from ∂L/∂W_jk = (s_j − y_j) x_k for one example.",
        ),
        origin="derive",
    ),
)
