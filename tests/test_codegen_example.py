"""examples/numpy_training.py: pure-NumPy training with the generated cross_entropy_value_and_grad."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "numpy_training.py"


def test_example_reaches_its_stated_accuracy(capsys) -> None:
    spec = importlib.util.spec_from_file_location("numpy_training", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    results = example.main([])
    assert results["softmax regression, blobs"] > 0.95
    assert results["softmax regression, spirals"] < 0.7  # a linear model cannot separate spirals
    assert results["MLP (64 ReLU units), spirals"] > 0.95
    assert "training accuracy" in capsys.readouterr().out
