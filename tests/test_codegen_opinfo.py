"""The generated module on PyTorch's own test inputs for its losses: the OpInfo entries of
``op_db`` (sample, reference and error inputs), ``module_db``'s loss modules and ``common_nn``'s
criterion tests, float32 and float64, values and vector-Jacobian products with a random
``grad_output`` against torch autograd.  Error inputs must raise ValueError.  Deliberate differences
are in ``torch_differences.DIFFERENCES`` (and the README section generated from it)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # torch.testing._internal imports it

import torch_samples  # noqa: E402
from generated_losses import losses  # noqa: E402
from torch_compare import compare  # noqa: E402

SOURCES = {"opinfo": torch_samples.opinfo_cases, "error": torch_samples.error_cases,
           "module_db": torch_samples.module_cases, "common_nn": torch_samples.criterion_cases}

KNOWN_FAILING = {
    ("opinfo", "gaussian_nll_loss"): "target/var broadcasting of PyTorch's docs rejected",
    ("opinfo", "softmax"): "empty (5, 0, 0) input; softmax_grad with dtype= returns dtype's type",
    ("opinfo", "log_softmax"): "empty (5, 0, 0) input; log_softmax_grad with dtype= returns dtype's type",
    ("opinfo", "multi_margin_loss"): "0-d and 1-D inputs rejected",
    ("opinfo", "hinge_embedding_loss"): "target broadcasting rejected",
    ("opinfo", "margin_ranking_loss"): "broadcasting rejected; NaN becomes 0",
    ("error", "multi_margin_loss"): "float class labels raise TypeError",
}
"""The failures being worked down (issue 17); each is an expected failure until fixed."""


def _groups() -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for source, cases in SOURCES.items():
        for case in cases():
            groups.setdefault((source, case.name), []).append(case)
    return groups


GROUPS = _groups()


@pytest.mark.parametrize("key", sorted(GROUPS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_agrees_with_torch(key) -> None:
    problems = [f"{case}: {problem}" for case in GROUPS[key] if (problem := compare(case, losses))]
    if key in KNOWN_FAILING:
        assert problems, f"fixed: remove {key} from KNOWN_FAILING"
        pytest.xfail(f"{KNOWN_FAILING[key]} ({len(problems)} of {len(GROUPS[key])})")
    assert not problems, f"{len(problems)} of {len(GROUPS[key])} differ:\n" + "\n".join(problems[:20])


def test_every_generated_loss_has_torch_samples() -> None:
    """Each generated function with a torch counterpart is run on some of torch's own inputs."""
    covered = {name for _, name in GROUPS}
    missing = set(torch_samples.SPECS) - covered - {"sigmoid_focal_loss", "softmax_focal_loss",
                                                    "logistic_regression", "softmax_regression"}
    assert not missing
