"""Multiclass classification: softmax, log-softmax and the softmax cross-entropy family."""

from sympy import Sum, Symbol, log

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
    LossSpec(
        name="poly_loss_cross_entropy",
        title=Text("Poly-1 cross-entropy", "Poly-1 交叉熵"),
        family="classification",
        description=Text(
            "optax's poly_loss_cross_entropy (Leng et al., PolyLoss, 2022): the softmax cross-entropy plus "
            "ε times the first polynomial term Σ_k y_k (1 − s_k) of its Taylor expansion in (1 − s); "
            "ε > 0 pushes harder on examples the model already gets right, ε = 0 is the cross-entropy.",
            "optax 的 poly_loss_cross_entropy（Leng 等，PolyLoss，2022）：softmax 交叉熵加上 ε 乘以它在 (1 − s) "
            "上泰勒展开的第一项 Σ_k y_k (1 − s_k)；ε > 0 对模型已经分对的样本施加更大的推动，ε = 0 即交叉熵。"),
        loss=-Sum(y[k] * log(Softmax(z, k)), (k, 1, n)) + eps * Sum(y[k] * (1 - Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(Simplex(y),),
        parameters=(eps,),
        aliases=("poly1_cross_entropy", "poly_loss"),
    ),
    LossSpec(
        name="poly_loss_cross_entropy_index",
        title=Text("Poly-1 cross-entropy (class-index target)", "Poly-1 交叉熵（类别下标目标）"),
        family="classification",
        description=Text(
            "The Poly-1 cross-entropy when the target is a class index t: −log s_t + ε (1 − s_t).",
            "目标是类别下标 t 时的 Poly-1 交叉熵：−log s_t + ε (1 − s_t)。"),
        loss=-Sum(y[k] * log(Softmax(z, k)), (k, 1, n)) + eps * Sum(y[k] * (1 - Softmax(z, k)), (k, 1, n)),
        wrt=z[j],
        assumptions=(OneHot(y),),
        parameters=(eps,),
    ),
    LossSpec(
        name="sparsemax",
        title=Text("Sparsemax and its Jacobian on the support", "sparsemax 及其在支撑集上的雅可比矩阵"),
        family="classification",
        description=Text(
            "Sparsemax (Martins and Astudillo, 2016) is the Euclidean projection of the logits onto the "
            "probability simplex: p = max(z − τ, 0) with the threshold τ chosen so that Σ p = 1, which "
            "sets the classes below it exactly to 0. On its support S (the classes with p_i > 0; n = |S| "
            "here) it is the affine map p_i = z_i − (Σ_{k ∈ S} z_k − 1)/|S|, and S does not change under a "
            "small move of z (away from ties), so the Jacobian there is δ_ij − 1/|S|: the identity minus "
            "the average, the centring matrix of the support; rows and columns off the support are 0. "
            "optax's sparse_sigmoid(x) = sparsemax((x, 0))₁ = clip((x + 1)/2, 0, 1), whose slope 1/2 is "
            "this Jacobian at |S| = 2, is the gradient of sparsemax_loss plus the label.",
            "sparsemax（Martins 与 Astudillo，2016）是 logits 到概率单纯形上的欧氏投影：p = max(z − τ, 0)，"
            "阈值 τ 使 Σ p = 1，低于阈值的类别恰好为 0。在它的支撑集 S（p_i > 0 的类别；这里 n = |S|）上，它是仿射"
            "映射 p_i = z_i − (Σ_{k ∈ S} z_k − 1)/|S|，而 z 的微小变动（不在平局处）不改变 S，所以那里的雅可比矩阵是 "
            "δ_ij − 1/|S|：单位矩阵减去平均，即支撑集上的中心化矩阵；支撑集外的行和列为 0。optax 的 "
            "sparse_sigmoid(x) = sparsemax((x, 0))₁ = clip((x + 1)/2, 0, 1)，其斜率 1/2 就是 |S| = 2 时的这个"
            "雅可比矩阵，它减去标签就是 sparsemax_loss 的梯度。"),
        loss=z[i] - (Sum(z[k], (k, 1, n)) - 1) / n,
        symbol=Symbol("p_i"),
        wrt=z[j],
        aliases=("sparsemax_jacobian",),
    ),
)
