"""The generated module's fast paths: large inputs run in blocks on threads, and five losses run
fused in-place kernels.  Both must give the printed kernels' results: each case is computed once
the fast way and once in a single call of the printed kernel (``_PARALLEL_MIN`` set out of reach)."""

from __future__ import annotations

import multiprocessing
import warnings

import numpy as np
import pytest
from generated_losses import GOLDEN, STRICT, load

fast = load(GOLDEN, "derive_fast_losses")
FUSED = ("_k_cross_entropy_index", "_k_mse_loss", "_k_smooth_l1_loss", "_k_binary_cross_entropy_with_logits",
         "_k_kl_div")


def _inputs(case: str, dtype: type, rng: np.random.Generator) -> tuple[str, tuple, dict]:
    """The function, arguments and keywords of one large call (above the module's _PARALLEL_MIN)."""
    rows, classes, n = 384, 700, 300_000

    def floats(*shape: int, scale: float = 3.0) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(dtype)

    def uniform(*shape: int) -> np.ndarray:
        return rng.random(shape).astype(dtype)

    def distribution(*shape: int) -> np.ndarray:
        e = np.exp(floats(*shape))
        return (e / e.sum(axis=-1, keepdims=True)).astype(dtype)

    labels = rng.integers(0, classes, rows)
    logits = floats(rows, classes)
    log_p = np.log(distribution(rows, classes))
    batchmean = {"reduction": "batchmean"}
    bce = "binary_cross_entropy_with_logits"
    return {
        "cross_entropy": ("cross_entropy", (logits, labels), {}),
        "cross_entropy_ignore_sum": ("cross_entropy", (logits, np.where(labels % 7 == 0, -100, labels)),
                                     {"reduction": "sum"}),
        "cross_entropy_weight_none": ("cross_entropy", (logits, labels),
                                      {"weight": uniform(classes), "reduction": "none"}),
        "cross_entropy_smoothing": ("cross_entropy", (logits, labels), {"label_smoothing": 0.1}),
        "cross_entropy_probabilities": ("cross_entropy", (logits, distribution(rows, classes)), {}),
        "cross_entropy_3d": ("cross_entropy", (floats(64, 50, 90), rng.integers(0, 50, (64, 90))), {}),
        "nll_loss": ("nll_loss", (logits, labels), {"weight": uniform(classes)}),
        "bce_with_logits": (bce, (floats(n), (uniform(n) < 0.5).astype(dtype)), {}),
        "bce_with_logits_soft": (bce, (floats(n, scale=30), uniform(n)), {}),
        "bce_with_logits_pos_weight": (bce, (floats(600, 500), uniform(600, 500)),
                                       {"pos_weight": uniform(500) + 0.5}),
        "mse_loss": ("mse_loss", (floats(n), floats(n)), {}),
        "mse_loss_none": ("mse_loss", (floats(n), floats(n)), {"reduction": "none"}),
        "smooth_l1_loss": ("smooth_l1_loss", (floats(n), floats(n)), {"beta": 0.5}),
        "smooth_l1_loss_l1": ("smooth_l1_loss", (floats(n), floats(n)), {"beta": 0.0, "reduction": "sum"}),
        "huber_loss": ("huber_loss", (floats(n), floats(n)), {"delta": 2.0}),
        "kl_div": ("kl_div", (log_p, distribution(rows, classes)), batchmean),
        "kl_div_log_target": ("kl_div", (log_p, log_p[::-1].copy()), {**batchmean, "log_target": True}),
        "log_softmax": ("log_softmax", (logits,), {"dim": 1}),
        "multilabel_soft_margin_loss": ("multilabel_soft_margin_loss",
                                        (logits, (uniform(rows, classes) < 0.3).astype(dtype)), {}),
        "cosine_embedding_loss": ("cosine_embedding_loss",
                                  (floats(4000, 64), floats(4000, 64), np.sign(floats(4000))), {}),
    }[case]


def _both(name: str, args: tuple, kwargs: dict) -> tuple:
    """value_and_grad with an upstream gradient shaped like the loss (for reduction 'none')."""
    value = np.asarray(getattr(fast, name)(*args, **kwargs))
    upstream = None
    if value.ndim:
        upstream = np.random.default_rng(1).standard_normal(value.shape).astype(value.dtype)
    return getattr(fast, name + "_value_and_grad")(*args, **kwargs, grad_output=upstream)


def _leaves(result: object) -> list[np.ndarray]:
    if isinstance(result, tuple):
        return [leaf for item in result for leaf in _leaves(item)]
    return [np.asarray(result)]


def _assert_close(got: object, want: object, dtype: type) -> None:
    rtol = 2e-5 if dtype == np.float32 else 1e-11
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        assert g.dtype == w.dtype == dtype and g.shape == w.shape
        scale = max(float(np.max(np.abs(w), initial=0.0)), np.finfo(dtype).tiny)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale)


CASES = ["cross_entropy", "cross_entropy_ignore_sum", "cross_entropy_weight_none", "cross_entropy_smoothing",
         "cross_entropy_probabilities", "cross_entropy_3d", "nll_loss", "bce_with_logits",
         "bce_with_logits_soft", "bce_with_logits_pos_weight", "mse_loss", "mse_loss_none", "smooth_l1_loss",
         "smooth_l1_loss_l1", "huber_loss", "kl_div", "kl_div_log_target", "log_softmax",
         "multilabel_soft_margin_loss", "cosine_embedding_loss"]
FIVE = ["cross_entropy", "bce_with_logits", "mse_loss", "smooth_l1_loss", "kl_div"]  # the fused ones


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_fast_paths_give_the_printed_kernels_results(case, dtype, monkeypatch) -> None:
    name, args, kwargs = _inputs(case, dtype, np.random.default_rng(0))
    assert args[0].size >= fast._PARALLEL_MIN
    with np.errstate(**STRICT):
        got = _both(name, args, kwargs)
    monkeypatch.setattr(fast, "_PARALLEL_MIN", 1 << 62)  # one call of the printed kernel
    with np.errstate(**STRICT):
        want = _both(name, args, kwargs)
    _assert_close(got, want, dtype)


@pytest.mark.parametrize("case", FIVE)
def test_float32_losses_are_accurate(case) -> None:
    """Loss relative error ≤ 1e-6 against the same formula in float64 (pairwise / float64 sums)."""
    name, args, kwargs = _inputs(case, np.float32, np.random.default_rng(2))
    value = getattr(fast, name + "_value_and_grad")(*args, **kwargs)[0]
    assert value.dtype == np.float32
    wide = tuple(a.astype(np.float64) if a.dtype == np.float32 else a for a in args)
    reference = getattr(fast, name)(*wide, **kwargs)
    assert abs(float(value) - float(reference)) <= 1e-6 * abs(float(reference))


def test_the_five_fused_kernels_are_registered() -> None:
    assert set(FUSED) <= set(fast._FUSED)


@pytest.mark.parametrize("case", FIVE)
def test_infinities_and_nan_fall_back_to_the_printed_kernel(case, monkeypatch) -> None:
    name, args, kwargs = _inputs(case, np.float64, np.random.default_rng(3))
    x = args[0].copy()
    x.reshape(-1)[[5, 70_000, 150_001]] = [np.inf, -np.inf, np.nan]
    target = args[1].copy() if case == "kl_div" else args[1]
    if case == "kl_div":
        target[3, 4] = 0.0  # 0·log 0 = 0
        x = np.where(np.isfinite(x), x, -1.0)
    args = (x, target)
    with np.errstate(invalid="ignore"):  # the NaN entry, and +inf logits in the softmax (inf − inf)
        got = _both(name, args, kwargs)
        monkeypatch.setattr(fast, "_PARALLEL_MIN", 1 << 62)
        want = _both(name, args, kwargs)
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        scale = float(np.max(np.abs(w[np.isfinite(w)]), initial=1e-300))
        np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-11 * scale, equal_nan=True)


@pytest.mark.parametrize(("case", "bad"), [("cross_entropy", np.inf), ("bce_with_logits", np.nan)])
def test_worker_threads_handle_floating_point_errors_as_the_caller(case, bad) -> None:
    """np.errstate is per thread: the caller's setting reaches the threads that take blocks (an
    infinite logit makes inf − inf in the softmax; logaddexp flags a NaN as invalid)."""
    name, args, kwargs = _inputs(case, np.float64, np.random.default_rng(6))
    x = args[0].copy()
    x.reshape(-1)[[5, 150_001]] = bad  # in the first block and in a later one
    assert x.size >= 2 * fast._PARALLEL_MIN
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):
            value, _ = getattr(fast, f"{name}_value_and_grad")(x, args[1], **kwargs)
    assert not np.isfinite(value)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        getattr(fast, f"{name}_value_and_grad")(x, args[1], **kwargs)
    seen = []
    with np.errstate(all="call", call=lambda kind, flag: seen.append(kind)):
        getattr(fast, f"{name}_value_and_grad")(x, args[1], **kwargs)
    assert "invalid value" in seen


def test_a_negative_kl_target_gives_nan_as_the_printed_kernel() -> None:
    _, args, kwargs = _inputs("kl_div", np.float64, np.random.default_rng(4))
    target = args[1].copy()
    target[10, 10] = -0.5
    with np.errstate(invalid="ignore"):
        assert np.isnan(fast.kl_div(args[0], target, **kwargs))


@pytest.mark.parametrize("case", ["cross_entropy", "bce_with_logits", "cross_entropy_smoothing"])
def test_results_do_not_depend_on_the_number_of_threads(case) -> None:
    """Block sums are added in block order, so any number of threads gives the same bits."""
    name, args, kwargs = _inputs(case, np.float32, np.random.default_rng(5))
    before = fast.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            fast.set_num_threads(threads)
            results.append(getattr(fast, name + "_value_and_grad")(*args, **kwargs))
    finally:
        fast.set_num_threads(before)
    for other in results[1:]:
        for a, b in zip(_leaves(results[0]), _leaves(other), strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_rejects_what_is_not_a_positive_integer(bad) -> None:
    with pytest.raises(ValueError, match="threads"):
        fast.set_num_threads(bad)


def _child_mse(_: int) -> float:
    x = np.linspace(-1, 1, 600_000)  # 4.8 MB: threads, and a recycled gradient on the second call
    first = float(fast.mse_loss_value_and_grad(x, np.zeros_like(x))[0])
    assert float(fast.mse_loss_value_and_grad(x, np.zeros_like(x))[0]) == first
    return first


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_a_forked_process_gets_its_own_thread_pool() -> None:
    _child_mse(0)  # the parent's pool and recycling lock exist before the fork
    with multiprocessing.get_context("fork").Pool(1) as pool:
        value = pool.map_async(_child_mse, [0]).get(timeout=60)[0]
    assert value == pytest.approx(_child_mse(0), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("rows", "classes", "kwargs"), [
    (256, 10, {}), (7, 3, {"reduction": "sum"}), (64, 200, {}), (33, 5, {"ignore_index": 2}),
    (50, 4, {"grad_output": 2.5}), (1, 1, {}), (9, 40, {"reduction": "none"}),
])
def test_the_common_cross_entropy_call_matches_the_general_path(rows, classes, kwargs, dtype, monkeypatch):
    """(N, C) logits with in-range class indices take a short path (transposed for few classes)."""
    rng = np.random.default_rng(rows)
    z = (rng.standard_normal((rows, classes)) * 5).astype(dtype)
    if classes > 1:
        z[0, 0] = -np.inf  # a class that is impossible; the row's maximum is still finite
    t = rng.integers(0, classes, rows).astype(np.uint8)
    with np.errstate(**STRICT):
        got = fast.cross_entropy_value_and_grad(z, t, **kwargs)
        monkeypatch.setattr(fast, "_FUSED", {})  # the general path with the printed kernel
        want = fast.cross_entropy_value_and_grad(z, t, **kwargs)
    _assert_close(got, want, dtype)


def test_a_row_of_infinities_in_the_common_call_takes_the_limits(monkeypatch) -> None:
    z = np.array([[np.inf, 0.0, 1.0], [2.0, -1.0, 0.5], [-np.inf, -np.inf, -np.inf]])
    t = np.array([0, 2, 1])
    with np.errstate(invalid="ignore"):  # inf − inf inside the printed kernel, which takes the limit
        got = fast.cross_entropy_value_and_grad(z[:2], t[:2])
        monkeypatch.setattr(fast, "_FUSED", {})
        want = fast.cross_entropy_value_and_grad(z[:2], t[:2])
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, equal_nan=True)


@pytest.fixture
def recycling():
    """The generated module's recycling at its default, with nothing kept before or after the test."""
    fast._returned.clear()
    yield fast
    fast.set_recycling(1 << 28)
    fast._returned.clear()


def _large_pair(dtype=np.float32, n=1 << 21):  # 8 MiB of float32: above the 4 MiB from which results recycle
    rng = np.random.default_rng(n)
    return rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)


def test_a_dropped_large_result_is_reused_and_a_held_one_never(recycling) -> None:
    x, y = _large_pair()
    _, first = fast.mse_loss_value_and_grad(x, y)
    address, expected = first.ctypes.data, first.copy()
    del first
    _, second = fast.mse_loss_value_and_grad(x, y)
    assert second.ctypes.data == address  # the memory of the dropped gradient
    np.testing.assert_array_equal(second, expected)
    _, third = fast.mse_loss_value_and_grad(x, y)  # `second` is held: new memory
    assert not np.shares_memory(second, third)
    view = third[::2]
    del third
    _, fourth = fast.mse_loss_value_and_grad(x, y)  # a view holds `third`: new memory again
    assert not np.shares_memory(view, fourth) and not np.shares_memory(second, fourth)
    np.testing.assert_array_equal(view, expected[::2])
    np.testing.assert_array_equal(second, expected)


def test_a_result_held_only_weakly_is_not_reused(recycling) -> None:
    """cross_entropy hands out the recycled array itself (not a view of it): a weak reference to it
    must not see it change."""
    import weakref

    rng = np.random.default_rng(7)
    z, t = rng.standard_normal((2048, 1024)).astype(np.float32), rng.integers(0, 1024, 2048)  # 8 MiB
    _, first = fast.cross_entropy_value_and_grad(z, t)
    assert any(kept is first for kept in fast._returned)
    expected, watcher = first.copy(), weakref.ref(first)
    del first
    _, second = fast.cross_entropy_value_and_grad(2 * z, t)
    held = watcher()
    assert held is not None and held is not second and np.array_equal(held, expected)


def test_recycling_matches_shape_and_dtype_and_keeps_to_its_budget(recycling) -> None:
    x, y = _large_pair()
    _, g = fast.mse_loss_value_and_grad(x, y)
    del g
    _, g64 = fast.mse_loss_value_and_grad(*(a.astype(np.float64) for a in (x, y)))
    assert g64.dtype == np.float64 and len(fast._returned) == 2  # not the float32 one
    fast.set_recycling(20 << 20)  # 20 MiB for 8 + 16 MiB: the oldest, the float32 one, is let go
    assert [a.dtype for a in fast._returned] == [np.float64]
    fast.set_recycling(0)
    assert fast._returned == []
    fast.mse_loss_value_and_grad(x, y)
    assert fast._returned == []


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"])
def test_set_recycling_rejects_what_is_not_a_size(bad, recycling) -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        fast.set_recycling(bad)


def test_threads_calling_at_once_get_their_own_results(recycling) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pairs = [_large_pair(n=(1 << 21) + k) for k in range(4)] * 3
    want = [fast.mse_loss_value_and_grad(x, y)[1].copy() for x, y in pairs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda pair: fast.mse_loss_value_and_grad(*pair)[1], pairs))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert not any(np.shares_memory(a, b) for i, a in enumerate(got) for b in got[i + 1:])
