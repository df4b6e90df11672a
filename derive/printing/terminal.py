"""The steps of a derivation, laid out for a terminal (``derive show``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

import click
from sympy import Expr

from ..engine.derivation import Derivation, Step
from ..engine.verify import Check
from .text import text

__all__ = ["Vocabulary", "check_table", "show_lines"]


class Vocabulary(NamedTuple):
    """The language of ``derive show``: the code of the :class:`~derive.derivation.Text` field to
    print (``en``, ``zh``), the fixed words of the layout, and the name of a rule."""

    code: str
    words: Mapping[str, str]
    rule: Callable[[str], str]


def _display_width(text_: str) -> int:
    """Columns a string takes in a terminal: a CJK character takes two."""
    return sum(2 if "\u2e80" <= char <= "\uffef" else 1 for char in text_)


def _step_lines(number: str, step: Step, width: int, v: Vocabulary, indent: str = "") -> Iterator[str]:
    rule = v.rule(step.rule)
    label = f"{number:>3} "
    padded = rule + " " * (width - _display_width(rule))
    case = f"    ({text(step.case)})" if step.case is not None else ""
    yield f"{click.style(f'{indent}{label}{padded}', bold=True)}  {text(step.lhs)} = {text(step.rhs)}{case}"
    yield f"{indent}{'':<{len(label) + width}}  {click.style(getattr(step.note, v.code), dim=True)}"


def _lemma_lines(number: str, step: Step, width: int, v: Vocabulary,
                 lemmas: Mapping[str, Derivation] | None, shown: set[str], indent: str) -> Iterator[str]:
    """Under a step that applies lemmas: each lemma's steps at its first use (``lemmas`` given), or
    where to read it."""
    for name in step.lemmas:
        if lemmas is None or name in shown:
            where = v.words["lemma_above"] if name in shown else f"derive show {name}"
            line = f"{v.words['lemma']} {name}: {where}"
            yield f"{indent}{'':<{4 + width}}  {click.style(line, dim=True)}"
            continue
        shown.add(name)
        lemma = lemmas[name]
        heading = f"{v.words['lemma']} {name} — {getattr(lemma.title, v.code)}"
        yield f"{indent}      {click.style(heading, underline=True)}"
        inner = max(_display_width(v.rule(s.rule)) for s in lemma.steps)
        for sub, lemma_step in enumerate(lemma.steps, 1):
            label = f"{number}{sub}."
            yield from _step_lines(label, lemma_step, inner, v, indent + "      ")
            yield from _lemma_lines(label, lemma_step, inner, v, lemmas, shown, indent + "      ")


def _where(d: Derivation, expr: Expr, w: Mapping[str, str]) -> Iterator[str]:
    """``where p_t = …, CE = …``: what the named sub-expressions of ``expr`` stand for."""
    named = d.where(expr)
    if named:
        yield f"  {w['where']} " + ", ".join(f"{text(part.label)} = {text(part.expr)}" for part in named)


def show_lines(d: Derivation, checks: tuple[Check, ...], v: Vocabulary,
               lemmas: Mapping[str, Derivation] | None = None) -> Iterator[str]:
    """The lines ``derive show NAME`` prints, in the language of ``v``; with ``lemmas`` (the
    derivations of the rules the steps cite) each lemma's steps are printed under the step that first
    uses it."""
    w, say = v.words, (lambda t: getattr(t, v.code))
    yield click.style(f"{d.name} — {say(d.title)}", bold=True)
    if d.aliases:
        yield f"{w['aliases']}: {', '.join(d.aliases)}"
    yield say(d.description)
    yield ""
    yield f"{text(d.definition.lhs)} = {text(d.definition.rhs)}    ({w['wrt']} {text(d.wrt)})"
    yield from _where(d, d.definition.rhs, w)
    if d.assumptions:
        yield f"{w['assuming']} " + "; ".join(text(c.equation.lhs) + " = " + text(c.equation.rhs)
                                              for c in d.assumptions)
    yield ""
    width = max(_display_width(v.rule(s.rule)) for s in d.steps)
    shown: set[str] = set()
    for number, step in enumerate(d.steps, 1):
        yield from _step_lines(f"{number}.", step, width, v)
        yield from _lemma_lines(f"{number}.", step, width, v, lemmas, shown, "")
    yield ""
    lhs = text(d.steps[-1].lhs)
    yield click.style(f"{w['closed_form']}:  {lhs} = {text(d.gradient)}", bold=True, fg="green")
    yield from _where(d, d.gradient, w)
    if d.gradient_general is not None:
        yield f"{w['general_form']}:  {lhs} = {text(d.gradient_general)}"
    for identity in d.identities:
        yield f"{w['identity']}:  {text(identity.lhs)} = {text(identity.rhs)}  ({say(identity.note)})"
    if d.hessian is not None:
        h = d.hessian
        matrix = f",  {w['i_e']} H = {h.matrix.text}" if h.matrix else ""
        yield f"{w['hessian']}:  {text(h.steps[0].lhs)} = {text(h.expr)}{matrix}"
        if h.remark:
            yield f"  {say(h.remark)}"
    if d.batch is not None:
        yield ""
        yield click.style(f"{w['batch']}:", bold=True)
        for form, note in d.batch.lines:
            yield f"  {form.text}"
            yield f"    {click.style(say(note), dim=True)}"
    for remark in d.remarks:
        yield f"{w['note']}: {say(remark)}"
    numeric = max((c.error for c in checks if c.kind == "numeric"), default=float("nan"))
    yield click.style(w["verified"].format(count=len(checks), error=f"{numeric:.1e}"), fg="green")


def check_table(results: dict[str, list[Check]]) -> Iterator[str]:
    """One row per check: loss, kind, detail, size, error, verdict."""
    yield f"{'loss':<44} {'check':<13} {'n':>2} {'error':>9}  result  detail"
    for name, checks in results.items():
        for c in checks:
            verdict = click.style("ok", fg="green") if c.passed else click.style("FAIL", fg="red")
            size = "" if c.size is None else str(c.size)
            yield f"{name:<44} {c.kind:<13} {size:>2} {c.error:>9.1e}  {verdict:<6}  {c.detail}"
