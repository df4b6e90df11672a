"""Finished objects for the templates: a :class:`~derive.engine.derivation.Derivation` in one language.

Everything a template shows is prepared here (translated phrases, equations
with their LaTeX and MathML, the framework table, the stable form, the
verification summary); the templates only lay it out.  Equations are the same
objects in every language, so English and Chinese show the same mathematics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sympy import Eq, Expr, Indexed, IndexedBase, Symbol

from ..catalogue import lemmas as lemma_derivations
from ..catalogue.frameworks import usages
from ..catalogue.stability import is_listed, stable_form
from ..engine.constraints import Linear
from ..engine.derivation import Derivation, MatrixForm, Step
from ..engine.functions import Softmax
from ..engine.symbols import INDICES, n, role_of, t
from ..engine.symbols import s as s_vector
from ..engine.verify import Check
from ..printing.latex_mathml import latex_to_mathml
from .graphs import GraphPicture, graph_picture
from .mathprint import ENGLISH, Words, document_latex, document_mathml
from .phrases import Phrases

__all__ = ["DocumentView", "Math", "document_view", "equation"]


class Math:
    """One formula, printed lazily as LaTeX (Markdown, LaTeX) and as MathML (HTML); ``words`` are the
    words of a piecewise function in the document's language."""

    def __init__(self, expr: Expr, words: Words = ENGLISH):
        self.expr, self.words = expr, words

    @cached_property
    def latex(self) -> str:
        return document_latex(self.expr, self.words)

    @cached_property
    def mathml(self) -> str:
        return document_mathml(self.expr, self.words)


class MatrixMath:
    """A matrix formula written by hand in the catalogue (``diag(s) − s sᵀ``): its LaTeX, and MathML
    read from that LaTeX."""

    def __init__(self, form: MatrixForm):
        self.latex = form.latex
        self.text = form.text
        self.mathml = latex_to_mathml(form.latex)


def equation(lhs: Expr, rhs: Expr, words: Words = ENGLISH) -> Math:
    return Math(Eq(lhs, rhs, evaluate=False), words)


@dataclass(frozen=True)
class StepView:
    number: int
    rule: str
    note: str
    equation: Math
    assumes: tuple[Math, ...]
    case: Math | None = None
    lemmas: tuple[LemmaView, ...] = ()   # the derivations of the rules this step applies


@dataclass(frozen=True)
class LemmaView:
    """A lemma where a step uses it: shown in full at its first use on the page (``first``), cited
    by ``number`` after that."""

    name: str
    title: str
    number: int
    first: bool
    steps: tuple[StepView, ...]
    result: Math


@dataclass(frozen=True)
class Entry:
    """A formula with a sentence: a symbol and what it is, a usage row, a where-definition."""

    math: Math
    text: str


@dataclass(frozen=True)
class UsageView:
    framework: str
    api: str
    note: str


@dataclass(frozen=True)
class StableView:
    naive: Math
    stable: Math | None
    where: tuple[Math, ...]
    why: str


@dataclass(frozen=True)
class HessianView:
    steps: tuple[StepView, ...]
    matrix: MatrixMath | None
    remark: str | None


@dataclass(frozen=True)
class BatchView:
    lines: tuple[tuple[MatrixMath, str], ...]  # ends with the weight and bias gradients


@dataclass(frozen=True)
class DocumentView:
    """One derivation in one language, ready for a template."""

    name: str
    lang: str
    title: str
    description: str
    family: str
    aliases: tuple[str, ...]
    usages: tuple[UsageView, ...] | None   # None: no entry; (): no framework has it
    definition: Math
    definition_where: tuple[Math, ...]     # the named sub-expressions the definition uses (cos)
    wrt: Math
    symbols: tuple[Entry, ...]
    has_indices: bool
    indices: str                           # what the indices run over
    assumptions: tuple[Math, ...]
    steps: tuple[StepView, ...]
    result: Math
    general: Math | None
    where: tuple[Math, ...]
    identities: tuple[StepView, ...]
    hessian: HessianView | None
    batch: BatchView | None
    graph: GraphPicture | None             # the computation graph, None when it is not drawn
    remarks: tuple[str, ...]
    stable_listed: bool                    # False: no stability section
    stable: StableView | None              # None: safe as written
    verification: tuple[str, ...]


_VECTOR_ORDER = ("W", "b", "x", "z", "s", "u", "v", "y", "p", "q", "w")  # inputs, then targets, weights


def _note(rule: str, note: str) -> str:
    """The note without a leading "Rule name:" that repeats the rule shown beside it."""
    for colon in (":", "："):
        head, found, rest = note.partition(colon)
        if found and head.strip().lower() == rule.lower():
            return rest.strip()
    return note


def step_views(steps: tuple[Step, ...], t_: Phrases,
               lemmas: dict[str, Derivation] | None = None, numbers: dict[str, int] | None = None,
               ) -> tuple[StepView, ...]:
    """The steps in the language of ``t_``; with ``lemmas`` (the derivations the steps cite) each
    citing step carries its lemmas, numbered in order of first use (``numbers``, shared by the page)."""
    numbers = {} if numbers is None else numbers
    views = []
    for number, step in enumerate(steps, 1):
        rule = t_.rule(step.rule)
        cited = tuple(_lemma_view(lemmas[name], t_, lemmas, numbers) for name in step.lemmas
                      if lemmas is not None and name in lemmas)
        views.append(StepView(number, rule, _note(rule, getattr(step.note, t_.code)),
                              equation(step.lhs, step.rhs, t_.words),
                              tuple(Math(c.equation, t_.words) for c in step.assumes),
                              Math(step.case, t_.words) if step.case is not None else None, cited))
    return tuple(views)


def _lemma_view(lemma: Derivation, t_: Phrases, lemmas: dict[str, Derivation],
                numbers: dict[str, int]) -> LemmaView:
    first = lemma.name not in numbers
    numbers.setdefault(lemma.name, len(numbers) + 1)
    steps = step_views(lemma.steps, t_, lemmas, numbers) if first else ()
    return LemmaView(lemma.name, getattr(lemma.title, t_.code), numbers[lemma.name], first, steps,
                     equation(lemma.steps[-1].lhs, lemma.gradient, t_.words))


def _vocabulary() -> dict[Expr, str]:
    """The shared symbols of :mod:`derive.engine.symbols`, each with its Python name (``z0``, ``y_pm``)."""
    from ..engine import symbols as module

    return {obj: name for name, obj in vars(module).items()
            if not name.startswith("_") and isinstance(obj, Symbol | IndexedBase)}


def _symbols(d: Derivation, t_: Phrases) -> tuple[tuple[Entry, ...], bool]:
    """The vectors and scalars the derivation is written in, each with what it stands for in this
    entry: ``[symbols.entries.<name>]`` of the language file first, then ``[symbols.<family>]``,
    then ``[symbols]``.  A user's own loss (family ``custom``) describes each symbol by the role
    it was declared with, never by what the letter means elsewhere in the catalogue."""
    exprs = [d.symbol, d.loss, *(e for s in d.steps for e in (s.lhs, s.rhs)), d.gradient]
    vocabulary = _vocabulary()
    found: set[Expr] = set()
    for expr in exprs:
        found |= {e.base for e in expr.atoms(Indexed)}
        found |= {s for s in expr.free_symbols if isinstance(s, Symbol)}
        if expr.atoms(Softmax):
            found.add(s_vector)
    vectors = [v for v in found if isinstance(v, IndexedBase)]
    single = any(isinstance(c, Linear) and c.scalar for c in d.assumptions)  # one output: no classes
    found |= {n} if vectors and not single else set()
    found -= {v.label for v in vectors}  # z of z_i is no scalar z
    found -= set(INDICES) - {t}
    if d.family == "custom":
        return _declared(d, found, t_), bool(vectors)
    tables = (t_.data["symbols"].get("entries", {}).get(d.name, {}), t_.data["symbols"].get(d.family, {}))
    entries = []
    for symbol in sorted((f for f in found if f in vocabulary), key=lambda f: _symbol_order(f, vocabulary)):
        key = vocabulary[symbol]
        text = next((table[key] for table in tables if key in table), None) or t_.lookup("symbols", key)
        entries.append(Entry(Math(symbol, t_.words), text))
    return tuple(entries), bool(vectors)


def _declared(d: Derivation, found: set[Expr], t_: Phrases) -> tuple[Entry, ...]:
    """A user's loss: each vector and scalar described by its declared role (``[symbols.roles]``)."""
    wrt = d.wrt.base if isinstance(d.wrt, Indexed) else d.wrt
    roles = t_.data["symbols"]["roles"]
    entries = []
    declared = sorted((f for f in found if f != n), key=lambda f: (not isinstance(f, IndexedBase), str(f)))
    for symbol in declared:
        kind = "vector" if isinstance(symbol, IndexedBase) else "scalar"
        if symbol == wrt:
            text = roles[f"wrt_{kind}"]
        else:
            try:
                role = role_of(symbol).value
            except KeyError:
                continue
            text = roles[f"{role}_{kind}"]
        entries.append(Entry(Math(symbol, t_.words), text))
    if any(isinstance(f, IndexedBase) for f in found):
        entries.append(Entry(Math(n, t_.words), roles["length"]))
    return tuple(entries)


def _symbol_order(symbol: Expr, vocabulary: dict[Expr, str]) -> tuple[int, int, str]:
    """Vectors first (inputs, then targets and weights), then scalars; t and n last."""
    name = vocabulary[symbol]
    if isinstance(symbol, IndexedBase):
        return (0, _VECTOR_ORDER.index(name) if name in _VECTOR_ORDER else len(_VECTOR_ORDER), name)
    return (2 if symbol in (t, n) else 1, 0, name)


def _verification(d: Derivation, checks: tuple[Check, ...], t_: Phrases) -> tuple[str, ...]:
    """One sentence per kind of check, in the order they ran."""
    sizes: dict[str, list[int]] = {}
    for check in checks:
        found = sizes.setdefault(check.kind, [])
        if check.size is not None and check.size not in found:
            found.append(check.size)
    table, scalar = t_.verification, not isinstance(d.wrt, Indexed)
    lines = [table["passed"].format(count=len(checks))]
    for kind, found in sizes.items():
        if kind != "numeric" and scalar and f"{kind}_scalar" in table:
            key = f"{kind}_scalar"
        else:
            key = kind if kind in table else "other"
        lines.append(table[key].format(sizes=", ".join(map(str, sorted(found))), kind=kind))
    return tuple(lines)


def _stable(name: str, t_: Phrases) -> StableView | None:
    form = stable_form(name)
    if form is None:
        return None
    words = t_.words
    return StableView(Math(form.naive, words), Math(form.stable, words) if form.stable is not None else None,
                      tuple(Math(e, words) for e in form.where), getattr(form.why, t_.code))


def _hessian(d: Derivation, t_: Phrases, lemmas: dict[str, Derivation],
             numbers: dict[str, int]) -> HessianView | None:
    h = d.hessian
    if h is None:
        return None
    return HessianView(step_views(h.steps, t_, lemmas, numbers),
                       MatrixMath(h.matrix) if h.matrix else None,
                       getattr(h.remark, t_.code) if h.remark else None)


def _batch(d: Derivation, t_: Phrases) -> BatchView | None:
    batch = getattr(d, "batch", None)
    if batch is None:
        return None
    return BatchView(tuple((MatrixMath(form), getattr(note, t_.code)) for form, note in batch.lines))


def document_view(d: Derivation, checks: tuple[Check, ...], t_: Phrases) -> DocumentView:
    """Everything one document shows, in the language of ``t_``; the lemmas its steps cite are shown
    where they are first used."""
    lang, words = t_.code, t_.words
    cited, numbers = lemma_derivations(d), {}
    found = usages(d.name)
    symbols, has_indices = _symbols(d, t_)
    lhs = d.steps[-1].lhs
    return DocumentView(
        name=d.name, lang=lang, title=getattr(d.title, lang), description=getattr(d.description, lang),
        family=t_.family(d.family), aliases=d.aliases,
        usages=None if found is None else tuple(
            UsageView(u.framework, u.api, getattr(u.note, lang)) for u in found),
        definition=equation(d.definition.lhs, d.definition.rhs, words),
        definition_where=tuple(equation(named.label, named.expr, words)
                               for named in d.where(d.definition.rhs)),
        wrt=Math(d.wrt, words),
        symbols=symbols,
        has_indices=has_indices, indices=t_.data.get("indices", {}).get(d.family, t_.labels["indices"]),
        assumptions=tuple(Math(c.equation, words) for c in d.assumptions),
        steps=step_views(d.steps, t_, cited, numbers),
        result=equation(lhs, d.gradient, words),
        general=equation(lhs, d.gradient_general, words) if d.gradient_general is not None else None,
        where=tuple(equation(named.label, named.expr, words) for named in d.where(d.gradient)),
        identities=step_views(d.identities, t_),
        hessian=_hessian(d, t_, cited, numbers), batch=_batch(d, t_), graph=graph_picture(d),
        remarks=tuple(getattr(r, lang) for r in d.remarks),
        stable_listed=is_listed(d.name), stable=_stable(d.name, t_),
        verification=_verification(d, checks, t_),
    )
