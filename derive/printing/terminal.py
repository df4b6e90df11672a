"""The steps of a derivation, laid out for a terminal (``derive show``)."""

from __future__ import annotations

from collections.abc import Iterator

import click

from ..engine.derivation import Derivation, Step
from ..engine.verify import Check
from .text import text

__all__ = ["check_table", "show_lines"]


def _step_lines(number: str, step: Step, width: int, indent: str = "") -> Iterator[str]:
    label = f"{number:>3} "
    rule = click.style(f"{indent}{label}{step.rule:<{width}}", bold=True)
    case = f"    ({text(step.case)})" if step.case is not None else ""
    yield f"{rule}  {text(step.lhs)} = {text(step.rhs)}{case}"
    yield f"{indent}{'':<{len(label) + width}}  {click.style(step.note.en, dim=True)}"


def _lemma_lines(number: str, step: Step, width: int, lemmas: dict[str, Derivation] | None,
                 shown: set[str], indent: str) -> Iterator[str]:
    """Under a step that applies lemmas: each lemma's steps at its first use (``lemmas`` given), or
    where to read it."""
    for name in step.lemmas:
        if lemmas is None or name in shown:
            where = "shown above" if name in shown else f"derive show {name}"
            yield f"{indent}    {'':<{width}}  {click.style(f'lemma {name}: {where}', dim=True)}"
            continue
        shown.add(name)
        lemma = lemmas[name]
        yield f"{indent}      {click.style(f'lemma {name} — {lemma.title.en}', underline=True)}"
        inner = max(len(s.rule) for s in lemma.steps)
        for sub, lemma_step in enumerate(lemma.steps, 1):
            label = f"{number}{sub}."
            yield from _step_lines(label, lemma_step, inner, indent + "      ")
            yield from _lemma_lines(label, lemma_step, inner, lemmas, shown, indent + "      ")


def show_lines(d: Derivation, checks: tuple[Check, ...],
               lemmas: dict[str, Derivation] | None = None) -> Iterator[str]:
    """The lines ``derive show NAME`` prints; with ``lemmas`` (the derivations of the rules the steps
    cite) each lemma's steps are printed under the step that first uses it."""
    yield click.style(f"{d.name} — {d.title.en}", bold=True)
    if d.aliases:
        yield f"aliases: {', '.join(d.aliases)}"
    yield d.description.en
    yield ""
    definition = f"{text(d.definition.lhs)} = {text(d.definition.rhs)}"
    yield f"{definition}    (differentiated with respect to {text(d.wrt)})"
    if d.assumptions:
        yield "assuming " + "; ".join(text(c.equation.lhs) + " = " + text(c.equation.rhs)
                                      for c in d.assumptions)
    yield ""
    width = max(len(s.rule) for s in d.steps)
    shown: set[str] = set()
    for number, step in enumerate(d.steps, 1):
        yield from _step_lines(f"{number}.", step, width)
        yield from _lemma_lines(f"{number}.", step, width, lemmas, shown, "")
    yield ""
    lhs = text(d.steps[-1].lhs)
    yield click.style(f"closed form:  {lhs} = {text(d.gradient)}", bold=True, fg="green")
    if d.gradient_general is not None:
        yield f"general form (no assumption):  {lhs} = {text(d.gradient_general)}"
    for identity in d.identities:
        yield f"identity:  {text(identity.lhs)} = {text(identity.rhs)}  ({identity.note.en})"
    if d.hessian is not None:
        h = d.hessian
        matrix = f",  i.e. H = {h.matrix.text}" if h.matrix else ""
        yield f"Hessian:  {text(h.steps[0].lhs)} = {text(h.expr)}{matrix}"
        if h.remark:
            yield f"  {h.remark.en}"
    if d.batch is not None:
        yield ""
        yield click.style("for a batch of N examples:", bold=True)
        for form, note in d.batch.lines:
            yield f"  {form.text}"
            yield f"    {click.style(note.en, dim=True)}"
    for remark in d.remarks:
        yield f"note: {remark.en}"
    numeric = max((c.error for c in checks if c.kind == "numeric"), default=float("nan"))
    yield click.style(f"verified: {len(checks)} checks passed "
                      f"(symbolic at n = 2..6, numeric error {numeric:.1e})", fg="green")


def check_table(results: dict[str, list[Check]]) -> Iterator[str]:
    """One row per check: loss, kind, detail, size, error, verdict."""
    yield f"{'loss':<44} {'check':<13} {'n':>2} {'error':>9}  result  detail"
    for name, checks in results.items():
        for c in checks:
            verdict = click.style("ok", fg="green") if c.passed else click.style("FAIL", fg="red")
            size = "" if c.size is None else str(c.size)
            yield f"{name:<44} {c.kind:<13} {size:>2} {c.error:>9.1e}  {verdict:<6}  {c.detail}"
