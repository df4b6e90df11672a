"""The symbols every derivation is written in.

Vectors are :class:`~sympy.IndexedBase` objects over the symbolic length ``n``
(components ``1..n``); indices are plain integer symbols.  Each symbol carries a
*role* (logits, probabilities, targets, weights, ...) that tells the verifier
where to draw random test points from, and the code generator what the
argument is.
"""

from __future__ import annotations

from enum import Enum

from sympy import IndexedBase, Symbol, symbols

__all__ = [
    "CLASS_INDICES",
    "INDICES",
    "Role",
    "W",
    "a0",
    "alpha",
    "b",
    "b0",
    "beta",
    "delta",
    "dim",
    "eps",
    "gamma",
    "i",
    "j",
    "k",
    "l",
    "margin",
    "n",
    "p",
    "p0",
    "power",
    "q",
    "q0",
    "rate",
    "register_role",
    "role_of",
    "s",
    "t",
    "u",
    "v",
    "var",
    "w",
    "x",
    "x0",
    "x1",
    "x2",
    "y",
    "y0",
    "y_pm",
    "z",
    "z0",
]


class Role(Enum):
    """Where a quantity lives; the verifier samples each role from its domain."""

    REAL = "real"            # logits, log-probabilities: any real number
    PROBABILITY = "prob"     # a number in (0, 1); a vector of them is sampled on the simplex
    TARGET = "target"        # a target in [0, 1]; a vector is a distribution when Σ y = 1 is assumed
    POSITIVE = "positive"    # weights, pos_weight
    SMOOTHING = "smoothing"  # label smoothing ε in [0, 1)
    FOCUS = "focus"          # focal γ ≥ 0
    SIGN = "sign"            # a label in {−1, 1}


n = Symbol("n", integer=True, positive=True)
i, j, k, l, t = symbols("i j k l t", integer=True)  # noqa: E741 (math names)
m = Symbol("m", integer=True)  # reserved for the sums inside named functions' definitions
# the classes of one-hot vectors: y_i = δ_it, and for further one-hot vectors δ_iu, δ_iv, δ_iw
CLASS_INDICES = (t, *symbols("u v w", integer=True))
INDICES = (i, j, k, l, *CLASS_INDICES)

# Vectors over 1..n.
z = IndexedBase("z", real=True)   # logits
y = IndexedBase("y", real=True)   # targets
s = IndexedBase("s", real=True)   # softmax outputs, as independent variables in ∂L/∂s_i
p = IndexedBase("p", real=True)   # a probability distribution
q = IndexedBase("q", real=True)   # a model distribution
x = IndexedBase("x", real=True)   # log-probabilities (input of nll_loss / kl_div); a layer's input
w = IndexedBase("w", real=True)   # class weights

# A linear layer z = W x + b: W is n × d (W_jk, class j, feature k) or a d-vector for one output.
dim = Symbol("d", integer=True, positive=True)  # the number of input features
W = IndexedBase("W", real=True)   # weights
b = IndexedBase("b", real=True)   # biases, one per output
b0 = Symbol("b", real=True)       # the bias of a single output

# Scalars (names end in 0 in Python only; they print as z, y, p, a).
z0 = Symbol("z", real=True)
y0 = Symbol("y", real=True)
p0 = Symbol("p", real=True)
a0 = Symbol("a", real=True)       # a sigmoid activation, as an independent variable in ∂L/∂a
q0 = Symbol("q", positive=True)   # pos_weight
eps = Symbol("varepsilon", real=True)
gamma = Symbol("gamma", nonnegative=True)
alpha = Symbol("alpha", positive=True)

# Element-wise, margin and probabilistic losses (torch.nn.functional's argument in the comment).
x0 = Symbol("x", real=True)                 # input: a prediction
x1 = Symbol("x_1", real=True)               # input1 of margin_ranking_loss
x2 = Symbol("x_2", real=True)               # input2 of margin_ranking_loss
u = IndexedBase("u", real=True)             # input1 of cosine_embedding_loss (a vector)
v = IndexedBase("v", real=True)             # input2 of cosine_embedding_loss
y_pm = Symbol("y", integer=True)            # a label −1 or 1 (hinge_embedding, cosine_embedding)
beta = Symbol("beta", positive=True)        # smooth_l1_loss β
delta = Symbol("delta", positive=True)      # huber_loss δ
margin = Symbol("Delta", real=True)         # margin
var = Symbol("v", positive=True)            # gaussian_nll_loss var
rate = Symbol("lambda", positive=True)      # poisson_nll_loss input with log_input=False
power = Symbol("p", positive=True)          # multi_margin_loss p

_ROLES = {
    x0: Role.REAL, x1: Role.REAL, x2: Role.REAL, u: Role.REAL, v: Role.REAL, y_pm: Role.SIGN,
    beta: Role.POSITIVE, delta: Role.POSITIVE, margin: Role.REAL, var: Role.POSITIVE,
    rate: Role.POSITIVE, power: Role.FOCUS,
    z: Role.REAL, x: Role.REAL, z0: Role.REAL,
    y: Role.TARGET, y0: Role.TARGET,
    s: Role.PROBABILITY, p: Role.PROBABILITY, q: Role.PROBABILITY,
    p0: Role.PROBABILITY, a0: Role.PROBABILITY,
    w: Role.POSITIVE, q0: Role.POSITIVE, alpha: Role.PROBABILITY,
    eps: Role.SMOOTHING, gamma: Role.FOCUS,
    W: Role.REAL, b: Role.REAL, b0: Role.REAL,
}


def role_of(symbol: Symbol | IndexedBase) -> Role:
    """The role of a vector or scalar symbol (``KeyError`` for an unknown one)."""
    return _ROLES[symbol]


_CORE_ROLES = frozenset(_ROLES)


def register_role(symbol: Symbol | IndexedBase, role: Role) -> None:
    """Declare the role of a user-defined vector or scalar (see :mod:`derive.language.custom`).

    The roles of the core symbols are fixed; declaring another one for them is a ``ValueError``."""
    if symbol in _CORE_ROLES and _ROLES[symbol] is not role:
        raise ValueError(f"symbol: {symbol} is a core symbol with the role {_ROLES[symbol].value}")
    _ROLES[symbol] = role
