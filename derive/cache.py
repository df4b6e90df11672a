"""A disk cache of verification results, so interactive commands answer at once.

Keyed by the package version and a hash of the package's own source (the
catalogue, the rules, the verifier): any change to them starts a new cache.
Entries are written atomically (temporary file + ``os.replace``), so two
processes can run at once; a corrupt or unreadable entry is ignored and
recomputed.  ``DERIVE_CACHE_DIR`` moves it, ``DERIVE_NO_CACHE=1`` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

from .version import __version__

__all__ = ["cache_dir", "load", "store"]


@cache
def source_key() -> str:
    """A hash of the version and every Python source file of the package."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cache_dir() -> Path | None:
    """Where entries live, or None when caching is disabled."""
    if os.environ.get("DERIVE_NO_CACHE"):
        return None
    base = os.environ.get("DERIVE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return (root if os.environ.get("DERIVE_CACHE_DIR") else root / "derive") / source_key()


def load(kind: str, name: str) -> object | None:
    """The cached JSON value, or None when missing, disabled or corrupt."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{kind}-{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(kind: str, name: str, value: object) -> None:
    """Write ``value`` atomically; failures to write are ignored (the cache is an optimisation)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-{name}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle)
        os.replace(tmp, folder / f"{kind}-{name}.json")
    except OSError:  # a full disk, or a folder where the entry should be: no entry, and no temporary
        Path(tmp).unlink(missing_ok=True)
