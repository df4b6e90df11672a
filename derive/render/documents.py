"""Render one derivation document: ``derive doc NAME --format md|tex|html --lang en|zh``.

Documents are laid out as ``derive all`` writes them: ``<lang>/<name>.<format>``
beside ``plots/`` and ``losses.py``, so links are relative (``../plots/``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from functools import cache

from markupsafe import Markup

from ..catalogue import resolve, spec, verified
from ..engine.derivation import Derivation
from ..engine.verify import Check
from . import plots
from .environment import template
from .gloss import gloss_once
from .pages import index_context, page_context
from .phrases import LANGUAGES, Phrases, phrases
from .route import other_route
from .topics import mentions
from .views import document_view
from .worked import example_view

__all__ = [
    "FORMATS", "CodeView", "PlotView", "check_format", "code_view", "plot_view", "render_derivation",
    "render_document", "render_index", "render_page",
]

FORMATS = ("md", "tex", "html")
MODULE = "losses.py"


@dataclass(frozen=True)
class PlotView:
    """Where a document finds its plot: a file beside it (Markdown, LaTeX) or inline SVG (HTML)."""

    available: bool
    svg_href: str
    pdf_href: str
    svg: Markup | None


@dataclass(frozen=True)
class CodeView:
    """The generated functions of one derivation, as ``def`` lines."""

    signatures: tuple[str, ...]
    module: str = MODULE
    href: str = f"../{MODULE}"


def check_format(fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def inline_svg(svg: str) -> Markup:
    """The ``<svg>`` element of an SVG file, to embed in HTML (no XML prolog, scales with the page)."""
    start = svg.index("<svg")
    element = svg[start:].rstrip()
    element = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="plot"', element, count=1)
    return Markup(element)


def plot_view(name: str, fmt: str, plot: plots.Plot | None = None) -> PlotView:
    """The plot section of ``name`` (``plot`` defaults to :func:`plots.loss_plot`)."""
    if not plots.available():
        return PlotView(False, "", "", None)
    plot = plot or plots.loss_plot(name)
    svg = inline_svg(plot.svg) if fmt == "html" else None
    return PlotView(True, f"../plots/{plot.name}.svg", f"../plots/{plot.name}.pdf", svg)


def has_plot(name: str) -> bool:
    """Whether the document of ``name`` has a plot section (decided from the catalogue entry alone)."""
    return plots.is_scalar(spec(name))


@cache
def _signatures(functions: tuple[str, ...]) -> dict[str, str] | None:
    """``def`` line(s) of the generated ``functions`` and their ``_grad`` and ``_value_and_grad``, by
    name, from a module rendered with just these (so that one document verifies only its own
    kernels); None without a code generator."""
    try:
        from ..codegen import render_module
    except ImportError:
        return None
    source = render_module(list(functions))
    lines = source.splitlines()
    signatures = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            head = lines[node.lineno - 1:node.body[0].lineno - 1]
            signatures[node.name] = "\n".join(head).rstrip().removesuffix(":")
    return signatures


def code_view(name: str) -> CodeView | None:
    """The generated functions whose kernels come from ``name``; None while there is no code generator."""
    try:
        from ..codegen import CODE_SPECS
    except ImportError:
        return None
    functions = tuple(spec.name for spec in CODE_SPECS if name == spec.name or name in spec.derivations)
    signatures = _signatures(functions) if functions else {}
    if signatures is None:
        return None
    return CodeView(tuple(signatures[f"{function}{suffix}"] for function in functions
                          for suffix in ("", "_grad", "_value_and_grad")))


def links(name: str, fmt: str, lang: str) -> dict[str, str]:
    other = phrases(lang).meta["other"]
    return {"index": f"index.{'html' if fmt == 'tex' else fmt}", "translation": f"../{other}/{name}.{fmt}"}


def _other(lang: str) -> Phrases:
    return phrases(phrases(lang).meta["other"])


def render_page(page: str, fmt: str = "md", lang: str = "en") -> str:
    """A special page (:data:`~derive.render.pages.PAGES`) in format ``fmt`` and language ``lang``."""
    check_format(fmt, lang)
    t = phrases(lang)
    context = page_context(page, t)
    for key in ("plot", "training_plot"):
        if key in context:
            context[key] = plot_view(page, fmt, context[key])
    return gloss_once(template(f"{page}.{fmt}.j2").render(
        page=t.pages[page], t=t, other=_other(lang), fmt=fmt, links=links(page, fmt, lang), **context),
        fmt, lang)


def render_index(fmt: str = "md", lang: str = "en", code: bool = False) -> str:
    """The index of every document in format ``fmt`` (``md`` or ``html``); ``code`` links losses.py."""
    check_format(fmt, lang)
    t = phrases(lang)
    return template(f"index.{fmt}.j2").render(
        t=t, other=_other(lang), fmt=fmt, links=links("index", fmt, lang),
        code_name=MODULE, code_href=f"../{MODULE}" if code else None, **index_context(t))


def render_document(name: str, fmt: str = "md", lang: str = "en") -> str:
    """The document of catalogue loss ``name`` (aliases work) in format ``fmt`` and language ``lang``."""
    check_format(fmt, lang)
    name = resolve(name)
    d, checks = verified(name)
    return render_derivation(d, checks, fmt, lang, links=links(name, fmt, lang),
                             plot=plot_view(name, fmt) if has_plot(name) else None, code=code_view(name))


def render_standalone(name: str, fmt: str, lang: str, stem: str) -> tuple[str, dict[str, bytes]]:
    """The document of ``name`` to stand alone as ``stem.fmt`` (``derive doc NAME -o FILE`` outside a
    tree of ``derive all``): no link to an index, a translation or losses.py, none of which is beside
    it; its plot embedded (html) or returned to be written beside it, ``{stem}.svg`` (md) or
    ``{stem}.pdf`` (tex), as the second item ``{file name: bytes}``."""
    check_format(fmt, lang)
    name = resolve(name)
    d, checks = verified(name)
    beside: dict[str, bytes] = {}
    plot = None
    if has_plot(name):
        plot = plot_view(name, fmt)
        if plot.available:
            drawn = plots.loss_plot(name)
            plot = replace(plot, svg_href=f"{stem}.svg", pdf_href=f"{stem}.pdf")
            files = {"md": {f"{stem}.svg": drawn.svg.encode("utf-8")}, "tex": {f"{stem}.pdf": drawn.pdf}}
            beside = files.get(fmt, {})
    code = code_view(name)
    if code is not None:
        code = replace(code, module=f"derive code {name}", href="")  # no module beside it to link
    origin = f"Generated by `derive doc {name}`; regenerate it rather than edit this file."
    return render_derivation(d, checks, fmt, lang, plot=plot, code=code, origin=origin), beside


def render_derivation(d: Derivation, checks: tuple[Check, ...], fmt: str = "md", lang: str = "en", *,
                      links: dict[str, str] | None = None, plot: PlotView | None = None,
                      code: CodeView | None = None, origin: str | None = None) -> str:
    """The document of any verified derivation, a catalogue entry or a user's own loss
    (:mod:`derive.language.custom`); without ``links`` it stands alone (no index or translation links),
    ``origin`` replaces the "generated by" comment at its top."""
    check_format(fmt, lang)
    t = phrases(lang)
    extra = {} if origin is None else {"origin": origin}
    example, runnable = example_view(d, t)
    see_also = [(page, t.pages[page]["title"]) for page in mentions(d.name)] if links else []
    return gloss_once(template(f"derivation.{fmt}.j2").render(
        doc=document_view(d, checks, t), t=t, other=_other(lang), fmt=fmt, links=links, plot=plot,
        code=code, example=example, runnable=runnable, see_also=see_also, route=other_route(d, t.words),
        **extra), fmt, lang)
