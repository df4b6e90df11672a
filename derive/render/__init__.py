"""Documents rendered from derivations through the Jinja templates in ``templates/doc``."""

from .phrases import LANGUAGES

__all__ = ["FORMATS", "LANGUAGES", "render_document"]


def __getattr__(name: str) -> object:
    """``FORMATS`` and ``render_document`` on first use: importing the documents (Jinja, the views, the
    pages) takes 0.1 s that ``derive custom --format py`` and ``derive show`` do not need."""
    if name in ("FORMATS", "render_document"):
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
