"""Derivations as data: :class:`Step` and :class:`Derivation`.

A derivation is the single source of truth from which documents and code are
rendered.  Every :class:`Step` is an equation ``lhs = rhs`` together with the
rule that justifies it and one sentence (English and Chinese); the verifier
checks each step at concrete sizes, so a wrong line cannot reach a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sympy import Expr, Function, S, Symbol, preorder_traversal

from .constraints import Constraint

LOSS = Symbol("L")


class Named(Function):
    """An expression shown under a name (``L``) but verified as what it stands for."""

    nargs = 2

    @property
    def label(self) -> Symbol:
        return self.args[0]

    @property
    def expr(self) -> Expr:
        return self.args[1]

    def fdiff(self, argindex: int = 2) -> Expr:
        """The name changes nothing: ``∂ Named(c, e) / ∂x = ∂e/∂x`` (the label is not a variable)."""
        return S.One if argindex == 2 else S.Zero


def named_parts(expr: Expr, *written: Expr) -> list[Named]:
    """The named sub-expressions (``p_t``, ``CE``) of ``expr`` in the order they appear, each once;
    each as first ``written`` in ``written`` (the definition), where a rewrite may have reshaped it."""
    found: dict[Expr, Named] = {}
    for source in (*written, expr):
        for node in preorder_traversal(source):
            if isinstance(node, Named):
                found.setdefault(node.label, node)
    labels = {node.label for node in preorder_traversal(expr) if isinstance(node, Named)}
    return [part for part in found.values() if part.label in labels]


def unwrap(expr: Expr) -> Expr:
    """``expr`` with every :class:`Named` replaced by what it stands for."""
    return expr.replace(lambda e: isinstance(e, Named), lambda e: e.expr)


class Text(NamedTuple):
    """A sentence in the two languages the documents are written in."""

    en: str
    zh: str


class MatrixForm(NamedTuple):
    """A matrix written the way people write it, as Unicode text and as LaTeX."""

    text: str
    latex: str


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = rhs`` by ``rule``.

    ``assumes`` lists the constraints the equality relies on (for example
    ``Σ_i y_i = 1``); the verifier imposes exactly those when it checks the step.
    ``lemmas`` names the derivations whose results the step applies (the softmax Jacobian is the
    derivation ``softmax``): a step cites them, it does not restate them.  ``case`` restricts the
    step to the index values that satisfy it (``Ne(i, j)`` for the case ``i ≠ j``).
    """

    lhs: Expr
    rhs: Expr
    rule: str
    note: Text
    assumes: tuple[Constraint, ...] = ()
    lemmas: tuple[str, ...] = ()
    case: Expr | None = None


@dataclass(frozen=True)
class SecondOrder:
    """The Hessian: the derivative of the closed-form gradient w.r.t. ``wrt``."""

    wrt: Expr
    steps: tuple[Step, ...]
    expr: Expr
    matrix: MatrixForm | None = None  # e.g. diag(s) − s sᵀ
    remark: Text | None = None      # convexity, conditioning, ...


@dataclass(frozen=True)
class BatchForm:
    r"""The gradient of the mean loss over a batch of ``N`` examples, in matrix form.

    ``lines`` lead from the per-example gradient to the matrix form (each an equation with its
    note); ``weight`` and ``bias`` are the results (e.g. :math:`(S - Y)^\top X / N`).  The rows of
    the residual (``S - Y``) are the per-example gradient at the logits, ``logit_gradient``; the
    verifier checks the matrix form against the batch loss numerically and at small sizes.
    """

    lines: tuple[tuple[MatrixForm, Text], ...]
    weight: MatrixForm
    bias: MatrixForm
    logit_gradient: Expr


@dataclass(frozen=True)
class Derivation:
    r"""The derivative of ``loss`` w.r.t. ``wrt``, step by step.

    ``gradient`` is the closed form under ``assumptions``; ``gradient_general``
    is the form before any assumption was used (``None`` when none was needed),
    e.g. :math:`s_j \sum_i y_i - y_j` against :math:`s_j - y_j`.
    """

    name: str
    title: Text
    family: str
    description: Text
    symbol: Expr                      # what is differentiated, e.g. L or s_i
    loss: Expr                        # its definition
    wrt: Expr
    assumptions: tuple[Constraint, ...]
    steps: tuple[Step, ...]
    gradient: Expr
    gradient_general: Expr | None
    hessian: SecondOrder | None = None
    aliases: tuple[str, ...] = ()
    parameters: tuple[Symbol, ...] = ()
    remarks: tuple[Text, ...] = field(default=())
    identities: tuple[Step, ...] = ()
    batch: BatchForm | None = None    # through a layer: the gradient for a batch in matrix form

    @property
    def definition(self) -> Step:
        """The first step, ``symbol = its definition``: for a lemma the explicit form
        (``s_i = e^{z_i}/Σ_k e^{z_k}``), where ``loss`` is the named function itself."""
        return self.steps[0]

    @property
    def named_loss(self) -> Expr:
        """The loss in named terms: the definition after the steps that recognise softmax, log-sum-exp,
        σ, ... however it was typed (``loss`` is the definition as typed)."""
        return [step.rhs for step in self.steps if step.lhs == self.symbol][-1]

    def where(self, expr: Expr) -> list[Named]:
        """The named sub-expressions of ``expr`` a reader needs defined (``p_t = …``, ``D = …``): all but
        the loss's own name, each as the definition writes it."""
        return [part for part in named_parts(expr, self.definition.rhs) if part.label != self.symbol]

    @property
    def lemmas(self) -> tuple[str, ...]:
        """The lemmas its steps cite, in order of first use."""
        steps = (*self.steps, *(self.hessian.steps if self.hessian else ()), *self.identities)
        return tuple(dict.fromkeys(name for step in steps for name in step.lemmas))


@dataclass(frozen=True)
class HessianSpec:
    """Ask for the second derivative w.r.t. ``wrt``; ``matrix`` and ``remark`` are shown with it."""

    wrt: Expr
    matrix: MatrixForm | None = None
    remark: Text | None = None
    presented_as: Expr | None = None


@dataclass(frozen=True)
class LossSpec:
    """A catalogue entry: the short declarative definition a derivation is built from."""

    name: str
    title: Text
    family: str
    description: Text
    loss: Expr
    wrt: Expr
    symbol: Expr = LOSS
    assumptions: tuple[Constraint, ...] = ()
    hessian: HessianSpec | None = None
    aliases: tuple[str, ...] = ()
    parameters: tuple[Symbol, ...] = ()
    remarks: tuple[Text, ...] = ()
    presented_as: Expr | None = None   # the closed form as a person writes it (verified equal)
    identities: tuple[Step, ...] = ()  # related identities, verified like steps
