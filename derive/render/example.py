r"""A worked numeric example, computed from a derivation when the document is built.

Small fixed inputs (logits :math:`z = (2, 1, 0.1)`, a one-hot target, a class
index :math:`t = 1`, ...) are put into the derivation's own expressions at
:math:`n = 3`: the intermediate quantities (:math:`s`, :math:`\sigma(z)`, the
named sub-expressions), the loss, the closed-form gradient, and beside it the
central difference :math:`(L(x + h) - L(x - h)) / 2h` of the loss itself.  For
a loss, a batch of :math:`N = 2` examples shows the :math:`1/N` of
``reduction='mean'``: :math:`\partial \bar L / \partial z^{(r)} = \frac1N
\partial L^{(r)} / \partial z^{(r)}`, or the average of the per-example
gradients for a layer's shared weights.  Nothing here is typed in: when the
engine changes, the numbers follow.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sympy import (
    Derivative,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    KroneckerDelta,
    Symbol,
    lambdify,
    preorder_traversal,
)

from ..engine.constraints import Constraint, Linear, OneHot
from ..engine.derivation import LOSS, Derivation, Named
from ..engine.functions import LogSoftmax, Sigmoid, Softmax
from ..engine.instances import component, instantiate
from ..engine.symbols import (
    INDICES,
    W,
    a0,
    alpha,
    b,
    b0,
    beta,
    delta,
    eps,
    gamma,
    margin,
    p,
    p0,
    power,
    q,
    q0,
    rate,
    t,
    u,
    v,
    var,
    w,
    x,
    x0,
    x1,
    x2,
    y,
    y0,
    y_pm,
    z,
    z0,
)

__all__ = ["SIZE", "BatchExample", "Quantity", "Row", "WorkedExample", "example_values", "free_indices",
           "layer_of", "worked_example"]

SIZE = 3          # the length of every vector in the example
CLASS = 1         # the true class t (1-based, as in the documents)
STEP = 1e-6       # the central difference's h
BATCH = 2         # examples in the batch that shows reduction='mean'
MEAN = Symbol("L")    # the mean loss over the batch: L = (1/N) Σ_r L^(r)

# The inputs, one value per symbol; a vector has SIZE components, W is SIZE × SIZE (or a vector for
# a single output).  Chosen away from every kink of the piecewise losses.
VALUES: dict[Expr, object] = {
    z: (2.0, 1.0, 0.1), y: (1.0, 0.0, 0.0), p: (0.7, 0.2, 0.1), q: (0.5, 0.3, 0.2),
    x: (-0.5, -1.2, -2.3), w: (2.0, 1.0, 0.5), u: (1.0, 2.0, 0.5), v: (0.5, 1.0, -1.0),
    W: ((0.2, -0.5, 0.1), (0.4, 0.3, -0.2), (-0.1, 0.2, 0.5)), b: (0.1, -0.1, 0.0), b0: 0.1,
    z0: 0.5, y0: 1.0, p0: 0.8, a0: 0.7, q0: 3.0, eps: 0.1, gamma: 2.0, alpha: 0.25, x0: 0.4, x1: 0.3,
    x2: 0.5, y_pm: 1, beta: 1.0, delta: 1.0, margin: 1.0, var: 0.5, rate: 2.0, power: 1.0,
}
# Where a loss gives a symbol another meaning (a log-probability, a stabilising ε).
OVERRIDES: dict[str, dict[Expr, object]] = {
    "self_information": {p0: 0.25},
    "kl_div": {x0: -1.2, y0: 0.3},
    "kl_div_log_target": {x0: -1.2, y0: -1.0},
    "poisson_nll_loss_rate": {eps: 1e-8},
    "cosine_embedding_loss": {eps: 1e-12},
    "cosine_embedding_loss_input2": {eps: 1e-12},
}
# The second example of the batch: another value of the differentiated input (or of a layer's input).
SECOND: dict[Expr, object] = {z: (0.5, 1.5, -1.0), x: (-1.5, -0.4, -1.9), p: (0.3, 0.4, 0.3),
                              q: (0.2, 0.2, 0.6), u: (-1.0, 0.5, 1.5), v: (2.0, -0.5, 0.5), z0: -1.0,
                              x0: -0.7, p0: 0.3, a0: 0.2, x1: -0.4, x2: 0.9, var: 2.0, rate: 0.5}


@dataclass(frozen=True)
class Quantity:
    """``label = values``: an input, an intermediate quantity or the loss (a number, a vector or a
    matrix)."""

    label: Expr
    values: np.ndarray


@dataclass(frozen=True)
class Row:
    """One component of the gradient: its label (``∂L/∂z_1``), the closed form's value and the
    central difference of the loss."""

    label: Expr
    closed: float
    numeric: float


@dataclass(frozen=True)
class BatchExample:
    r"""``reduction='mean'`` over a batch of :data:`BATCH` examples: each example's loss, the mean, and
    the gradient of the mean w.r.t. the first example's input (``shared`` False: the per-example
    gradient divided by N) or the layer's weights (``shared`` True: the mean of the per-example
    gradients), beside the central difference of the mean itself."""

    inputs: tuple[Quantity, ...]      # the second example's differing input
    losses: tuple[float, ...]
    mean: float
    shared: bool
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class WorkedExample:
    inputs: tuple[Quantity, ...]
    intermediates: tuple[Quantity, ...]
    value: Quantity
    rows: tuple[Row, ...]
    one_hot: bool                     # the gradient is s_j − δ_jt: s_t − 1 for the true class, s_j else
    batch: BatchExample | None

    @property
    def error(self) -> float:
        """The largest |closed form − central difference| over the rows (and the batch's)."""
        rows = self.rows + (self.batch.rows if self.batch else ())
        return max(abs(r.closed - r.numeric) for r in rows)


def example_values(name: str) -> dict[Expr, object]:
    """The inputs of the example of ``name``: the shared values with the entry's overrides."""
    return {**VALUES, **OVERRIDES.get(name, {})}


def _constraints(d: Derivation) -> tuple[Constraint, ...]:
    """The constraints imposed on the example: one-hot targets and linear layers (the example's
    target already sums to one)."""
    return tuple(c for c in d.steps[-1].assumes + d.assumptions if isinstance(c, OneHot | Linear))


def layer_of(d: Derivation) -> Linear | None:
    """The linear layer the logits come from, if any."""
    return next((c for c in d.assumptions if isinstance(c, Linear)), None)


def _array(symbol: Expr, value: object, d: Derivation) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    layer = layer_of(d)
    if symbol is W and layer is not None and layer.scalar:
        return array[0]  # one output: a weight vector
    return array


def _point(values: dict[Expr, object], d: Derivation) -> dict[Symbol, float]:
    """Every explicit component symbol (``z_1``, ``W_1_2``) and scalar of ``d`` with its value."""
    point: dict[Symbol, float] = {}
    for symbol in _used(d):
        array = _array(symbol, values[symbol], d)
        if isinstance(symbol, IndexedBase):
            for index in np.ndindex(array.shape):
                point[component(symbol, *(m + 1 for m in index))] = float(array[index])
        else:
            point[symbol] = float(array)
    return point


def free_indices(expr: Expr) -> list[Symbol]:
    """The free indices of ``expr`` other than the class index ``t``, in the order of INDICES."""
    found = expr.free_symbols
    return [ix for ix in INDICES if ix in found and ix != t]


class _Numbers:
    """The derivation at n = SIZE, evaluated at a point (the example's values)."""

    def __init__(self, d: Derivation, values: dict[Expr, object]):
        self.d, self.constraints = d, _constraints(d)
        self.point = _point(values, d)
        self.fixed = {t: CLASS}

    def value(self, expr: Expr, indices: dict[Symbol, int] | None = None, point: dict | None = None) -> float:
        concrete = instantiate(expr, SIZE, {**self.fixed, **(indices or {})}, self.constraints)
        missing = concrete.free_symbols - set(self.point)
        if missing:
            raise ValueError(f"the example has no value for {', '.join(sorted(map(str, missing)))}")
        return float(concrete.xreplace(point or self.point).evalf(30))

    def function(self, expr: Expr, indices: dict[Symbol, int]) -> Callable[[dict[Symbol, float]], float]:
        concrete = instantiate(expr, SIZE, {**self.fixed, **indices}, self.constraints)
        variables = sorted(concrete.free_symbols, key=str)
        compiled = lambdify(variables, concrete, modules="numpy")
        return lambda point: float(compiled(*[point[s] for s in variables]))

    def values(self, expr: Expr) -> np.ndarray:
        """``expr`` at every value of its free indices (a number when it has none)."""
        indices = free_indices(expr)
        return self.array(expr, indices) if indices else np.asarray(self.value(expr))

    def array(self, expr: Expr, indices: list[Symbol]) -> np.ndarray:
        shape = (SIZE,) * len(indices)
        out = np.empty(shape)
        for combo in np.ndindex(shape):
            out[combo] = self.value(expr, {ix: m + 1 for ix, m in zip(indices, combo, strict=True)})
        return out


def _wrt_components(d: Derivation) -> list[tuple[dict[Symbol, int], Expr]]:
    """Each component of the differentiated input with the index values that select it."""
    if not isinstance(d.wrt, Indexed):
        return [({}, d.wrt)]
    indices = list(d.wrt.indices)
    combos = itertools.product(range(1, SIZE + 1), repeat=len(indices))
    return [(dict(zip(indices, combo, strict=True)), d.wrt.base[combo]) for combo in combos]


def _rows(numbers: _Numbers, loss: Callable[[dict[Symbol, float]], float] | None = None) -> tuple[Row, ...]:
    """The closed form beside the central difference of ``loss`` (default: the entry's loss), for
    every component of the output (softmax's s_i) and of the input."""
    d = numbers.d
    outputs = free_indices(d.loss)
    rows = []
    for out in itertools.product(range(1, SIZE + 1), repeat=len(outputs)):
        chosen = dict(zip(outputs, out, strict=True))
        f = loss or numbers.function(d.loss, chosen)
        for indices, target in _wrt_components(d):
            variable = instantiate(target, SIZE, indices)
            closed = numbers.value(d.gradient, {**chosen, **indices})
            up, down = dict(numbers.point), dict(numbers.point)
            up[variable] += STEP
            down[variable] -= STEP
            symbol = d.symbol.xreplace(chosen) if chosen else d.symbol
            label = Derivative(symbol, target, evaluate=False)
            rows.append(Row(label, closed, (f(up) - f(down)) / (2 * STEP)))
    return tuple(rows)


def _used(d: Derivation) -> list[Expr]:
    """The vectors and scalars the loss and its gradient are written in, the differentiated input
    first (a layer's weights, inputs and bias in that order)."""
    exprs = (d.wrt, d.loss, d.gradient)
    layer = layer_of(d)
    used: list[Expr] = []
    for expr in exprs:
        vectors = [node for node in preorder_traversal(expr) if isinstance(node, IndexedBase)]
        labels = {base.label for base in vectors}
        scalars = sorted((s for s in expr.free_symbols if s not in labels and isinstance(s, Symbol)), key=str)
        for symbol in [*vectors, *scalars]:
            if symbol not in used and symbol not in INDICES and symbol in VALUES:
                used.append(symbol)
    if layer is not None:
        used = [layer.weight, layer.inputs, layer.bias] + [
            s for s in used if s not in (layer.vector, layer.weight, layer.inputs, layer.bias)]
    return used


def _inputs(d: Derivation, values: dict[Expr, object]) -> tuple[Quantity, ...]:
    """The example's values of the symbols the loss is written in (a one-hot target is given by
    its class t)."""
    one_hot = {c.vector for c in _constraints(d) if isinstance(c, OneHot)}
    quantities = [Quantity(s, _array(s, values[s], d)) for s in _used(d) if s not in one_hot]
    if d.loss.has(t) or one_hot:
        quantities.append(Quantity(t, np.asarray(float(CLASS))))
    return tuple(quantities)


def _intermediates(numbers: _Numbers) -> tuple[Quantity, ...]:
    """The quantities the loss and the gradient are written in: the softmax, σ(z), a layer's
    logits, the named sub-expressions (p_t, CE)."""
    d = numbers.d
    found: list[Quantity] = []
    seen: set[Expr] = set()
    layer = layer_of(d)
    if layer is not None:
        label = layer.vector
        found.append(Quantity(label, numbers.array(layer.output(INDICES[0]), [INDICES[0]])
                              if not layer.scalar else np.asarray(numbers.value(layer.vector))))
        seen.add(label)
    for node in preorder_traversal(d.loss + d.gradient if d.symbol == LOSS else d.gradient):
        vector = isinstance(node, Softmax | LogSoftmax)
        if vector and node.vector not in seen and d.symbol != Softmax(z, node.index):  # not softmax's own
            seen.add(node.vector)
            index = INDICES[0]
            found.append(Quantity(IndexedBase("s"), numbers.array(Softmax(node.vector, index), [index])))
        elif isinstance(node, Sigmoid) and node != d.symbol:
            label = node.xreplace({ix: INDICES[0] for ix in free_indices(node)})  # σ(x_k), σ(x_j): σ(x_i)
            if label not in seen:
                seen.add(label)
                found.append(Quantity(label, numbers.values(node)))
        elif isinstance(node, Named) and node.label not in seen and node.label != d.symbol:
            seen.add(node.label)
            found.append(Quantity(node.label, numbers.values(node.expr)))
    return tuple(found)


def _is_one_hot(numbers: _Numbers, rows: tuple[Row, ...]) -> bool:
    """True when the gradient is the softmax minus the one-hot target: s_t − 1 for the true class."""
    d = numbers.d
    if not (isinstance(d.wrt, Indexed) and d.wrt.base == z and d.symbol == LOSS and d.loss.has(Softmax)):
        return False
    index = d.wrt.indices[0]
    wanted = [numbers.value(Softmax(z, index) - KroneckerDelta(index, t), {index: m})
              for m in range(1, SIZE + 1)]
    return all(abs(r.closed - target) < 1e-12 for r, target in zip(rows, wanted, strict=True))


def _batch(d: Derivation, values: dict[Expr, object], first: _Numbers) -> BatchExample | None:
    """The mean over two examples that differ in the differentiated input (or a layer's input)."""
    if d.symbol != LOSS:
        return None
    layer = layer_of(d)
    base = d.wrt.base if isinstance(d.wrt, Indexed) else d.wrt
    shared = layer is not None and base in (layer.weight, layer.bias)
    varied = layer.inputs if shared else base
    if varied not in SECOND:
        return None
    second = _Numbers(d, {**values, varied: SECOND[varied]})
    f1, f2 = first.function(d.loss, {}), second.function(d.loss, {})
    if shared:  # the second example has its own input x and the same weights
        own = {component(varied, m): second.point[component(varied, m)] for m in range(1, SIZE + 1)}

        def mean(point: dict[Symbol, float]) -> float:
            return (f1(point) + f2({**point, **own})) / BATCH
    else:
        fixed = f2(second.point)

        def mean(point: dict[Symbol, float]) -> float:
            return (f1(point) + fixed) / BATCH
    rows = []
    per_first, per_second = _rows(first, mean), (_rows(second) if shared else ())
    for number, row in enumerate(per_first):
        closed = (row.closed + per_second[number].closed) / BATCH if shared else row.closed / BATCH
        variable = row.label.variables[0]
        if not shared:  # the input of the first example: z_1^(1)
            variable = Symbol(f"{_name(variable)}^(1)")
        rows.append(Row(Derivative(MEAN, variable, evaluate=False), closed, row.numeric))
    label = Symbol(f"{_name(varied.label if isinstance(varied, IndexedBase) else varied)}^(2)")
    losses = (f1(first.point), f2(second.point))
    return BatchExample((Quantity(label, _array(varied, SECOND[varied], d)),), losses, sum(losses) / BATCH,
                        shared, tuple(rows))


def _name(variable: Expr) -> str:
    """``z_1`` for the component z[1], the symbol's own name otherwise."""
    if isinstance(variable, Indexed):
        return f"{variable.base.label}_{''.join(map(str, variable.indices))}"
    return variable.name


def worked_example(d: Derivation) -> WorkedExample | None:
    """The worked example of ``d``; None when the example has no value for one of its symbols (a
    user's own loss with symbols of its own)."""
    values = example_values(d.name)
    try:
        numbers = _Numbers(d, values)
        outputs = free_indices(d.loss)
        if outputs:
            value = Quantity(d.symbol.func(*d.symbol.args[:-1], INDICES[0]) if isinstance(d.symbol, Function)
                             else d.symbol, numbers.array(d.loss, outputs))
        else:
            value = Quantity(d.symbol, np.asarray(numbers.value(d.loss)))
        rows = _rows(numbers)
    except ValueError:
        return None
    return WorkedExample(_inputs(d, values), _intermediates(numbers), value, rows,
                         _is_one_hot(numbers, rows), _batch(d, values, numbers))
