"""``derive custom --format py``: the generated module against central differences and torch autograd."""

import importlib.util
import sys
from functools import cache

import numpy as np
import pytest
from click.testing import CliRunner
from custom_losses import LOSSES, build_loss

import derive.cli as cli
from derive.language.module import module_source

N, C = 5, 4


@cache
def _module_text(name):
    return module_source(build_loss(name))


def load(path, name):
    spec = importlib.util.spec_from_file_location(f"generated_{name}_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")

    @cache
    def get(name):
        path = folder / f"{name}.py"
        path.write_text(_module_text(name), encoding="utf-8")
        return load(path, name)
    return get


def inputs(name, dtype=np.float64, seed=0):
    """The positional arrays of loss ``name``: logits anywhere, targets in (0, 1), one-hot rows."""
    rng = np.random.default_rng(seed)
    arrays = []
    for vector in build_loss(name).vectors:
        label = vector.label.name
        if label == "y" and LOSSES[name][1].get("onehot") == "y":
            arrays.append(np.eye(C)[rng.integers(0, C, N)])
        elif label == "y":
            arrays.append(rng.uniform(0.05, 0.95, (N, C)))
        else:
            arrays.append(rng.normal(0.0, 2.0, (N, C)))
    return [a.astype(dtype) for a in arrays]


def wrt_position(name):
    loss = build_loss(name)
    return loss.vectors.index(loss.derivation.wrt.base)


def central_differences(f, arrays, position, h=1e-6):
    grad = np.zeros_like(arrays[position])
    for index in np.ndindex(grad.shape):
        up = [a.copy() for a in arrays]
        down = [a.copy() for a in arrays]
        up[position][index] += h
        down[position][index] -= h
        grad[index] = (f(*up) - f(*down)) / (2 * h)
    return grad


@pytest.mark.parametrize("name", list(LOSSES))
def test_the_module_is_laid_out_like_derive_code(name):
    source = _module_text(name)
    assert max(len(line) for line in source.splitlines()) <= 110
    assert "import numpy as np" in source and "import derive" not in source  # NumPy only
    assert f"def {name}_value_and_grad(" in source


@pytest.mark.parametrize("name", list(LOSSES))
def test_gradient_matches_central_differences(name, modules):
    module, arrays = modules(name), inputs(name)
    value = getattr(module, name)
    grad = getattr(module, f"{name}_grad")(*arrays, reduction="sum")
    fd = central_differences(lambda *a: value(*a, reduction="sum"), arrays, wrt_position(name))
    assert grad.shape == (N, C)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(LOSSES))
def test_reductions_and_fused(name, modules):
    module, arrays = modules(name), inputs(name)
    f, g, fg = (getattr(module, f"{name}{suffix}") for suffix in ("", "_grad", "_value_and_grad"))
    rows = f(*arrays, reduction="none")
    assert rows.shape == (N,)
    assert np.isclose(f(*arrays), rows.mean()) and np.isclose(f(*arrays, reduction="sum"), rows.sum())
    np.testing.assert_allclose(g(*arrays), g(*arrays, reduction="sum") / N, rtol=1e-12)
    upstream = np.arange(1.0, N + 1)
    np.testing.assert_allclose(g(*arrays, reduction="none", grad_output=upstream),
                               g(*arrays, reduction="none") * upstream[:, None], rtol=1e-12)
    value, grad = fg(*arrays)
    assert value == f(*arrays)
    np.testing.assert_array_equal(grad, g(*arrays))
    with pytest.raises(ValueError, match="reduction"):
        f(*arrays, reduction="avg")


@pytest.mark.parametrize("name", ["gce", "dice", "neg_entropy"])
def test_float32_in_float32_out(name, modules):
    module = modules(name)
    value, grad = getattr(module, f"{name}_value_and_grad")(*inputs(name, np.float32))
    assert value.dtype == np.float32 and grad.dtype == np.float32
    reference = getattr(module, f"{name}_grad")(*inputs(name))
    np.testing.assert_allclose(grad, reference, rtol=1e-4, atol=1e-6)


def test_scalars_are_keywords_with_their_defaults(modules):
    module, arrays = modules("gce"), inputs("gce")
    assert module.gce(*arrays) == module.gce(*arrays, q=0.7)
    assert module.gce(*arrays, q=0.3) != module.gce(*arrays)
    with pytest.raises(TypeError):
        module.gce(*arrays, 0.7)  # keyword only
    with pytest.raises(ValueError, match="y: shape"):
        module.gce(arrays[0], arrays[1][:, :2])


def test_stable_at_extreme_logits(modules):
    for name in ("gce", "poly1", "neg_entropy", "dice"):
        arrays = inputs(name)
        arrays[0] = arrays[0] * 5000  # |z| up to ~1e4
        value, grad = getattr(modules(name), f"{name}_value_and_grad")(*arrays)
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad)), name


def _torch_losses(torch):
    F = torch.nn.functional

    def tversky(z, y, alpha=0.3, beta=0.7):
        p = torch.sigmoid(z)
        tp, fp, fn = (p * y).sum(1), (p * (1 - y)).sum(1), ((1 - p) * y).sum(1)
        return 1 - tp / (tp + alpha * fp + beta * fn)

    return {
        "gce": lambda z, y, q=0.7: (y * (1 - F.softmax(z, 1) ** q) / q).sum(1),
        "poly1": lambda z, y, eps=1.0: F.cross_entropy(z, y, reduction="none")
        + eps * (1 - (y * F.softmax(z, 1)).sum(1)),
        "dice": lambda z, y: 1 - (2 * (torch.sigmoid(z) * y).sum(1) + 2)
        / (torch.sigmoid(z).sum(1) + y.sum(1) + 2),
        "tversky": tversky,
        "mean_log_cosh": lambda x, y: torch.log(torch.cosh(x - y)).mean(1),
        "neg_entropy": lambda z: (F.softmax(z, 1) * F.log_softmax(z, 1)).sum(1),
        "hinge": lambda z, y: torch.clamp(1 - y * z, min=0).mean(1),
    }


@pytest.mark.parametrize("name", list(LOSSES))
def test_same_numbers_as_torch_autograd(name, modules):
    torch = pytest.importorskip("torch")
    module, arrays = modules(name), inputs(name, seed=1)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    rows = _torch_losses(torch)[name](*tensors)
    rows.mean().backward()
    position = wrt_position(name)
    value, grad = getattr(module, f"{name}_value_and_grad")(*arrays)
    np.testing.assert_allclose(value, rows.mean().item(), rtol=1e-12)
    np.testing.assert_allclose(grad, tensors[position].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cli_writes_an_importable_module(tmp_path, monkeypatch):
    target = tmp_path / "poly_one.py"
    result = CliRunner().invoke(cli.main, [
        "custom", "-sum(y * log_softmax(z)) + eps * (1 - dot(y, softmax(z)))", "--wrt", "z",
        "--vector", "z,y", "--onehot", "y", "--scalar", "eps=2", "--name", "poly_one", "--format", "py",
        "-o", str(target)])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    module = load(target, "poly_one")
    assert module.__all__ == ["poly_one", "poly_one_grad", "poly_one_value_and_grad"]
    z, y = inputs("poly1")
    assert np.isclose(module.poly_one(z, y), module.poly_one(z, y, eps=2.0))
    np.testing.assert_allclose(module.poly_one_grad(z, y, eps=1.0), modules_poly1_grad(z, y), rtol=1e-12)


def modules_poly1_grad(z, y):
    s = np.exp(z - z.max(1, keepdims=True))
    s /= s.sum(1, keepdims=True)
    s_t = (s * y).sum(1, keepdims=True)
    return (1 + s_t) * (s - y) / len(z)  # ∂/∂z_j [CE + (1 − s_t)] = (s − y) + s_t (s − y), y one-hot
