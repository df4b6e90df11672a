"""The optax and Keras losses of the generated module (log_cosh, hinge_loss, squared_hinge) against
their definitions evaluated by torch autograd in float64, and optax's published values."""

from __future__ import annotations

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
