"""The benchmark cases: inputs, and the straightforward hand-written NumPy version of each loss.

Each case names the generated function (``NAME_value_and_grad``), the keyword arguments it is
called with, how to make its inputs, a plain NumPy implementation written the way one would
write it without thinking about speed (used as a peer and, run in float64, as the reference),
and the loss as a PyTorch / JAX expression of the differentiable first argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Arrays = tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Case:
    """One loss at one size: ``loss(*make(rng, dtype), **kwargs)``, differentiated w.r.t. argument 0."""

    loss: str
    shape: tuple[int, ...]
    make: Callable[[np.random.Generator, type], Arrays]
    numpy: Callable[..., tuple[float, np.ndarray]]
    torch: Callable[..., object]  # (F, *tensors) -> scalar loss
    jax: Callable[..., object]  # (jnp, jax.nn, *arrays) -> scalar loss
    kwargs: dict[str, object] = field(default_factory=dict)

    @property
    def size(self) -> str:
        if len(self.shape) == 1:
            return f"{self.shape[0]:.0e}".replace("e+0", "e")
        return "×".join(str(s) for s in self.shape)

    @property
    def label(self) -> str:
        return f"{self.loss} {self.size}"


# --- inputs -----------------------------------------------------------------------------------------

def _logits_and_classes(shape: tuple[int, ...]) -> Callable[[np.random.Generator, type], Arrays]:
    def make(rng: np.random.Generator, dtype: type) -> Arrays:
        z = (rng.standard_normal(shape) * 3).astype(dtype)
        return z, rng.integers(0, shape[1], shape[0])
    return make


def _logits_and_bits(shape: tuple[int, ...]) -> Callable[[np.random.Generator, type], Arrays]:
    def make(rng: np.random.Generator, dtype: type) -> Arrays:
        z = (rng.standard_normal(shape) * 3).astype(dtype)
        return z, (rng.random(shape) < 0.5).astype(dtype)
    return make


def _pairs(shape: tuple[int, ...]) -> Callable[[np.random.Generator, type], Arrays]:
    def make(rng: np.random.Generator, dtype: type) -> Arrays:
        return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    return make


def _log_probs_and_probs(shape: tuple[int, ...]) -> Callable[[np.random.Generator, type], Arrays]:
    def make(rng: np.random.Generator, dtype: type) -> Arrays:
        a, b = rng.standard_normal(shape), rng.standard_normal(shape) * 2
        log_p = a - a.max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        q = np.exp(b - b.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        return log_p.astype(dtype), q.astype(dtype)
    return make


# --- straightforward NumPy ----------------------------------------------------------------------------

def numpy_cross_entropy(z: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    n = z.shape[0]
    rows = np.arange(n)
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) + m[:, 0] - z[rows, t])
    grad = e / s
    grad[rows, t] -= 1
    return loss, grad / n


def numpy_bce_with_logits(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    e = np.exp(-np.abs(z))
    sigma = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return loss, (sigma - y) / z.size


def numpy_mse(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    d = x - y
    return np.mean(d * d), 2 * d / x.size


def numpy_smooth_l1(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    d = x - y
    a = np.abs(d)
    loss = np.mean(np.where(a < 1.0, 0.5 * d * d, a - 0.5))
    return loss, np.where(a < 1.0, d, np.sign(d)) / x.size


def numpy_kl_div(log_p: np.ndarray, q: np.ndarray) -> tuple[float, np.ndarray]:
    n = log_p.shape[0]
    q_log_q = np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0)
    return np.sum(q_log_q - q * log_p) / n, -q / n


# --- the catalogue of cases ---------------------------------------------------------------------------

def _ce(shape: tuple[int, int]) -> Case:
    return Case(
        "cross_entropy", shape, _logits_and_classes(shape), numpy_cross_entropy,
        torch=lambda F, z, t: F.cross_entropy(z, t),
        jax=lambda jnp, nn, z, t: -jnp.mean(jnp.take_along_axis(nn.log_softmax(z, axis=1), t[:, None], 1)),
    )


def _bce(n: int) -> Case:
    return Case(
        "binary_cross_entropy_with_logits", (n,), _logits_and_bits((n,)), numpy_bce_with_logits,
        torch=lambda F, z, y: F.binary_cross_entropy_with_logits(z, y),
        jax=lambda jnp, nn, z, y: jnp.mean(nn.softplus(z) - z * y),
    )


def _mse(n: int) -> Case:
    return Case(
        "mse_loss", (n,), _pairs((n,)), numpy_mse,
        torch=lambda F, x, y: F.mse_loss(x, y),
        jax=lambda jnp, nn, x, y: jnp.mean((x - y) ** 2),
    )


def _smooth_l1(n: int) -> Case:
    def jax_loss(jnp: object, nn: object, x: object, y: object) -> object:
        d = x - y
        a = jnp.abs(d)
        return jnp.mean(jnp.where(a < 1.0, 0.5 * d * d, a - 0.5))

    return Case(
        "smooth_l1_loss", (n,), _pairs((n,)), numpy_smooth_l1,
        torch=lambda F, x, y: F.smooth_l1_loss(x, y), jax=jax_loss,
    )


def _kl(shape: tuple[int, int]) -> Case:
    def jax_loss(jnp: object, nn: object, log_p: object, q: object) -> object:
        from jax.scipy.special import xlogy
        return jnp.sum(xlogy(q, q) - q * log_p) / log_p.shape[0]

    return Case(
        "kl_div", shape, _log_probs_and_probs(shape), numpy_kl_div,
        torch=lambda F, log_p, q: F.kl_div(log_p, q, reduction="batchmean"), jax=jax_loss,
        kwargs={"reduction": "batchmean"},
    )


def all_cases() -> list[Case]:
    """Every case of the issue's table, smallest first within each loss."""
    return [
        _ce((256, 10)), _ce((4096, 1000)), _ce((32768, 1000)),
        _bce(10**6), _bce(10**7),
        _mse(10**6), _mse(10**7),
        _smooth_l1(10**6), _smooth_l1(10**7),
        _kl((32768, 1000)),
    ]
