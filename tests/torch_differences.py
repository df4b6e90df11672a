"""The generated module's deliberate differences from PyTorch, in one place, each with its reason.

``tests/test_codegen_opinfo.py`` applies them (a case a difference covers is checked against the
difference's own expectation, not skipped), and the README's "Documented differences" section is
generated from this list: ``python tests/torch_differences.py`` rewrites it, and a test checks that
it is current.  This module imports neither torch nor the generated module.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- differences:start -->", "<!-- differences:end -->"


@dataclass(frozen=True)
class Difference:
    """``names`` give ``ours`` where PyTorch gives ``torch``, for ``reason``."""

    names: tuple[str, ...]
    when: str
    ours: str
    torch: str
    reason: str


DIFFERENCES: tuple[Difference, ...] = ()


def markdown() -> str:
    """The README section's body: one row per difference."""
    lines = ["Generated from `tests/torch_differences.py` (`python tests/torch_differences.py` rewrites it);",
             "`tests/test_codegen_opinfo.py` checks each of them against PyTorch's own test inputs.", ""]
    if not DIFFERENCES:
        none = "None: the generated module gives PyTorch's values and gradients everywhere."
        return "\n".join([*lines, none, ""])
    lines += ["| function | when | generated module | PyTorch | why |", "|---|---|---|---|---|"]
    for d in DIFFERENCES:
        names = ", ".join(f"`{n}`" for n in d.names)
        lines.append(f"| {names} | {d.when} | {d.ours} | {d.torch} | {d.reason} |")
    return "\n".join([*lines, ""])


def section(text: str) -> str | None:
    """The current body of the README's section, None when it is missing."""
    found = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, flags=re.S)
    return found.group(1) if found else None


def rewrite(readme: Path = README) -> None:
    """Put :func:`markdown` between the README's markers (appending the section when missing)."""
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{markdown()}{END}"
    if section(text) is None:
        text = text.rstrip("\n") + f"\n\n## Documented differences from PyTorch\n\n{block}\n"
    else:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]) if len(sys.argv) > 1 else README)
