"""Binary classification: the sigmoid, binary cross-entropy, MSE through a sigmoid, focal loss."""

from sympy import Piecewise, Symbol, log

from ..engine.derivation import HessianSpec, LossSpec, Named, Text
from ..engine.functions import Sigmoid, Softplus
from ..engine.symbols import alpha, gamma, p0, q0, y0, z0

_sigma = Sigmoid(z0)
_bce = -(y0 * log(_sigma) + (1 - y0) * log(1 - _sigma))

# torchvision's names for the pieces of the focal loss, shown by name and verified as what they are
_p_t = Named(Symbol("p_t"), _sigma * y0 + (1 - _sigma) * (1 - y0))
_alpha_t = Named(Symbol("alpha_t"), alpha * y0 + (1 - alpha) * (1 - y0))
_ce = Named(Symbol("CE"), _bce)

_CONVEX = Text(
    "σ(z)(1 − σ(z)) > 0 for every z, so the loss is convex in the logit; the curvature vanishes "
    "as |z| grows, where the gradient σ(z) − y is already close to ±1 or 0.",
    "对所有 z 都有 σ(z)(1 − σ(z)) > 0，所以损失对 logit 是凸的；|z| 变大时曲率趋于零，此时梯度 σ(z) − y 已接近 ±1 或 0。")
_NOT_CONVEX = Text(
    "The second derivative changes sign (it is negative where the neuron is saturated on the "
    "wrong side), so MSE through a sigmoid is not convex in z; with cross-entropy it would be.",
    "二阶导数会变号（神经元在错误一侧饱和时为负），所以经过 sigmoid 的均方误差对 z 不是凸的；换成交叉熵则是凸的。")
_SLOWDOWN = Text(
    "Compare with cross-entropy on the same neuron, whose gradient is σ(z) − y: the MSE gradient "
    "carries the extra factor σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4, which is nearly zero when the neuron "
    "is saturated. A neuron that starts badly wrong (σ(z) ≈ 1 with y = 0) therefore learns slowly "
    "under MSE and fast under cross-entropy.",
    "与同一个神经元上的交叉熵相比（其梯度为 σ(z) − y），均方误差的梯度多了一个因子 σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4，"
    "神经元饱和时它几乎为零。因此一个起点很差的神经元（σ(z) ≈ 1 而 y = 0）在均方误差下学得很慢，在交叉熵下学得很快。")

SPECS = (
    LossSpec(
        name="sigmoid",
        title=Text("Sigmoid and its derivative", "sigmoid 及其导数"),
        family="binary",
        description=Text(
            "The logistic function σ(z) = 1/(1 + e^{−z}) maps a logit to a probability; its "
            "derivative σ(1 − σ) appears in every sigmoid-based gradient.",
            "逻辑函数 σ(z) = 1/(1 + e^{−z}) 把 logit 映射为概率；它的导数 σ(1 − σ) 出现在所有基于 sigmoid 的梯度中。"),
        loss=_sigma,
        symbol=_sigma,
        wrt=z0,
        aliases=("logistic",),
    ),
    LossSpec(
        name="softplus",
        title=Text("Softplus and its derivative", "softplus 及其导数"),
        family="binary",
        description=Text(
            "softplus(z) = log(1 + e^z), a smooth max(0, z); its derivative is the sigmoid, and "
            "binary cross-entropy on logits is softplus(z) − y·z.",
            "softplus(z) = log(1 + e^z)，max(0, z) 的光滑版本；它的导数是 sigmoid，而基于 logit 的二元交叉熵就是 "
            "softplus(z) − y·z。"),
        loss=Softplus(z0),
        symbol=Softplus(z0),
        wrt=z0,
        aliases=("Softplus",),
    ),
    LossSpec(
        name="binary_cross_entropy",
        title=Text("Binary cross-entropy on probabilities", "概率上的二元交叉熵"),
        family="binary",
        description=Text(
            "PyTorch's BCELoss: the input is a probability p in (0, 1), the target y in [0, 1]. "
            "Its gradient (p − y)/(p(1 − p)) blows up at the ends, which is why the logit form is preferred.",
            "PyTorch 的 BCELoss：输入是 (0, 1) 内的概率 p，目标 y ∈ [0, 1]。它的梯度 (p − y)/(p(1 − p)) 在两端发散，"
            "因此更推荐使用 logit 形式。"),
        loss=-(y0 * log(p0) + (1 - y0) * log(1 - p0)),
        wrt=p0,
        aliases=("BCELoss", "binary_crossentropy"),
    ),
    LossSpec(
        name="binary_cross_entropy_with_logits",
        title=Text("Binary cross-entropy with logits", "基于 logits 的二元交叉熵"),
        family="binary",
        description=Text(
            "Binary cross-entropy applied to σ(z), written in terms of the logit z. The sigmoid's "
            "derivative cancels the denominator of the log's, leaving the gradient σ(z) − y.",
            "对 σ(z) 计算的二元交叉熵，用 logit z 表示。sigmoid 的导数恰好约去对数求导产生的分母，梯度只剩 σ(z) − y。"),
        loss=_bce,
        wrt=z0,
        hessian=HessianSpec(z0, remark=_CONVEX),
        aliases=("sigmoid_cross_entropy_with_logits", "BCEWithLogitsLoss", "sigmoid_binary_cross_entropy",
                 "logistic_loss"),
    ),
    LossSpec(
        name="binary_cross_entropy_with_logits_pos_weight",
        title=Text("Binary cross-entropy with logits and pos_weight", "带 pos_weight 的 logits 二元交叉熵"),
        family="binary",
        description=Text(
            "PyTorch's pos_weight q multiplies the positive term, trading recall for precision; "
            "q = 1 gives back σ(z) − y.",
            "PyTorch 的 pos_weight q 放大正样本项，用来在召回率和精确率之间取舍；q = 1 时退化为 σ(z) − y。"),
        loss=-(q0 * y0 * log(_sigma) + (1 - y0) * log(1 - _sigma)),
        wrt=z0,
        parameters=(q0,),
        aliases=("weighted_cross_entropy_with_logits",),
    ),
    LossSpec(
        name="mse_sigmoid",
        title=Text("Mean squared error through a sigmoid neuron", "经过 sigmoid 神经元的均方误差"),
        family="binary",
        description=Text(
            "The quadratic cost (a − y)²/2 of a sigmoid neuron a = σ(z). Its gradient "
            "(a − y)σ'(z) carries the factor σ'(z), which makes a saturated neuron learn slowly.",
            "sigmoid 神经元 a = σ(z) 的二次代价 (a − y)²/2。它的梯度 (a − y)σ'(z) 带有因子 σ'(z)，"
            "使饱和的神经元学习缓慢。"),
        loss=(_sigma - y0) ** 2 / 2,
        wrt=z0,
        hessian=HessianSpec(
            z0, remark=_NOT_CONVEX),
        remarks=(_SLOWDOWN,),
        aliases=("quadratic_cost_sigmoid", "mse_sigmoid_neuron"),
    ),
    LossSpec(
        name="sigmoid_focal_loss",
        title=Text("Sigmoid focal loss", "sigmoid 焦点损失"),
        family="binary",
        description=Text(
            "Lin et al. (2017), in torchvision's form: the binary cross-entropy scaled by "
            "α_t (1 − p_t)^γ with p_t = p y + (1 − p)(1 − y), so easy examples count less.",
            "Lin 等人（2017）提出，采用 torchvision 的形式：二元交叉熵乘以 α_t (1 − p_t)^γ，"
            "其中 p_t = p y + (1 − p)(1 − y)，使容易的样本权重更小。"),
        loss=_alpha_t * (1 - _p_t) ** gamma * _ce,
        wrt=z0,
        parameters=(alpha, gamma),
        aliases=("focal_loss_sigmoid",),
    ),
    LossSpec(
        name="sparsemax_loss",
        title=Text("Binary sparsemax loss", "二分类 sparsemax 损失"),
        family="binary",
        description=Text(
            "optax's sparsemax_loss (Blondel, Martins and Niculae, Learning with Fenchel-Young losses, "
            "2020): the Fenchel-Young loss of the sparse sigmoid, sparse_plus(u) with u = z for the label "
            "0 and u = −z for the label 1, where sparse_plus is 0 for u ≤ −1, (1 + u)²/4 up to u = 1 and u "
            "beyond. It is zero exactly when the sparse sigmoid clip((z + 1)/2, 0, 1) equals the label, and "
            "its gradient is the sparse sigmoid minus the label.",
            "optax 的 sparsemax_loss（Blondel、Martins 与 Niculae，Fenchel-Young 损失，2020）：稀疏 sigmoid 的 "
            "Fenchel-Young 损失 sparse_plus(u)，标签为 0 时 u = z，标签为 1 时 u = −z；sparse_plus 在 u ≤ −1 时为 0，"
            "到 u = 1 为止是 (1 + u)²/4，之后是 u。当且仅当稀疏 sigmoid clip((z + 1)/2, 0, 1) 等于标签时损失为零，"
            "梯度是稀疏 sigmoid 减去标签。"),
        loss=Piecewise((0, (1 - 2 * y0) * z0 <= -1), ((1 + (1 - 2 * y0) * z0) ** 2 / 4, (1 - 2 * y0) * z0 < 1),
                       ((1 - 2 * y0) * z0, True)),
        wrt=z0,
        aliases=("binary_sparsemax_loss",),
    ),
)
