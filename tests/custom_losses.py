"""Real losses beyond the catalogue, written in the custom-loss language; each built once per session."""

from functools import cache

from derive.language.custom import CustomLoss, build

LOSSES = {
    # Zhang & Sabuncu (2018): generalized cross-entropy (1 − s_t^q)/q
    "gce": ("sum(y * (1 - softmax(z)**q) / q)", {"onehot": "y", "scalars": {"q": 0.7}}),
    # Leng et al. (2022): Poly-1 = CE + ε (1 − p_t)
    "poly1": ("-sum(y * log_softmax(z)) + eps * (1 - dot(y, softmax(z)))",
              {"onehot": "y", "scalars": {"eps": 1.0}}),
    # soft Dice on sigmoid outputs, smoothed
    "dice": ("1 - (2 * dot(sigmoid(z), y) + 2) / (sum(sigmoid(z)) + sum(y) + 2)", {"vectors": "z,y"}),
    # Salehi et al. (2017): Tversky, 1 − TP/(TP + α FP + β FN) with FP = Σσ − TP, FN = Σy − TP
    "tversky": ("1 - dot(sigmoid(z), y) / ((1 - alpha - beta) * dot(sigmoid(z), y) + alpha * sum(sigmoid(z))"
                " + beta * sum(y))", {"vectors": "z,y", "scalars": {"alpha": 0.3, "beta": 0.7}}),
    # log-cosh regression loss, cosh written out
    "mean_log_cosh": ("mean(log((exp(x - y) + exp(y - x)) / 2))", {"wrt": "x", "vectors": "x,y"}),
    # an entropy regulariser: −H(softmax(z))
    "neg_entropy": ("sum(softmax(z) * log_softmax(z))", {}),
    # hinge with a kink (subgradient)
    "hinge": ("mean(max(0, 1 - y * z))", {"vectors": "z,y"}),
}


@cache
def build_loss(name: str) -> CustomLoss:
    expression, options = LOSSES[name]
    return build(expression, **{"wrt": "z", "name": name, **options})
