"""Where the package's templates live, checked out or installed.

The templates sit at the repository's top level (``templates/``, the design
card's layout); the wheel ships the same files inside the package as
``derive/templates/`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["templates_dir"]

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The ``templates`` folder: inside the installed package, else at the top of the checkout."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "doc").is_dir():
            return candidate
    raise FileNotFoundError(f"derive's templates are missing: looked in {_PACKAGE / 'templates'} "
                            f"and {_PACKAGE.parent / 'templates'}")
