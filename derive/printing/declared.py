"""How the names a user declares print: as typed, or as the Greek letter they spell.

A user's ``tau`` prints τ, but names whose letter the notation already uses keep their spelling
(``sigma`` is not σ, the sigmoid; ``delta`` is not δ, the Kronecker delta), and a name with an
underscore is one name (``x_j`` is not ``x`` at index ``j``).
"""

from __future__ import annotations

import unicodedata

__all__ = ["declared_latex", "declared_text"]

_NOTATION = frozenset({"sigma", "delta", "Sigma", "Delta"})  # σ(x), δ_jt, Σ_k, Δ (a margin)


def _greek(name: str) -> str | None:
    if name in _NOTATION or not name.isalpha():
        return None
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
    except KeyError:
        return None


def declared_text(name: str) -> str:
    """``tau`` → ``τ``, ``sigma`` → ``sigma``, ``prior`` → ``prior``."""
    return _greek(name) or name


def declared_latex(name: str) -> str:
    r"""``tau`` → ``\tau``, ``z`` → ``z``, ``prior`` → ``\mathrm{prior}``, ``x_j`` → ``\mathrm{x\_j}``."""
    if _greek(name):
        return "\\" + name
    if len(name) == 1:
        return name
    return r"\mathrm{" + name.replace("_", r"\_") + "}"
