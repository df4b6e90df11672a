"""The record of one verification, and the error a failed one raises."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NUMERIC_TOLERANCE", "Check", "VerificationError"]

NUMERIC_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Check:
    """One verification: what was checked, how, at which size, its error, and whether it passed."""

    kind: str          # "step", "closed form", "general form", "hessian", "numeric"
    detail: str
    size: int | None
    error: float
    passed: bool


class VerificationError(AssertionError):
    """A derivation failed a check; it must not be shown as if it were right."""
