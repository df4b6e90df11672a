"""Derivations as plain data (the fields of ``derive show --json``), math as LaTeX strings."""

from __future__ import annotations

from dataclasses import asdict

from sympy import Eq

from ..engine.derivation import Derivation, Step
from ..engine.verify import Check
from .latex import latex

__all__ = ["lemma_dict", "step_dict", "to_dict"]


def step_dict(step: Step) -> dict:
    """``rule``, ``latex`` (the whole equation), ``note`` (English) and ``note_zh``; ``lemma`` names the
    lemma the step applies (the first, when it applies several: ``lemmas`` lists them all), ``case``
    the index values it is restricted to."""
    return {
        "rule": step.rule,
        "latex": f"{latex(step.lhs)} = {latex(step.rhs)}",
        "note": step.note.en,
        "note_zh": step.note.zh,
        "assumes": [latex(c.equation) for c in step.assumes],
        "lemma": step.lemmas[0] if step.lemmas else None,
        "lemmas": list(step.lemmas),
        "case": latex(step.case) if step.case is not None else None,
    }


def lemma_dict(d: Derivation) -> dict:
    """A lemma as ``derive show --json`` lists it: name, title, steps and result."""
    return {
        "name": d.name,
        "title": d.title.en,
        "title_zh": d.title.zh,
        "steps": [step_dict(s) for s in d.steps],
        "result": f"{latex(d.steps[-1].lhs)} = {latex(d.gradient)}",
    }


def to_dict(d: Derivation, checks: tuple[Check, ...] = (), lemmas: tuple[Derivation, ...] = ()) -> dict:
    """Everything ``derive show --json`` prints; math fields are LaTeX.  ``lemmas`` are the derivations
    of the rules ``d``'s steps cite (and those they cite)."""
    hessian = None
    if d.hessian is not None:
        hessian = {
            "wrt": latex(d.hessian.wrt),
            "latex": latex(d.hessian.expr),
            "matrix": d.hessian.matrix.latex if d.hessian.matrix else None,
            "remark": d.hessian.remark.en if d.hessian.remark else None,
            "steps": [step_dict(s) for s in d.hessian.steps],
        }
    return {
        "name": d.name,
        "title": d.title.en,
        "title_zh": d.title.zh,
        "family": d.family,
        "aliases": list(d.aliases),
        "description": d.description.en,
        "loss": latex(Eq(d.definition.lhs, d.definition.rhs, evaluate=False)),
        "wrt": latex(d.wrt),
        "assumptions": [latex(c.equation) for c in d.assumptions],
        "parameters": [latex(p) for p in d.parameters],
        "steps": [step_dict(s) for s in d.steps],
        "gradient": latex(d.gradient),
        "where": {latex(part.label): latex(part.expr) for part in d.where(d.gradient)},
        "gradient_general": latex(d.gradient_general) if d.gradient_general is not None else None,
        "hessian": hessian,
        "identities": [step_dict(s) for s in d.identities],
        "remarks": [r.en for r in d.remarks],
        "batch": None if d.batch is None else {
            "weight": d.batch.weight.latex,
            "bias": d.batch.bias.latex,
            "lines": [{"latex": form.latex, "text": form.text, "note": note.en, "note_zh": note.zh}
                      for form, note in d.batch.lines],
        },
        "lemmas": [lemma_dict(lemma) for lemma in lemmas],
        "checks": [asdict(c) for c in checks],
    }
