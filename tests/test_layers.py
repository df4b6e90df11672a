"""Through a linear layer: per-example gradients in index notation, the batch in matrix form."""

import dataclasses
import json

import numpy as np
import pytest
from click.testing import CliRunner
from sympy import Derivative, KroneckerDelta, Symbol

import derive.cli as cli
from derive.catalogue import derivation, spec, verified
from derive.engine.batch import batch_checks
from derive.engine.constraints import Linear
from derive.engine.derivation import Named
from derive.engine.functions import Sigmoid, Softmax
from derive.engine.instances import instantiate
from derive.engine.symbols import W, b, b0, i, j, k, t, x, y, y0, z, z0
from derive.engine.verify import verify

LAYERS = ("logistic_regression", "sigmoid_neuron_mse", "softmax_regression", "softmax_regression_index")

# Written down from the mathematics, not from the engine's output.
WEIGHTS = {
    "logistic_regression": (Sigmoid(z0) - y0) * x[k],
    "sigmoid_neuron_mse": (Sigmoid(z0) - y0) * Sigmoid(z0) * (1 - Sigmoid(z0)) * x[k],
    "softmax_regression": (Softmax(z, j) - y[j]) * x[k],
    "softmax_regression_index": (Softmax(z, j) - KroneckerDelta(j, t)) * x[k],
}
BIASES = {
    "logistic_regression": (b0, Sigmoid(z0) - y0),
    "sigmoid_neuron_mse": (b0, (Sigmoid(z0) - y0) * Sigmoid(z0) * (1 - Sigmoid(z0))),
    "softmax_regression": (b[j], Softmax(z, j) - y[j]),
    "softmax_regression_index": (b[j], Softmax(z, j) - KroneckerDelta(j, t)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_weight_gradient_is_the_textbook_one(name):
    d = derivation(name)
    assert (d.gradient - WEIGHTS[name]).expand() == 0
    assert d.wrt in (W[k], W[j, k])


@pytest.mark.parametrize("name", LAYERS)
def test_bias_gradient_is_a_step_of_the_derivation(name):
    param, expected = BIASES[name]
    d = derivation(name)
    ends = [s.rhs for s in d.steps if isinstance(s.lhs, Derivative) and s.lhs.variables == (param,)]
    assert ends and (ends[-1] - expected).expand() == 0


@pytest.mark.parametrize("name", LAYERS)
def test_route_reuses_the_gradient_at_the_logits(name):
    d, entry = derivation(name), spec(name)
    base = derivation(entry.base)
    rules = [s.rule for s in d.steps]
    assert rules[:3] == ["definition", "definition", "gradient at the logits"]
    assert d.steps[2].rhs == (base.gradient if entry.layer.scalar else base.gradient.xreplace({j: i}))
    assert rules.index("layer derivative") < rules.index("chain rule")
    assert d.assumptions[0] == entry.layer


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_entry_verifies_with_its_matrix_form(name):
    _, checks = verified(name)
    forms = [c for c in checks if c.kind == "matrix form"]
    assert len(forms) == 2 and all(c.passed for c in forms)
    assert any("central differences" in c.detail for c in forms)
    assert any("exact at N = 2" in c.detail for c in forms)


def test_matrix_components_are_distinct_symbols():
    first = instantiate(W[j, k], 3, {j: 1, k: 2})
    second = instantiate(W[j, k], 3, {j: 2, k: 1})
    assert first != second and first.name == "W_1_2"


def test_layer_derivative_at_concrete_size():
    layer = Linear(z, W, x, b)
    jac = Derivative(Named(z[i], layer.definition()), W[j, k])
    assert instantiate(jac, 2, {i: 1, j: 1, k: 2}) == Symbol("x_2", real=True)
    assert instantiate(jac, 2, {i: 2, j: 1, k: 2}) == 0


def test_wrong_chain_step_is_caught():
    d = derivation("logistic_regression")
    steps = list(d.steps)
    steps[-1] = dataclasses.replace(steps[-1], rhs=(Sigmoid(z0) - y0) * x[k] * 2)
    failed = [c for c in verify(dataclasses.replace(d, steps=tuple(steps))) if not c.passed]
    assert failed and {c.kind for c in failed} <= {"step", "closed form", "numeric"}


@pytest.mark.parametrize("name", ["logistic_regression", "softmax_regression"])
def test_wrong_matrix_form_is_caught(name):
    d = derivation(name)
    wrong = d.batch.logit_gradient * 2  # e.g. 2(S − Y): a forgotten 1/2 or a sum instead of a mean
    bad = dataclasses.replace(d, batch=dataclasses.replace(d.batch, logit_gradient=wrong))
    checks = batch_checks(bad, np.random.default_rng(0))
    assert len(checks) == 2 and not any(c.passed for c in checks)


def test_show_prints_the_matrix_form():
    result = CliRunner().invoke(cli.main, ["show", "softmax_regression"])
    assert result.exit_code == 0, result.output
    for phrase in ("∂L/∂W_jk = x_k·(s_j − y_j)", "∂L/∂b_j = s_j − y_j", "(S − Y)ᵀ X/N", "Xᵀ(S − Y)/N",
                   "for a batch of N examples"):
        assert phrase in result.output, phrase


def test_json_has_the_batch():
    result = CliRunner().invoke(cli.main, ["show", "logistic_regression", "--json"])
    data = json.loads(result.output)
    weight = r"\frac{\partial L}{\partial W} = \frac{1}{N} X^{\top} \left(a - y\right)"
    assert data["batch"]["weight"] == weight
    assert len(data["batch"]["lines"]) == 4 and all(line["note_zh"] for line in data["batch"]["lines"])


def test_aliases_resolve():
    assert derivation("sigmoid_neuron_cross_entropy").name == "logistic_regression"
    assert derivation("multinomial_logistic_regression").name == "softmax_regression"
