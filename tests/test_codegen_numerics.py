"""The generated module on its own: gradients against central differences of its own forward
(hypothesis over shapes, dtypes and parameters), finiteness at |z| = 1e4, ±inf, empty and fully
ignored batches, and clear errors for bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from generated_losses import STRICT, losses
from hypothesis import given, settings
from hypothesis import strategies as st

# --- central differences of the forward ------------------------------------------------------------------


FUNCTIONS = [
    "cross_entropy",
    "nll_loss",
    "softmax_focal_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "cosine_embedding_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "sigmoid_focal_loss",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "softmax",
    "log_softmax",
    "sigmoid",
]


def _problem(name: str, rng: np.random.Generator, n: int, c: int, options: dict) -> tuple[list, dict, tuple]:
    """Arguments for ``name`` at batch ``n`` and ``c`` classes, and the differentiable positions."""
    z = rng.normal(0, 2, (n, c))
    labels = rng.integers(0, c, n)
    probabilities = rng.dirichlet(np.ones(c), n)
    y = rng.uniform(0.05, 0.95, (n, c))
    sign = rng.choice([-1.0, 1.0], (n, c))
    table = {
        "cross_entropy": (
            [z, labels if options["index"] else probabilities],
            {"label_smoothing": options["smoothing"], "weight": rng.uniform(0.5, 2, c)},
            (0,),
        ),
        "nll_loss": ([z, labels], {"weight": rng.uniform(0.5, 2, c)}, (0,)),
        "softmax_focal_loss": (
            [z, labels if options["index"] else probabilities],
            {"gamma": options["gamma"]},
            (0,),
        ),
        "multi_margin_loss": ([z, labels], {"p": options["p"], "margin": 0.7}, (0,)),
        "multilabel_soft_margin_loss": ([z, y], {"weight": rng.uniform(0.5, 2, c)}, (0,)),
        "cosine_embedding_loss": ([z, rng.normal(0, 1, (n, c)), sign[:, 0]], {"margin": 0.2}, (0, 1)),
        "binary_cross_entropy": ([y, rng.uniform(0, 1, (n, c))], {}, (0,)),
        "binary_cross_entropy_with_logits": ([z, y], {"pos_weight": rng.uniform(0.5, 2, c)}, (0,)),
        "sigmoid_focal_loss": ([z, y], {"gamma": options["gamma"], "reduction": "sum"}, (0,)),
        "mse_loss": ([z, y], {}, (0,)),
        "l1_loss": ([z, y], {}, (0,)),
        "smooth_l1_loss": ([z, y], {"beta": options["beta"]}, (0,)),
        "huber_loss": ([z, y], {"delta": options["beta"]}, (0,)),
        "kl_div": ([np.log(y), y[::-1]], {"reduction": "batchmean"}, (0,)),
        "poisson_nll_loss": ([z, y * 3], {"full": True}, (0,)),
        "gaussian_nll_loss": ([z, y, rng.uniform(0.5, 2, (n, c))], {}, (0, 2)),
        "soft_margin_loss": ([z, sign], {}, (0,)),
        "hinge_embedding_loss": ([np.abs(z), sign], {}, (0,)),
        "margin_ranking_loss": ([z, rng.normal(0, 2, (n, c)), sign], {"margin": 0.3}, (0, 1)),
        "softmax": ([z], {"dim": 1}, (0,)),
        "log_softmax": ([z], {"dim": 1}, (0,)),
        "sigmoid": ([z], {}, (0,)),
    }
    return table[name]


def _scalar(name: str, arrays: list, kwargs: dict, g: np.ndarray) -> float:
    """⟨g, f(arrays)⟩: a scalar whose gradient is the vector-Jacobian product with g."""
    return float(np.sum(g * getattr(losses, name)(*arrays, **kwargs)))


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 3),
    c=st.integers(2, 4),
    index=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.3]),
    gamma=st.sampled_from([0.0, 0.5, 2.0]),
    p=st.sampled_from([1, 2]),
    beta=st.sampled_from([0.5, 1.5]),
    reduction=st.sampled_from(["none", "mean", "sum"]),
)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_gradient_is_the_derivative_of_the_forward(
    name, seed, n, c, index, smoothing, gamma, p, beta, reduction
) -> None:
    rng = np.random.default_rng(seed)
    arrays, kwargs, diff = _problem(
        name, rng, n, c, {"index": index, "smoothing": smoothing, "gamma": gamma, "p": p, "beta": beta}
    )
    if name not in ("softmax", "log_softmax", "sigmoid", "sigmoid_focal_loss") and name != "kl_div":
        kwargs["reduction"] = reduction
    g = rng.normal(size=np.shape(getattr(losses, name)(*arrays, **kwargs)))
    grads = getattr(losses, f"{name}_grad")(*arrays, **kwargs, grad_output=g)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for position, grad in zip(diff, grads, strict=True):
        numeric = np.zeros_like(arrays[position])
        for index_ in np.ndindex(arrays[position].shape):
            h = 1e-6 * max(1.0, abs(arrays[position][index_]))
            up, down = ([a.copy() for a in arrays] for _ in range(2))
            up[position][index_] += h
            down[position][index_] -= h
            numeric[index_] = (_scalar(name, up, kwargs, g) - _scalar(name, down, kwargs, g)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 3),
    c=st.integers(2, 4),
    index=st.booleans(),
    gamma=st.sampled_from([0.0, 0.5, 2.0]),
    name=st.sampled_from(FUNCTIONS),
)
def test_float32_in_float32_out_close_to_float64(seed, n, c, index, gamma, name) -> None:
    arrays, kwargs, _ = _problem(
        name,
        np.random.default_rng(seed),
        n,
        c,
        {"index": index, "smoothing": 0.1, "gamma": gamma, "p": 2, "beta": 1.0},
    )
    single = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
    value, grads = getattr(losses, f"{name}_value_and_grad")(*arrays, **kwargs)
    value32, grads32 = getattr(losses, f"{name}_value_and_grad")(*single, **kwargs)

    def results(value, grads) -> tuple:
        return (value, *(grads if isinstance(grads, tuple) else (grads,)))

    for ours, exact in zip(results(value32, grads32), results(value, grads), strict=True):
        assert np.asarray(ours).dtype == np.float32
        np.testing.assert_allclose(ours, exact, rtol=2e-4, atol=2e-5 * max(1.0, float(np.max(np.abs(exact)))))


# --- extreme logits: finite, no overflow, the right limits ------------------------------------------------

EXTREME = [
    ("cross_entropy", lambda z: [z, np.array([0, 2, 1])], {"label_smoothing": 0.1}),
    ("cross_entropy", lambda z: [z, np.full(z.shape, 1 / 3)], {}),
    ("softmax_focal_loss", lambda z: [z, np.array([0, 2, 1])], {"gamma": 0.5}),
    ("softmax_focal_loss", lambda z: [z, np.full(z.shape, 1 / 3)], {"gamma": 2.0}),
    ("multi_margin_loss", lambda z: [z, np.array([0, 2, 1])], {"p": 2}),
    ("binary_cross_entropy_with_logits", lambda z: [z, np.eye(3)], {"pos_weight": np.full(3, 3.0)}),
    ("sigmoid_focal_loss", lambda z: [z, np.eye(3)], {"gamma": 0.5}),
    ("sigmoid_focal_loss", lambda z: [z, np.full(z.shape, 0.3)], {"gamma": 2.0}),
    ("multilabel_soft_margin_loss", lambda z: [z, np.eye(3)], {}),
    ("soft_margin_loss", lambda z: [z, -np.sign(z)], {}),
    ("softmax", lambda z: [z], {"dim": 1}),
    ("log_softmax", lambda z: [z], {"dim": 1}),
    ("sigmoid", lambda z: [z], {}),
    ("mse_loss", lambda z: [z, -z], {}),
    ("huber_loss", lambda z: [z, -z], {}),
    ("cosine_embedding_loss", lambda z: [z, -z, np.array([1.0, -1.0, 1.0])], {}),
    ("gaussian_nll_loss", lambda z: [z, np.zeros_like(z), np.full(z.shape, 1e4)], {}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "arguments", "kwargs"),
    EXTREME,
    ids=[f"{case[0]}-{number}" for number, case in enumerate(EXTREME)],
)
def test_finite_at_logits_of_1e4(name, arguments, kwargs, dtype) -> None:
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4], [0.5, -1e4, 2.0]], dtype=dtype)
    arrays = [a.astype(dtype) if np.asarray(a).dtype.kind == "f" else a for a in arguments(z)]
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        value, grads = getattr(losses, f"{name}_value_and_grad")(*arrays, **kwargs)
    for result in (value, *(grads if isinstance(grads, tuple) else (grads,))):
        assert np.asarray(result).dtype == dtype and np.all(np.isfinite(result)), (name, result)


def test_extreme_values_are_the_exact_ones() -> None:
    z = np.array([[1e4, 0.0, -1e4]])
    assert losses.cross_entropy(z, np.array([2]), reduction="none")[0] == 2e4
    assert losses.cross_entropy(z, np.array([0]), reduction="none")[0] == 0.0
    np.testing.assert_array_equal(losses.cross_entropy_grad(z, np.array([2])), [[1.0, 0.0, -1.0]])
    np.testing.assert_allclose(
        losses.binary_cross_entropy_with_logits(z[0], np.array([0.0, 1.0, 1.0]), reduction="none"),
        [1e4, np.log(2), 1e4],
    )
    assert losses.soft_margin_loss(np.array([-1e4], np.float32), np.array([1.0], np.float32)) == 1e4


def test_infinite_logits_give_the_limits() -> None:
    inf = np.inf
    with np.errstate(**STRICT):
        # correctly saturated: the limit 0 (PyTorch gives NaN); wrong side: +inf
        value = losses.binary_cross_entropy_with_logits(
            np.array([inf, -inf, inf]), np.array([1.0, 0.0, 0.0]), reduction="none"
        )
        np.testing.assert_array_equal(value, [0.0, 0.0, inf])
        np.testing.assert_array_equal(
            losses.binary_cross_entropy_with_logits_grad(
                np.array([inf, -inf]), np.array([1.0, 0.0]), reduction="sum"
            ),
            [0.0, 0.0],
        )
        # a −inf logit of a class the target does not use contributes 0·log 0 = 0 (optax#896)
        assert losses.cross_entropy(
            np.array([[-inf, 0.0, 1.0]]), np.array([[0.0, 1.0, 0.0]])
        ) == pytest.approx(np.log1p(np.e))
        assert losses.cross_entropy(np.array([[-inf, 0.0, 1.0]]), np.array([1])) == pytest.approx(
            np.log1p(np.e)
        )


# --- empty and fully ignored batches: PyTorch's NaN mean and zero gradient --------------------------------


def test_fully_ignored_batch() -> None:
    z, t = np.random.default_rng(0).normal(size=(4, 3)), np.full(4, -100)
    for kwargs in ({}, {"weight": np.ones(3)}, {"label_smoothing": 0.2}):
        assert np.isnan(losses.cross_entropy(z, t, **kwargs))
        assert losses.cross_entropy(z, t, reduction="sum", **kwargs) == 0.0
        np.testing.assert_array_equal(losses.cross_entropy(z, t, reduction="none", **kwargs), np.zeros(4))
        with np.errstate(**STRICT):
            np.testing.assert_array_equal(losses.cross_entropy_grad(z, t, **kwargs), np.zeros((4, 3)))
    assert np.isnan(losses.nll_loss(z, t))
    np.testing.assert_array_equal(losses.nll_loss_grad(z, t), np.zeros((4, 3)))
    assert np.isnan(losses.cross_entropy(z, np.array([0, 0, 1, 1]), weight=np.array([0.0, 0.0, 1.0])))  # 0/0


@pytest.mark.parametrize(
    ("name", "arrays"),
    [
        ("cross_entropy", [np.zeros((0, 3)), np.zeros(0, int)]),
        ("cross_entropy", [np.zeros((0, 3)), np.zeros((0, 3))]),
        ("nll_loss", [np.zeros((0, 3)), np.zeros(0, int)]),
        ("mse_loss", [np.zeros(0), np.zeros(0)]),
        ("binary_cross_entropy_with_logits", [np.zeros((0, 2)), np.zeros((0, 2))]),
        ("kl_div", [np.zeros((0, 2)), np.zeros((0, 2))]),
        ("multilabel_soft_margin_loss", [np.zeros((0, 2)), np.zeros((0, 2))]),
    ],
)
def test_empty_batch(name, arrays) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(getattr(losses, name)(*arrays))
        assert getattr(losses, name)(*arrays, reduction="sum") == 0.0
        grad = getattr(losses, f"{name}_grad")(*arrays)
    assert grad.shape == arrays[0].shape


# --- bad input: ValueError / TypeError naming the argument ----------------------------------------------

z34, t3 = np.zeros((3, 4)), np.array([0, 1, 2])
BAD = [
    ("cross_entropy", (z34, np.array([0, 1])), {}, ValueError, "target: expected shape"),
    ("cross_entropy", (z34, np.array([0, 1, 4])), {}, ValueError, "target: class index 4 is out of range"),
    ("cross_entropy", (z34, np.array([0, 1, -1])), {}, ValueError, "target: class index -1"),
    ("cross_entropy", (z34, t3), {"reduction": "avg"}, ValueError, "reduction: expected one of"),
    ("cross_entropy", (z34, t3), {"weight": np.ones(3)}, ValueError, "weight: expected shape"),
    ("cross_entropy", (z34, t3), {"label_smoothing": 1.5}, ValueError, "label_smoothing"),
    ("cross_entropy", (z34, np.zeros((3, 4))), {"ignore_index": 1}, ValueError, "ignore_index"),
    ("cross_entropy", (z34, t3.astype(float)), {}, ValueError, "target: shape"),
    ("cross_entropy", (np.zeros((3, 4), int), t3), {}, TypeError, "input: expected a floating-point"),
    (
        "cross_entropy",
        (z34, np.array(["a", "b", "c"])),
        {},
        ValueError,
        "target: class indices must be integers (got <U1)",
    ),
    ("nll_loss", (z34, t3.astype(np.float32)), {}, ValueError,
     "target: class indices must be integers (got float32)"),
    ("cross_entropy", (z34, z34.astype(np.int64)), {}, ValueError,
     "target: probability targets must be floating point (got int64)"),
    ("multi_margin_loss", (z34, t3.astype(float)), {}, ValueError,
     "class indices must be integers (got float64)"),
    *((name, (z34, t3), {"ignore_index": bad}, TypeError, "ignore_index: expected an integer")
      for name in ("cross_entropy", "nll_loss") for bad in (None, "x", True, 0.5, np.nan)),
    ("hinge_embedding_loss", (z34, z34), {"margin": np.nan}, ValueError, "margin: expected a finite number"),
    ("smooth_l1_loss", (z34, z34), {"beta": np.nan}, ValueError, "beta: expected a finite number"),
    ("huber_loss", (z34, z34), {"delta": np.inf}, ValueError, "delta: expected a finite number"),
    ("cross_entropy", (z34, t3), {"label_smoothing": np.nan}, ValueError,
     "label_smoothing: expected a finite"),
    *(("softmax", (z34,), {"dim": 1, "dtype": bad}, ValueError, "dtype: expected a floating-point dtype")
      for bad in (np.int32, bool, "complex64", object, "nonsense")),
    ("log_softmax", (z34,), {"dim": 1, "dtype": np.int64}, ValueError, "dtype: expected a floating-point"),
    ("binary_cross_entropy", (np.array([0.5, np.nan]), np.array([0.0, 1.0])), {}, ValueError, "input: every"),
    ("sigmoid_focal_loss", (z34.astype(int), z34), {}, TypeError, "inputs: expected a floating-point"),
    ("sigmoid_focal_loss", (z34, np.zeros(4)), {}, ValueError,
     "targets: shape (4,) does not match the shape of inputs"),
    ("nll_loss", (z34, np.array([5, 0, 0])), {}, ValueError, "target: class index 5"),
    (
        "binary_cross_entropy",
        (np.array([0.5, 1.5]), np.array([0.0, 1.0])),
        {},
        ValueError,
        "input: every element",
    ),
    ("binary_cross_entropy", (np.array([0.5, 0.5]), np.array([0.0, 2.0])), {}, ValueError, "target: every"),
    ("binary_cross_entropy", (np.array([0.5]), np.array([0.0, 1.0])), {}, ValueError, "target: shape"),
    (
        "binary_cross_entropy_with_logits",
        (z34, z34),
        {"pos_weight": np.ones(3)},
        ValueError,
        "pos_weight: shape",
    ),
    ("mse_loss", (z34, np.zeros(4)), {}, ValueError, "target: shape (4,) does not match"),
    ("mse_loss", (z34, z34), {"weight": np.ones(4)}, ValueError, "weight: shape"),
    ("mse_loss", (z34, z34), {"reduction": None}, ValueError, "reduction"),
    ("smooth_l1_loss", (z34, z34), {"beta": -1.0}, ValueError, "beta"),
    ("huber_loss", (z34, z34), {"delta": 0.0}, ValueError, "delta"),
    ("kl_div", (z34, z34), {"reduction": "batch"}, ValueError, "reduction: expected one of"),
    ("gaussian_nll_loss", (z34, z34, -np.ones((3, 4))), {}, ValueError, "var: has negative"),
    ("gaussian_nll_loss", (z34, z34, np.ones((2, 4))), {}, ValueError, "var: shape"),
    ("multi_margin_loss", (z34, t3), {"p": 3}, ValueError, "p: only p == 1 and p == 2"),
    ("margin_ranking_loss", (np.zeros(3), np.zeros(4), np.ones(3)), {}, ValueError,
     "input2: shape (4,) does not broadcast with input1 (3,)"),
    ("cosine_embedding_loss", (z34, z34, np.ones(4)), {}, ValueError, "target: expected shape"),
    ("softmax", (z34,), {"dim": 2}, ValueError, "dim: expected an integer"),
    ("sigmoid_focal_loss", (z34, z34), {"reduction": "avg"}, ValueError, "reduction"),
    ("sigmoid_focal_loss", (z34, z34), {"gamma": -1.0}, ValueError, "gamma"),
    (
        "soft_margin_loss",
        (z34, z34),
        {"size_average": None, "reduce": None, "reduction": 3},
        ValueError,
        "reduction",
    ),
]


@pytest.mark.parametrize(
    ("name", "arrays", "kwargs", "error", "message"),
    BAD,
    ids=[f"{case[0]}-{number}" for number, case in enumerate(BAD)],
)
def test_bad_input_is_named(name, arrays, kwargs, error, message) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(losses, name)(*arrays, **kwargs)


def test_grad_output_must_have_the_loss_shape() -> None:
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(3,\)"):
        losses.cross_entropy_grad(z34, t3, reduction="none", grad_output=np.ones(4))
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(\)"):
        losses.mse_loss_grad(z34, z34, grad_output=np.ones(3))


def test_results_are_writable() -> None:
    """Every gradient can be updated in place (``g *= lr``), including cosine_embedding_loss's."""
    x1, x2 = np.ones((2, 3)), np.arange(6.0).reshape(2, 3)
    for grad in losses.cosine_embedding_loss_grad(x1, x2, np.array([1.0, -1.0])):
        grad *= 0.1
    for grad in losses.cosine_embedding_loss_grad(x1[0], x2[0], np.array(1.0)):
        grad *= 0.1


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize(("shape", "dim"), [((5, 0, 0), -1), ((2, 0), 1), ((0, 3), 1), ((0,), 0)])
def test_softmax_of_empty_arrays(name, shape, dim) -> None:
    x = np.zeros(shape, np.float32)
    value, grad = getattr(losses, f"{name}_value_and_grad")(x, dim)
    assert value.shape == grad.shape == shape and value.dtype == grad.dtype == np.float32


def test_softmax_grad_has_the_input_dtype() -> None:
    """With dtype=, the value has that dtype and the gradient the input's (PyTorch's)."""
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    value, grad = losses.softmax_value_and_grad(x, 1, dtype=np.float64)
    assert value.dtype == np.float64 and grad.dtype == np.float32
    assert losses.log_softmax_grad(x, 1, dtype=np.float64).dtype == np.float32


def test_multilabel_soft_margin_with_no_classes() -> None:
    value, grad = losses.multilabel_soft_margin_loss_value_and_grad(np.zeros((2, 0)), np.zeros((2, 0)),
                                                                    reduction="none")
    assert value.shape == (2,) and np.isnan(value).all() and grad.shape == (2, 0)
