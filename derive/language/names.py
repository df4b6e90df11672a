"""The names a user declares for vectors and scalars, and which names are reserved.

A declared name is a :class:`Declared` symbol: never equal to the engine's symbol of the same
spelling (the catalogue's ``z``, ``x``, ``u``, ``W``, ``b``, ``Delta`` keep their roles, a user's
``z`` gets its own), and printed as typed (:mod:`derive.printing.declared`).
"""

from __future__ import annotations

import keyword
import re

from sympy import IndexedBase, Symbol

__all__ = ["RESERVED", "Declared", "check_identifier", "declared_vector"]

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# the indices of the printed math (i, j, k, l), the loss L and, for vectors, the softmax s_j;
# names ending in _<digits> would clash with the verifier's explicit components (z_1, z_2, ...)
RESERVED = frozenset({"i", "j", "k", "l", "L"})
RESERVED_VECTORS = frozenset({"s"})


class Declared(Symbol):
    """A vector or scalar name declared by the user (its own symbol, whatever its spelling)."""


def declared_vector(name: str) -> IndexedBase:
    """The user's vector ``name``: components ``name_j``, real."""
    return IndexedBase(Declared(name, real=True), real=True)


def check_identifier(argument: str, value: object) -> None:
    """A name the generated Python can use: a letter, then letters, digits or '_'; no keyword."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ValueError(f"{argument}: {value!r} is not a valid name (a letter, then letters, digits "
                         "or '_')")
    if keyword.iskeyword(value):
        raise ValueError(f"{argument}: {value!r} is a Python keyword")
