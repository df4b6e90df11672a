"""Where each catalogue loss appears in PyTorch, TensorFlow, Keras and optax, and how they differ.

Short declarative data beside the catalogue (sources and measurements:
``shared/REFERENCE.md``); the documents render it as a table.  A loss mapped to
an empty tuple has no framework counterpart; every catalogue name has an entry.
"""

from __future__ import annotations

from typing import NamedTuple

from ..engine.derivation import Text


class Usage(NamedTuple):
    """One framework's name for a loss, and what to know when matching it."""

    framework: str
    api: str
    note: Text


_KERAS_SIGN_LABELS = Text("If every label is 0 or 1 they become 2y − 1 first; averages over the last axis.",
                          "若标签全是 0 或 1，先换成 2y − 1；在最后一个轴上取平均。")  # Hinge, SquaredHinge
_LOG_SOFTMAX_NOTE = Text("Computed as z − max z − log Σ exp(z − max z), never as log(softmax(z)).",
                         "按 z − max z − log Σ exp(z − max z) 计算，而不是先算 softmax 再取对数。")

USAGES: dict[str, tuple[Usage, ...]] = {
    "self_information": (),
    "entropy": (
        Usage("PyTorch", "torch.distributions.Categorical(probs=p).entropy()",
              Text("A method of the distribution, in nats; torch.nn has no entropy loss.",
                   "分布对象的方法，单位是奈特（nat）；torch.nn 中没有熵损失。")),
    ),
    "cross_entropy_distributions": (
        Usage("Keras", "keras.losses.CategoricalCrossentropy(from_logits=False)",
              Text("Takes q as probabilities: renormalises q to sum to one, clips it to [1e-7, 1 − 1e-7], "
                   "then computes −Σ p log q.",
                   "直接接收概率 q：先把 q 归一化，再裁剪到 [1e-7, 1 − 1e-7]，然后计算 −Σ p log q。")),
        Usage("PyTorch", "torch.nn.functional.cross_entropy(input, target)",
              Text("Takes logits, not q: q = softmax(input); a float target of the input's shape is p.",
                   "接收的是 logits 而不是 q：q = softmax(input)；target 若是与输入形状相同的浮点张量，它就是 p。")),
    ),
    "kl_divergence": (
        Usage("PyTorch", "torch.nn.functional.kl_div(input, target, reduction='batchmean')",
              Text("input is log q, target is p; 'mean' divides by every element, not by the batch, so "
                   "only 'batchmean' is the KL divergence. Its gradient with respect to log q is −p_j.",
                   "input 是 log q，target 是 p；'mean' 除以元素总数而不是批大小，只有 'batchmean' 才是真正的"
                   " KL 散度。它对 log q 的梯度是 −p_j。")),
        Usage("optax", "optax.losses.kl_divergence(log_predictions, targets)",
              Text("Also takes log q; per-example values, no reduction.",
                   "同样接收 log q；返回逐样本的值，不做归约。")),
        Usage("Keras", "keras.losses.KLDivergence()",
              Text("Takes probabilities for both arguments and clips both to [1e-7, 1], so a zero in p "
                   "counts as 1e-7.",
                   "两个参数都接收概率，并都裁剪到 [1e-7, 1]，所以 p 中的零会被当作 1e-7。")),
    ),
    "softmax": (
        Usage("PyTorch", "torch.softmax(z, dim)",
              Text("Subtracts the maximum logit before exponentiating.", "取指数之前先减去最大的 logit。")),
        Usage("JAX", "jax.nn.softmax(z, axis=-1)",
              Text("Subtracts the maximum logit before exponentiating.", "取指数之前先减去最大的 logit。")),
        Usage("TensorFlow", "tf.nn.softmax(logits, axis=-1)",
              Text("Keras layers remember the logits of their softmax output, and Keras losses on the "
                   "TensorFlow backend then silently use them.",
                   "Keras 会在 softmax 输出上记住原始 logits，TensorFlow 后端的 Keras 损失会悄悄改用它们。")),
    ),
    "logsumexp": (
        Usage("PyTorch", "torch.logsumexp(z, dim)",
              Text("Subtracts the maximum before exponentiating.", "取指数之前先减去最大值。")),
        Usage("JAX", "jax.nn.logsumexp(z, axis=-1)",
              Text("Subtracts the maximum before exponentiating.", "取指数之前先减去最大值。")),
        Usage("TensorFlow", "tf.math.reduce_logsumexp(z, axis=-1)",
              Text("Subtracts the maximum before exponentiating.", "取指数之前先减去最大值。")),
    ),
    "log_softmax": (
        Usage("PyTorch", "torch.nn.functional.log_softmax(z, dim)", _LOG_SOFTMAX_NOTE),
        Usage("JAX", "jax.nn.log_softmax(z, axis=-1)", _LOG_SOFTMAX_NOTE),
        Usage("TensorFlow", "tf.nn.log_softmax(logits, axis=-1)", _LOG_SOFTMAX_NOTE),
    ),
    "cross_entropy": (
        Usage("PyTorch", "torch.nn.functional.cross_entropy(input, target)",
              Text("A float target of the input's shape selects this form. 'mean' divides by N (times the "
                   "extra dimensions) even with class weights; autograd returns the general form s Σ y − y.",
                   "当 target 是与输入形状相同的浮点张量（概率）时，用的就是这种形式。即使有类别权重，'mean' 也除以 N（乘以其余维度）；"
                   "自动求导返回一般形式 s Σ y − y。")),
        Usage("TensorFlow", "tf.nn.softmax_cross_entropy_with_logits(labels, logits)",
              Text("A fused kernel whose gradient is always s − y, even when the labels do not sum to one "
                   "(an all-zero row has loss 0 but gradient s).",
                   "融合算子，梯度总是 s − y，即使标签之和不为一（全零的行损失为 0，梯度却是 s）。")),
        Usage("optax", "optax.losses.softmax_cross_entropy(logits, labels)",
              Text("Per-example values; a logit of −inf with label 0 gives NaN (0 · −inf), which "
                   "safe_softmax_cross_entropy avoids.",
                   "返回逐样本的值；logit 为 −inf 且标签为 0 时得到 NaN（0 · −inf），"
                   "safe_softmax_cross_entropy 可以避免。")),
        Usage("Keras", "keras.losses.CategoricalCrossentropy(from_logits=True)",
              Text("The TensorFlow backend uses the fused kernel above; the others use log_softmax.",
                   "TensorFlow 后端使用上面的融合算子，其他后端使用 log_softmax。")),
    ),
    "cross_entropy_index": (
        Usage("PyTorch", "torch.nn.functional.cross_entropy(input, target)",
              Text("Integer targets of shape (N,); ignore_index = −100 skips a row and 'mean' divides by "
                   "the number of rows kept (NaN when every row is ignored).",
                   "整数 target，形状为 (N,)；ignore_index = −100 的行被跳过，'mean' 除以保留的行数"
                   "（全部被忽略时为 NaN）。")),
        Usage("TensorFlow", "tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)",
              Text("An out-of-range label raises on the CPU and gives NaN on the GPU.",
                   "越界的标签在 CPU 上报错，在 GPU 上得到 NaN。")),
        Usage("optax", "optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels)",
              Text("No ignore index (use where=); label −1 wraps to the last class and label n gives NaN.",
                   "没有 ignore index（改用 where=）；标签 −1 会绕回最后一个类别，标签 n 得到 NaN。")),
        Usage("Keras", "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
              Text("ignore_class masks rows; when every row is masked the loss is 0, not NaN.",
                   "ignore_class 屏蔽某些行；全部被屏蔽时损失为 0 而不是 NaN。")),
    ),
    "nll_loss": (
        Usage("PyTorch", "torch.nn.functional.nll_loss(input, target, weight=w)",
              Text("input must already be log-probabilities; 'mean' divides by Σ w_t over the rows not "
                   "ignored, not by N.",
                   "input 必须已经是对数概率；'mean' 除以未被忽略的行的 Σ w_t，而不是 N。")),
    ),
    "cross_entropy_weighted": (
        Usage("PyTorch", "torch.nn.functional.cross_entropy(input, target, weight=w)",
              Text("With class-index targets 'mean' divides by Σ w_t; with one-hot float targets it divides "
                   "by N, so the two weighted means differ.",
                   "整数类别标签时 'mean' 除以 Σ w_t；独热浮点目标时除以 N，所以两种加权平均并不相同。")),
        Usage("optax", "optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels)",
              Text("No weight argument: multiply the per-example losses by w[labels] yourself.",
                   "没有权重参数：需要自己把逐样本损失乘以 w[labels]。")),
    ),
    "cross_entropy_label_smoothing": (
        Usage("PyTorch", "torch.nn.functional.cross_entropy(input, target, label_smoothing=ε)",
              Text("The target becomes (1 − ε) y + ε/n; with weights, each class keeps its own weight "
                   "inside the sum.",
                   "目标变为 (1 − ε) y + ε/n；有权重时，求和中每个类别保留自己的权重。")),
        Usage("optax", "optax.losses.softmax_cross_entropy(logits, optax.smooth_labels(labels, ε))",
              Text("The same smoothed target, built explicitly.", "同样的平滑目标，需要显式构造。")),
        Usage("Keras", "keras.losses.CategoricalCrossentropy(label_smoothing=ε)",
              Text("The same smoothing; SparseCategoricalCrossentropy has none.",
                   "同样的平滑；SparseCategoricalCrossentropy 不支持标签平滑。")),
    ),
    "softmax_focal_loss": (
        Usage("Keras", "keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0)",
              Text("Always multiplies by α (this document has no α) and clips the probabilities to "
                   "[1e-7, 1 − 1e-7] on every backend.",
                   "总是乘以 α（本文没有 α），并在所有后端把概率裁剪到 [1e-7, 1 − 1e-7]。")),
    ),
    "sigmoid": (
        Usage("PyTorch", "torch.sigmoid(z)", Text("The same function.", "同一个函数。")),
        Usage("JAX", "jax.nn.sigmoid(z)", Text("The same function.", "同一个函数。")),
        Usage("TensorFlow", "tf.math.sigmoid(z)",
              Text("Keras remembers the logit of a sigmoid output, and a Keras loss on it then uses "
                   "the logit path on the TensorFlow backend only.",
                   "Keras 会记住 sigmoid 输出对应的 logit，之后在它上面计算的 Keras 损失只在 TensorFlow "
                   "后端改走 logit 路径。")),
    ),
    "softplus": (
        Usage("PyTorch", "torch.nn.functional.softplus(z, beta=1, threshold=20)",
              Text("Returns z itself where βz > threshold (the rounding error there is below e^{−20}).",
                   "在 βz > threshold 处直接返回 z（此处的舍入误差小于 e^{−20}）。")),
        Usage("JAX", "jax.nn.softplus(z)", Text("Computed as logaddexp(z, 0).", "按 logaddexp(z, 0) 计算。")),
        Usage("TensorFlow", "tf.math.softplus(z)", Text("The same function.", "同一个函数。")),
    ),
    "binary_cross_entropy": (
        Usage("PyTorch", "torch.nn.functional.binary_cross_entropy(input, target)",
              Text("Clamps each log at −100 in the forward pass, but the backward pass is "
                   "(p − y)/max(p(1 − p), 1e-12), not the derivative of the clamped forward.",
                   "前向计算把每个对数截断在 −100，但反向传播用的是 (p − y)/max(p(1 − p), 1e-12)，"
                   "而不是截断后前向函数的导数。")),
        Usage("Keras", "keras.losses.BinaryCrossentropy(from_logits=False)",
              Text("Clips p to [1e-7, 1 − 1e-7], so the gradient is zero outside; averages over the last "
                   "axis.",
                   "把 p 裁剪到 [1e-7, 1 − 1e-7]，因此区间外梯度为零；在最后一个轴上取平均。")),
    ),
    "binary_cross_entropy_with_logits": (
        Usage("PyTorch", "torch.nn.functional.binary_cross_entropy_with_logits(input, target)",
              Text("Computes (1 − y) z − log σ(z); a weight is multiplied in and 'mean' divides by the "
                   "number of elements.",
                   "计算 (1 − y) z − log σ(z)；权重直接相乘，'mean' 除以元素个数。")),
        Usage("TensorFlow", "tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)",
              Text("Computes max(z, 0) − z y + log(1 + exp(−|z|)).",
                   "计算 max(z, 0) − z y + log(1 + exp(−|z|))。")),
        Usage("optax", "optax.losses.sigmoid_binary_cross_entropy(logits, labels)",
              Text("Computes −y log σ(z) − (1 − y) log σ(−z); per-element values.",
                   "计算 −y log σ(z) − (1 − y) log σ(−z)；返回逐元素的值。")),
        Usage("Keras", "keras.losses.BinaryCrossentropy(from_logits=True)",
              Text("The NumPy backend applies the sigmoid and clips, so z = 50, y = 0 gives 15.94 "
                   "instead of 50.",
                   "NumPy 后端先做 sigmoid 再裁剪，所以 z = 50、y = 0 时得到 15.94 而不是 50。")),
    ),
    "binary_cross_entropy_with_logits_pos_weight": (
        Usage("PyTorch", "torch.nn.functional.binary_cross_entropy_with_logits(input, target, pos_weight=q)",
              Text("pos_weight broadcasts along the class dimension; 'mean' divides by the number of "
                   "elements, not by the weights.",
                   "pos_weight 沿类别维度广播；'mean' 除以元素个数，而不是权重之和。")),
        Usage("TensorFlow", "tf.nn.weighted_cross_entropy_with_logits(labels, logits, pos_weight)",
              Text("The same loss, computed as (1 − y) z + (1 + (q − 1) y)(log(1 + exp(−|z|)) + max(−z, 0)).",
                   "同一个损失，按 (1 − y) z + (1 + (q − 1) y)(log(1 + exp(−|z|)) + max(−z, 0)) 计算。")),
    ),
    "mse_sigmoid": (
        Usage("PyTorch", "torch.nn.functional.mse_loss(torch.sigmoid(z), y)",
              Text("No factor 1/2: the gradient is 2(a − y)σ'(z), divided by the number of elements "
                   "for 'mean'.",
                   "没有 1/2 因子：梯度是 2(a − y)σ'(z)，'mean' 时再除以元素个数。")),
        Usage("optax", "optax.losses.l2_loss(jax.nn.sigmoid(z), y)",
              Text("Has the factor 1/2, as here; optax.losses.squared_error does not.",
                   "和本文一样带 1/2 因子；optax.losses.squared_error 不带。")),
    ),
    "sigmoid_focal_loss": (
        Usage("torchvision", "torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2)",
              Text("reduction defaults to 'none'; alpha = −1 switches α off; for 0 < γ < 1 the gradient is "
                   "NaN at a saturated correct prediction.",
                   "reduction 默认为 'none'；alpha = −1 关闭 α；0 < γ < 1 时，对已饱和的正确预测梯度为 NaN。")),
        Usage("optax", "optax.losses.sigmoid_focal_loss(logits, labels, alpha=None, gamma=2.0)",
              Text("alpha=None means no α weighting; the factor (1 − p_t)^γ is computed in log space, so "
                   "gradients stay finite.",
                   "alpha=None 表示不做 α 加权；因子 (1 − p_t)^γ 在对数空间中计算，梯度保持有限。")),
        Usage("Keras", "keras.losses.BinaryFocalCrossentropy(apply_class_balancing=False)",
              Text("α is applied only with apply_class_balancing=True; the cross-entropy inside is clipped.",
                   "只有 apply_class_balancing=True 时才乘以 α；内部的交叉熵经过裁剪。")),
    ),
    "softmax_focal_loss_index": (
        Usage("Keras", "keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0)",
              Text("Takes one-hot targets, always multiplies by α and clips the probabilities to "
                   "[1e-7, 1 − 1e-7]; PyTorch and optax have no softmax focal loss.",
                   "接收独热目标，总是乘以 α，并把概率裁剪到 [1e-7, 1 − 1e-7]；PyTorch 和 optax 没有 softmax 焦点损失。")),
    ),
    "logistic_regression": (
        Usage("PyTorch", "torch.nn.Linear(d, 1) + torch.nn.functional.binary_cross_entropy_with_logits",
              Text("Autograd returns exactly these gradients in W.grad and b.grad; with reduction='mean' "
                   "they are averaged over the batch.",
                   "自动求导在 W.grad 和 b.grad 中给出的正是这些梯度；reduction='mean' 时对批次取平均。")),
    ),
    "sigmoid_neuron_mse": (
        Usage("PyTorch", "torch.nn.Linear(d, 1) + torch.sigmoid + torch.nn.functional.mse_loss",
              Text("mse_loss has no factor 1/2, so its gradients are twice these.",
                   "mse_loss 没有 1/2 因子，所以它的梯度是这里的两倍。")),
    ),
    "softmax_regression": (
        Usage("PyTorch", "torch.nn.Linear(d, n) + torch.nn.functional.cross_entropy(z, y)",
              Text("With probability targets and reduction='mean', W.grad = (S − Y)ᵀX/N, as here.",
                   "概率目标且 reduction='mean' 时，W.grad = (S − Y)ᵀX/N，与这里相同。")),
    ),
    "softmax_regression_index": (
        Usage("PyTorch", "torch.nn.Linear(d, n) + torch.nn.functional.cross_entropy(z, t)",
              Text("Class-index targets; with class weights 'mean' divides by Σ w_t instead of N.",
                   "整数类别标签；有类别权重时 'mean' 除以 Σ w_t 而不是 N。")),
    ),
    "mse_loss": (
        Usage("PyTorch", "torch.nn.functional.mse_loss(input, target)",
              Text("'mean' averages every element; with weight= it divides by Σ w.",
                   "'mean' 对所有元素取平均；带 weight= 时除以 Σ w。")),
        Usage("optax", "optax.losses.squared_error(predictions, targets)",
              Text("The same (x − y)², per element; optax.losses.l2_loss is half of it.",
                   "同样是逐元素的 (x − y)²；optax.losses.l2_loss 是它的一半。")),
        Usage("Keras", "keras.losses.MeanSquaredError()",
              Text("Averages over the last axis before the batch reduction.", "先在最后一个轴上取平均，再做批次归约。")),
    ),
    "l1_loss": (
        Usage("PyTorch", "torch.nn.functional.l1_loss(input, target)",
              Text("The gradient at x = y is 0; with weight= 'mean' divides by Σ w.",
                   "x = y 处的梯度取 0；带 weight= 时 'mean' 除以 Σ w。")),
        Usage("Keras", "keras.losses.MeanAbsoluteError()",
              Text("Averages over the last axis before the batch reduction.", "先在最后一个轴上取平均，再做批次归约。")),
    ),
    "smooth_l1_loss": (
        Usage("PyTorch", "torch.nn.functional.smooth_l1_loss(input, target, beta=1.0)",
              Text("β = 0 falls back to l1_loss; a negative β is an error. HuberLoss equals β times this.",
                   "β = 0 时退化为 l1_loss；β 为负时报错。HuberLoss 等于它的 β 倍。")),
    ),
    "huber_loss": (
        Usage("PyTorch", "torch.nn.functional.huber_loss(input, target, delta=1.0)",
              Text("With weight= 'mean' divides by the number of elements, unlike mse_loss and l1_loss.",
                   "带 weight= 时 'mean' 除以元素个数，与 mse_loss 和 l1_loss 不同。")),
        Usage("optax", "optax.losses.huber_loss(predictions, targets, delta=1.0)",
              Text("The same values, per element.", "数值相同，逐元素返回。")),
        Usage("Keras", "keras.losses.Huber(delta=1.0)",
              Text("Uses ≤ δ at the boundary (PyTorch < δ; the values agree) and averages over the last axis.",
                   "边界处用 ≤ δ（PyTorch 用 < δ，数值一致），并在最后一个轴上取平均。")),
    ),
    "log_cosh": (
        Usage("optax", "optax.losses.log_cosh(predictions, targets)",
              Text("Per element, as logaddexp(e, −e) − log 2 with e = x − y: no overflow.",
                   "逐元素计算，写成 logaddexp(e, −e) − log 2（e = x − y）：不会上溢。")),
        Usage("Keras", "keras.losses.LogCosh()",
              Text("Computes e + softplus(−2e) − log 2, then averages over the last axis.",
                   "按 e + softplus(−2e) − log 2 计算，再在最后一个轴上取平均。")),
        Usage("PyTorch", "torch.log(torch.cosh(input - target)).mean()",
              Text("No built-in loss; written by hand this overflows once |x − y| > 89 in float32 (710 in "
                   "float64).",
                   "没有内置损失；这样手写时，float32 中 |x − y| > 89（float64 中 > 710）就会上溢。")),
    ),
    "kl_div": (
        Usage("PyTorch", "torch.nn.functional.kl_div(input, target, reduction='batchmean')",
              Text("Pointwise xlogy(y, y) − y x; a negative target gives NaN. 'mean' divides by every element "
                   "and warns; 'batchmean' gives the KL divergence of the rows.",
                   "逐点计算 xlogy(y, y) − y x；目标为负时得到 NaN。'mean' 除以元素总数并发出警告；"
                   "'batchmean' 才给出每行的 KL 散度。")),
        Usage("optax", "optax.losses.kl_divergence(log_predictions, targets)",
              Text("Sums over the last axis; per-example values.", "在最后一个轴上求和，返回逐样本的值。")),
        Usage("Keras", "keras.losses.KLDivergence()",
              Text("Takes probabilities, not log-probabilities, and clips both to [1e-7, 1].",
                   "接收概率而不是对数概率，并把两者都裁剪到 [1e-7, 1]。")),
    ),
    "kl_div_log_target": (
        Usage("PyTorch", "torch.nn.functional.kl_div(input, target, log_target=True)",
              Text("Pointwise e^y (y − x); the same reductions as kl_div.", "逐点计算 e^y (y − x)；归约方式与 kl_div 相同。")),
        Usage("optax", "optax.losses.kl_divergence_with_log_targets(log_predictions, log_targets)",
              Text("Sums over the last axis; per-example values.", "在最后一个轴上求和，返回逐样本的值。")),
    ),
    "poisson_nll_loss": (
        Usage("PyTorch", "torch.nn.functional.poisson_nll_loss(input, target, log_input=True)",
              Text("full=True adds the Stirling term y log y − y + log(2πy)/2 where y > 1.",
                   "full=True 时在 y > 1 处加上斯特林项 y log y − y + log(2πy)/2。")),
        Usage("TensorFlow", "tf.nn.log_poisson_loss(targets, log_input)",
              Text("The same e^x − y x; compute_full_loss adds the Stirling term.",
                   "同样是 e^x − y x；compute_full_loss 加上斯特林项。")),
    ),
    "poisson_nll_loss_rate": (
        Usage("PyTorch", "torch.nn.functional.poisson_nll_loss(input, target, log_input=False, eps=1e-8)",
              Text("The input is the rate; ε keeps the log finite at 0.", "输入就是速率；ε 使对数在 0 处有限。")),
        Usage("Keras", "keras.losses.Poisson()",
              Text("The same form with ε = 1e-7, averaged over the last axis.", "形式相同，ε = 1e-7，并在最后一个轴上取平均。")),
    ),
    "gaussian_nll_loss": (
        Usage("PyTorch", "torch.nn.functional.gaussian_nll_loss(input, target, var, eps=1e-6)",
              Text("var is clamped at ε without telling autograd; full=True adds log(2π)/2.",
                   "var 被截断到不小于 ε，且自动求导看不到这一步；full=True 时加上 log(2π)/2。")),
    ),
    "gaussian_nll_loss_var": (
        Usage("PyTorch", "torch.nn.functional.gaussian_nll_loss(input, target, var, eps=1e-6)",
              Text("The gradient in var is this closed form at the clamped variance, with no zero below ε.",
                   "对 var 的梯度就是在截断后的方差处取值的闭式，ε 以下没有置零。")),
    ),
    "soft_margin_loss": (
        Usage("PyTorch", "torch.nn.functional.soft_margin_loss(input, target)",
              Text("Computes log1p(exp(−y x)), which overflows in float32 for y x < −88 (inf loss, NaN gradient).",
                   "按 log1p(exp(−y x)) 计算，float32 中 y x < −88 时上溢（损失为 inf，梯度为 NaN）。")),
    ),
    "multilabel_soft_margin_loss": (
        Usage("PyTorch", "torch.nn.functional.multilabel_soft_margin_loss(input, target, weight=None)",
              Text("Uses log σ, so it is stable; the mean over the classes comes before the batch reduction.",
                   "使用 log σ，因此是稳定的；先对类别取平均，再做批次归约。")),
    ),
    "hinge_loss": (
        Usage("optax", "optax.losses.hinge_loss(predictor_outputs, targets)",
              Text("Targets ±1; per element. At y x = 1 JAX's maximum splits the gradient: −y/2.",
                   "目标为 ±1，逐元素。y x = 1 处 JAX 的 maximum 平分梯度：−y/2。")),
        Usage("Keras", "keras.losses.Hinge()",
              _KERAS_SIGN_LABELS),
        Usage("PyTorch", "torch.clamp(1 - target * input, min=0).mean()",
              Text("No binary hinge loss (HingeEmbeddingLoss and MultiMarginLoss are different losses); "
                   "clamp passes the gradient at the kink, as here.",
                   "没有二分类合页损失（HingeEmbeddingLoss 与 MultiMarginLoss 是别的损失）；clamp 在折点处传递梯度，"
                   "与这里一致。")),
    ),
    "squared_hinge": (
        Usage("Keras", "keras.losses.SquaredHinge()",
              _KERAS_SIGN_LABELS),
        Usage("PyTorch", "torch.clamp(1 - target * input, min=0).pow(2).mean()",
              Text("No built-in loss; written by hand as here.", "没有内置损失；按这里的式子手写即可。")),
    ),
    "hinge_embedding_loss": (
        Usage("PyTorch", "torch.nn.functional.hinge_embedding_loss(input, target, margin=1.0)",
              Text("Labels other than ±1 get both terms.", "标签不是 ±1 时两项都计入。")),
    ),
    "margin_ranking_loss": (
        Usage("PyTorch", "torch.nn.functional.margin_ranking_loss(input1, input2, target, margin=0.0)",
              Text("The docs ask for one size, but the three tensors broadcast without a warning.",
                   "文档要求三个张量大小相同，但实际会静默广播。")),
    ),
    "margin_ranking_loss_input2": (
        Usage("PyTorch", "torch.nn.functional.margin_ranking_loss(input1, input2, target, margin=0.0)",
              Text("The gradient with respect to input2 is minus that with respect to input1.",
                   "对 input2 的梯度是对 input1 梯度的相反数。")),
    ),
    "cosine_embedding_loss": (
        Usage("PyTorch", "torch.nn.functional.cosine_embedding_loss(input1, input2, target, margin=0.0)",
              Text("Adds 1e-12 to each squared norm inside the square root.", "在平方根内给每个范数的平方加上 1e-12。")),
    ),
    "cosine_embedding_loss_input2": (
        Usage("PyTorch", "torch.nn.functional.cosine_embedding_loss(input1, input2, target, margin=0.0)",
              Text("Symmetric in the two inputs: swap u and v.", "对两个输入对称：交换 u 和 v 即可。")),
    ),
    "multi_margin_loss": (
        Usage("PyTorch", "torch.nn.functional.multi_margin_loss(input, target, p=1, margin=1.0, weight=None)",
              Text("Sums over the wrong classes and divides by n; the weight w_t is not normalised.",
                   "对错误类别求和后除以 n；权重 w_t 不做归一化。")),
        Usage("optax", "optax.losses.multiclass_hinge_loss(scores, labels)",
              Text("Crammer–Singer: the largest violation max_k(x_k + 1 − δ_kt) − x_t instead of the sum.",
                   "Crammer–Singer 形式：取最大的违例 max_k(x_k + 1 − δ_kt) − x_t，而不是求和。")),
    ),
    "poly_loss_cross_entropy": (
        Usage("optax", "optax.losses.poly_loss_cross_entropy(logits, labels, epsilon=2.0)",
              Text("Labels of the logits' shape along axis −1; no reduction; the term is Σ y (1 − s) for any y.",
                   "标签与 logits 同形，类别在最后一个轴；不做归约；该项对任意 y 都是 Σ y (1 − s)。")),
    ),
    "poly_loss_cross_entropy_index": (
        Usage("optax", "optax.losses.poly_loss_cross_entropy(logits, jax.nn.one_hot(labels, n))",
              Text("optax takes one-hot labels; a class index t is the one-hot row of t.",
                   "optax 接收独热标签；类别下标 t 即 t 的独热行。")),
    ),
    "sparsemax": (
        Usage("optax", "optax.projections.projection_simplex(z)",
              Text("The projection onto the simplex; jax differentiates it on the support, as here.",
                   "到单纯形上的投影；jax 在支撑集上对它求导，与这里一致。")),
        Usage("TensorFlow Addons", "tfa.activations.sparsemax(logits)",
              Text("Along the last axis.", "沿最后一个轴。")),
    ),
    "sparsemax_loss": (
        Usage("optax", "optax.losses.sparsemax_loss(logits, labels)",
              Text("Any nonzero label counts as 1 (jnp.where(labels, −z, z)); per element.",
                   "任何非零标签都算作 1（jnp.where(labels, −z, z)）；逐元素。")),
    ),
    "triplet_margin_loss": (
        Usage("PyTorch", "torch.nn.functional.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, "
              "eps=1e-06, swap=False)",
              Text("eps is added to the difference a − b inside the norm; swap measures the negative from the "
                   "closer of anchor and positive.",
                   "eps 加在范数里的差 a − b 上；swap 用锚点与正样本中离负样本更近的那个来量负样本的距离。")),
        Usage("PyTorch", "torch.nn.functional.triplet_margin_with_distance_loss(anchor, positive, negative)",
              Text("With the default distance_function (pairwise_distance) it is this loss with p = 2.",
                   "默认 distance_function（pairwise_distance）时就是 p = 2 的这个损失。")),
        Usage("optax", "optax.losses.triplet_margin_loss(anchors, positives, negatives, norm_degree=2, "
              "margin=1.0, eps=1e-6)",
              Text("eps is added inside the power sum, (Σ (a − b)^p + eps)^(1/p), not to the difference.",
                   "eps 加在幂和里，(Σ (a − b)^p + eps)^(1/p)，而不是加在差上。")),
    ),
    "triplet_margin_loss_positive": (
        Usage("PyTorch", "torch.nn.functional.triplet_margin_loss(anchor, positive, negative)",
              Text("The gradient with respect to the positive.", "对正样本的梯度。")),
    ),
    "triplet_margin_loss_negative": (
        Usage("PyTorch", "torch.nn.functional.triplet_margin_loss(anchor, positive, negative)",
              Text("The gradient with respect to the negative.", "对负样本的梯度。")),
    ),
    "multilabel_margin_loss": (
        Usage("PyTorch", "torch.nn.functional.multilabel_margin_loss(input, target)",
              Text("target lists class indices up to the first −1; a class listed twice counts twice.",
                   "target 列出类别下标，读到第一个 −1 为止；列出两次的类别计两次。")),
    ),
}


def usages(name: str) -> tuple[Usage, ...] | None:
    """The framework names of catalogue loss ``name``; None when the table has no entry for it."""
    return USAGES.get(name)
