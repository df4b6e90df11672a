"""The computation-graph picture of a document, printed lazily per format like :class:`~.views.Math`:
Mermaid for Markdown (GitHub renders it), inline SVG for HTML, TikZ for LaTeX."""

from __future__ import annotations

from functools import cache, cached_property

from markupsafe import Markup

from ..engine.derivation import Derivation
from ..printing.computation import Graph, graph
from ..printing.graph import mermaid, svg, tikz

__all__ = ["GraphPicture", "graph_picture"]


class GraphPicture:
    """One graph, as each document format draws it."""

    def __init__(self, g: Graph, name: str):
        self.graph, self.name = g, name

    @cached_property
    def mermaid(self) -> str:
        return mermaid(self.graph)

    @cached_property
    def svg(self) -> Markup:
        return Markup(svg(self.graph, self.name).replace("<svg ", '<svg class="graph" ', 1))

    @cached_property
    def tikz(self) -> str:
        return tikz(self.graph)


@cache
def graph_picture(d: Derivation) -> GraphPicture | None:
    """The picture of ``d``'s computation graph (:func:`derive.printing.computation.graph`), or None.
    Cached: the six documents of a derivation (three formats, two languages) share one graph."""
    g = graph(d)
    return None if g is None else GraphPicture(g, d.name)
