"""Train softmax regression with the generated training step, in NumPy only.

``losses.softmax_regression_value_and_grad(W, b, X, labels)`` returns the mean cross-entropy of
the logits X Wᵀ + b and the gradients (∂L/∂W, ∂L/∂b) = ((S − Y)ᵀX/N, (S − Y)ᵀ1/N), the matrix form
derived and verified in ``derive show softmax_regression``; the training loop is plain gradient
descent.  The data are four Gaussian clusters in five dimensions, generated here.

    python examples/train_softmax_regression.py [--losses outputs/losses.py] [--steps 200]

prints the loss every 50 steps and the training and held-out accuracy (both above 90%).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

DEFAULT_LOSSES = Path(__file__).resolve().parents[1] / "outputs" / "losses.py"


def load_losses(path: Path = DEFAULT_LOSSES) -> ModuleType:
    """Import the generated module (``derive code softmax_regression -o FILE`` writes one)."""
    spec = importlib.util.spec_from_file_location("losses", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clusters(n: int, classes: int = 4, features: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points around ``classes`` random centres in ``features`` dimensions, and their labels."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(1234).normal(0.0, 2.0, (classes, features))
    labels = rng.integers(0, classes, n)
    return centres[labels] + rng.normal(0.0, 1.0, (n, features)), labels


def accuracy(W: np.ndarray, b: np.ndarray, X: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(X @ W.T + b, axis=1) == labels))


def train(losses: ModuleType, steps: int = 200, rate: float = 0.5,
          log_every: int = 0) -> tuple[float, list[float]]:
    """Gradient descent from zero weights; returns the held-out accuracy and the loss at every step."""
    X, labels = clusters(600)
    X_test, labels_test = clusters(300, seed=1)
    classes = int(labels.max()) + 1
    W, b = np.zeros((classes, X.shape[1])), np.zeros(classes)
    history = []
    for step in range(steps):
        loss, (grad_W, grad_b) = losses.softmax_regression_value_and_grad(W, b, X, labels)
        W -= rate * grad_W
        b -= rate * grad_b
        history.append(float(loss))
        if log_every and step % log_every == 0:
            print(f"step {step:4d}  loss {loss:.4f}  training accuracy {accuracy(W, b, X, labels):.3f}")
    return accuracy(W, b, X_test, labels_test), history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--losses", type=Path, default=DEFAULT_LOSSES, help="the generated module")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.5)
    args = parser.parse_args()
    held_out, history = train(load_losses(args.losses), args.steps, args.rate, log_every=50)
    print(f"final loss {history[-1]:.4f}, held-out accuracy {held_out:.3f}")


if __name__ == "__main__":
    main()
