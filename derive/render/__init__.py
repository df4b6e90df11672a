"""Documents rendered from derivations through the Jinja templates in ``templates/doc``."""

from .documents import FORMATS, render_document
from .phrases import LANGUAGES

__all__ = ["FORMATS", "LANGUAGES", "render_document"]
