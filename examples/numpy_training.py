"""Train softmax regression and a small MLP in pure NumPy with the generated losses.

The loss and its gradient at the logits come from the module `derive` generated
(``outputs/losses.py``, or any file written by ``derive code cross_entropy -o FILE``):
``losses.cross_entropy_value_and_grad(logits, labels)`` returns the mean cross-entropy and
∂L/∂logits = (softmax − onehot)/N from one fused computation; the rest is the chain rule
through the layers.  The data are generated here (three interleaved spirals, and three
Gaussian blobs), so the example needs NumPy only.

    python examples/numpy_training.py [--losses outputs/losses.py]

prints the training accuracy of softmax regression on the blobs (linearly separable: > 95%), of
softmax regression on the spirals (not linearly separable: about 50%), and of a one-hidden-layer
ReLU network on the spirals (> 95%).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

DEFAULT_LOSSES = Path(__file__).resolve().parents[1] / "outputs" / "losses.py"


def load_losses(path: Path = DEFAULT_LOSSES) -> ModuleType:
    """Import the generated module from its file."""
    spec = importlib.util.spec_from_file_location("losses", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spirals(per_class: int = 200, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points on ``classes`` interleaved noisy spirals in the plane, and their class indices."""
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, per_class), classes)
    labels = np.repeat(np.arange(classes), per_class)
    angle = labels * 4.0 + radius * 4.0 + rng.normal(0.0, 0.2, radius.size)
    return np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1), labels


def blobs(per_class: int = 200, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around the vertices of a regular polygon, and their class indices."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), per_class)
    centres = np.stack([np.cos(2 * np.pi * labels / classes), np.sin(2 * np.pi * labels / classes)], axis=1)
    return 2.0 * centres + rng.normal(0.0, 0.5, centres.shape), labels


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def softmax_regression(losses: ModuleType, x: np.ndarray, labels: np.ndarray, steps: int = 300,
                       rate: float = 1.0) -> tuple[float, float]:
    """Gradient descent on logits = x W + b; returns (final loss, training accuracy)."""
    w, b = np.zeros((x.shape[1], labels.max() + 1)), np.zeros(labels.max() + 1)
    for _ in range(steps):
        loss, grad = losses.cross_entropy_value_and_grad(x @ w + b, labels)  # grad = ∂L/∂logits
        w -= rate * x.T @ grad
        b -= rate * grad.sum(axis=0)
    return float(loss), accuracy(x @ w + b, labels)


def mlp(losses: ModuleType, x: np.ndarray, labels: np.ndarray, hidden: int = 64, steps: int = 3000,
        rate: float = 1.0, seed: int = 0) -> tuple[float, float]:
    """A ReLU network x → hidden → classes trained with full-batch gradient descent."""
    rng = np.random.default_rng(seed)
    classes = labels.max() + 1
    w1, b1 = rng.normal(0.0, 0.5, (x.shape[1], hidden)), np.zeros(hidden)
    w2, b2 = rng.normal(0.0, 0.1, (hidden, classes)), np.zeros(classes)
    for _ in range(steps):
        h = np.maximum(x @ w1 + b1, 0.0)
        loss, grad = losses.cross_entropy_value_and_grad(h @ w2 + b2, labels)
        grad_h = (grad @ w2.T) * (h > 0)  # back through the output layer and the ReLU
        w2 -= rate * h.T @ grad
        b2 -= rate * grad.sum(axis=0)
        w1 -= rate * x.T @ grad_h
        b1 -= rate * grad_h.sum(axis=0)
    return float(loss), accuracy(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2, labels)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--losses", type=Path, default=DEFAULT_LOSSES, help="the generated module")
    args = parser.parse_args(argv)
    losses = load_losses(args.losses)
    results = {
        "softmax regression, blobs": softmax_regression(losses, *blobs())[1],
        "softmax regression, spirals": softmax_regression(losses, *spirals())[1],
        "MLP (64 ReLU units), spirals": mlp(losses, *spirals())[1],
    }
    for name, value in results.items():
        print(f"{name:<32} training accuracy {value:.1%}")
    return results


if __name__ == "__main__":
    main()
