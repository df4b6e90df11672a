"""A computation graph (:mod:`derive.printing.computation`) as Mermaid, SVG and TikZ.

One layered left-to-right layout serves the SVG and the TikZ picture: the column of
a node is its longest path from an input, rows are ordered by where their edges
go.  Arrows point forward; the label on an arrow is what flows back along it.
Everything is deterministic (no randomness, no dates), so the documents are stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from .computation import Graph, Node
from .latex import latex
from .text import text

__all__ = ["Layout", "layout", "mermaid", "svg", "tikz"]

FONT, LABEL_FONT = 14, 15            # px: an edge label's subscripts (80 %) are still 12 px
CHAR, LABEL_CHAR = 8.0, 8.6          # px per character, roughly, for the fonts above
BOX_HEIGHT, ROW, MARGIN = 26, 58, 12
BACKWARD = "#b3261e"                 # the colour of the backward quantities


def _label(edge_backward: object) -> str:
    return "" if edge_backward is None else text(edge_backward).replace("-", "−")


@dataclass(frozen=True)
class Layout:
    """Node centres and sizes in pixels, and the size of the picture."""

    centre: dict[str, tuple[float, float]]
    width: dict[str, float]
    gaps: list[float]                 # the space after each column
    size: tuple[float, float]
    bends: dict[tuple[str, str], tuple[float, float]]  # control points of the edges drawn as curves


def _columns(g: Graph) -> dict[str, int]:
    """Column = longest path from the start minus the longest path to the loss: every node sits just
    before the first node it feeds, so an edge skips no column where the graph allows it."""
    targets: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    for e in g.edges:
        targets[e.source].append(e.target)
    to_end: dict[str, int] = {}

    def distance(id_: str) -> int:
        if id_ not in to_end:
            to_end[id_] = 1 + max((distance(t) for t in targets[id_]), default=-1)
        return to_end[id_]

    last = max(distance(n.id) for n in g.nodes)
    return {id_: last - d for id_, d in to_end.items()}


def layout(g: Graph) -> Layout:
    """Columns from :func:`_columns`; within a column, nodes near the rows they feed."""
    column = _columns(g)
    last = max(column.values())
    width = {n.id: max(36.0, 14 + CHAR * len(n.label)) for n in g.nodes}
    targets: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    for e in g.edges:
        targets[e.source].append(e.target)
    order = {n.id: number for number, n in enumerate(g.nodes)}
    row: dict[str, float] = {}
    for c in range(last, -1, -1):
        members = [n.id for n in g.nodes if column[n.id] == c]
        members.sort(key=lambda id_: (sum(row[t] for t in targets[id_]) / len(targets[id_])
                                      if targets[id_] else 0.0, order[id_]))
        for position, id_ in enumerate(members):
            row[id_] = position - (len(members) - 1) / 2
    gaps = [40.0] * (last + 1)
    for e in g.edges:  # an edge's label sits in the gap just before its target (see _label_at)
        before = column[e.target] - 1
        gaps[before] = max(gaps[before], 16 + LABEL_CHAR * len(_label(e.backward)))
    widest = [max(width[n.id] for n in g.nodes if column[n.id] == c) for c in range(last + 1)]
    x, left = [], MARGIN
    for c in range(last + 1):
        x.append(left + widest[c] / 2)
        left += widest[c] + gaps[c]
    top = min(row.values())
    blocked = [e for e in g.edges if _crosses(e.source, e.target, column, row)]
    lift = ROW / 2 if blocked else 0.0  # room above for the curves
    height = (max(row.values()) - top) * ROW + BOX_HEIGHT + 2 * MARGIN + 1.5 * LABEL_FONT + lift
    first = lift + MARGIN + 1.5 * LABEL_FONT + BOX_HEIGHT / 2  # the top row's centre: room for labels
    centre = {id_: (x[column[id_]], first + (row[id_] - top) * ROW)
              for id_ in row}
    bends = {}
    for e in blocked:
        (x1, y1), (x2, y2) = centre[e.source], centre[e.target]
        bends[e.source, e.target] = ((x1 + x2) / 2, min(y1, y2) - 0.9 * ROW)
    return Layout(centre, width, gaps, (left - gaps[last] + MARGIN, height), bends)


def _crosses(source: str, target: str, column: dict[str, int], row: dict[str, float]) -> bool:
    """True when the straight edge would pass through a node of a column it skips."""
    c1, c2 = column[source], column[target]
    for id_, c in column.items():
        if c1 < c < c2:
            at = row[source] + (row[target] - row[source]) * (c - c1) / (c2 - c1)
            if abs(at - row[id_]) < 0.5:
                return True
    return False


def _ends(place: Layout, source: str, target: str) -> tuple[float, float, float, float]:
    (x1, y1), (x2, y2) = place.centre[source], place.centre[target]
    return x1 + place.width[source] / 2, y1, x2 - place.width[target] / 2, y2


def _label_at(place: Layout, column: dict[str, int], source: str, target: str) -> tuple[float, float]:
    """The middle of the gap before the target, on the edge: labels of a fan-out do not collide.
    On a curve, its apex."""
    x1, y1, x2, y2 = _ends(place, source, target)
    if (source, target) in place.bends:
        cx, cy = place.bends[source, target]
        return (x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4
    x = max(x1, x2 - place.gaps[column[target] - 1] / 2)
    return x, y1 + (y2 - y1) * ((x - x1) / (x2 - x1) if x2 > x1 else 0.5)


# --- Mermaid ----------------------------------------------------------------------------------------

_MERMAID_SHAPES = {"input": '(["{}"])', "data": '[/"{}"/]', "loss": '(("{}"))', "op": '["{}"]'}


def _mermaid_text(s: str) -> str:
    return s.replace('"', "#quot;")


def mermaid(g: Graph) -> str:
    """A Mermaid flowchart (GitHub renders it in Markdown)."""
    lines = ["flowchart LR"]
    for n in g.nodes:
        lines.append(f"  {n.id}{_MERMAID_SHAPES[n.kind].format(_mermaid_text(n.label))}")
    for e in g.edges:
        label = _label(e.backward)
        arrow = f' -->|"{_mermaid_text(label)}"| ' if label else " -.-> "
        lines.append(f"  {e.source}{arrow}{e.target}")
    return "\n".join(lines) + "\n"


# --- SVG --------------------------------------------------------------------------------------------


def _svg_text(s: str) -> str:
    """Escaped text with ``_jk`` subscripts lowered (``s_j`` → s with a small j below)."""
    parts = re.split(r"_([A-Za-z0-9]+)", s)
    out = escape(parts[0])
    for sub, rest in zip(parts[1::2], parts[2::2], strict=True):
        out += f'<tspan dy="3" font-size="80%">{escape(sub)}</tspan><tspan dy="-3">{escape(rest)}</tspan>'
    return out


def _svg_node(n: Node, place: Layout) -> str:
    (x, y), w = place.centre[n.id], place.width[n.id]
    radius = BOX_HEIGHT / 2 if n.kind in ("input", "loss", "data") else 4
    dash = ' stroke-dasharray="4 3"' if n.kind == "data" else ""
    fill = "#eef3fb" if n.kind == "input" else "#f6f6f6" if n.kind == "op" else "#ffffff"
    return (f'<rect x="{x - w / 2:.1f}" y="{y - BOX_HEIGHT / 2:.1f}" width="{w:.1f}" height="{BOX_HEIGHT}" '
            f'rx="{radius:.1f}" fill="{fill}" stroke="#444"{dash}/>'
            f'<text x="{x:.1f}" y="{y + FONT * 0.35:.1f}" text-anchor="middle" font-size="{FONT}">'
            f"{_svg_text(n.label)}</text>")


def svg(g: Graph, name: str = "graph") -> str:
    """An SVG picture (inline in HTML): no scripts, no external fonts, ids prefixed by ``name``."""
    place = layout(g)
    width, height = place.size
    marker = f"{name}-arrow"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" role="img" font-family="sans-serif">',
             f"<title>{escape(name)}: computation graph</title>",
             f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/>'
             "</marker></defs>"]
    column = _columns(g)
    for e in g.edges:
        x1, y1, x2, y2 = _ends(place, e.source, e.target)
        dash = ' stroke-dasharray="4 3"' if e.backward is None else ""
        bend = place.bends.get((e.source, e.target))
        route = f"Q {bend[0]:.1f} {bend[1]:.1f} " if bend else "L "
        parts.append(f'<path d="M {x1:.1f} {y1:.1f} {route}{x2:.1f} {y2:.1f}" fill="none" '
                     f'stroke="#444"{dash} marker-end="url(#{marker})"/>')
        if e.backward is not None:
            x, y = _label_at(place, column, e.source, e.target)
            # above the arrow, on a white halo, so the line never runs through the label
            parts.append(f'<text x="{x:.1f}" y="{y - LABEL_FONT * 0.55:.1f}" text-anchor="middle" '
                         f'font-size="{LABEL_FONT}" fill="{BACKWARD}" stroke="#fff" stroke-width="4" '
                         f'paint-order="stroke">{_svg_text(_label(e.backward))}</text>')
    parts += [_svg_node(n, place) for n in g.nodes]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- TikZ -------------------------------------------------------------------------------------------

_TIKZ_STYLES = {"input": "rounded corners=6pt, fill=blue!5", "data": "rounded corners=6pt, dashed",
                "loss": "rounded corners=6pt", "op": "rounded corners=2pt, fill=black!4"}


def tikz(g: Graph) -> str:
    """A TikZ picture (needs ``\\usepackage{tikz}`` and ``graphicx``); shrinks to the line width."""
    place = layout(g)
    scale = 0.75  # px → pt
    lines = [r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
             r"\begin{tikzpicture}[x=1pt, y=-1pt, >=stealth]"]
    for n in g.nodes:
        x, y = place.centre[n.id]
        lines.append(rf"\node[draw, {_TIKZ_STYLES[n.kind]}, inner sep=3pt, minimum height=14pt] ({n.id}) "
                     rf"at ({x * scale:.1f}, {y * scale:.1f}) {{${n.latex}$}};")
    column = _columns(g)
    for e in g.edges:
        if e.backward is None:
            lines.append(rf"\draw[->, dashed] ({e.source}) -- ({e.target});")
            continue
        x1, _, x2, _ = _ends(place, e.source, e.target)
        bend = place.bends.get((e.source, e.target))
        pos = (_label_at(place, column, e.source, e.target)[0] - x1) / (x2 - x1) if x2 > x1 else 0.5
        route = f".. controls ({bend[0] * scale:.1f}, {bend[1] * scale:.1f}) .." if bend else "--"
        lines.append(rf"\draw[->] ({e.source}) {route} node[pos={0.5 if bend else pos:.2f}, above, "
                     rf"font=\scriptsize, text=red!60!black] {{${latex(e.backward)}$}} ({e.target});")
    lines += [r"\end{tikzpicture}}"]
    return "\n".join(lines) + "\n"
