"""The phrases of one language, read from ``templates/doc/lang/<code>.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from ..printing.terminal import Vocabulary
from ..resources import templates_dir

__all__ = ["LANGUAGES", "MissingPhraseError", "Phrases", "phrases", "vocabulary"]

LANGUAGES = ("en", "zh")


class MissingPhraseError(KeyError):
    """A phrase the document needs is not in the language file."""

    def __str__(self) -> str:
        return self.args[0]


class Phrases:
    """Lookups with errors that say which file and table to extend."""

    def __init__(self, code: str, data: dict[str, Any]):
        self.code, self.data = code, data

    def __getattr__(self, table: str) -> Any:
        try:
            return self.data[table]
        except KeyError:
            raise AttributeError(table) from None

    def lookup(self, table: str, key: str) -> str:
        node: Any = self.data
        for part in table.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if key not in node:
            raise MissingPhraseError(
                f"templates/doc/lang/{self.code}.toml has no [{table}] entry {key!r}; add it "
                f"(and its translation in the other language file)")
        return node[key]

    @property
    def words(self) -> tuple[str, str]:
        """The words of a piecewise function: before a condition, and for the last case."""
        return self.data["labels"]["piecewise_if"], self.data["labels"]["piecewise_otherwise"]

    def rule(self, name: str) -> str:
        return self.lookup("rules", name)

    def family(self, name: str) -> str:
        return self.lookup("families", name)


@cache
def phrases(code: str) -> Phrases:
    """The phrases of language ``code`` (``en`` or ``zh``)."""
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {code!r}")
    with open(templates_dir() / "doc" / "lang" / f"{code}.toml", "rb") as handle:
        return Phrases(code, tomllib.load(handle))


def vocabulary(code: str) -> Vocabulary:
    """The words of ``derive show`` in language ``code`` (``[terminal]`` and ``[rules]``)."""
    t = phrases(code)
    return Vocabulary(code, t.terminal, t.rule)
