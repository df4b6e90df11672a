"""Cross-references in prose: a catalogue name in a sentence ("derived in logistic_regression") becomes
a link to that document, shown by its title in the reader's language.

Only names with an underscore are linked (``softmax`` or ``entropy`` in a sentence are words, not
references), and only names that are not also a framework's function (``nll_loss`` in a sentence is
PyTorch's function, not this catalogue's page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from markupsafe import Markup, escape

from ..catalogue import SPECS
from ..catalogue.frameworks import USAGES

__all__ = ["linked"]


@cache
def _pattern() -> re.Pattern[str]:
    apis = {word for usages in USAGES.values() for usage in usages for word in re.findall(r"\w+", usage.api)}
    referable = sorted((name for name in SPECS if "_" in name and name not in apis), key=len, reverse=True)
    return re.compile(r"(?<![\w`.(/])(" + "|".join(map(re.escape, referable)) + r")(?![\w`(])")


def _link(fmt: str, name: str, title: str) -> str:
    if fmt == "md":
        return f"[{title}]({name}.md)"
    if fmt == "html":
        return f'<a href="{name}.html">{escape(title)}</a>'
    return rf"\emph{{{title}}}"


def linked(text: str, fmt: str, lang: str, prose: Callable[[str], str]) -> str:
    """``prose(text)`` (the format's escaping) with each catalogue name linked by its title."""
    parts = _pattern().split(text)
    out = []
    for number, part in enumerate(parts):
        if number % 2:
            title = prose(getattr(SPECS[part].title, lang))
            out.append(_link(fmt, part, title))
        else:
            out.append(prose(part))
    joined = "".join(out)
    return Markup(joined) if fmt == "html" else joined
