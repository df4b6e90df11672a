"""Multiclass classification: softmax, log-softmax and the softmax cross-entropy family."""

from sympy import KroneckerDelta, Sum, log

from ..engine.constraints import OneHot, Simplex
from ..engine.derivation import HessianSpec, LossSpec, MatrixForm, Text
from ..engine.functions import LogSoftmax, LogSumExp, Softmax
from ..engine.symbols import eps, gamma, i, j, k, l, n, t, w, x, y, z

_CONVEX = Text(
    "The Hessian diag(s) − s sᵀ is positive semi-definite (vᵀHv = Σ s_i v_i² − (Σ s_i v_i)² is a "
    "variance), so the loss is convex in the logits; it is singular along the all-ones direction "
    "because adding a constant to every logit leaves the softmax unchanged.",
    "黑塞矩阵 diag(s) − s sᵀ 半正定（vᵀHv = Σ s_i v_i² − (Σ s_i v_i)² 是一个方差），所以损失对 logits "
    "是凸函数；它在全一方向上奇异，因为所有 logits 同时加一个常数时 softmax 不变。")

SPECS = (
    LossSpec(
        name="softmax",
        title=Text("Softmax and its Jacobian", "softmax 及其雅可比矩阵"),
        family="classification",
        description=Text(
            "Turns a vector of logits into a probability distribution. Its Jacobian "
            "s_i(δ_ij − s_j) is the piece every softmax-based loss gradient is built from.",
            "把一组 logits 变成概率分布。它的雅可比矩阵 s_i(δ_ij − s_j) 是所有基于 softmax 的损失梯度的基本构件。"),
        loss=Softmax(z, i),
        symbol=Softmax(z, i),
        wrt=z[j],
        aliases=("softmax_jacobian",),
    ),
    LossSpec(
        name="log_softmax",
        title=Text("Log-softmax", "log-softmax"),
        family="classification",
        description=Text(
            "The logarithm of the softmax, z_i − logsumexp(z), computed without forming the "
            "softmax; PyTorch's cross_entropy is log_softmax followed by nll_loss.",
            "softmax 的对数 z_i − logsumexp(z)，计算时不必先算出 softmax；PyTorch 的 cross_entropy "
            "就是 log_softmax 之后接 nll_loss。"),
        loss=LogSoftmax(z, i),
        symbol=LogSoftmax(z, i),
        wrt=z[j],
    ),
    LossSpec(
        name="logsumexp",
        title=Text("Log-sum-exp and its gradient", "log-sum-exp 及其梯度"),
        family="classification",
        description=Text(
            "LSE(z) = log Σ_k e^{z_k}, a smooth maximum of the logits; its gradient is the softmax, "
            "which is why the cross-entropy log-sum-exp(z) − z_t has the gradient s − y.",
            "LSE(z) = log Σ_k e^{z_k}，logits 的光滑最大值；它的梯度就是 softmax，这也是交叉熵 "
            "log-sum-exp(z) − z_t 的梯度为 s − y 的原因。"),
        loss=LogSumExp(z),
        symbol=LogSumExp(z),
        wrt=z[j],
        aliases=("log_sum_exp", "reduce_logsumexp"),
    ),
    LossSpec(
        name="cross_entropy",
        title=Text("Softmax cross-entropy (probability targets)", "softmax 交叉熵（概率目标）"),
        family="classification",
        description=Text(
            "The standard multiclass loss: the cross-entropy between a target distribution y and "
            "the softmax of the logits. Its gradient with respect to the logits is s − y.",
            "最常用的多分类损失：目标分布 y 与 logits 的 softmax 之间的交叉熵。它对 logits 的梯度是 s − y。"),
        loss=-Sum(y[k] * log(Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(Simplex(y),),
        hessian=HessianSpec(z[l], matrix=MatrixForm("diag(s) − s sᵀ", r"\operatorname{diag}(s) - s s^{\top}"), remark=_CONVEX),
        aliases=("softmax_cross_entropy", "softmax_cross_entropy_with_logits", "CrossEntropyLoss",
                 "categorical_crossentropy", "categorical_cross_entropy"),
    ),
    LossSpec(
        name="cross_entropy_index",
        title=Text("Softmax cross-entropy (class-index target)", "softmax 交叉熵（整数类别标签）"),
        family="classification",
        description=Text(
            "Cross-entropy when the target is a class index t: the loss is −log s_t, and the "
            "gradient is the softmax minus the one-hot vector of t.",
            "目标是整数类别标签 t 时的交叉熵：损失为 −log s_t，梯度是 softmax 减去 t 的独热向量。"),
        loss=-log(Softmax(z, t)),
        wrt=z[j],
        aliases=("sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_integer_labels",
                 "sparse_categorical_crossentropy"),
    ),
    LossSpec(
        name="nll_loss",
        title=Text("Negative log-likelihood on log-probabilities", "对数概率上的负对数似然"),
        family="classification",
        description=Text(
            "PyTorch's NLLLoss: the input is already log-probabilities x (usually from "
            "log_softmax), the target a class index t with weight w_t; the loss is −w_t x_t.",
            "PyTorch 的 NLLLoss：输入已经是对数概率 x（通常来自 log_softmax），目标是带权重 w_t 的整数类别标签 t，"
            "损失为 −w_t x_t。"),
        loss=-w[t] * x[t],
        wrt=x[j],
        aliases=("NLLLoss", "negative_log_likelihood"),
    ),
    LossSpec(
        name="cross_entropy_weighted",
        title=Text("Class-weighted cross-entropy", "类别加权交叉熵"),
        family="classification",
        description=Text(
            "Cross-entropy with a weight w_c per class, to counter class imbalance. With a one-hot "
            "target the gradient is the unweighted one scaled by the weight of the true class.",
            "给每个类别一个权重 w_c 的交叉熵，用来缓解类别不平衡。目标为独热编码时，梯度是未加权梯度乘以真实类别的权重。"),
        loss=-Sum(w[k] * y[k] * log(Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(OneHot(y),),
        presented_as=w[t] * (Softmax(z, j) - KroneckerDelta(j, t)),
        aliases=("weighted_cross_entropy",),
    ),
    LossSpec(
        name="cross_entropy_label_smoothing",
        title=Text("Label-smoothed cross-entropy", "标签平滑交叉熵"),
        family="classification",
        description=Text(
            "Cross-entropy against the smoothed target (1 − ε) y + ε/n, which keeps the model from "
            "driving logits to infinity; the gradient is s minus the smoothed target.",
            "对平滑后的目标 (1 − ε) y + ε/n 计算交叉熵，防止模型把 logits 推向无穷大；梯度是 s 减去平滑后的目标。"),
        loss=-Sum(((1 - eps) * y[k] + eps / n) * log(Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(Simplex(y),),
        presented_as=Softmax(z, j) - ((1 - eps) * y[j] + eps / n),
        parameters=(eps,),
        aliases=("label_smoothing_cross_entropy",),
    ),
    LossSpec(
        name="softmax_focal_loss",
        title=Text("Softmax focal loss", "softmax 焦点损失"),
        family="classification",
        description=Text(
            "The multiclass focal loss −Σ y_i (1 − s_i)^γ log s_i: the factor (1 − s_i)^γ "
            "down-weights examples the model already classifies well (γ = 0 gives cross-entropy).",
            "多分类焦点损失 −Σ y_i (1 − s_i)^γ log s_i：因子 (1 − s_i)^γ 降低已经分类正确的样本的权重（γ = 0 时即交叉熵）。"),
        loss=-Sum(y[k] * (1 - Softmax(z, k)) ** gamma * log(Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        parameters=(gamma,),
        aliases=("categorical_focal_loss", "focal_loss"),
    ),
    LossSpec(
        name="softmax_focal_loss_index",
        title=Text("Softmax focal loss (class-index target)", "softmax 焦点损失（整数类别标签）"),
        family="classification",
        description=Text(
            "The softmax focal loss when the target is a class index t: the loss is "
            "−(1 − s_t)^γ log s_t; with γ = 0 it is the cross-entropy −log s_t.",
            "目标是整数类别标签 t 时的 softmax 焦点损失：损失为 −(1 − s_t)^γ log s_t；γ = 0 时就是交叉熵 −log s_t。"),
        loss=-Sum(y[k] * (1 - Softmax(z, k)) ** gamma * log(Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(OneHot(y),),
        parameters=(gamma,),
    ),
)
