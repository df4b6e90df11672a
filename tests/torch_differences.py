"""The generated module's deliberate differences from PyTorch, in one place, each with its reason.

``tests/test_codegen_opinfo.py`` applies them (a case a difference covers is checked against the
difference's own expectation, not skipped), and the README's "Documented differences" section is
generated from this list: ``python tests/torch_differences.py`` rewrites it, and a test checks that
it is current.  This module imports neither torch nor the generated module.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- differences:start -->", "<!-- differences:end -->"


@dataclass(frozen=True)
class Difference:
    """``names`` give ``ours`` where PyTorch gives ``torch``, for ``reason``.

    ``accepts(ours, torch, nan_input)`` says whether one compared array (a value or a gradient) is
    this difference and nothing else; None for a difference PyTorch's samples cannot show (an error
    where torch warns, say), which its own test checks."""

    names: tuple[str, ...]
    when: str
    ours: str
    torch: str
    reason: str
    accepts: Callable[[np.ndarray, np.ndarray, bool], bool] | None = None


def _nan_propagated(ours: np.ndarray, torch: np.ndarray, nan_input: bool) -> bool:
    """An input holds NaN; ours is NaN where torch's is not, and equal to it everywhere else."""
    ours, torch = np.asarray(ours), np.asarray(torch)
    keep = ~np.isnan(ours)
    rtol = 1e-9 if ours.dtype == np.float64 else 5e-5
    return bool(nan_input and ours.shape == torch.shape
                and np.allclose(ours[keep], torch[keep], rtol=rtol, atol=rtol, equal_nan=True))


NAN_PROPAGATES = Difference(
    names=("margin_ranking_loss", "hinge_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
           "l1_loss", "smooth_l1_loss", "huber_loss"),
    when="an input is NaN",
    ours="NaN in the value and in the gradient",
    torch="0 where its kernel compares NaN (False) and skips the term: multi_margin_loss's value, the "
          "gradients of the clamp- and |x|-based losses",
    reason="NaN propagates: a diverging model must not train on as if nothing had happened",
    accepts=_nan_propagated,
)

DIFFERENCES: tuple[Difference, ...] = (
    NAN_PROPAGATES,
    Difference(
        names=("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"),
        when="target's shape differs from the input's",
        ours="ValueError naming target",
        torch="broadcasts, with a UserWarning that this is likely a mistake",
        reason="the documented shape is the input's; a silent broadcast (a (N,) target against (N, 1) "
               "predictions gives an (N, N) loss) is the bug torch's warning is about",
    ),
    Difference(
        names=("triplet_margin_with_distance_loss",),
        when="distance_function is a Python callable",
        ours="ValueError naming distance_function (None, PyTorch's default pairwise_distance, is supported)",
        torch="calls it and differentiates it by autograd",
        reason="NumPy code has no derivative of an arbitrary Python function, and a wrong gradient would be "
               "worse than an error",
    ),
    Difference(
        names=("cross_entropy", "nll_loss", "softmax_focal_loss"),
        when="reduction='mean' and the weights of the batch's targets sum to 0",
        ours="value NaN (0/0) and gradient 0",
        torch="value NaN and gradient NaN or ±inf",
        reason="the same rule as an empty or fully ignored batch (torch: NaN value, zero gradient): "
               "nothing to learn from, so no step",
    ),
)


def markdown() -> str:
    """The README section's body: one row per difference."""
    lines = ["Generated from `tests/torch_differences.py` (`python tests/torch_differences.py` rewrites it).",
             "`tests/test_codegen_opinfo.py` runs the generated module on PyTorch's own test inputs and",
             "accepts a difference from torch only where a row below accounts for it.", ""]
    if not DIFFERENCES:
        none = "None: the generated module gives PyTorch's values and gradients everywhere."
        return "\n".join([*lines, none, ""])
    lines += ["| function | when | generated module | PyTorch | why |", "|---|---|---|---|---|"]
    for d in DIFFERENCES:
        names = ", ".join(f"`{n}`" for n in d.names)
        lines.append(f"| {names} | {d.when} | {d.ours} | {d.torch} | {d.reason} |")
    return "\n".join([*lines, ""])


def section(text: str) -> str | None:
    """The current body of the README's section, None when it is missing."""
    found = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, flags=re.S)
    return found.group(1) if found else None


def rewrite(readme: Path = README) -> None:
    """Put :func:`markdown` between the README's markers (appending the section when missing)."""
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{markdown()}{END}"
    if section(text) is None:
        text = text.rstrip("\n") + f"\n\n## Documented differences from PyTorch\n\n{block}\n"
    else:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]) if len(sys.argv) > 1 else README)
