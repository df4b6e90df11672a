"""What ``derive all`` wrote last time, so that a run in which nothing changed answers at once.

A run's fingerprint covers everything its bytes depend on: derive's own source (the key of the
verification cache, :func:`derive.cache.source_key`), the templates, the versions of Python and of
the libraries that print and plot, and the list of outputs.  For each fingerprint the disk cache
keeps the SHA-256 of every file written; a later run with the same fingerprint produces only the
files whose bytes on disk differ from those: none when nothing changed.  Without the cache
(``DERIVE_NO_CACHE=1``), or with a corrupt entry, everything is produced as usual.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .. import cache as disk
from ..resources import templates_dir

__all__ = ["digest", "fingerprint", "remember", "unchanged"]

_LIBRARIES = ("sympy", "numpy", "matplotlib", "jinja2")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def _templates_key() -> str:
    h = hashlib.sha256()
    root = templates_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _version(library: str) -> str:
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def fingerprint(paths: Iterable[str]) -> str:
    """The key of a run that writes ``paths``."""
    parts = [disk.source_key(), _templates_key(), sys.version.split()[0],
             *(f"{lib} {_version(lib)}" for lib in _LIBRARIES), *paths]
    return digest(json.dumps(parts).encode())[:32]


def unchanged(root: Path, key: str) -> dict[str, str]:
    """``{path: sha256}`` of the files under ``root`` that are exactly what the run ``key`` wrote."""
    remembered = disk.load("tree", key)
    if not isinstance(remembered, dict):
        return {}
    same = {}
    for path, expected in remembered.items():
        target = root / str(path)
        if target.is_file() and digest(target.read_bytes()) == expected:
            same[path] = expected
    return same


def remember(key: str, hashes: dict[str, str]) -> None:
    disk.store("tree", key, hashes)
