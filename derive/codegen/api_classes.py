"""The generated functions whose input has a class (or feature) axis: cross-entropy, NLL, the softmax
focal loss, the multiclass and multilabel margin losses, cosine embedding, softmax and log-softmax."""

from __future__ import annotations

from sympy import Float

from ..engine.symbols import eps, gamma, margin, power, t, u, v, w, x, y, y_pm, z
from .kernel import KernelSpec, Term
from .spec import CodeSpec, signature

__all__ = ["SPECS"]

_EMPTY = (
    "An empty batch or one whose targets are all ignore_index gives NaN for 'mean' (0/0, the mean of "
    "nothing, as PyTorch), 0 for 'sum', and a zero gradient."
)
_INF = (
    "±inf logits: the value is the limit where one exists (a −inf logit of a class with zero target "
    "contributes 0, not NaN); a +inf logit gives NaN, as in PyTorch."
)
_CE_KERNELS = (
    KernelSpec(
        "cross_entropy_index",
        ((z, "input"), (t, "target")),
        (Term("cross_entropy_index"),),
        vector=True,
        target=t,
    ),
    KernelSpec(
        "cross_entropy_smoothed",
        ((z, "input"), (t, "target"), (w, "weight")),
        (Term("cross_entropy_index"), Term("cross_entropy", general=True, substitute=((y, w),))),
        vector=True,
        target=t,
    ),
    KernelSpec(
        "cross_entropy_probabilities",
        ((z, "input"), (y, "target")),
        (Term("cross_entropy", general=True),),
        vector=True,
    ),
)

def _activation(name: str, summary: str) -> CodeSpec:
    """softmax / log_softmax: a Jacobian kernel along ``dim`` (a vector-Jacobian product)."""
    return CodeSpec(
        name=name,
        summary=f"{summary} along dim; the gradient is the vector-Jacobian product with grad_output.",
        parameters=signature("input", dim=None, _stacklevel=3, dtype=None),
        driver=f"_{name}",
        runtime="rows",
        kernels=(KernelSpec(name, ((z, "input"),), (Term(name),), vector=True, jacobian=True),),
        mean=None,
        notes=(
            "dim=None picks PyTorch's implicit dimension (0 for 0-, 1- and 3-dimensional inputs, else 1); "
            "_stacklevel is accepted for PyTorch's argument order and ignored; dtype (a floating-point "
            "dtype) casts the input first; the gradient has the input's dtype, as PyTorch's.",
        ),
    )


_TRIPLET_KERNELS = (
    KernelSpec(
        "triplet_margin_loss",
        ((u, "anchor"), (v, "positive"), (w, "negative")),
        (Term("triplet_margin_loss", grads=("triplet_margin_loss", "triplet_margin_loss_positive",
                                             "triplet_margin_loss_negative")),),
        parameters=((margin, "margin"), (power, "p"), (eps, "eps")),
        vector=True,
    ),
)
_TRIPLET_NOTES = (
    "anchor, positive, negative: one shape, (D) or (N, D); the loss has shape () or (N). swap=True "
    "measures the negative's distance from the positive where that is the smaller one, as PyTorch. At "
    "the kink (d(a, p) − d(a, n) + margin = 0) the subgradient is the active branch's, PyTorch's choice.",
)

SPECS = (
    CodeSpec(
        name="cross_entropy",
        mean="1/Σ w[t] over the targets that are not ignore_index (1/N without weights); probability "
             "targets: 1/N, N the number of rows N·d1·…",
        summary="Cross-entropy between logits and class indices or class probabilities.",
        parameters=signature(
            "input",
            "target",
            weight=None,
            size_average=None,
            ignore_index=-100,
            reduce=None,
            reduction="mean",
            label_smoothing=0.0,
        ),
        driver="_cross_entropy",
        runtime="classes",
        kernels=_CE_KERNELS,
        notes=(
            "input: (C), (N, C) or (N, C, d1, ...), classes along axis 1. target: integer class indices of "
            "shape (), (N) or (N, d1, ...), or probabilities of the input's shape.",
            "Class indices: the loss of a row is w[t]·(−log s_t); 'mean' divides by Σ w[t] over the rows "
            "whose target is not ignore_index (PyTorch's weighted mean), so 'none' then .mean() differs.",
            "label_smoothing ε: (1 − ε)·w[t]·(−log s_t) + (ε/C)·Σ_c w_c·(−log s_c), same denominator.",
            "Probability targets: −Σ_c w_c·y_c·log s_c with y smoothed to (1 − ε)·y + ε/C; 'mean' divides "
            "by the number of rows N·d1·…, not by the weights. The gradient is s·Σ_c w_c y_c − w·y, the "
            "general form, so targets need not sum to one.",
            _EMPTY,
            _INF,
        ),
    ),
    CodeSpec(
        name="nll_loss",
        mean="1/Σ w[t] over the targets that are not ignore_index (1/N without weights)",
        summary="Negative log-likelihood of class indices given log-probabilities.",
        parameters=signature(
            "input",
            "target",
            weight=None,
            size_average=None,
            ignore_index=-100,
            reduce=None,
            reduction="mean",
        ),
        driver="_nll_loss",
        runtime="classes",
        kernels=(
            KernelSpec(
                "nll_loss",
                ((x, "input"), (t, "target"), (w, "weight")),
                (Term("nll_loss"),),
                vector=True,
                target=t,
            ),
        ),
        notes=(
            "input: log-probabilities (C), (N, C) or (N, C, d1, ...); target: class indices (), (N) or "
            "(N, d1, ...). cross_entropy(z, t) equals nll_loss(log_softmax(z, 1), t).",
            "'mean' divides by Σ w[t] over the targets that are not ignore_index.",
            _EMPTY,
        ),
    ),
    CodeSpec(
        name="softmax_focal_loss",
        mean="1/Σ w[t] over the targets that are not ignore_index (1/N without weights); probability "
             "targets: 1/N, N the number of rows N·d1·…",
        summary="Multiclass focal loss −Σ y_c (1 − s_c)^γ log s_c on logits (γ = 0 is cross-entropy).",
        parameters=signature("input", "target", weight=None, ignore_index=-100, reduction="mean", gamma=2.0),
        driver="_softmax_focal_loss",
        runtime="classes",
        kernels=(
            KernelSpec(
                "softmax_focal_loss_index",
                ((z, "input"), (t, "target")),
                (Term("softmax_focal_loss_index"),),
                parameters=((gamma, "gamma"),),
                vector=True,
                target=t,
            ),
            KernelSpec(
                "softmax_focal_loss",
                ((z, "input"), (y, "target")),
                (Term("softmax_focal_loss"),),
                parameters=((gamma, "gamma"),),
                vector=True,
            ),
        ),
        notes=(
            "PyTorch has no softmax focal loss; this one follows cross_entropy's conventions (class indices "
            "or probabilities, weight, ignore_index, reductions and their denominators), without label "
            "smoothing.",
            _EMPTY,
        ),
        origin="derive (cross_entropy's conventions)",
    ),
    CodeSpec(
        name="poly_loss_cross_entropy",
        mean="1/Σ w[t] over the targets that are not ignore_index (1/N without weights); probability "
             "targets: 1/N, N the number of rows N·d1·…",
        summary="Poly-1 cross-entropy −Σ y_c log s_c + ε·Σ y_c (1 − s_c) on logits (optax; ε = 0 is "
                "cross-entropy).",
        parameters=signature(
            "input", "target", weight=None, ignore_index=-100, reduction="mean", epsilon=2.0
        ),
        driver="_poly_loss_cross_entropy",
        runtime="classes",
        kernels=(
            KernelSpec(
                "poly_loss_cross_entropy_index",
                ((z, "input"), (t, "target")),
                (Term("poly_loss_cross_entropy_index"),),
                parameters=((eps, "epsilon"),),
                vector=True,
                target=t,
            ),
            KernelSpec(
                "poly_loss_cross_entropy",
                ((z, "input"), (y, "target")),
                (Term("poly_loss_cross_entropy", general=True),),
                parameters=((eps, "epsilon"),),
                vector=True,
            ),
        ),
        notes=(
            "optax's poly_loss_cross_entropy(logits, labels, epsilon) with labels of the logits' shape "
            "along axis -1 is poly_loss_cross_entropy(input, target, epsilon=..., reduction='none') here "
            "with the classes along axis 1 (cross_entropy's conventions: class indices or probabilities, "
            "weight, ignore_index, reductions and their denominators). Probability targets need not sum "
            "to one: the term is Σ y_c (1 − s_c), as optax computes it.",
            _EMPTY,
        ),
        origin="optax.losses (cross_entropy's conventions)",
    ),
    CodeSpec(
        name="multi_margin_loss",
        mean="1/N, N the number of rows",
        summary="Multiclass margin (hinge) loss on scores with class-index targets.",
        parameters=signature(
            "input", "target", p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
        ),
        driver="_multi_margin_loss",
        runtime="classes",
        kernels=(
            KernelSpec(
                "multi_margin_loss",
                ((x, "input"), (t, "target"), (w, "weight")),
                (Term("multi_margin_loss"),),
                parameters=((margin, "margin"), (power, "p")),
                vector=True,
                target=t,
            ),
        ),
        notes=(
            "input: (), (C) or (N, C); target: () or (N), one class index per row; the loss has the "
            "target's shape. Per sample Σ_{k≠t} w[t]·max(0, Δ − x_t + x_k)^p / C, the target's own term "
            "excluded by a mask; 'mean' averages over N. p must be 1 or 2.",
            "At a kink (Δ − x_t + x_k = 0) the subgradient is 0, PyTorch's choice.",
        ),
    ),
    CodeSpec(
        name="multilabel_soft_margin_loss",
        mean="1/N, N the number of rows",
        summary="Multilabel soft margin loss: per-class BCE with logits, averaged over the classes.",
        parameters=signature(
            "input", "target", weight=None, size_average=None, reduce=None, reduction="mean"
        ),
        driver="_multilabel_soft_margin_loss",
        runtime="rows",
        kernels=(
            KernelSpec(
                "multilabel_soft_margin_loss",
                ((x, "input"), (y, "target"), (w, "weight")),
                (Term("multilabel_soft_margin_loss"),),
                vector=True,
            ),
        ),
        notes=(
            "Classes along the last axis; each row's loss is the mean over its C classes; 'mean' averages "
            "the rows. weight broadcasts to the input.",
        ),
    ),
    CodeSpec(
        name="cosine_embedding_loss",
        mean="1/N, N the number of rows",
        summary="Cosine embedding loss: 1 − cos(u, v) for y = 1, max(0, cos(u, v) − margin) for y = −1.",
        parameters=signature(
            "input1", "input2", "target", margin=0, size_average=None, reduce=None, reduction="mean"
        ),
        driver="_cosine_embedding_loss",
        runtime="rows",
        kernels=(
            KernelSpec(
                "cosine_embedding_loss",
                ((u, "input1"), (v, "input2"), (y_pm, "target")),
                (
                    Term(
                        "cosine_embedding_loss",
                        grads=("cosine_embedding_loss", "cosine_embedding_loss_input2"),
                        substitute=((eps, Float(1e-12)),),
                    ),
                ),
                parameters=((margin, "margin"),),
                vector=True,
            ),
        ),
        differentiable=("input1", "input2"),
        notes=(
            "input1, input2: (D) or (N, D); target: () or (N), labels 1 or −1 (any other label gives 0, as "
            "PyTorch). The norms carry PyTorch's ε = 1e-12 inside the square roots.",
        ),
    ),
    CodeSpec(
        name="triplet_margin_loss",
        mean="1/N, N the number of rows",
        summary="Triplet margin loss max(0, d(anchor, positive) − d(anchor, negative) + margin), "
                "d(a, b) = ‖a − b + eps‖_p.",
        parameters=signature("anchor", "positive", "negative", margin=1.0, p=2, eps=1e-06, swap=False,
                             size_average=None, reduce=None, reduction="mean"),
        driver="_triplet_margin_loss",
        runtime="rows",
        kernels=_TRIPLET_KERNELS,
        differentiable=("anchor", "positive", "negative"),
        notes=_TRIPLET_NOTES,
    ),
    CodeSpec(
        name="triplet_margin_with_distance_loss",
        mean="1/N, N the number of rows",
        summary="Triplet margin loss with PyTorch's default distance, pairwise_distance (Euclidean, "
                "eps 1e-6).",
        parameters=signature("anchor", "positive", "negative", distance_function=None, margin=1.0, swap=False,
                             reduction="mean"),
        driver="_triplet_margin_with_distance_loss",
        runtime="rows",
        kernels=_TRIPLET_KERNELS,
        differentiable=("anchor", "positive", "negative"),
        notes=("distance_function must be None, PyTorch's default: pairwise_distance, ‖a − b + 1e-6‖_2 "
               "(ValueError otherwise: the derivative of another Python function is not known here); it is "
               "then triplet_margin_loss with p = 2 and eps = 1e-6.", *_TRIPLET_NOTES),
    ),
    CodeSpec(
        name="multilabel_margin_loss",
        mean="1/N, N the number of rows",
        summary="Multilabel margin loss: Σ over the listed targets t and the other classes k of "
                "max(0, 1 − x_t + x_k), over C.",
        parameters=signature("input", "target", size_average=None, reduce=None, reduction="mean"),
        driver="_multilabel_margin_loss",
        runtime="classes",
        kernels=(
            KernelSpec(
                "multilabel_margin_loss",
                ((x, "input"), (t, "target"), (y, "is_target")),
                (Term("multilabel_margin_loss"),),
                vector=True,
                target=t,
            ),
        ),
        notes=(
            "input: (), (C) or (N, C); target: integer class indices of the input's shape, each row's list "
            "read up to its first negative entry (a class listed twice counts twice, as PyTorch). The "
            "kernel is the loss of one listed target; the function sums it over the list.",
            "At a kink (1 − x_t + x_k = 0) the subgradient is 0, PyTorch's choice (its test is z > 0).",
        ),
    ),
    _activation("softmax", "Softmax"),
    _activation("log_softmax", "Log-softmax"),
)
