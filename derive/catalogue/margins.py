"""Margin losses: soft margin, multilabel soft margin, hinge embedding, margin ranking, cosine
embedding and the multiclass margin loss, with PyTorch's subgradient at every kink; the binary hinge
and squared hinge of optax and Keras."""

from sympy import Abs, Eq, KroneckerDelta, Ne, Piecewise, Sum, Symbol, log, sqrt

from ..engine.derivation import LossSpec, Named, Text
from ..engine.functions import Sigmoid, Softplus
from ..engine.symbols import eps, j, k, margin, n, power, t, u, v, w, x, x0, x1, x2, y, y0, y_pm

# cosine similarity with PyTorch's ε inside the norms (EPSILON = 1e-12 in Loss.cpp)
_A = Sum(u[k] ** 2, (k, 1, n)) + eps
_B = Sum(v[k] ** 2, (k, 1, n)) + eps
_cos = Named(Symbol("cos"), Sum(u[k] * v[k], (k, 1, n)) / sqrt(_A * _B))


def _hinge(e) -> Piecewise:
    """max(0, e), with the branch PyTorch differentiates at e = 0: ``e ≥ 0`` (clamp_min passes the
    gradient at the kink)."""
    return Piecewise((e, e >= 0), (0, True))


def _kink(where: str, zh: str) -> Text:
    return Text(f"At the kink ({where}) the loss has no derivative; the gradient shown is PyTorch's "
                "choice of subgradient there.",
                f"在折点处（{zh}）损失不可导；这里给出的是 PyTorch 在该处选用的次梯度。")


_ranking = _hinge(-y0 * (x1 - x2) + margin)
_ranking_description = Text(
    "PyTorch's MarginRankingLoss: x₁ should rank above x₂ by the margin Δ when y = 1 (below when "
    "y = −1); the loss max(0, −y(x₁ − x₂) + Δ) is zero once it does.",
    "PyTorch 的 MarginRankingLoss：y = 1 时 x₁ 应比 x₂ 高出间隔 Δ（y = −1 时反之）；损失 max(0, −y(x₁ − x₂) + Δ) "
    "在满足时为零。")
_cosine = Piecewise((1 - _cos, Eq(y_pm, 1)), (_hinge(_cos - margin), Eq(y_pm, -1)), (0, True))
_cosine_description = Text(
    "PyTorch's CosineEmbeddingLoss: pull u and v together (1 − cos) when y = 1, push their cosine "
    "below the margin Δ when y = −1; ε = 1e-12 inside the norms keeps zero vectors finite.",
    "PyTorch 的 CosineEmbeddingLoss：y = 1 时把 u 和 v 拉近（1 − cos），y = −1 时把余弦推到间隔 Δ 以下；"
    "范数里的 ε = 1e-12 使零向量也有有限值。")


_u_k = margin - x[t] + x[k]


def _distance(a, b):
    """PyTorch's pairwise_distance: ‖a − b + ε‖_p, the ε added to the difference."""
    return Sum(Abs(a[k] - b[k] + eps) ** power, (k, 1, n)) ** (1 / power)


def _multilabel_term(c):
    """max(0, 1 − x_t + x_c) for a class c that is not a target (y_c = 0), PyTorch's test z > 0."""
    e = 1 - x[t] + x[c]
    return Piecewise((Piecewise((e, e > 0), (0, True)), Eq(y[c], 0)), (0, True))


_triplet = _hinge(_distance(u, v) - _distance(u, w) + margin)
_triplet_description = Text(
    "PyTorch's TripletMarginLoss on an anchor u, a positive v and a negative w: max(0, d(u, v) − d(u, w) "
    "+ Δ) with d(a, b) = ‖a − b + ε‖_p, which asks the anchor to be closer to the positive than to the "
    "negative by the margin Δ. (With swap=True PyTorch measures the negative's distance from whichever "
    "of u and v is closer to it.)",
    "PyTorch 的 TripletMarginLoss，输入是锚点 u、正样本 v 和负样本 w：max(0, d(u, v) − d(u, w) + Δ)，"
    "其中 d(a, b) = ‖a − b + ε‖_p；它要求锚点到正样本比到负样本近至少间隔 Δ。（swap=True 时 PyTorch 用 u、v "
    "中离负样本更近的那个来量负样本的距离。）")
_triplet_kink = _kink("d(u, v) − d(u, w) + Δ = 0", "d(u, v) − d(u, w) + Δ = 0")


SPECS = (
    LossSpec(
        name="soft_margin_loss",
        title=Text("Soft margin loss", "软间隔损失"),
        family="margins",
        description=Text(
            "PyTorch's SoftMarginLoss: the logistic loss log(1 + e^{−yx}) for a label y = ±1, a smooth "
            "version of the hinge max(0, 1 − yx).",
            "PyTorch 的 SoftMarginLoss：标签 y = ±1 的逻辑斯谛损失 log(1 + e^{−yx})，是合页损失 max(0, 1 − yx) "
            "的光滑版本。"),
        loss=Softplus(-y0 * x0),
        wrt=x0,
        aliases=("SoftMarginLoss",),
    ),
    LossSpec(
        name="multilabel_soft_margin_loss",
        title=Text("Multilabel soft margin loss", "多标签软间隔损失"),
        family="margins",
        description=Text(
            "PyTorch's MultiLabelSoftMarginLoss: an independent binary cross-entropy with logits per "
            "class, weighted by w_k and averaged over the n classes.",
            "PyTorch 的 MultiLabelSoftMarginLoss：每个类别一个独立的 logits 二元交叉熵，按 w_k 加权后对 n 个类别取平均。"),
        loss=-Sum(w[k] * (y[k] * log(Sigmoid(x[k])) + (1 - y[k]) * log(Sigmoid(-x[k]))), (k, 1, n)) / n,
        wrt=x[j],
        aliases=("MultiLabelSoftMarginLoss",),
    ),
    LossSpec(
        name="hinge_loss",
        title=Text("Hinge loss", "合页损失"),
        family="margins",
        description=Text(
            "The binary hinge loss of optax and Keras on a score x with a label y = ±1: max(0, 1 − y x), "
            "zero once the score is on the right side with a margin of 1. The linear SVM's loss.",
            "optax 与 Keras 的二分类合页损失，输入是分数 x，标签 y = ±1：max(0, 1 − y x)，分数在正确一侧且间隔"
            "至少为 1 时为零。线性 SVM 的损失。"),
        loss=_hinge(1 - y_pm * x0),
        wrt=x0,
        remarks=(Text("At the kink (y x = 1) the loss has no derivative; the gradient shown takes the "
                      "branch 1 − y x ≥ 0 there, as Keras does on TensorFlow (whose maximum passes the "
                      "gradient to its first argument on a tie); optax's jnp.maximum splits it and gives −y/2.",
                      "在折点处（y x = 1）损失不可导；这里给出的梯度在该处取 1 − y x ≥ 0 的分支，与 Keras 一致"
                      "（在 TensorFlow 上；其 maximum 在相等时把梯度给第一个参数）；optax 的 jnp.maximum 把它平分，得到 −y/2。"),),
        aliases=("Hinge",),
    ),
    LossSpec(
        name="squared_hinge",
        title=Text("Squared hinge loss", "平方合页损失"),
        family="margins",
        description=Text(
            "Keras' SquaredHinge on a score x with a label y = ±1: max(0, 1 − y x)². Unlike the hinge it "
            "is differentiable everywhere, and its gradient −2y·max(0, 1 − y x) shrinks as the margin is "
            "approached. (Keras turns labels that are all 0 or 1 into ±1 first.)",
            "Keras 的 SquaredHinge，输入是分数 x，标签 y = ±1：max(0, 1 − y x)²。与合页损失不同，它处处可导，"
            "梯度 −2y·max(0, 1 − y x) 在接近间隔时逐渐变小。（若标签全是 0 或 1，Keras 先把它们换成 ±1。）"),
        loss=_hinge(1 - y_pm * x0) ** 2,
        wrt=x0,
        aliases=("SquaredHinge",),
    ),
    LossSpec(
        name="hinge_embedding_loss",
        title=Text("Hinge embedding loss", "合页嵌入损失"),
        family="margins",
        description=Text(
            "PyTorch's HingeEmbeddingLoss on a distance x: the loss is x when y = 1 and max(0, Δ − x) "
            "when y = −1. PyTorch adds both terms for any other label value, and so does this form.",
            "PyTorch 的 HingeEmbeddingLoss，输入 x 是距离：y = 1 时损失为 x，y = −1 时为 max(0, Δ − x)。"
            "标签取其他值时 PyTorch 两项都加，这里的式子也一样。"),
        loss=Piecewise((_hinge(margin - x0), Ne(y_pm, 1)), (0, True)) + Piecewise((x0, Ne(y_pm, -1)), (0, True)),
        wrt=x0,
        remarks=(_kink("x = Δ", "x = Δ"),),
        aliases=("HingeEmbeddingLoss",),
    ),
    LossSpec(
        name="margin_ranking_loss",
        title=Text("Margin ranking loss (first input)", "间隔排序损失（第一个输入）"),
        family="margins",
        description=_ranking_description,
        loss=_ranking,
        wrt=x1,
        remarks=(_kink("−y(x₁ − x₂) + Δ = 0", "−y(x₁ − x₂) + Δ = 0"),),
        aliases=("MarginRankingLoss",),
    ),
    LossSpec(
        name="margin_ranking_loss_input2",
        title=Text("Margin ranking loss (second input)", "间隔排序损失（第二个输入）"),
        family="margins",
        description=_ranking_description,
        loss=_ranking,
        wrt=x2,
        remarks=(_kink("−y(x₁ − x₂) + Δ = 0", "−y(x₁ − x₂) + Δ = 0"),),
    ),
    LossSpec(
        name="cosine_embedding_loss",
        title=Text("Cosine embedding loss (first input)", "余弦嵌入损失（第一个输入）"),
        family="margins",
        description=_cosine_description,
        loss=_cosine,
        wrt=u[j],
        parameters=(eps,),
        remarks=(_kink("cos = Δ with y = −1", "y = −1 且 cos = Δ"),),
        aliases=("CosineEmbeddingLoss",),
    ),
    LossSpec(
        name="cosine_embedding_loss_input2",
        title=Text("Cosine embedding loss (second input)", "余弦嵌入损失（第二个输入）"),
        family="margins",
        description=_cosine_description,
        loss=_cosine,
        wrt=v[j],
        parameters=(eps,),
        remarks=(_kink("cos = Δ with y = −1", "y = −1 且 cos = Δ"),),
    ),
    LossSpec(
        name="multi_margin_loss",
        title=Text("Multiclass margin loss", "多类间隔损失"),
        family="margins",
        description=Text(
            "PyTorch's MultiMarginLoss: every wrong class k whose score comes within the margin Δ of the "
            "target's pays max(0, Δ − x_t + x_k)^p, weighted by w_t and divided by the n classes.",
            "PyTorch 的 MultiMarginLoss：每个错误类别 k 的得分若进入目标类别得分的间隔 Δ 之内，就付出 "
            "max(0, Δ − x_t + x_k)^p，乘以 w_t 再除以类别数 n。"),
        loss=w[t] * Sum((1 - KroneckerDelta(k, t)) * Piecewise((_u_k ** power, _u_k > 0), (0, True)),
                        (k, 1, n)) / n,
        wrt=x[j],
        parameters=(margin, power),
        remarks=(_kink("Δ − x_t + x_k = 0", "Δ − x_t + x_k = 0"),),
        aliases=("MultiMarginLoss",),
    ),
    LossSpec(
        name="triplet_margin_loss",
        title=Text("Triplet margin loss (anchor)", "三元组间隔损失（锚点）"),
        family="margins",
        description=_triplet_description,
        loss=_triplet,
        wrt=u[j],
        parameters=(eps, margin, power),
        remarks=(_triplet_kink,),
        aliases=("TripletMarginLoss",),
    ),
    LossSpec(
        name="triplet_margin_loss_positive",
        title=Text("Triplet margin loss (positive)", "三元组间隔损失（正样本）"),
        family="margins",
        description=_triplet_description,
        loss=_triplet,
        wrt=v[j],
        parameters=(eps, margin, power),
        remarks=(_triplet_kink,),
    ),
    LossSpec(
        name="triplet_margin_loss_negative",
        title=Text("Triplet margin loss (negative)", "三元组间隔损失（负样本）"),
        family="margins",
        description=_triplet_description,
        loss=_triplet,
        wrt=w[j],
        parameters=(eps, margin, power),
        remarks=(_triplet_kink,),
    ),
    LossSpec(
        name="multilabel_margin_loss",
        title=Text("Multilabel margin loss (one target class)", "多标签间隔损失（一个目标类别）"),
        family="margins",
        description=Text(
            "PyTorch's MultiLabelMarginLoss, for one of the listed target classes t: every class k that is "
            "not a target (y_k = 0) and scores within 1 of x_t pays max(0, 1 − x_t + x_k), divided by the n "
            "classes. PyTorch's loss of a sample is the sum of this over its target list (read up to the "
            "first −1), so its gradient is the sum of these gradients.",
            "PyTorch 的 MultiLabelMarginLoss，针对列出的一个目标类别 t：每个不是目标（y_k = 0）且得分进入 x_t 的 "
            "1 以内的类别 k 付出 max(0, 1 − x_t + x_k)，再除以类别数 n。PyTorch 中一个样本的损失是它对目标列表"
            "（读到第一个 −1 为止）的求和，所以梯度也是这些梯度之和。"),
        loss=Sum(_multilabel_term(k), (k, 1, n)) / n,
        wrt=x[j],
        remarks=(_kink("1 − x_t + x_k = 0", "1 − x_t + x_k = 0"),),
        aliases=("MultiLabelMarginLoss",),
    ),
)
