"""The one Jinja environment the documents are rendered with.

``StrictUndefined`` (a missing phrase or field is an error, not an empty
string), ``trim_blocks``/``lstrip_blocks``, ``keep_trailing_newline``;
autoescaping for HTML templates.  LaTeX templates use an overlay of the same
environment (shared loader, filters and cache) with nbconvert's delimiters
``((* *))``, ``((( )))`` and ``((= =))``, so they do not fight LaTeX's braces.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from ..resources import templates_dir
from .prose import code_html, code_md, code_tex, prose_html, prose_md, prose_tex

__all__ = ["template"]

FILTERS = {
    "md": prose_md, "tex": prose_tex, "html": prose_html,
    "md_code": code_md, "tex_code": code_tex, "html_code": code_html,
}


@cache
def _environments() -> tuple[Environment, Environment]:
    env = Environment(
        loader=FileSystemLoader(templates_dir() / "doc"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    )
    env.filters.update(FILTERS)
    latex = env.overlay(
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
    )
    return env, latex


def template(name: str) -> Template:
    """The template ``name`` (``derivation.md.j2``); LaTeX templates get the LaTeX delimiters."""
    env, latex = _environments()
    return (latex if name.endswith(".tex.j2") else env).get_template(name)
