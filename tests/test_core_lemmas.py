"""Lemmas: every derivative rule a named function carries is derived from its definition, verified,
cited by the steps that apply it, and shown where it is used."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sympy import Derivative, KroneckerDelta, Ne, Sum, exp, log

import derive.catalogue as catalogue
from derive.catalogue import derivation, lemma_checks, names, verified
from derive.cli import main
from derive.engine.derivation import Step, Text
from derive.engine.functions import NAMED_FUNCTIONS, Sigmoid, Softmax
from derive.engine.symbols import a0, i, j, k, n, y0, z, z0
from derive.engine.verify import VerificationError, _equation_checks, verify
from derive.language.custom import from_expression
from derive.printing.text import text
from derive.render.documents import render_document


@pytest.mark.parametrize("function", NAMED_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_named_function_has_a_lemma_in_the_catalogue_whose_result_is_its_rule(function):
    d = derivation(function.lemma)
    subject, wrt = d.symbol, d.wrt
    assert isinstance(subject, function)
    assert d.steps[-1].lhs == Derivative(subject, wrt)
    assert (d.gradient - subject.diff(wrt)).expand() == 0  # the rule diff applies is what was derived
    assert d.definition.rule == "definition" and not d.definition.rhs.has(function)


@pytest.mark.parametrize("function", NAMED_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_lemma_verifies_including_the_rule_check(function):
    checks = verify(derivation(function.lemma))
    assert all(c.passed for c in checks)
    assert {"step", "closed form", "numeric", "rule"} <= {c.kind for c in checks}


def test_the_softmax_jacobian_is_derived_by_the_quotient_rule_and_two_cases():
    d = derivation("softmax")
    rules = [step.rule for step in d.steps]
    assert rules[:2] == ["definition", "quotient rule"]
    assert d.definition.rhs == exp(z[i]) / Sum(exp(z[k]), (k, 1, n))
    equal = [s for s in d.steps if s.lhs == Derivative(Softmax(z, i), z[i])]
    assert equal[0].rule == "case i = j" and equal[-1].rhs == Softmax(z, i) * (1 - Softmax(z, i))
    distinct = [s for s in d.steps if s.case == Ne(i, j)]
    assert distinct[0].rule == "case i ≠ j" and distinct[-1].rhs == -Softmax(z, i) * Softmax(z, j)
    assert rules[-1] == "both cases in one"
    assert d.gradient == Softmax(z, i) * (KroneckerDelta(i, j) - Softmax(z, j))


def test_the_sigmoid_derivative_goes_through_the_textbook_forms():
    d = derivation("sigmoid")
    shown = [text(s.rhs) for s in d.steps]
    assert shown[0] == "1/(1 + exp(-z))"
    assert shown[1] == "exp(-z)/(1 + exp(-z))^2"
    assert shown[2] == "1/(1 + exp(-z))·(exp(-z)/(1 + exp(-z)))"
    assert shown[3] == "1/(1 + exp(-z))·(1 − 1/(1 + exp(-z)))"
    assert d.gradient == Sigmoid(z0) * (1 - Sigmoid(z0))


def test_log_softmax_goes_through_logsumexp_and_cites_its_lemma():
    d = derivation("log_softmax")
    assert [s.rule for s in d.steps][1:3] == ["log of a quotient", "refold log-sum-exp"]
    assert d.lemmas == ("logsumexp",)
    assert derivation("logsumexp").gradient == Softmax(z, j)
    assert derivation("softplus").gradient == Sigmoid(z0)


def _custom_derivations():
    return [from_expression("sum(y * (1 - softmax(z)**q) / q)", wrt="z", onehot="y", scalars={"q": 0.7}),
            from_expression("sum((sigmoid(z) - y)**2)", wrt="z", vectors="y"),
            from_expression("-sum(y * log_softmax(z))", wrt="z", simplex="y")]


def test_no_step_anywhere_has_identical_sides():
    derivations = [derivation(name) for name in names()] + _custom_derivations()
    for d in derivations:
        steps = (*d.steps, *(d.hessian.steps if d.hessian else ()), *d.identities)
        for step in steps:
            assert step.lhs != step.rhs, f"{d.name}: {step.rule}"
            assert text(step.lhs) != text(step.rhs), f"{d.name}: {step.rule} shows {text(step.lhs)} twice"


def test_steps_that_apply_a_rule_cite_its_lemma():
    ce = derivation("cross_entropy")
    jacobian = next(s for s in ce.steps if s.rule == "softmax Jacobian")
    assert jacobian.lemmas == ("softmax",)
    assert "softmax" in ce.lemmas
    bce = derivation("binary_cross_entropy_with_logits")
    assert next(s for s in bce.steps if s.rule == "sigmoid derivative").lemmas == ("sigmoid",)
    index = derivation("cross_entropy_index")  # differentiated term by term: −log s_t
    assert index.lemmas and set(index.lemmas) <= {"softmax", "log_softmax"}


def test_the_bce_route_goes_through_the_outer_derivative_and_a_common_denominator():
    d = derivation("binary_cross_entropy_with_logits")
    rules = [s.rule for s in d.steps]
    outer = d.steps[rules.index("outer derivative")]
    assert (outer.rhs - (-y0 / a0 + (1 - y0) / (1 - a0))).expand() == 0
    assert rules[rules.index("outer derivative") + 1] == "common denominator"
    assert rules.index("common denominator") < rules.index("sigmoid derivative") < rules.index("chain rule")


def test_a_failed_lemma_fails_every_derivation_that_cites_it(monkeypatch):
    real = catalogue.verified

    def broken(name, jobs=1):
        if name == "softmax":
            raise VerificationError("softmax: step check failed (a broken lemma)")
        return real(name, jobs)

    monkeypatch.setattr(catalogue, "verified", broken)
    with pytest.raises(VerificationError, match="softmax"):
        lemma_checks(derivation("cross_entropy"))
    assert lemma_checks(derivation("mse_loss")) == []  # cites no lemma: unaffected


def test_verified_derivations_carry_one_check_per_cited_lemma():
    _, checks = verified("log_softmax")
    lemma = [c for c in checks if c.kind == "lemma"]
    assert [c.detail.split(":")[0] for c in lemma] == ["logsumexp"] and all(c.passed for c in lemma)


def test_a_case_step_is_checked_only_where_its_case_holds():
    lhs = Derivative(Softmax(z, i), z[j])
    right = -Softmax(z, i) * Softmax(z, j)
    assert all(c.passed for c in _equation_checks("step", "i ≠ j", lhs, right, (2, 3), (), Ne(i, j)))
    assert not all(c.passed for c in _equation_checks("step", "no case", lhs, right, (2, 3), (), None))
    wrong = Softmax(z, i) * Softmax(z, j)
    assert not all(c.passed for c in _equation_checks("step", "wrong", lhs, wrong, (2, 3), (), Ne(i, j)))


def test_a_wrong_lemma_step_is_caught():
    d = derivation("sigmoid")
    bad = Step(d.steps[1].lhs, exp(-z0) / (1 + exp(-z0)), "chain rule", Text("", ""))
    checks = _equation_checks("step", "bad", bad.lhs, bad.rhs, (2,), ())
    assert not checks[0].passed


def test_show_lemmas_prints_the_lemma_under_the_step_that_uses_it():
    result = CliRunner().invoke(main, ["show", "cross_entropy", "--lemmas"])
    assert result.exit_code == 0, result.output
    out = result.output.lower()
    assert out.index("softmax jacobian") < out.index("lemma softmax") < out.index("quotient rule")
    assert "case i ≠ j" in out and "both cases in one" in out
    plain = CliRunner().invoke(main, ["show", "cross_entropy"]).output.lower()
    assert "quotient rule" not in plain and "lemma softmax: derive show softmax" in plain
    chinese = CliRunner().invoke(main, ["show", "cross_entropy", "--lemmas", "--lang", "zh"]).output
    assert "引理 softmax" in chinese and "商的求导法则" in chinese


def test_show_json_lists_the_lemmas_and_each_step_its_reference():
    result = CliRunner().invoke(main, ["show", "log_softmax", "--json"])
    data = json.loads(result.output)
    assert [lemma["name"] for lemma in data["lemmas"]] == ["logsumexp"]
    lemma = data["lemmas"][0]
    assert lemma["steps"][0]["rule"] == "definition" and "s_{j}" in lemma["result"]
    cites = [step["lemma"] for step in data["steps"]]
    assert "logsumexp" in cites and cites[0] is None
    ce = json.loads(CliRunner().invoke(main, ["show", "cross_entropy", "--json"]).output)
    assert any(step["lemma"] == "softmax" for step in ce["steps"])
    assert {lemma["name"] for lemma in ce["lemmas"]} >= {"softmax"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_documents_show_the_lemma_where_it_is_used(lang):
    html = render_document("cross_entropy", "html", lang)
    assert '<details class="lemma">' in html and html.index("<details") < html.index("</details>")
    assert "<script" not in html
    md = render_document("cross_entropy", "md", lang)
    assert "](softmax.md)" in md and "<details><summary>" in md
    tex = render_document("cross_entropy", "tex", lang)
    assert tex.count(r"\fbox{\begin{minipage}") == 1  # boxed at its first use only


def test_the_lemma_pages_start_from_the_definition_not_a_tautology():
    for name in ("softmax", "sigmoid", "log_softmax", "logsumexp", "softplus"):
        md = render_document(name, "md", "en")
        d = derivation(name)
        assert f"{text(d.symbol)} = {text(d.symbol)}" not in md
    assert "e^{- z}" in render_document("sigmoid", "md", "en")
    assert log(1 + exp(z0)) == derivation("softplus").definition.rhs
