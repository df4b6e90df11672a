"""The generated custom module on real arrays: leading dimensions (..., n), per-class vectors of shape (n,),
class-index targets (--index), with clear errors for the wrong ones."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.language.custom import build
from derive.language.module import module_source

LOGIT_ADJUSTED = "-sum(y*log_softmax(z + tau*log(prior)))"


def _module(tmp_path, loss):
    path = tmp_path / f"{loss.derivation.name}.py"
    path.write_text(module_source(loss), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(loss.derivation.name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _logit_adjusted(z, prior, labels, tau):
    """Cross-entropy of z + τ log(prior) at integer labels, per leading index, and its gradient (float64)."""
    shifted = z + tau * np.log(prior)
    shifted = shifted - shifted.max(axis=-1, keepdims=True)
    log_s = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    onehot = labels[..., None] == np.arange(z.shape[-1])
    return -(log_s * onehot).sum(axis=-1), np.exp(log_s) - onehot


@pytest.fixture(scope="module")
def adjusted(tmp_path_factory):
    loss = build(LOGIT_ADJUSTED, wrt="z", vectors="prior", index="y", scalars={"tau": 1.0}, name="adjusted")
    return _module(tmp_path_factory.mktemp("adjusted"), loss)


@pytest.mark.parametrize("lead", [(), (4,), (2, 3)])
def test_leading_dimensions_a_per_class_prior_and_class_indices(adjusted, lead):
    rng = np.random.default_rng(len(lead))
    z = rng.normal(size=(*lead, 5)) * 3
    prior = rng.dirichlet(np.ones(5))              # shape (n,): one value per class, broadcast
    labels = rng.integers(0, 5, size=lead)
    per_row, grad = _logit_adjusted(z, prior, labels, 0.5)
    assert np.allclose(adjusted.adjusted(prior, z, labels, tau=0.5, reduction="none"), per_row, rtol=1e-12)
    value, g = adjusted.adjusted_value_and_grad(prior, z, labels, tau=0.5)
    count = max(1, int(np.prod(lead)))
    assert np.isclose(value, per_row.mean(), rtol=1e-12)
    assert g.shape == z.shape and np.allclose(g, grad / count, rtol=1e-10, atol=1e-15)


def test_the_same_loss_matches_pytorch_cross_entropy(adjusted):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    z, prior, labels = rng.normal(size=(6, 4)), rng.dirichlet(np.ones(4)), rng.integers(0, 4, size=6)
    logits = torch.tensor(z, requires_grad=True)
    adjusted_logits = logits + torch.log(torch.tensor(prior))
    reference = torch.nn.functional.cross_entropy(adjusted_logits, torch.tensor(labels))
    reference.backward()
    value, grad = adjusted.adjusted_value_and_grad(prior, z, labels)
    assert np.isclose(value, reference.item(), rtol=1e-12)
    assert np.allclose(grad, logits.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(("call", "message"), [
    (lambda m, z, p, t: m.adjusted(p, z, t.astype(np.float32)),
     "y: class indices must be integers (got float32)"),
    (lambda m, z, p, t: m.adjusted(p, z, t + 7), "y: class index"),
    (lambda m, z, p, t: m.adjusted(p, z, t[:2]), "y: expected class indices of shape (4,)"),
    (lambda m, z, p, t: m.adjusted(p[:3], z, t), "prior: shape (3,) does not broadcast"),
    (lambda m, z, p, t: m.adjusted(p, np.zeros((4, 0)), t), "z: expected an array of shape (..., n)"),
    (lambda m, z, p, t: m.adjusted(p, 1.0, t), "z: expected an array of shape (..., n)"),
])
def test_wrong_arrays_get_an_error_naming_the_argument(adjusted, call, message):
    rng = np.random.default_rng(0)
    z, prior, labels = rng.normal(size=(4, 5)), rng.dirichlet(np.ones(5)), rng.integers(0, 5, size=4)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(adjusted, z, prior, labels)


def test_nan_in_an_input_propagates(adjusted):
    z = np.array([[0.0, np.nan, 1.0], [0.5, 0.2, 0.1]])
    per_row = adjusted.adjusted(np.ones(3) / 3, z, np.array([0, 1]), reduction="none")
    assert np.isnan(per_row[0]) and np.isfinite(per_row[1])


def test_the_cli_takes_index(tmp_path):
    out = tmp_path / "adjusted.py"
    common = ["custom", LOGIT_ADJUSTED, "--wrt", "z", "--vector", "prior", "--index", "y"]
    result = CliRunner().invoke(main, [*common, "--scalar", "tau=1.0", "--name", "adjusted", "--format", "py",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "integer class indices in [0, n)" in out.read_text(encoding="utf-8")
    both = CliRunner().invoke(main, [*common, "--onehot", "y"])
    assert both.exit_code == 2 and "either --onehot" in both.output
