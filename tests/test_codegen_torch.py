"""The generated module against torch.nn.functional (and torchvision's focal loss, transcribed) for
every parameter combination and shape the issue names: values and vector-Jacobian products, float64
to 1e-10 relative and float32 to float32 rounding."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from generated_losses import losses, upstream

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL = {np.float64: 1e-10, np.float32: 2e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def _tensor(value, grad: bool = False):
    if isinstance(value, np.ndarray):
        t = torch.tensor(value)
        return t.requires_grad_(True) if grad else t
    return value


def compare(
    name: str,
    arrays: list,
    kwargs: dict,
    diff: tuple[int, ...],
    reference=None,
    seed: int = 0,
    dtype=np.float64,
) -> None:
    """``name``'s value and gradients (with a random grad_output) against ``reference`` (torch)."""
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a) if isinstance(a, np.generic) else a for a in arrays]
    arrays = [a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in arrays]
    kwargs = {
        k: v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
        for k, v in kwargs.items()
    }
    value = getattr(losses, name)(*arrays, **kwargs)
    g = upstream(value, rng)
    ours, grads = getattr(losses, f"{name}_value_and_grad")(*arrays, **kwargs, grad_output=g)
    grads = grads if isinstance(grads, tuple) else (grads,)
    tensors = [_tensor(a, i in diff) for i, a in enumerate(arrays)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's deprecation and 'mean' warnings
        out = (reference or getattr(F, name))(*tensors, **{k: _tensor(v) for k, v in kwargs.items()})
    out.backward(torch.tensor(g))
    rtol = RTOL[dtype]
    assert np.asarray(ours).dtype == dtype and np.shape(ours) == tuple(out.shape)
    np.testing.assert_allclose(ours, out.detach().numpy(), rtol=rtol, atol=rtol * 1e-3, equal_nan=True)
    assert value.tobytes() == np.asarray(ours).tobytes()  # the fused path computes the same value
    for position, grad in zip(diff, grads, strict=True):
        want = tensors[position].grad.numpy()
        assert grad.dtype == dtype and grad.shape == want.shape
        scale = max(1.0, float(np.max(np.abs(want), initial=0)))
        np.testing.assert_allclose(grad, want, rtol=rtol, atol=rtol * scale * 1e-2)
    alone = getattr(losses, f"{name}_grad")(*arrays, **kwargs, grad_output=g)
    for a, b in zip(alone if isinstance(alone, tuple) else (alone,), grads, strict=True):
        np.testing.assert_array_equal(a, b)


REDUCTIONS = ("none", "mean", "sum")
CLASS_SHAPES = ((5,), (4, 5), (3, 5, 2), (2, 5, 2, 3))


def _logits(shape, seed):
    return np.random.default_rng(seed).normal(0.0, 3.0, size=shape)


def _indices(shape, seed, ignore=None):
    rng = np.random.default_rng(seed + 1)
    batch = shape[:1] + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, shape[1 if len(shape) > 1 else 0], size=batch)
    if ignore is not None and t.ndim:
        t.flat[0] = ignore
    return t


# --- cross_entropy and nll_loss -------------------------------------------------------------------------

CE_INDEX = list(itertools.product(CLASS_SHAPES, (False, True), (None, -100, 1), (0.0, 0.2), REDUCTIONS))


@pytest.mark.parametrize(("shape", "weighted", "ignore", "smoothing", "reduction"), CE_INDEX)
def test_cross_entropy_index_targets(shape, weighted, ignore, smoothing, reduction) -> None:
    classes = shape[1] if len(shape) > 1 else shape[0]
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if weighted:
        kwargs["weight"] = np.random.default_rng(7).uniform(0.2, 2.0, classes)
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    compare("cross_entropy", [_logits(shape, 1), _indices(shape, 1, ignore)], kwargs, (0,))


@pytest.mark.parametrize(
    ("shape", "weighted", "smoothing", "reduction"),
    list(itertools.product(CLASS_SHAPES, (False, True), (0.0, 0.3), REDUCTIONS)),
)
def test_cross_entropy_probability_targets(shape, weighted, smoothing, reduction) -> None:
    rng = np.random.default_rng(3)
    axis = 1 if len(shape) > 1 else 0
    y = np.moveaxis(
        rng.dirichlet(np.ones(shape[axis]), size=np.moveaxis(np.empty(shape), axis, -1).shape[:-1]), -1, axis
    )
    y.flat[0] *= 1.5  # a target that does not sum to one: the general gradient s·Σy − y
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, shape[axis])
    compare("cross_entropy", [_logits(shape, 2), y], kwargs, (0,))


@pytest.mark.parametrize(
    ("shape", "weighted", "ignore", "reduction"),
    list(itertools.product(CLASS_SHAPES, (False, True), (None, 2), REDUCTIONS)),
)
def test_nll_loss(shape, weighted, ignore, reduction) -> None:
    axis = 1 if len(shape) > 1 else 0
    log_probs = _logits(shape, 4)
    log_probs = log_probs - np.log(np.sum(np.exp(log_probs), axis=axis, keepdims=True))
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = np.random.default_rng(8).uniform(0.2, 2.0, shape[axis])
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    compare("nll_loss", [log_probs, _indices(shape, 4, ignore)], kwargs, (0,))


def test_cross_entropy_legacy_arguments() -> None:
    z, t = _logits((4, 3), 5), _indices((4, 3), 5)
    for size_average, reduce in itertools.product((None, True, False), repeat=2):
        compare("cross_entropy", [z, t], {"size_average": size_average, "reduce": reduce}, (0,))


# --- binary cross-entropy --------------------------------------------------------------------------------

ELEMENT_SHAPES = ((), (6,), (3, 4), (2, 3, 4))


@pytest.mark.parametrize(
    ("shape", "weighted", "reduction"), list(itertools.product(ELEMENT_SHAPES, (False, True), REDUCTIONS))
)
def test_binary_cross_entropy(shape, weighted, reduction) -> None:
    rng = np.random.default_rng(9)
    p, y = rng.uniform(0.01, 0.99, shape), rng.uniform(0, 1, shape)
    if p.size > 3:
        p.flat[:3] = (0.0, 1.0, 1e-50)  # PyTorch's log clamp at −100 and its 1e-12 gradient floor
        y.flat[:3] = (1.0, 0.0, 1.0)
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, shape[-1:])
    compare("binary_cross_entropy", [p, y], kwargs, (0,))


@pytest.mark.parametrize(
    ("shape", "weighted", "pos_weight", "reduction"),
    list(itertools.product(ELEMENT_SHAPES, (False, True), (False, True), REDUCTIONS)),
)
def test_binary_cross_entropy_with_logits(shape, weighted, pos_weight, reduction) -> None:
    rng = np.random.default_rng(10)
    z, y = rng.normal(0, 4, shape), rng.uniform(0, 1, shape)
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, shape[-1:])
    if pos_weight:
        kwargs["pos_weight"] = rng.uniform(0.2, 3.0, shape[-1:])
    compare("binary_cross_entropy_with_logits", [z, y], kwargs, (0,))


def _torchvision_focal(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss, transcribed from its source."""
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize(
    ("alpha", "gamma", "reduction", "soft"),
    list(itertools.product((0.25, 0.8, -1.0), (0.0, 0.5, 2.0), REDUCTIONS, (False, True))),
)
def test_sigmoid_focal_loss(alpha, gamma, reduction, soft) -> None:
    rng = np.random.default_rng(11)
    z = rng.normal(0, 3, (4, 5))
    y = rng.uniform(0, 1, z.shape) if soft else rng.integers(0, 2, z.shape).astype(float)
    compare(
        "sigmoid_focal_loss",
        [z, y],
        {"alpha": alpha, "gamma": gamma, "reduction": reduction},
        (0,),
        reference=_torchvision_focal,
    )


def _softmax_focal(input, target, weight=None, ignore_index=-100, reduction="mean", gamma=2.0):
    """The softmax focal loss in torch with cross_entropy's conventions (the reference for ours)."""
    log_s = F.log_softmax(input, 1)
    w = torch.ones(input.shape[1], dtype=input.dtype) if weight is None else weight
    shape = (1, -1) + (1,) * (input.dim() - 2)
    if target.dtype.is_floating_point:
        loss = -(w.reshape(shape) * target * (1 - log_s.exp()) ** gamma * log_s).sum(1)
        return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]
    valid = target != ignore_index
    safe = torch.where(valid, target, 0)
    log_s_t = log_s.gather(1, safe.unsqueeze(1)).squeeze(1)
    w_t = w[safe] * valid
    loss = -w_t * (1 - log_s_t.exp()) ** gamma * log_s_t
    return {"none": loss, "mean": loss.sum() / w_t.sum(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize(
    ("shape", "index", "weighted", "gamma", "reduction"),
    list(itertools.product(((4, 5), (2, 5, 3)), (True, False), (False, True), (0.0, 0.5, 2.0), REDUCTIONS)),
)
def test_softmax_focal_loss(shape, index, weighted, gamma, reduction) -> None:
    rng = np.random.default_rng(12)
    target = (
        _indices(shape, 12, -100)
        if index
        else np.moveaxis(rng.dirichlet(np.ones(5), size=(shape[0], *shape[2:])), -1, 1)
    )
    kwargs = {"gamma": gamma, "reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, 5)
    compare("softmax_focal_loss", [_logits(shape, 12), target], kwargs, (0,), reference=_softmax_focal)


# --- regression --------------------------------------------------------------------------------------------


def _pair(shape, seed, kink=0.0):
    """Input and target; where there is room, a few entries exactly at the kink |x − y| = kink."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 2, shape), rng.normal(0, 2, shape)
    if x.size >= 3:
        x.flat[:3] = y.flat[:3] + np.array([0.0, kink, -kink])
    return x, y


@pytest.mark.parametrize(
    ("name", "shape", "weighted", "reduction"),
    list(itertools.product(("mse_loss", "l1_loss"), ELEMENT_SHAPES, (False, True), REDUCTIONS)),
)
def test_mse_and_l1(name, shape, weighted, reduction) -> None:
    x, y = _pair(shape, 13)
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = np.random.default_rng(13).uniform(0.2, 2.0, shape)
    compare(name, [x, y], kwargs, (0,))


@pytest.mark.parametrize(
    ("beta", "shape", "reduction"), list(itertools.product((0.0, 0.5, 1.0, 2.0), ELEMENT_SHAPES, REDUCTIONS))
)
def test_smooth_l1_loss(beta, shape, reduction) -> None:
    compare("smooth_l1_loss", list(_pair(shape, 14, beta)), {"beta": beta, "reduction": reduction}, (0,))


@pytest.mark.parametrize(
    ("delta", "weighted", "shape", "reduction"),
    list(itertools.product((0.5, 1.0, 2.0), (False, True), ELEMENT_SHAPES, REDUCTIONS)),
)
def test_huber_loss(delta, weighted, shape, reduction) -> None:
    kwargs = {"delta": delta, "reduction": reduction}
    if weighted:
        kwargs["weight"] = np.random.default_rng(15).uniform(0.2, 2.0, shape)
    compare("huber_loss", list(_pair(shape, 15, delta)), kwargs, (0,))


# --- probabilistic -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("log_target", "shape", "reduction"),
    list(itertools.product((False, True), ELEMENT_SHAPES, (*REDUCTIONS, "batchmean"))),
)
def test_kl_div(log_target, shape, reduction) -> None:
    rng = np.random.default_rng(16)
    x, y = np.log(rng.uniform(0.05, 1, shape)), rng.uniform(0, 1, shape)
    if y.size > 1:
        y.flat[0] = 0.0  # 0·log 0 = 0
    compare(
        "kl_div",
        [x, np.log(y + 0.01) if log_target else y],
        {"log_target": log_target, "reduction": reduction},
        (0,),
    )


@pytest.mark.parametrize(
    ("log_input", "full", "eps", "reduction"),
    list(itertools.product((True, False), (False, True), (1e-8, 0.1), REDUCTIONS)),
)
def test_poisson_nll_loss(log_input, full, eps, reduction) -> None:
    rng = np.random.default_rng(17)
    x = rng.normal(0, 1, (3, 4)) if log_input else rng.uniform(0, 3, (3, 4))
    y = rng.poisson(2.0, (3, 4)).astype(float)
    y.flat[:3] = (0.0, 1.0, 0.5)  # the Stirling term is masked for y ≤ 1
    compare(
        "poisson_nll_loss",
        [x, y],
        {"log_input": log_input, "full": full, "eps": eps, "reduction": reduction},
        (0,),
    )


VAR_SHAPES = ((3, 4), (3,), (3, 1), (1, 4))


@pytest.mark.parametrize(
    ("var_shape", "full", "eps", "reduction"),
    list(itertools.product(VAR_SHAPES, (False, True), (1e-6, 0.5), REDUCTIONS)),
)
def test_gaussian_nll_loss(var_shape, full, eps, reduction) -> None:
    rng = np.random.default_rng(18)
    x, y, var = rng.normal(0, 1, (3, 4)), rng.normal(0, 1, (3, 4)), rng.uniform(0.1, 2.0, var_shape)
    var.flat[0] = 1e-9  # clamped at eps: the gradient is the closed form at eps
    compare("gaussian_nll_loss", [x, y, var], {"full": full, "eps": eps, "reduction": reduction}, (0, 2))


def test_gaussian_nll_loss_with_a_number_as_variance() -> None:
    rng = np.random.default_rng(18)
    x, y = rng.normal(0, 1, (3, 4)), rng.normal(0, 1, (3, 4))
    value, (grad_x, grad_var) = losses.gaussian_nll_loss_value_and_grad(x, y, 0.7, full=True)
    xt, vt = (
        torch.tensor(x, requires_grad=True),
        torch.full(x.shape, 0.7, dtype=torch.float64, requires_grad=True),
    )
    out = F.gaussian_nll_loss(xt, torch.tensor(y), vt, full=True)
    out.backward()
    assert value == pytest.approx(F.gaussian_nll_loss(xt, torch.tensor(y), 0.7, full=True).item(), rel=1e-12)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-12)
    assert np.shape(grad_var) == () and grad_var == pytest.approx(vt.grad.sum().item(), rel=1e-12)


# --- margins ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "reduction"), list(itertools.product(ELEMENT_SHAPES, REDUCTIONS)))
def test_soft_margin_loss(shape, reduction) -> None:
    rng = np.random.default_rng(19)
    compare(
        "soft_margin_loss",
        [rng.normal(0, 3, shape), rng.choice([-1.0, 1.0], shape)],
        {"reduction": reduction},
        (0,),
    )


@pytest.mark.parametrize(("margin", "reduction"), list(itertools.product((0.5, 1.0, 2.0), REDUCTIONS)))
def test_hinge_embedding_loss(margin, reduction) -> None:
    rng = np.random.default_rng(20)
    x = rng.uniform(0, 3, (4, 5))
    y = rng.choice([-1.0, 1.0, 0.5], (4, 5))  # PyTorch adds both terms for a label other than ±1
    x[0, :2], y[0, :2] = margin, -1.0  # at the kink margin − x = 0
    compare("hinge_embedding_loss", [x, y], {"margin": margin, "reduction": reduction}, (0,))


@pytest.mark.parametrize(
    ("margin", "shape", "reduction"), list(itertools.product((0.0, 0.5), ((5,), (3, 4)), REDUCTIONS))
)
def test_margin_ranking_loss(margin, shape, reduction) -> None:
    rng = np.random.default_rng(21)
    x1, x2, y = rng.normal(0, 1, shape), rng.normal(0, 1, shape), rng.choice([-1.0, 1.0], shape)
    x1.flat[0], y.flat[0] = x2.flat[0] + margin, 1.0  # at the kink
    compare("margin_ranking_loss", [x1, x2, y], {"margin": margin, "reduction": reduction}, (0, 1))


@pytest.mark.parametrize(
    ("margin", "shape", "reduction"), list(itertools.product((0.0, 0.3), ((6,), (4, 6)), REDUCTIONS))
)
def test_cosine_embedding_loss(margin, shape, reduction) -> None:
    rng = np.random.default_rng(22)
    x1, x2 = rng.normal(0, 1, shape), rng.normal(0, 1, shape)
    y = rng.choice([-1.0, 1.0], shape[:-1]) if len(shape) > 1 else np.array(-1.0)
    compare("cosine_embedding_loss", [x1, x2, y], {"margin": margin, "reduction": reduction}, (0, 1))


@pytest.mark.parametrize(
    ("p", "margin", "weighted", "shape", "reduction"),
    list(itertools.product((1, 2), (0.5, 1.0), (False, True), ((5,), (4, 5)), REDUCTIONS)),
)
def test_multi_margin_loss(p, margin, weighted, shape, reduction) -> None:
    rng = np.random.default_rng(23)
    x, t = rng.normal(0, 1, shape), _indices(shape, 23)
    if len(shape) == 2:
        x[0, (t[0] + 1) % 5] = x[0, t[0]] - margin  # exactly at the kink: subgradient 0
    kwargs = {"p": p, "margin": margin, "reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, 5)
    compare("multi_margin_loss", [x, t], kwargs, (0,))


@pytest.mark.parametrize(
    ("shape", "weighted", "reduction"),
    list(itertools.product(((5,), (4, 5), (2, 3, 5)), (False, True), REDUCTIONS)),
)
def test_multilabel_soft_margin_loss(shape, weighted, reduction) -> None:
    rng = np.random.default_rng(24)
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = rng.uniform(0.2, 2.0, 5)
    compare(
        "multilabel_soft_margin_loss",
        [rng.normal(0, 3, shape), rng.integers(0, 2, shape).astype(float)],
        kwargs,
        (0,),
    )


# --- activations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "dim"),
    list(itertools.product(("softmax", "log_softmax"), ((), (5,), (3, 5), (2, 3, 4)), (None, 0, -1))),
)
def test_softmax_and_log_softmax(name, shape, dim) -> None:
    if dim is not None and not shape:
        dim = 0
    compare(name, [_logits(shape, 25)], {"dim": dim}, (0,))


def test_softmax_dtype_argument() -> None:
    z = _logits((3, 4), 26).astype(np.float32)
    assert losses.softmax(z, 1, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("shape", ELEMENT_SHAPES)
def test_sigmoid(shape) -> None:
    compare("sigmoid", [_logits(shape, 27)], {}, (0,), reference=torch.sigmoid)


# --- float32 in, float32 out, equal to float32 rounding ----------------------------------------------------

FLOAT32 = [
    (
        "cross_entropy",
        lambda: [_logits((4, 5), 30), _indices((4, 5), 30)],
        {"label_smoothing": 0.1},
        (0,),
        None,
    ),
    ("cross_entropy", lambda: [_logits((4, 5), 31), np.full((4, 5), 0.2)], {}, (0,), None),
    ("nll_loss", lambda: [-np.abs(_logits((4, 5), 32)), _indices((4, 5), 32)], {}, (0,), None),
    ("binary_cross_entropy", lambda: [np.linspace(0.05, 0.95, 6), np.linspace(1, 0, 6)], {}, (0,), None),
    (
        "binary_cross_entropy_with_logits",
        lambda: [_logits((3, 4), 33), np.full((3, 4), 0.3)],
        {"pos_weight": np.full(4, 2.0)},
        (0,),
        None,
    ),
    ("mse_loss", lambda: list(_pair((3, 4), 34)), {}, (0,), None),
    ("l1_loss", lambda: list(_pair((3, 4), 35)), {}, (0,), None),
    ("smooth_l1_loss", lambda: list(_pair((3, 4), 36)), {}, (0,), None),
    ("huber_loss", lambda: list(_pair((3, 4), 37)), {}, (0,), None),
    (
        "kl_div",
        lambda: [-np.abs(_logits((3, 4), 38)), np.full((3, 4), 0.25)],
        {"reduction": "batchmean"},
        (0,),
        None,
    ),
    ("poisson_nll_loss", lambda: [_logits((3, 4), 39) / 3, np.full((3, 4), 2.0)], {"full": True}, (0,), None),
    (
        "gaussian_nll_loss",
        lambda: [_logits((3, 4), 40), _logits((3, 4), 41), np.full((3, 4), 0.5)],
        {},
        (0, 2),
        None,
    ),
    ("soft_margin_loss", lambda: [_logits((3, 4), 42), np.ones((3, 4))], {}, (0,), None),
    ("multilabel_soft_margin_loss", lambda: [_logits((3, 4), 43), np.ones((3, 4))], {}, (0,), None),
    ("hinge_embedding_loss", lambda: [np.abs(_logits((3, 4), 44)), -np.ones((3, 4))], {}, (0,), None),
    ("margin_ranking_loss", lambda: [_logits(6, 45), _logits(6, 46), np.ones(6)], {}, (0, 1), None),
    (
        "cosine_embedding_loss",
        lambda: [_logits((3, 4), 47), _logits((3, 4), 48), np.ones(3)],
        {},
        (0, 1),
        None,
    ),
    ("multi_margin_loss", lambda: [_logits((4, 5), 49), _indices((4, 5), 49)], {}, (0,), None),
    ("sigmoid_focal_loss", lambda: [_logits((3, 4), 50), np.full((3, 4), 1.0)], {}, (0,), _torchvision_focal),
    ("softmax_focal_loss", lambda: [_logits((4, 5), 51), _indices((4, 5), 51)], {}, (0,), _softmax_focal),
    ("softmax", lambda: [_logits((3, 4), 52)], {"dim": 1}, (0,), None),
    ("log_softmax", lambda: [_logits((3, 4), 53)], {"dim": 1}, (0,), None),
    ("sigmoid", lambda: [_logits((3, 4), 54)], {}, (0,), torch.sigmoid),
]


@pytest.mark.parametrize(
    ("name", "arrays", "kwargs", "diff", "reference"),
    FLOAT32,
    ids=[f"{case[0]}-{number}" for number, case in enumerate(FLOAT32)],
)
def test_float32_matches_torch_float32(name, arrays, kwargs, diff, reference) -> None:
    compare(name, arrays(), kwargs, diff, reference, dtype=np.float32)
