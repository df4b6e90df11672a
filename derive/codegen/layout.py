"""Layout of generated lines: statements wrapped to the line length, comments moved above them.

The printed expressions can be long (a focal-loss gradient is a few hundred characters); a line is
broken inside parentheses at the space of lowest bracket depth that fits, so the result is valid
Python, stays under the length limit and is the same every time.
"""

from __future__ import annotations

import textwrap

from .kernel import Line

__all__ = ["WIDTH", "call", "statement"]

WIDTH = 110
"""The line length of the generated module (the project's ruff setting)."""


def _depths(code: str) -> list[int]:
    """The bracket depth at each character of ``code``."""
    depth, depths = 0, []
    for char in code:
        if char in ")]}":
            depth -= 1
        depths.append(depth)
        if char in "([{":
            depth += 1
    return depths


def _wrap(code: str, first: int, rest: int, width: int) -> list[str]:
    """Break ``code`` at spaces into lines of at most ``width`` (the first line has ``first``
    characters before it, the others ``rest``), preferring the shallowest bracket depth."""
    lines, depths, start = [], _depths(code), 0
    room = width - first
    while len(code) - start > room:
        spaces = [i for i in range(start + 1, min(len(code), start + room + 1)) if code[i] == " "]
        if not spaces:
            break  # a single word longer than the line: leave it long
        shallowest = min(depths[i] for i in spaces)
        cut = max(i for i in spaces if depths[i] == shallowest)
        lines.append(code[start:cut])
        start = cut + 1
        room = width - rest
    lines.append(code[start:])
    return lines


def statement(line: Line, indent: int, width: int = WIDTH) -> str:
    """``name = code  # comment`` at ``indent`` spaces, wrapped to ``width`` (no trailing newline)."""
    pad = " " * indent
    head = f"{line.name} = " if line.name else ""
    body = head + line.code
    comment = f"  # {line.comment}" if line.comment else ""
    if len(pad) + len(body) + len(comment) <= width:
        return pad + body + comment
    out = [pad + "# " + text for text in textwrap.wrap(line.comment, width - indent - 2)] if comment else []
    if len(pad) + len(body) <= width:
        return "\n".join([*out, pad + body])
    parts = _wrap(line.code, indent + 4, indent + 4, width)
    out.append(f"{pad}{head}(")
    out += [f"{pad}    {part}" for part in parts]
    out.append(f"{pad})")
    return "\n".join(out)


def call(head: str, arguments: list[str], tail: str = "", indent: int = 0, width: int = WIDTH) -> str:
    """``head(arg, arg, ...)tail`` at ``indent``, the arguments continued under the open parenthesis."""
    pad = " " * indent
    opening = f"{pad}{head}("
    lines, current = [], opening
    for number, argument in enumerate(arguments):
        piece = argument + (", " if number < len(arguments) - 1 else f"){tail}")
        if len(current) + len(piece.rstrip()) > width and current.strip() != opening.strip():
            lines.append(current.rstrip())
            current = " " * len(opening)
        current += piece
    if not arguments:
        current += f"){tail}"
    return "\n".join([*lines, current])
