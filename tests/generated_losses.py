"""The committed generated module ``outputs/losses.py`` (regenerate with ``derive code -o
outputs/losses.py``; ``test_codegen_module`` checks it is current), imported once for the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

GOLDEN = Path(__file__).resolve().parents[1] / "outputs" / "losses.py"


def load(path: Path = GOLDEN, name: str = "derive_generated_losses") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


losses = load()

STRICT = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}
"""np.errstate for "no overflow, no division by zero, no invalid operation" (underflow to 0 is fine)."""


def loss_shape(value: np.ndarray) -> tuple[int, ...]:
    return np.shape(value)


def upstream(value: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random upstream gradient shaped like the loss ``value``."""
    return rng.normal(size=np.shape(value)).astype(np.asarray(value).dtype)
