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
    lines = result.stdout.strip().splitlines()
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


def test_show_says_what_each_name_in_the_result_stands_for():
    result = run("show", "sigmoid_focal_loss")
    where = [line for line in result.output.splitlines() if line.startswith("  where ")]
    assert len(where) == 2  # under the definition and under the closed form
    assert all("p_t = y·σ(z) + (1 − y)·(1 − σ(z))" in line and "α_t = " in line and "CE = " in line
               for line in where)
    assert "  其中 p_t = " in run("show", "sigmoid_focal_loss", "--lang", "zh").output
    where = json.loads(run("show", "sigmoid_focal_loss", "--json").output)["where"]
    assert set(where) == {"p_{t}", "\\alpha_{t}", "\\mathrm{CE}"} and "\\sigma" in where["p_{t}"]


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


def test_help_is_h_as_well_as_help_and_no_summary_is_cut():
    top = run("-h")
    assert top.exit_code == 0 and top.output == run("--help").output
    commands = top.output.split("Commands:\n", 1)[1].splitlines()
    assert len(commands) == len(cli.main.commands)
    assert all(line.rstrip().endswith(".") and "..." not in line for line in commands), commands
    for name in cli.main.commands:
        assert run(name, "-h").exit_code == 0
    for command in ("doc", "custom"):
        option = run(command, "-h").output.split("  --format [", 1)[1].split("\n  -", 1)[0]
        assert "document" in option or "Markdown" in option, option


def test_every_writing_command_says_what_it_wrote(tmp_path):
    for args, target in ((["doc", "sigmoid"], tmp_path / "s.md"), (["code", "mse_loss"], tmp_path / "m.py"),
                         (["custom", "sum(z**2)", "--wrt", "z"], tmp_path / "c.txt")):
        result = run(*args, "-o", str(target))
        assert result.exit_code == 0 and f"wrote {target}\n" in result.stderr, result.output


def test_names_with_their_module_resolve_and_code_suggests_like_show():
    from derive.catalogue import resolve

    for name in ("CrossEntropyLoss", "nn.CrossEntropyLoss", "torch.nn.CrossEntropyLoss",
                 "torch.nn.functional.cross_entropy", "F.cross_entropy", "nn.functional.cross_entropy"):
        assert resolve(name) == "cross_entropy", name
    assert run("show", "nn.BCEWithLogitsLoss").exit_code == 0
    for command in ("show", "code", "doc"):
        result = run(command, "nn.CrossEntropyLos")
        assert result.exit_code == 2
        assert "unknown loss 'nn.CrossEntropyLos'; did you mean 'cross_entropy'" in result.output
        assert "`derive list` shows them all" in result.output


def test_list_json_has_the_fields_of_every_loss():
    entries = json.loads(run("list", "--json").stdout)
    assert [e["name"] for e in entries] == names()
    ce = next(e for e in entries if e["name"] == "cross_entropy")
    assert ce["gradient"] == "s_j − y_j" and ce["title"] and ce["title_zh"]
    assert "CrossEntropyLoss" in ce["aliases"]


def test_a_cold_list_and_check_show_a_progress_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cli.disk_cache, "load", lambda kind, name: None)  # nothing cached: all verified
    monkeypatch.setattr(cli, "names", lambda: ["mse_loss", "sigmoid"])
    assert "verifying 2 losses" in run("list").stderr
    assert "checking 1 loss" in run("check", "mse_loss").stderr
