"""The command line: list, show (text and JSON), check; exit codes."""

import dataclasses
import json

from click.testing import CliRunner
from sympy import Symbol

import derive.cli as cli
from derive.catalogue import derivation, names


def run(*args):
    return CliRunner().invoke(cli.main, list(args))


def test_list_has_one_line_per_loss():
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == len(names())
    assert any(line.startswith("cross_entropy ") and "s_j − y_j" in line for line in lines)
    # the gradients start in one column, after the longest title
    assert len({line.index(" ∂") for line in lines}) == 1
    assert [line.split()[0] for line in lines] == names()


def test_show_cross_entropy_walks_to_s_minus_y():
    result = run("show", "cross_entropy")
    assert result.exit_code == 0, result.output
    out = result.output
    for phrase in ("Softmax Jacobian", "∂s_i/∂z_j = s_i·(δ_ij − s_j)", "Kronecker delta", "Σ_i y_i = 1",
                   "closed form:  ∂L/∂z_j = s_j − y_j", "s_j·Σ_i y_i − y_j"):
        assert phrase in out, phrase


def test_show_in_chinese_prints_the_chinese_steps():
    result = run("show", "cross_entropy", "--lang", "zh")
    assert result.exit_code == 0, result.output
    for phrase in ("链式法则", "softmax 的雅可比矩阵", "闭式解:  ∂L/∂z_j = s_j − y_j",
                   "链式法则：z_j 通过每一个 s_i 影响 L", "假设 Σ_i y_i = 1", "已验证"):
        assert phrase in result.output, phrase
    assert "chain rule" not in result.output.lower() and "closed form" not in result.output
    assert run("show", "cross_entropy", "--lang", "fr").exit_code == 2


def test_show_bce_with_logits_ends_in_sigma_minus_y():
    result = run("show", "BCEWithLogitsLoss")
    assert result.exit_code == 0
    assert "closed form:  ∂L/∂z = σ(z) − y" in result.output


def test_show_json_fields():
    result = run("show", "cross_entropy", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    for field in ("name", "title", "aliases", "loss", "wrt", "assumptions", "steps", "gradient",
                  "gradient_general", "hessian", "checks"):
        assert field in data
    assert data["gradient"] == "s_{j} - y_{j}"
    assert {"rule", "latex", "note"} <= set(data["steps"][0])
    assert all(c["passed"] for c in data["checks"])


def test_unknown_name_exits_2_with_suggestion():
    result = run("show", "crossentropy")
    assert result.exit_code == 2
    assert "did you mean 'cross_entropy'" in result.output


def test_check_reports_a_table():
    result = run("check", "sigmoid", "nll_loss", "--jobs", "1")
    assert result.exit_code == 0
    assert "sigmoid" in result.output and "nll_loss" in result.output
    assert result.output.strip().endswith("0 failed")


def test_check_exits_1_when_a_derivation_is_wrong(monkeypatch):
    good = derivation("sigmoid")
    bad = dataclasses.replace(good, gradient=Symbol("z", real=True))
    monkeypatch.setattr(cli, "derivation", lambda name: bad)
    result = run("check", "sigmoid", "--jobs", "1")
    assert result.exit_code == 1
    assert "FAIL" in result.output
