"""The literature benchmark runs end to end on a few entries (in this process), so it cannot rot."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import literature
from papers import PAPERS

BY_NAME = {p.name: p for p in PAPERS}


def test_there_are_at_least_30_losses_across_five_families() -> None:
    assert len(PAPERS) >= 30 and len(BY_NAME) == len(PAPERS)
    families = {p.family for p in PAPERS}
    assert families == {"classification", "robust regression", "probabilistic", "segmentation", "contrastive"}
    assert all(p.citation and p.expression for p in PAPERS)


@pytest.mark.parametrize("name", ["logistic", "huber"])
def test_a_loss_the_tool_handles_matches_torch_and_is_finite(name: str) -> None:
    result = literature.measure(BY_NAME[name], cli=False)
    assert (result.parses, result.verified, result.named) == ("yes", "yes", True)
    assert result.error is not None and result.error <= literature.TOLERANCE
    assert result.finite == {"float64": "✓", "float32": "✓"}
    tool, raw, paper = result.lengths
    assert tool is not None and raw is not None and paper is not None


def test_a_refusal_stays_in_the_table_with_its_reason() -> None:
    paper = literature.Paper("made_up", "classification", "nobody", "sum(y*erf(z))", lambda z, y: z,
                             {"z": "real", "y": "onehot"})
    result = literature.measure(paper, cli=False)
    assert result.parses.startswith("no: unknown function 'erf'") and result.error is None
    table = literature.markdown([result])
    assert "| `made_up` | classification | no: unknown function 'erf'" in table


def test_a_kronecker_delta_is_as_long_as_the_target_it_stands_for() -> None:
    from sympy import IndexedBase, KroneckerDelta, Symbol, exp

    j, t = Symbol("j", integer=True), Symbol("t", integer=True)
    z, y = IndexedBase("z"), IndexedBase("y")
    assert literature.length(exp(z[j]) - KroneckerDelta(j, t)) == literature.length(exp(z[j]) - y[j]) == 2


@pytest.mark.parametrize("name", ["focal_sigmoid", "student_t_nll", "tukey_biweight", "geman_mcclure",
                                  "charbonnier", "generalized_ce", "dice"])
def test_the_closed_form_is_no_longer_than_the_published_one_nor_the_raw_derivative(name: str) -> None:
    paper = BY_NAME[name]
    loss = literature.build_paper(paper)
    tool = literature.length(loss.derivation.gradient)
    assert tool <= literature.published_length(paper)
    assert tool <= literature.length(literature.raw_derivative(loss))
