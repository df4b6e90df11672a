"""The worked example and the runnable check of every document (issue 15)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from derive.catalogue import names, verified
from derive.render.documents import render_document
from derive.render.example import worked_example
from derive.render.snippet import runnable_check
from derive.render.worked import number

LOSSES = names()


def test_cross_entropy_example_has_the_textbook_numbers():
    example = worked_example(verified("cross_entropy")[0])
    s = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()  # (0.659, 0.242, 0.099)
    (softmax,) = [q.values for q in example.intermediates if str(q.label) == "s"]
    assert np.allclose(softmax, s)
    assert np.isclose(float(example.value.values), -np.log(s[0]))
    assert np.allclose([r.closed for r in example.rows], s - [1, 0, 0])
    assert example.one_hot
    assert np.allclose([r.closed for r in example.batch.rows], (s - [1, 0, 0]) / 2)  # the 1/N of 'mean'


def test_layer_example_averages_the_per_example_gradients():
    example = worked_example(verified("logistic_regression")[0])
    W, b, y = np.array([0.2, -0.5, 0.1]), 0.1, 1.0
    xs = np.array([[-0.5, -1.2, -2.3], [-1.5, -0.4, -1.9]])
    sigma = 1 / (1 + np.exp(-(xs @ W + b)))
    assert example.batch.shared
    assert np.allclose([r.closed for r in example.batch.rows], ((sigma - y)[:, None] * xs).mean(axis=0))


@pytest.mark.parametrize("name", LOSSES)
def test_every_example_agrees_with_central_differences(name):
    example = worked_example(verified(name)[0])
    assert example is not None
    assert example.rows and example.error < 1e-7, example.rows


_RUNNER = """
import json, sys, traceback
failed = {}
for name, code in json.load(open(sys.argv[1])).items():
    try:
        exec(compile(code, name, "exec"), {"__name__": "__main__"})
    except BaseException:
        failed[name] = code + traceback.format_exc()
print(json.dumps(failed))
"""


def test_every_runnable_check_runs(tmp_path):
    """Each page's snippet, NumPy then (when installed) PyTorch, in a fresh namespace of a fresh
    interpreter: it must run and its own asserts must hold."""
    torch = importlib.util.find_spec("torch") is not None
    snippets = {}
    for name in LOSSES:
        d = verified(name)[0]
        numpy_code, torch_code = runnable_check(d, worked_example(d))
        assert len(numpy_code.splitlines()) <= 30, name
        snippets[name] = numpy_code + (torch_code if torch else "")
    (tmp_path / "snippets.json").write_text(json.dumps(snippets), encoding="utf-8")
    (tmp_path / "run.py").write_text(_RUNNER, encoding="utf-8")
    run = subprocess.run([sys.executable, str(tmp_path / "run.py"), str(tmp_path / "snippets.json")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    failed = json.loads(run.stdout.splitlines()[-1])
    assert not failed, next(iter(failed.values()))[-3000:]


def test_the_documents_show_the_example_and_the_check():
    text = render_document("cross_entropy", "md", "en")
    assert "## Worked example" in text and "## Check it yourself" in text
    assert "s_t − 1 = 0.659 − 1 = −0.341" in text
    assert "grad = s - y  # the closed form" in text
    zh = render_document("cross_entropy", "html", "zh")
    assert "算例" in zh and "自己验证" in zh


def test_numbers_are_written_as_people_write_them():
    assert number(-0.34099886) == "−0.341"
    assert number(9.9e-11, 2) == "9.9 × 10⁻¹¹"
    assert number(0.0) == "0" and number(2.0) == "2"
