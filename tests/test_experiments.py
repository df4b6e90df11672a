"""The learning-slowdown experiment: the qualitative result is read off the computed numbers."""

import numpy as np
import pytest

from derive.render.experiments import LEARNED, _neuron, _train, slowdown


def test_cross_entropy_learns_in_fewer_steps_from_a_saturated_start():
    result = slowdown()
    assert result.mse.outputs[0] > 0.95  # saturated on the wrong side of y = 0
    ce, mse = result.cross_entropy.steps_to(), result.mse.steps_to()
    assert ce is not None and ce < result.steps
    assert mse is None or mse > 2 * ce


def test_mse_is_slow_not_stuck():
    longer = slowdown(steps=2000)
    assert longer.mse.steps_to() is not None
    assert longer.mse.steps_to() > longer.cross_entropy.steps_to()


def test_the_initial_gradients_differ_by_sigma_prime():
    result = slowdown()
    a = result.mse.outputs[0]
    ratio = result.mse.initial_gradient / result.cross_entropy.initial_gradient
    assert ratio == pytest.approx(a * (1 - a), rel=1e-9)  # σ'(z) = a(1 − a) ≈ 0.018
    # the plateau: after 50 steps MSE has barely moved while cross-entropy is nearly there
    assert result.mse.outputs[50] > 0.9 > 0.2 > result.cross_entropy.outputs[50]


def test_cross_entropy_loss_decreases_at_every_step():
    assert np.all(np.diff(slowdown().cross_entropy.losses) < 0)


@pytest.mark.parametrize("name", ["sigmoid_neuron_mse", "logistic_regression"])
def test_gradients_used_are_the_derivatives_of_the_loss(name):
    neuron = _neuron(name)
    xs, y, h = np.array([0.7, -1.3]), 0.25, 1e-6
    w, b = np.array([0.4, 1.1]), -0.3

    def loss(w, b):
        return neuron.loss(float(w @ xs) + b, y)

    z = float(w @ xs) + b
    fd_w = [(loss(w + h * e, b) - loss(w - h * e, b)) / (2 * h) for e in np.eye(2)]
    fd_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    np.testing.assert_allclose(neuron.weight(z, xs, y), fd_w, rtol=1e-7)
    assert neuron.bias(z, y) == pytest.approx(fd_b, rel=1e-7)


def test_runs_are_deterministic():
    xs = np.array([1.0])
    first = _train("logistic_regression", 2.0, 2.0, xs, 0.0, 0.15, 40)
    second = _train("logistic_regression", 2.0, 2.0, xs, 0.0, 0.15, 40)
    assert np.array_equal(first.outputs, second.outputs) and np.array_equal(first.losses, second.losses)


def test_rows_sample_the_runs():
    result = slowdown()
    rows = result.rows(every=100)
    assert [r[0] for r in rows] == [0, 100, 200, 300]
    assert rows[0][1] == rows[0][3]  # same start
    assert rows[-1][3] < LEARNED


@pytest.mark.parametrize(("kwargs", "word"), [({"rate": 0.0}, "rate"), ({"steps": 0}, "steps"),
                                              ({"target": 2.0}, "target")])
def test_bad_settings_name_the_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        slowdown(**kwargs)


def test_rows_reject_a_bad_stride():
    with pytest.raises(ValueError, match="every"):
        slowdown().rows(every=0)


def test_cli_prints_the_table_and_the_verdict():
    from click.testing import CliRunner

    import derive.cli as cli

    result = CliRunner().invoke(cli.main, ["slowdown", "--every", "100"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "step" and len(lines) == 1 + 4 + 2
    assert f"cross-entropy: |a − y| ≤ 0.1 after {slowdown().cross_entropy.steps_to()} steps" in result.output
    assert CliRunner().invoke(cli.main, ["slowdown", "--rate", "0"]).exit_code == 2
