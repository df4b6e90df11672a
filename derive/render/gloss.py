"""A gloss for a term the Chinese documents keep in English: the first "logits" in a page's prose
becomes "logits（对数几率）", once per page, never inside code or mathematics."""

from __future__ import annotations

import re

__all__ = ["gloss_once"]

GLOSSES = {"zh": ("logits", "logits（对数几率）")}
# Spans that are not prose, per format: code, math, tags.
_SKIP = {
    "md": re.compile(r"`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\[[^\]\n]*\]\([^)\n]*\)|<!--.*?-->", re.S),
    "html": re.compile(r"<code>.*?</code>|<math.*?</math>|<pre>.*?</pre>|<[^>]*>|<title>.*?</title>", re.S),
    "tex": re.compile(r"\\texttt\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\$[^$]*\$|\\eq\{.*?\n|^%.*?$", re.S | re.M),
}


def gloss_once(text: str, fmt: str, lang: str) -> str:
    """``text`` with the first prose occurrence of the glossed term followed by its gloss."""
    if lang not in GLOSSES:
        return text
    term, glossed = GLOSSES[lang]
    if glossed in text:  # the page glosses it itself
        return text
    skipped = [(m.start(), m.end()) for m in _SKIP[fmt].finditer(text)]
    body = text.find("<main>") if fmt == "html" else 0  # not in the <title>
    word = re.compile(rf"(?<![\w.(_`]){re.escape(term)}(?![\w=_(（])")  # not from_logits, logits=
    for match in word.finditer(text, max(body, 0)):
        if not any(start <= match.start() < end for start, end in skipped):
            return text[:match.start()] + glossed + text[match.end():]
    return text
