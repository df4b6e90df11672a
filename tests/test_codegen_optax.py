"""The optax and Keras losses of the generated module (log_cosh, hinge_loss, squared_hinge) against
their definitions evaluated by torch autograd in float64, and optax's published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from generated_losses import losses

torch = pytest.importorskip("torch")

DEFINITIONS = {
    "log_cosh": lambda x, y: torch.log(torch.cosh(x - y)),
    "hinge_loss": lambda x, y: torch.clamp_min(1 - y * x, 0),  # clamp_min passes the gradient at the kink
    "squared_hinge": lambda x, y: torch.clamp_min(1 - y * x, 0) ** 2,
}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_against_the_definition(name, dtype, reduction) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, size=(4, 5)).astype(dtype)
    y = (np.sign(rng.normal(size=(4, 5))) if name != "log_cosh" else rng.normal(size=(4, 5))).astype(dtype)
    x[0, :2] = [1.0, -1.0] * y[0, :2]  # the kink y·x = 1 of the hinges
    value, grad = getattr(losses, f"{name}_value_and_grad")(x, y, reduction=reduction)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = DEFINITIONS[name](xt, torch.tensor(y, dtype=torch.float64))
    out = {"none": out, "mean": out.mean(), "sum": out.sum()}[reduction]
    g = np.ones_like(value)
    out.backward(torch.tensor(g, dtype=torch.float64))
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert value.dtype == grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_cosh_is_finite_far_from_the_target(dtype) -> None:
    """optax and Keras give 9999.3069 at e = 1e4 (REFERENCE A.2, A.3); the limits at ±inf are inf."""
    x = np.array([1e4, -1e4, 1e30, np.inf, -np.inf, np.nan], dtype)
    value, grad = losses.log_cosh_value_and_grad(x, np.zeros_like(x))
    np.testing.assert_allclose(value[:2], 9999.306852819440, rtol=1e-7)
    assert value[2] == dtype(1e30) and value[3] == value[4] == np.inf and np.isnan(value[5])
    assert grad[:5].tolist() == [1, -1, 1, 1, -1] and np.isnan(grad[5])


def test_hinge_propagates_nan_and_saturates() -> None:
    x = np.array([np.nan, np.inf, -np.inf, 2.0])
    y = np.array([1.0, 1.0, 1.0, -1.0])
    value, grad = losses.hinge_loss_value_and_grad(x, y)
    np.testing.assert_array_equal(value, [np.nan, 0, np.inf, 3])
    np.testing.assert_array_equal(grad, [np.nan, 0, -1, 1])


F = torch.nn.functional


def _poly_reference(z, target, weight, epsilon, reduction):
    """optax's poly_loss_cross_entropy on torch tensors (classes along axis 1), with cross_entropy's
    weights and reductions: Σ y·(−log s) + ε·Σ y·(1 − s) per row."""
    log_s = F.log_softmax(z, dim=1)
    if target.dtype == torch.int64:
        y = F.one_hot(target, z.shape[1]).to(z.dtype)
        w_t = torch.ones(len(target), dtype=z.dtype) if weight is None else weight[target]
        rows = w_t * (-(y * log_s).sum(1) + epsilon * (y * (1 - log_s.exp())).sum(1))
        count = w_t.sum()
    else:
        y = target if weight is None else target * weight
        rows = -(y * log_s).sum(1) + epsilon * (y * (1 - log_s.exp())).sum(1)
        count = len(rows)
    return {"none": rows, "sum": rows.sum(), "mean": rows.sum() / count}[reduction]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("kind", ["index", "probabilities", "weighted"])
@pytest.mark.parametrize("epsilon", [0.0, 2.0, -1.0])
def test_poly_loss_against_its_definition(dtype, reduction, kind, epsilon) -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, size=(6, 4)).astype(dtype)
    soft = rng.dirichlet(np.ones(4), 6).astype(dtype)
    target = soft if kind == "probabilities" else rng.integers(0, 4, size=6)
    weight = rng.uniform(0.5, 2, size=4).astype(dtype) if kind == "weighted" else None
    value, grad = losses.poly_loss_cross_entropy_value_and_grad(z, target, weight=weight, reduction=reduction,
                                                                epsilon=epsilon)
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(target) if kind != "probabilities" else torch.tensor(target, dtype=torch.float64)
    wt = None if weight is None else torch.tensor(weight, dtype=torch.float64)
    out = _poly_reference(zt, tt, wt, epsilon, reduction)
    out.backward(torch.ones_like(out))
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    assert value.dtype == grad.dtype == dtype
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=rtol, atol=rtol)
    if epsilon == 0:  # ε = 0 is the cross-entropy
        np.testing.assert_allclose(value, losses.cross_entropy(z, target, weight=weight, reduction=reduction),
                                   rtol=rtol)


def test_poly_loss_optax_value() -> None:
    """optax: logits [0, 1, 2], one-hot label 2, ε = 2: −log s_2 + 2·(1 − s_2) = 1.0771240529."""
    value = losses.poly_loss_cross_entropy(np.array([[0.0, 1.0, 2.0]]), np.array([[0.0, 0.0, 1.0]]),
                                           reduction="none")
    s_2 = math.exp(2) / (1 + math.e + math.exp(2))
    np.testing.assert_allclose(value, [-math.log(s_2) + 2 * (1 - s_2)], rtol=1e-14)
    np.testing.assert_allclose(value, [1.0771240529], rtol=1e-10)


def _sparse_plus(u):
    return torch.where(u <= -1, torch.zeros_like(u), torch.where(u >= 1, u, (u + 1) ** 2 / 4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparsemax_loss_against_optax_definition(dtype) -> None:
    """optax: sparse_plus(where(labels, −logits, logits)); its gradient is sparse_sigmoid(z) − y."""
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0] * 2, dtype)
    y = np.repeat([0.0, 1.0], 7).astype(dtype)
    value, grad = losses.sparsemax_loss_value_and_grad(z, y)
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = _sparse_plus(torch.where(torch.tensor(y) == 1, -zt, zt))
    out.sum().backward()
    assert value.dtype == grad.dtype == dtype
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-7)
    np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-7)
    np.testing.assert_allclose(grad, np.clip((z + 1) / 2, 0, 1) - y, rtol=1e-7)  # sparse sigmoid − label
    with pytest.raises(ValueError, match="target: expected labels 0 or 1"):
        losses.sparsemax_loss(z, np.full_like(z, 0.5))
    nan_value, nan_grad = losses.sparsemax_loss_value_and_grad(np.full(2, np.nan), np.array([0.0, 1.0]))
    assert np.isnan(nan_value).all() and np.isnan(nan_grad).all()
