r"""The computation graph of a loss, with the backward quantities on its edges.

Built from a :class:`~derive.engine.derivation.Derivation`, not drawn per loss: the
forward graph is the expression tree of the loss, one node per operation on
something that depends on the differentiated variable (``z → softmax → log →
× y_k → Σ_k → − → L``); factors that do not depend on it (targets, weights,
parameters) are folded into the operation they enter (``× y_k``).  On each edge
``u → v`` sits what flows back along it in reverse mode, :math:`\partial L/\partial v
\cdot \partial v/\partial u` simplified by the rewrite rules and the
derivation's assumptions; on the edge out of the input this is the derivation's
closed form (``s_j − y_j``), which the tests check.  A derivation through a
linear layer gets the layer in front (``W, x, b → W x + b → …``) with the
verified gradients of the weights and the bias on its edges.

Renderers (Mermaid, SVG, TikZ) are in :mod:`derive.printing.graph`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import (
    Abs,
    Add,
    Derivative,
    Dummy,
    Expr,
    Indexed,
    IndexedBase,
    Integer,
    Mul,
    Pow,
    S,
    Sum,
    Symbol,
    exp,
    log,
)

from ..engine.constraints import Linear
from ..engine.derivation import Derivation, unwrap
from ..engine.functions import LogSoftmax, LogSumExp, Sigmoid, Softmax, Softplus
from ..engine.rules import settle
from .latex import latex
from .text import text

__all__ = ["MAX_NODES", "Edge", "Graph", "Node", "graph"]

MAX_NODES = 14   # a bigger graph is not a picture that helps; no graph is drawn then
MAX_LABEL = 60   # nor when what flows back along an edge takes more characters than this

_FUNCTIONS = {
    Softmax: ("softmax", r"\operatorname{softmax}"),
    LogSoftmax: ("log_softmax", r"\operatorname{log\_softmax}"),
    LogSumExp: ("logsumexp", r"\operatorname{logsumexp}"), Sigmoid: ("σ", r"\sigma"),
    Softplus: ("softplus", r"\operatorname{softplus}"), log: ("log", r"\log"), exp: ("exp", r"\exp"),
    Abs: ("|·|", r"|\cdot|"),
}
_POWERS = {Integer(-1): ("1/·", r"1/\cdot"), Integer(2): ("(·)²", r"(\cdot)^{2}")}


@dataclass(frozen=True)
class Node:
    """An input (``kind`` "input": differentiated, "data": not), an operation, or the loss."""

    id: str
    label: str        # what the node shows: "softmax", "× y_k", "z", "L"
    latex: str        # the same in LaTeX: r"\operatorname{softmax}", r"\times y_{k}"
    kind: str         # "input", "data", "op", "loss"
    value: Expr       # the value it computes (for the layer: z)


@dataclass(frozen=True)
class Edge:
    """Forward ``source → target``; ``backward`` flows back along it (None for data)."""

    source: str
    target: str
    backward: Expr | None


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    gradient: Expr    # ∂L/∂(input), the sum of what flows back into the input

    def node(self, id_: str) -> Node:
        return next(n for n in self.nodes if n.id == id_)


class Unsupported(ValueError):
    """The loss uses an operation the graph does not draw (e.g. a piecewise definition)."""


class _Builder:
    def __init__(self, wrt: Expr, constraints: tuple):
        self.wrt = wrt
        self.leaf = wrt.base if isinstance(wrt, Indexed) else wrt
        self.constraints = constraints
        self.nodes: dict[Expr, Node] = {}
        self.children: dict[Expr, list[Expr]] = {}
        self.scope: dict[Expr, tuple[Symbol, ...]] = {}

    def depends(self, e: Expr) -> bool:
        return e.has(self.leaf)

    def is_leaf(self, e: Expr) -> bool:
        return e == self.leaf or (isinstance(e, Indexed) and e.base == self.leaf)

    def visit(self, e: Expr, scope: tuple[Symbol, ...] = ()) -> Expr:
        """Add the node computing ``e`` (and those below it); returns its key."""
        key = self.leaf if self.is_leaf(e) else e
        if key in self.nodes:
            return key
        if key == self.leaf:
            name = self.leaf.label if isinstance(self.leaf, IndexedBase) else self.leaf
            (label, tex), kind, children = (text(name), latex(name)), "input", []
        else:
            (label, tex), children, inner = self._decompose(e)
            kind, scope = "op", (*scope, *inner)
        self.nodes[key] = Node(f"n{len(self.nodes)}", label, tex, kind, e)
        self.scope[key] = scope
        if len(self.nodes) > MAX_NODES:
            raise Unsupported(f"more than {MAX_NODES} nodes")
        self.children[key] = [self.visit(c, scope) for c in children]
        return key

    def _decompose(self, e: Expr) -> tuple[tuple[str, str], list[Expr], tuple[Symbol, ...]]:
        """The operation at the top of ``e`` (text, LaTeX), its dependent arguments, new bound indices."""
        if isinstance(e, Sum) and len(e.limits) == 1:
            index = e.limits[0][0]
            return (f"Σ_{text(index)}", rf"\sum_{{{latex(index)}}}"), [e.function], (index,)
        if type(e) in _FUNCTIONS and (len(e.args) == 1 or isinstance(e, Softmax | LogSoftmax)):
            return _FUNCTIONS[type(e)], [e.args[0]], ()
        if isinstance(e, Pow) and not self.depends(e.exp):
            label = _POWERS.get(e.exp, (f"(·)^{text(e.exp)}", rf"(\cdot)^{{{latex(e.exp)}}}"))
            return label, [e.base], ()
        if e.is_Mul or e.is_Add:
            return self._arithmetic(e)
        raise Unsupported(f"no graph node for {type(e).__name__}")

    def _arithmetic(self, e: Expr) -> tuple[tuple[str, str], list[Expr], tuple[Symbol, ...]]:
        """A product or sum: the factors or terms that do not depend on the input go into the label."""
        args = Mul.make_args(e) if e.is_Mul else Add.make_args(e)
        dependent = [a for a in args if self.depends(a)]
        rest = (Mul if e.is_Mul else Add)(*[a for a in args if not self.depends(a)])
        if e.is_Mul:
            if rest == 1:
                return ("×", r"\times"), dependent, ()
            if rest == -1 and len(dependent) == 1:
                return ("−", "-"), dependent, ()
            return (f"× {_bracket(rest)}", rf"\times {_bracket_tex(rest)}"), dependent, ()
        if len(dependent) == 1 and dependent[0].could_extract_minus_sign():
            if rest == 0:
                return ("−", "-"), [-dependent[0]], ()
            return (f"{text(rest)} − ·", rf"{latex(rest)} - \cdot"), [-dependent[0]], ()
        if rest == 0:
            return ("+", "+"), dependent, ()
        if rest.could_extract_minus_sign():
            return (f"− {_bracket(-rest)}", rf"- {_bracket_tex(-rest)}"), dependent, ()
        return (f"+ {_bracket(rest)}", rf"+ {_bracket_tex(rest)}"), dependent, ()

    # --- backward -----------------------------------------------------------------------------

    def simplify(self, e: Expr, constrained: bool = False) -> Expr:
        """Rewrite rules to a fixed point; into the input, also the derivation's assumptions."""
        try:
            e = settle(e)
            for constraint in self.constraints if constrained else ():
                e = settle(constraint.rewrite(e))
        except RuntimeError:
            pass  # the rules did not settle: show the product as it is
        return e

    def local(self, parent: Expr, child: Expr) -> Expr:
        """∂parent/∂child with the parent's other arguments held fixed (1 into a sum's summand)."""
        if isinstance(parent, Sum):
            return S.One
        frozen = {c: Dummy("c", real=True) for c in self.children[parent] if c not in (child, self.leaf)}
        thawed = {v: k for k, v in frozen.items()}
        if child == self.leaf:
            return parent.xreplace(frozen).diff(self.wrt).xreplace(thawed)
        u = Dummy("u", real=True)
        return parent.xreplace(frozen).xreplace({child: u}).diff(u).xreplace({u: child, **thawed})

    def backward(self, root: Expr) -> dict[tuple[Expr, Expr], Expr]:
        adjoint: dict[Expr, Expr] = {root: S.One}
        flows: dict[tuple[Expr, Expr], Expr] = {}
        for parent in self._reverse_topological(root):
            for child in dict.fromkeys(self.children[parent]):
                flow = Mul(adjoint[parent], self.local(parent, child))
                if child == self.leaf:
                    for index in self.scope[parent]:
                        if index in flow.free_symbols:
                            flow = Sum(flow, (index, 1, self._upper(parent, index)))
                leaf = child == self.leaf
                flows[child, parent] = self.simplify(flow, leaf)
                adjoint[child] = self.simplify(adjoint.get(child, S.Zero) + flows[child, parent], leaf)
        return flows

    def _upper(self, parent: Expr, index: Symbol) -> Expr:
        sums = [k for k, s in self.nodes.items() if isinstance(k, Sum) and k.limits[0][0] == index]
        return sums[0].limits[0][2] if sums else Symbol("n")

    def _reverse_topological(self, root: Expr) -> list[Expr]:
        order: list[Expr] = []

        def walk(key: Expr) -> None:
            for child in self.children[key]:
                walk(child)
            if key not in order:
                order.append(key)

        walk(root)
        return [k for k in reversed(order) if self.children[k]]


def _bracket(e: Expr) -> str:
    shown = text(e).replace("-", "−")
    return f"({shown})" if e.is_Add or shown.startswith("−") else shown


def _bracket_tex(e: Expr) -> str:
    shown = latex(e)
    return rf"\left({shown}\right)" if e.is_Add or shown.startswith("-") else shown


def _symbol(e: Expr, kind: str, id_: str) -> Node:
    name = e.label if isinstance(e, IndexedBase) else e
    return Node(id_, text(name), latex(name), kind, e)


def graph(d: Derivation) -> Graph | None:
    """The computation graph of ``d``'s loss with its backward quantities; None when it is not drawn
    (an operation without a node, such as a piecewise definition, more than ``MAX_NODES`` nodes, or
    an edge whose backward quantity is longer than ``MAX_LABEL`` characters)."""
    layer = next((c for c in d.assumptions if isinstance(c, Linear)), None)
    wrt = d.wrt if layer is None else layer.output(None if layer.scalar else d.wrt.indices[0])
    builder = _Builder(wrt, tuple(c for c in d.steps[-1].assumes if not isinstance(c, Linear)))
    try:
        root = builder.visit(unwrap(d.loss))
        flows = builder.backward(root)
    except (Unsupported, ValueError, TypeError, NotImplementedError):
        return None  # SymPy cannot take a local derivative: no picture rather than a wrong one
    into_input = [key for key in flows if key[0] == builder.leaf]
    gradient = builder.simplify(Add(*[flows[key] for key in into_input]), True)
    if layer is None and len(into_input) == 1:
        flows[into_input[0]] = d.gradient  # the verified closed form, as the derivation writes it
    nodes = list(builder.nodes.values())
    edges = [Edge(builder.nodes[child].id, builder.nodes[parent].id, flow)
             for (child, parent), flow in flows.items()]
    loss = _symbol(d.symbol, "loss", f"n{len(nodes)}")
    edges.append(Edge(builder.nodes[root].id, loss.id, S.One))
    if layer is not None:
        nodes, edges = _with_layer(d, layer, builder.nodes[builder.leaf], nodes, edges)
    if any(e.backward is not None and len(text(e.backward)) > MAX_LABEL for e in edges):
        return None
    return Graph(tuple([*nodes, loss]), tuple(edges), gradient)


def _with_layer(d: Derivation, layer: Linear, z: Node, nodes: list[Node],
                edges: list[Edge]) -> tuple[list[Node], list[Edge]]:
    """The input z becomes the layer ``W x + b``, fed by W, x and b with their verified gradients."""
    bias = layer.bias if layer.scalar else layer.bias[d.wrt.indices[0]]
    bias_gradient = next(s.rhs for s in reversed(d.steps)
                         if isinstance(s.lhs, Derivative) and s.lhs.variables == (bias,))
    first = len(nodes) + 1
    roles = ((layer.weight, "input"), (layer.inputs, "data"), (layer.bias, "input"))
    weight, data, offset = (_symbol(e, kind, f"n{first + n}") for n, (e, kind) in enumerate(roles))
    dense = Node(z.id, "W x + b", "W x + b", "op", z.value)
    nodes = [dense if n.id == z.id else n for n in nodes] + [weight, data, offset]
    return nodes, [*edges, Edge(weight.id, z.id, d.gradient), Edge(data.id, z.id, None),
                   Edge(offset.id, z.id, bias_gradient)]
