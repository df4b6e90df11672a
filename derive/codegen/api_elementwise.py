"""The generated element-wise functions: binary cross-entropy (probabilities and logits), focal,
regression, probabilistic and margin losses, and the sigmoid."""

from __future__ import annotations

from sympy import Max, S

from ..catalogue.probabilistic import GAUSSIAN_CONSTANT, STIRLING
from ..engine.symbols import (
    alpha,
    beta,
    delta,
    eps,
    gamma,
    margin,
    p0,
    q0,
    rate,
    var,
    x0,
    x1,
    x2,
    y0,
    y_pm,
    z0,
)
from .kernel import KernelSpec, Term
from .pytorch import BCE_DENOMINATOR, BCE_LOG_FLOOR
from .spec import CodeSpec, signature

__all__ = ["SPECS"]

_PAIR = ((x0, "input"), (y0, "target"))
_LOGITS = ((z0, "input"), (y0, "target"))
_MEAN = "'mean' divides by the number of elements; an empty input gives NaN for 'mean', as PyTorch."
_SAME_SHAPE = (
    "target must have the input's shape (PyTorch broadcasts with a warning; here a mismatch is a ValueError)."
)
# The Stirling term evaluated at max(y, 1) inside its branch (equal where the branch applies), so the
# masked entries y ≤ 1 never take log 0.
_STIRLING_CODE = STIRLING.xreplace({y0: Max(y0, 1)}).xreplace({Max(y0, 1) > 1: y0 > 1})
_BROADCASTS = (
    "input and target broadcast against each other, as PyTorch does here without a warning (its docs ask "
    "for one shape); the gradient is summed back to the input's shape."
)
_LEGACY = (
    "size_average and reduce are PyTorch's deprecated arguments; when given they override reduction "
    "as in PyTorch."
)


def _pointwise(
    name: str, catalogue: str | None = None, arguments=_PAIR, parameters=(), **options
) -> KernelSpec:
    return KernelSpec(name, arguments, (Term(catalogue or name),), parameters=parameters, **options)


def _optax(name: str, summary: str, kernel: KernelSpec, notes: tuple[str, ...]) -> CodeSpec:
    """An optax element-wise loss with the module's conventions: (input, target), and a reduction
    that defaults to 'none' (optax reduces nothing)."""
    return CodeSpec(name=name, summary=summary, parameters=signature("input", "target", reduction="none"),
                    driver="_pointwise_loss", runtime="elementwise", kernels=(kernel,),
                    notes=(*notes, _MEAN, "target must have the input's shape (ValueError otherwise)."),
                    origin="optax.losses")


SPECS = (
    CodeSpec(
        name="binary_cross_entropy",
        summary="Binary cross-entropy between probabilities and targets in [0, 1].",
        parameters=signature(
            "input", "target", weight=None, size_average=None, reduce=None, reduction="mean"
        ),
        driver="_binary_cross_entropy",
        runtime="elementwise",
        kernels=(
            KernelSpec(
                "binary_cross_entropy",
                ((p0, "input"), (y0, "target")),
                (Term("binary_cross_entropy"),),
                rewrites=(BCE_LOG_FLOOR,),
                grad_rewrites=(BCE_DENOMINATOR,),
            ),
        ),
        notes=(
            "input and target must lie in [0, 1] (ValueError otherwise); weight broadcasts to the input.",
            "As PyTorch: each log is clamped at −100, and the gradient is (x − y)/max(x(1 − x), 1e-12), "
            "which is not the derivative of the clamped forward (finite at x = 0 and x = 1).",
            _MEAN,
            _SAME_SHAPE,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="binary_cross_entropy_with_logits",
        summary="Binary cross-entropy on logits, with optional weight and pos_weight.",
        parameters=signature(
            "input", "target", weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
        ),
        driver="_binary_cross_entropy_with_logits",
        runtime="elementwise",
        kernels=(
            _pointwise("binary_cross_entropy_with_logits", arguments=_LOGITS),
            _pointwise(
                "binary_cross_entropy_with_logits_pos_weight",
                arguments=_LOGITS,
                parameters=((q0, "pos_weight"),),
            ),
        ),
        notes=(
            "weight and pos_weight broadcast to the input (pos_weight of shape (C) weights the positive term "
            "of each class along the last axis); 'mean' divides by the number of elements, not by the "
            "weights.",
            "±inf logits give the limit: 0 for a saturated correct prediction (PyTorch gives NaN), +inf for "
            "a saturated wrong one; the gradient is σ(z) − y there, as in PyTorch.",
            _MEAN,
            _SAME_SHAPE,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="sigmoid_focal_loss",
        summary="torchvision's sigmoid focal loss α_t (1 − p_t)^γ · BCE(z, y), default reduction 'none'.",
        parameters=signature("inputs", "targets", alpha=0.25, gamma=2, reduction="none"),
        driver="_sigmoid_focal_loss",
        runtime="elementwise",
        kernels=(
            _pointwise(
                "sigmoid_focal_loss",
                arguments=((z0, "inputs"), (y0, "targets")),
                parameters=((alpha, "alpha"), (gamma, "gamma")),
            ),
            KernelSpec(
                "sigmoid_focal_loss_unbalanced",
                ((z0, "inputs"), (y0, "targets")),
                (Term("sigmoid_focal_loss", substitute=((alpha, S.Half),), scale=S(2)),),
                parameters=((gamma, "gamma"),),
            ),
        ),
        differentiable=("inputs",),
        notes=(
            "torchvision.ops.sigmoid_focal_loss: alpha < 0 switches the α_t factor off (α = 1/2 makes "
            "α_t = 1/2, so that kernel is scaled by 2); reduction is 'none' by default; 'mean' divides "
            "by the number of elements.",
            "1 − p_t is computed as y·σ(−z) + (1 − y)·σ(z) and (1 − p_t)^(γ−1) only as a ratio that "
            "vanishes with it, so gradients stay finite for 0 < γ < 1 where torchvision's give NaN.",
        ),
        origin="torchvision.ops",
    ),
    CodeSpec(
        name="sigmoid",
        mean=None,
        summary="The logistic sigmoid; the gradient is the vector-Jacobian product with grad_output.",
        parameters=signature("input"),
        driver="_sigmoid_activation",
        runtime="rows",
        kernels=(_pointwise("sigmoid", arguments=((z0, "input"),)),),
    ),
    CodeSpec(
        name="mse_loss",
        mean="1/numel, numel the number of loss elements; with a weight 1/Σ w",
        summary="Mean squared error (x − y)².",
        parameters=signature(
            "input", "target", size_average=None, reduce=None, reduction="mean", weight=None
        ),
        driver="_mse_loss",
        runtime="elementwise",
        kernels=(_pointwise("mse_loss"),),
        notes=(
            "weight must have the input's shape; with a weight 'mean' is Σ w·l / Σ w (PyTorch).",
            _MEAN,
            _SAME_SHAPE,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="l1_loss",
        mean="1/numel, numel the number of loss elements; with a weight 1/Σ w",
        summary="Mean absolute error |x − y|.",
        parameters=signature(
            "input", "target", size_average=None, reduce=None, reduction="mean", weight=None
        ),
        driver="_l1_loss",
        runtime="elementwise",
        kernels=(_pointwise("l1_loss"),),
        notes=(
            "weight must have the input's shape; with a weight 'mean' is Σ w·l / Σ w (PyTorch).",
            "At x = y the subgradient is sign(0) = 0, PyTorch's choice.",
            _MEAN,
            _SAME_SHAPE,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="smooth_l1_loss",
        summary="Smooth L1 loss with threshold beta (beta = 0 is the L1 loss).",
        parameters=signature("input", "target", size_average=None, reduce=None, reduction="mean", beta=1.0),
        driver="_smooth_l1_loss",
        runtime="elementwise",
        kernels=(_pointwise("smooth_l1_loss", parameters=((beta, "beta"),)), _pointwise("l1_loss")),
        notes=("beta must be >= 0; beta = 0 uses the L1 kernel, as PyTorch.", _MEAN, _SAME_SHAPE, _LEGACY),
    ),
    CodeSpec(
        name="huber_loss",
        summary="Huber loss with threshold delta.",
        parameters=signature("input", "target", reduction="mean", delta=1.0, weight=None),
        driver="_huber_loss",
        runtime="elementwise",
        kernels=(_pointwise("huber_loss", parameters=((delta, "delta"),)),),
        notes=(
            "delta must be > 0. weight must have the input's shape; with a weight 'mean' is mean(w·l), "
            "divided by the number of elements (unlike mse_loss and l1_loss, as in PyTorch).",
            _MEAN,
            _SAME_SHAPE,
        ),
    ),
    CodeSpec(
        name="kl_div",
        mean="1/numel, numel the number of loss elements ('batchmean': 1/input.shape[0])",
        summary="Pointwise KL divergence y·(log y − x) between a target and log-probabilities x.",
        parameters=signature(
            "input", "target", size_average=None, reduce=None, reduction="mean", log_target=False
        ),
        driver="_kl_div",
        runtime="elementwise",
        kernels=(_pointwise("kl_div"), _pointwise("kl_div_log_target")),
        notes=(
            "reduction 'batchmean' divides the sum by input.shape[0] (the KL divergence of the rows); "
            "'mean' divides by the number of elements (PyTorch also warns about it).",
            "y·log y is evaluated as xlogy, 0 where y = 0; the term −y·x is not guarded, so an input of −inf "
            "where the target is 0 gives NaN (0·∞), and a negative target gives NaN, both as PyTorch.",
            _BROADCASTS,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="poisson_nll_loss",
        summary="Poisson negative log-likelihood of counts given a log-rate (or a rate).",
        parameters=signature(
            "input",
            "target",
            log_input=True,
            full=False,
            size_average=None,
            eps=1e-08,
            reduce=None,
            reduction="mean",
        ),
        driver="_poisson_nll_loss",
        runtime="elementwise",
        kernels=(
            _pointwise("poisson_nll_loss"),
            _pointwise(
                "poisson_nll_loss_rate",
                arguments=((rate, "input"), (y0, "target")),
                parameters=((eps, "eps"),),
            ),
            KernelSpec("poisson_stirling", ((y0, "target"),), expression=_STIRLING_CODE),
        ),
        notes=(
            "log_input=True: e^x − y·x; False: x − y·log(x + eps). full=True adds the Stirling term "
            "y·log y − y + log(2πy)/2 where y > 1 (0 elsewhere), which has no gradient.",
            "With log_input=True the loss overflows to inf for x > 709 (float64), as e^x does.",
            _MEAN,
            _BROADCASTS,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="gaussian_nll_loss",
        summary="Gaussian negative log-likelihood (log v + (x − y)²/v)/2 with predicted mean and variance.",
        parameters=signature("input", "target", "var", full=False, eps=1e-06, reduction="mean"),
        driver="_gaussian_nll_loss",
        runtime="elementwise",
        kernels=(
            KernelSpec(
                "gaussian_nll_loss",
                ((x0, "input"), (y0, "target"), (var, "var")),
                (Term("gaussian_nll_loss", grads=("gaussian_nll_loss", "gaussian_nll_loss_var")),),
            ),
            KernelSpec("gaussian_constant", (), expression=GAUSSIAN_CONSTANT),
        ),
        differentiable=("input", "var"),
        notes=(
            "var: the input's shape, the input's without its last dimension, the input's with one "
            "dimension of size 1, or a number; negative entries are a ValueError. var is clamped at eps "
            "outside the gradient, as PyTorch, so both gradients are the closed forms at the clamped "
            "variance. The gradient for var has var's shape.",
            "full=True adds log(2π)/2.",
            _MEAN,
            "target broadcasts with the input (the loss has the broadcast shape), as PyTorch.",
        ),
    ),
    CodeSpec(
        name="soft_margin_loss",
        summary="Soft margin loss log(1 + e^(−y·x)) for labels ±1.",
        parameters=signature("input", "target", size_average=None, reduce=None, reduction="mean"),
        driver="_soft_margin_loss",
        runtime="elementwise",
        kernels=(_pointwise("soft_margin_loss"),),
        notes=(
            "Evaluated as logaddexp(0, −y·x): finite where PyTorch's log1p(exp(−y·x)) overflows "
            "(float32, y·x < −88 gives inf and a NaN gradient there).",
            _MEAN,
            "target broadcasts to the input's shape, as PyTorch does without a warning.",
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="hinge_embedding_loss",
        summary="Hinge embedding loss: x for y = 1, max(0, margin − x) for y = −1.",
        parameters=signature("input", "target", margin=1.0, size_average=None, reduce=None, reduction="mean"),
        driver="_hinge_embedding_loss",
        runtime="elementwise",
        kernels=(
            _pointwise(
                "hinge_embedding_loss",
                arguments=((x0, "input"), (y_pm, "target")),
                parameters=((margin, "margin"),),
            ),
        ),
        notes=(
            "Labels other than ±1 get both terms, as PyTorch. At x = margin (y = −1) the subgradient is −1, "
            "PyTorch's choice.",
            _MEAN,
            _BROADCASTS,
            _LEGACY,
        ),
    ),
    CodeSpec(
        name="margin_ranking_loss",
        summary="Margin ranking loss max(0, −y·(x1 − x2) + margin).",
        parameters=signature(
            "input1", "input2", "target", margin=0, size_average=None, reduce=None, reduction="mean"
        ),
        driver="_margin_ranking_loss",
        runtime="elementwise",
        kernels=(
            KernelSpec(
                "margin_ranking_loss",
                ((x1, "input1"), (x2, "input2"), (y0, "target")),
                (Term("margin_ranking_loss", grads=("margin_ranking_loss", "margin_ranking_loss_input2")),),
                parameters=((margin, "margin"),),
            ),
        ),
        differentiable=("input1", "input2"),
        notes=(
            "input1, input2 and target broadcast, as PyTorch does without a warning (its docs ask for one "
            "shape); each gradient is summed back to its input's shape. At the kink the subgradient is the "
            "active branch's (−y, y), PyTorch's choice.",
            _MEAN,
            _LEGACY,
        ),
    ),
    _optax("log_cosh", "Log-cosh loss log cosh(x − y): squared error near the target, absolute error far.",
           _pointwise("log_cosh"),
           ("Evaluated as logaddexp(e, −e) − log 2 (e = x − y): finite for every finite e, where cosh "
            "overflows (|e| > 710 in float64, 89 in float32); the gradient is tanh(e).",)),
    _optax("hinge_loss", "Binary hinge loss max(0, 1 − y·x) for labels y = ±1.",
           _pointwise("hinge_loss", arguments=((x0, "input"), (y_pm, "target"))),
           ("At the kink (y·x = 1) the subgradient is −y, Keras' choice on TensorFlow; optax's "
            "jnp.maximum gives −y/2 there.",)),
    _optax("squared_hinge", "Squared hinge loss max(0, 1 − y·x)² for labels y = ±1 (Keras SquaredHinge).",
           _pointwise("squared_hinge", arguments=((x0, "input"), (y_pm, "target"))),
           ("Keras turns targets that are all 0 or 1 into ±1 first and averages over the last axis; here "
            "the target is used as given and the loss is per element.",)),
    CodeSpec(
        name="sparsemax_loss",
        summary="Binary sparsemax loss sparse_plus(±z) for labels 0 and 1 (optax).",
        parameters=signature("input", "target", reduction="none"),
        driver="_sparsemax_loss", runtime="elementwise",
        kernels=(_pointwise("sparsemax_loss", arguments=_LOGITS),),
        notes=("target: labels 0 or 1 (ValueError otherwise), the input's shape. The gradient is "
               "clip((u + 1)/2, 0, 1)·(1 − 2y) with u = (1 − 2y)·z: the sparse sigmoid of z minus the label.",
               _MEAN),
        origin="optax.losses",
    ),
)
