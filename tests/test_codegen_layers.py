"""Generated training steps: softmax_regression and logistic_regression against autograd, central
differences and the matrix form of their derivations; validation names the argument."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest

from derive.catalogue import derivation
from derive.codegen import render_module, signatures


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    path = tmp_path_factory.mktemp("layers") / "layer_losses.py"
    path.write_text(render_module(["softmax_regression", "logistic_regression"]), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("layer_losses", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _problem(seed=0, N=6, d=4, C=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(N, d)), rng.normal(size=(C, d)), rng.normal(size=C)
    labels = rng.integers(0, C, N)
    probabilities = rng.dirichlet(np.ones(C), N)
    return rng, X.astype(dtype), W.astype(dtype), b.astype(dtype), labels, probabilities.astype(dtype)


def _central(f, array, h=1e-6):
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        up, down = array.copy(), array.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad


# --- softmax regression -------------------------------------------------------------------------------

SOFTMAX_CASES = list(itertools.product(("index", "probabilities"), (None, "weight"), (0.0, 0.2),
                                       ("mean", "sum", "none")))


@pytest.mark.parametrize(("targets", "weighted", "smoothing", "reduction"), SOFTMAX_CASES)
def test_softmax_regression_matches_torch(m, targets, weighted, smoothing, reduction):
    torch = pytest.importorskip("torch")
    rng, X, W, b, labels, probabilities = _problem()
    target = labels if targets == "index" else probabilities
    weight = rng.uniform(0.5, 2.0, W.shape[0]) if weighted else None
    kwargs = {"weight": weight, "label_smoothing": smoothing, "reduction": reduction}
    value = m.softmax_regression(W, b, X, target, **kwargs)
    upstream = rng.normal(size=np.shape(value)) if reduction == "none" else None
    both, (gW, gb) = m.softmax_regression_value_and_grad(W, b, X, target, grad_output=upstream, **kwargs)
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(
        torch.tensor(X) @ Wt.T + bt, torch.tensor(target), label_smoothing=smoothing, reduction=reduction,
        weight=None if weight is None else torch.tensor(weight))
    loss.backward(None if upstream is None else torch.tensor(upstream))
    np.testing.assert_allclose(value, loss.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(both, value)
    np.testing.assert_allclose(gW, Wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-10, atol=1e-13)
    grad_only = m.softmax_regression_grad(W, b, X, target, grad_output=upstream, **kwargs)
    np.testing.assert_array_equal(grad_only[0], gW)


def test_softmax_regression_float32_matches_torch(m):
    torch = pytest.importorskip("torch")
    _, X, W, b, labels, _ = _problem(dtype=np.float32)
    value, (gW, gb) = m.softmax_regression_value_and_grad(W, b, X, labels)
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.tensor(X) @ Wt.T + bt, torch.tensor(labels))
    loss.backward()
    assert value.dtype == gW.dtype == gb.dtype == np.float32
    np.testing.assert_allclose(value, loss.item(), rtol=1e-6)
    np.testing.assert_allclose(gW, Wt.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("targets", ["index", "probabilities"])
def test_softmax_regression_gradient_is_central_differences(m, targets):
    _, X, W, b, labels, probabilities = _problem(seed=1)
    target = labels if targets == "index" else probabilities
    _, (gW, gb) = m.softmax_regression_value_and_grad(W, b, X, target, label_smoothing=0.1)
    fW = _central(lambda w: m.softmax_regression(w, b, X, target, label_smoothing=0.1), W)
    fb = _central(lambda c: m.softmax_regression(W, c, X, target, label_smoothing=0.1), b)
    np.testing.assert_allclose(gW, fW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gb, fb, rtol=1e-6, atol=1e-9)


def test_softmax_regression_is_the_derived_matrix_form(m):
    """∂L/∂W = (S − Y)ᵀX/N and ∂L/∂b = (S − Y)ᵀ1/N, the batch form of the derivation."""
    _, X, W, b, labels, _ = _problem(seed=2, N=9)
    _, (gW, gb) = m.softmax_regression_value_and_grad(W, b, X, labels)
    Z = X @ W.T + b
    S = np.exp(Z - Z.max(axis=1, keepdims=True))
    S /= S.sum(axis=1, keepdims=True)
    Y = np.eye(W.shape[0])[labels]
    np.testing.assert_allclose(gW, (S - Y).T @ X / len(X), rtol=1e-12)
    np.testing.assert_allclose(gb, (S - Y).sum(axis=0) / len(X), rtol=1e-12)
    batch = derivation("softmax_regression").batch
    notes = " ".join(m.softmax_regression.__doc__.split())
    assert batch.weight.text in notes and batch.bias.text in notes


def test_extreme_logits_stay_finite(m):
    _, X, W, b, labels, _ = _problem()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, (gW, gb) = m.softmax_regression_value_and_grad(W * 1e4, b, X, labels)
    assert np.isfinite(value) and np.all(np.isfinite(gW)) and np.all(np.isfinite(gb))


# --- logistic regression ------------------------------------------------------------------------------

LOGISTIC_CASES = list(itertools.product((1, 3), (None, "weight"), (None, "pos_weight"),
                                        ("mean", "sum", "none")))


@pytest.mark.parametrize(("outputs", "weighted", "positive", "reduction"), LOGISTIC_CASES)
def test_logistic_regression_matches_torch(m, outputs, weighted, positive, reduction):
    torch = pytest.importorskip("torch")
    rng, X, _, _, _, _ = _problem(seed=3)
    shape = () if outputs == 1 else (outputs,)
    W = rng.normal(size=(*shape, X.shape[1]))
    b = rng.normal(size=shape)
    y = rng.uniform(size=(len(X), *shape))
    weight = rng.uniform(0.5, 2.0, y.shape) if weighted else None
    pos_weight = rng.uniform(0.5, 3.0, shape) if positive else None
    kwargs = {"weight": weight, "reduction": reduction, "pos_weight": pos_weight}
    value = m.logistic_regression(W, b, X, y, **kwargs)
    upstream = rng.normal(size=np.shape(value)) if reduction == "none" else None
    _, (gW, gb) = m.logistic_regression_value_and_grad(W, b, X, y, grad_output=upstream, **kwargs)
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    logits = torch.tensor(X) @ (Wt if Wt.ndim == 1 else Wt.T) + bt
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, torch.tensor(y), reduction=reduction, weight=None if weight is None else torch.tensor(weight),
        pos_weight=None if pos_weight is None else torch.tensor(pos_weight))
    loss.backward(None if upstream is None else torch.tensor(upstream))
    np.testing.assert_allclose(value, loss.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.shape(gW) == W.shape and np.shape(gb) == b.shape
    np.testing.assert_allclose(gW, Wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_logistic_regression_is_the_derived_matrix_form_and_central_differences(m):
    rng, X, _, _, _, _ = _problem(seed=4, N=8)
    w, b, y = rng.normal(size=X.shape[1]), 0.4, rng.integers(0, 2, len(X)).astype(float)
    _, (gw, gb) = m.logistic_regression_value_and_grad(w, b, X, y)
    a = 1 / (1 + np.exp(-(X @ w + b)))
    np.testing.assert_allclose(gw, X.T @ (a - y) / len(X), rtol=1e-12)  # Xᵀ(a − y)/N
    np.testing.assert_allclose(gb, np.mean(a - y), rtol=1e-12)
    np.testing.assert_allclose(gw, _central(lambda v: m.logistic_regression(v, b, X, y), w), rtol=1e-6)
    notes = " ".join(m.logistic_regression.__doc__.split())
    batch = derivation("logistic_regression").batch
    assert batch.weight.text in notes and batch.bias.text in notes


# --- validation and the documents -------------------------------------------------------------------

@pytest.mark.parametrize(("call", "error", "word"), [
    (lambda m, X, W, b, t: m.softmax_regression(W[0], b, X, t), ValueError, "W"),
    (lambda m, X, W, b, t: m.softmax_regression(W, b, X[:, :-1], t), ValueError, "X"),
    (lambda m, X, W, b, t: m.softmax_regression(W, b[:-1], X, t), ValueError, "b"),
    (lambda m, X, W, b, t: m.softmax_regression(W.astype(int), b, X, t), TypeError, "W"),
    (lambda m, X, W, b, t: m.softmax_regression(W, b, X, t + 10), ValueError, "target"),
    (lambda m, X, W, b, t: m.softmax_regression(W, b, X, t, reduction="avg"), ValueError, "reduction"),
    (lambda m, X, W, b, t: m.logistic_regression(W[0], b, X, t.astype(float)), ValueError, "b"),
])
def test_bad_input_names_the_argument(m, call, error, word):
    _, X, W, b, labels, _ = _problem()
    with pytest.raises(error, match=rf"^{word}:"):
        call(m, X, W, b, labels)


def test_documents_list_the_training_step():
    lines = signatures("softmax_regression")
    assert any(line.startswith("def softmax_regression_value_and_grad(W, b, X, target, weight=None, "
                               "label_smoothing=0.0, reduction=\"mean\"") for line in lines)
    assert any("logistic_regression_value_and_grad" in line for line in signatures("logistic_regression"))


def test_example_trains_softmax_regression(m):
    path = Path(__file__).resolve().parents[1] / "examples" / "train_softmax_regression.py"
    spec = importlib.util.spec_from_file_location("train_softmax_regression", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    accuracy, losses = example.train(m, steps=150)
    assert accuracy > 0.9 and losses[-1] < losses[0] / 3
