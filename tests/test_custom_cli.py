"""``derive custom``: formats, files, exit codes, and hostile input that must not run or write."""

import dataclasses
import json

import pytest
from click.testing import CliRunner
from sympy import Integer
from test_parse import HOSTILE

import derive.cli as cli
import derive.custom as custom

CE = ("logsumexp(z) - dot(y, z)", "--wrt", "z", "--simplex", "y")


def run(*args):
    return CliRunner().invoke(cli.main, ["custom", *args])


def test_text_shows_the_steps_and_the_closed_form():
    result = run(*CE)
    assert result.exit_code == 0, result.output
    for phrase in ("− Σ_k y_k·z_k", "Kronecker delta", "Σ_i y_i = 1",
                   "closed form:  ∂L/∂z_j = s_j − y_j", "verified:"):
        assert phrase in result.stdout, phrase


def test_an_expression_may_start_with_a_minus_sign():
    result = run("-sum(y * log_softmax(z))", "--wrt", "z", "--onehot", "y", "--name", "ce_index")
    assert result.exit_code == 0, result.output
    assert "closed form:  ∂L/∂z_j = s_j − δ_jt" in result.stdout


def test_json_has_the_fields_of_show_json():
    shown = json.loads(CliRunner().invoke(cli.main, ["show", "sigmoid", "--json"]).stdout)
    result = run(*CE, "--format", "json", "--name", "ce_lse")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(shown) <= set(data)
    assert data["name"] == "ce_lse" and data["family"] == "custom"
    assert data["gradient"] == "s_{j} - y_{j}" and data["closed_form"] is True
    assert all(check["passed"] for check in data["checks"])


def test_output_file(tmp_path):
    target = tmp_path / "ce.json"
    result = run(*CE, "--format", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["gradient"] == "s_{j} - y_{j}"


def test_a_parse_error_points_at_the_column_and_exits_2():
    result = run("sum(y * log(zz))", "--wrt", "z", "--vector", "y")
    assert result.exit_code == 2
    assert "unknown name 'zz'" in result.stderr and "(column 13)" in result.stderr
    assert "\n  sum(y * log(zz))\n              ^\n" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (("--scalar", "q=abc"), "scalar: 'q=abc'"),
    (("--scalar", "q"), "scalar: 'q'"),
    (("--name", "my loss"), "name: "),
    (("--vector", "z,z"), "vectors: "),
])
def test_bad_options_exit_2(args, message):
    result = run(*CE, *args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_runs_nothing_and_writes_nothing(source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = source.replace("PWNED", str(tmp_path / "pwned"))
    result = run(source, "--wrt", "z", "--vector", "x", "--format", "py", "-o", str(tmp_path / "out.py"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert list(tmp_path.iterdir()) == []


def test_a_result_that_fails_verification_is_an_error(tmp_path, monkeypatch):
    real = custom.derive

    def wrong(spec):  # the engine makes a mistake: the last step doubles the gradient
        d = real(spec)
        last = dataclasses.replace(d.steps[-1], rhs=2 * d.steps[-1].rhs)
        return dataclasses.replace(d, steps=(*d.steps[:-1], last), gradient=Integer(2) * d.gradient)

    monkeypatch.setattr(custom, "derive", wrong)
    target = tmp_path / "out.json"
    result = run(*CE, "--format", "json", "-o", str(target))
    assert result.exit_code == 1
    assert "check failed" in result.stderr
    assert not target.exists() and result.stdout == ""


def test_a_derivation_that_takes_too_long_gives_up(tmp_path):
    target = tmp_path / "out.txt"
    result = run("sum(y * (1 - softmax(z)**q) / q)", "--wrt", "z", "--onehot", "y", "--scalar", "q=0.7",
                 "--timeout", "0.05", "-o", str(target))
    assert result.exit_code == 1
    assert "gave up after 0.05 s" in result.stderr
    assert not target.exists()
