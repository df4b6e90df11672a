"""The generated module on PyTorch's own test inputs for its losses: the OpInfo entries of
``op_db`` (sample, reference and error inputs), ``module_db``'s loss modules and ``common_nn``'s
criterion tests, float32 and float64, values and vector-Jacobian products with a random
``grad_output`` against torch autograd.  Error inputs must raise ValueError.  Deliberate differences
are in ``torch_differences.DIFFERENCES`` (and the README section generated from it)."""

from __future__ import annotations

from functools import cache

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # torch.testing._internal imports it

import numpy as np  # noqa: E402
import torch_compare  # noqa: E402
import torch_differences  # noqa: E402
import torch_samples  # noqa: E402
from generated_losses import losses  # noqa: E402
from torch_compare import compare  # noqa: E402

SOURCES = {"opinfo": torch_samples.opinfo_cases, "error": torch_samples.error_cases,
           "module_db": torch_samples.module_cases, "common_nn": torch_samples.criterion_cases,
           "extra": torch_samples.extra_cases}

KNOWN_FAILING: dict[tuple[str, str], str] = {}
"""The failures being worked down (issue 17); each is an expected failure until fixed."""


def _groups() -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for source, cases in SOURCES.items():
        for case in cases():
            groups.setdefault((source, case.name), []).append(case)
    return groups


GROUPS = _groups()


@cache
def _problems(key: tuple[str, str]) -> tuple[str, ...]:
    return tuple(f"{case}: {problem}" for case in GROUPS[key] if (problem := compare(case, losses)))


@pytest.mark.parametrize("key", sorted(GROUPS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_agrees_with_torch(key) -> None:
    problems = _problems(key)
    if key in KNOWN_FAILING:
        assert problems, f"fixed: remove {key} from KNOWN_FAILING"
        pytest.xfail(f"{KNOWN_FAILING[key]} ({len(problems)} of {len(GROUPS[key])})")
    assert not problems, f"{len(problems)} of {len(GROUPS[key])} differ:\n" + "\n".join(problems[:20])


def test_every_generated_loss_has_torch_samples() -> None:
    """Each generated function with a torch counterpart is run on some of torch's own inputs."""
    covered = {name for _, name in GROUPS}
    not_in_torch = {"sigmoid_focal_loss", "softmax_focal_loss", "logistic_regression", "softmax_regression",
                    "log_cosh", "hinge_loss", "squared_hinge", "poly_loss_cross_entropy", "sparsemax_loss"}
    missing = set(torch_samples.SPECS) - covered - not_in_torch
    assert not missing


def test_each_numeric_difference_is_needed() -> None:
    """Every listed difference that the samples can show is one they do show (run after the groups)."""
    for key in GROUPS:
        _problems(key)
    checked = {d.when for d in torch_differences.DIFFERENCES if d.accepts is not None}
    assert checked <= torch_compare.USED


F = torch.nn.functional
NAN = np.nan


@pytest.mark.parametrize(("call", "want"), [
    # multi_margin_loss excludes the target by a mask: no negative loss at a large target logit
    (lambda L: L.multi_margin_loss(np.array([[3e7, 0., 0.]], np.float32), np.array([0]), reduction="none"),
     np.array([0.], np.float32)),
    (lambda L: L.multi_margin_loss(np.array([[1e17, 0., 0.]]), np.array([0]), reduction="none"),
     np.array([0.])),
    (lambda L: L.multi_margin_loss_grad(np.array([[np.inf, 0., 0.]]), np.array([0]), reduction="none"),
     np.zeros((1, 3))),
    # NaN propagates through every where-branch
    (lambda L: L.margin_ranking_loss(np.array([NAN]), np.array([0.]), np.array([1.]), reduction="none"),
     np.array([NAN])),
    (lambda L: L.margin_ranking_loss_grad(np.array([NAN]), np.array([0.]), np.array([1.]))[0],
     np.array([NAN])),
    (lambda L: L.hinge_embedding_loss(np.array([NAN, 0.5]), np.array([-1., -1.]), reduction="none"),
     np.array([NAN, 0.5])),
    (lambda L: L.hinge_embedding_loss_grad(np.array([NAN, 0.5]), np.array([-1., -1.]), reduction="none"),
     np.array([NAN, -1.])),
    (lambda L: L.cosine_embedding_loss(np.array([[NAN, 1.]]), np.array([[1., 1.]]), np.array([-1.]),
                                       reduction="none"), np.array([NAN])),
    (lambda L: L.cosine_embedding_loss_grad(np.array([[NAN, 1.]]), np.array([[1., 1.]]), np.array([-1.]))[0],
     np.array([[NAN, NAN]])),
    (lambda L: L.multilabel_margin_loss(np.array([[NAN, 0.0, 1.0]]), np.array([[1, -1, 0]])), np.array(NAN)),
    # kl_div at an input of −inf with a zero target: NaN (0·∞), as PyTorch, and the docstring says so
    (lambda L: L.kl_div(np.array([-np.inf]), np.array([0.0]), reduction="none"), np.array([NAN])),
    # class 1 listed twice counts twice, as PyTorch: 2·(max(0, 1 − 0 + 0.5) + max(0, 1 − 0 + 1))/3
    (lambda L: L.multilabel_margin_loss(np.array([[0.5, 0.0, 1.0]]), np.array([[1, 1, -1]])),
     np.array(7 / 3)),
])
def test_issue_reproducers(call, want) -> None:
    got = call(losses)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_kl_div_docstring_states_the_nan_at_minus_inf() -> None:
    assert "an input of −inf where the target is 0 gives NaN" in " ".join(losses.kl_div.__doc__.split())
