"""Through a linear layer: logistic regression, softmax regression, the sigmoid neuron with MSE."""

from sympy import Sum, log

from ..engine.constraints import Linear
from ..engine.derivation import MatrixForm, Text
from ..engine.functions import Sigmoid, Softmax
from ..engine.layers import LayerSpec
from ..engine.symbols import W, b, b0, l, n, t, x, y, y0, z, z0

_sigma = Sigmoid(z0)
_neuron = Linear(z0, W, x, b0)
_dense = Linear(z, W, x, b)

_SLOWDOWN = Text(
    "Compare with logistic_regression, the same neuron trained with cross-entropy: its weight gradient "
    "(a − y) x_k lacks the factor σ'(z) = a(1 − a) ≤ 1/4. A neuron started saturated on the wrong side "
    "(a ≈ 1 with y = 0) has σ'(z) ≈ 0, so under MSE its weights barely move at first; the slowdown "
    "experiment in the documents measures this.",
    "与 logistic_regression（同一个神经元用交叉熵训练）相比：它的权重梯度 (a − y) x_k 没有因子 "
    "σ'(z) = a(1 − a) ≤ 1/4。一个在错误一侧饱和的神经元（a ≈ 1 而 y = 0）的 σ'(z) ≈ 0，所以在均方误差下它的权重"
    "起初几乎不动；文档中的学习减速实验测量了这一点。")
_LOGISTIC = Text(
    "The σ'(z) of the sigmoid cancels against the derivative of the log, so the weight gradient is the "
    "error a − y times the input: a neuron that is badly wrong learns fast (compare sigmoid_neuron_mse).",
    "sigmoid 的 σ'(z) 与对数的导数相消，所以权重梯度就是误差 a − y 乘以输入：错得越厉害的神经元学得越快"
    "（对比 sigmoid_neuron_mse）。")

SPECS = (
    LayerSpec(
        name="logistic_regression",
        title=Text("Logistic regression: gradients of the weights and bias", "逻辑回归：权重与偏置的梯度"),
        description=Text(
            "A sigmoid neuron a = σ(z), z = Σ_k W_k x_k + b, trained with binary cross-entropy. The "
            "gradient at the logit, σ(z) − y, times the input gives ∂L/∂W_k = (σ(z) − y) x_k; for a "
            "batch, ∂L/∂W = Xᵀ(a − y)/N.",
            "sigmoid 神经元 a = σ(z)，z = Σ_k W_k x_k + b，用二元交叉熵训练。logit 处的梯度 σ(z) − y 乘以输入，"
            "得到 ∂L/∂W_k = (σ(z) − y) x_k；对一批样本，∂L/∂W = Xᵀ(a − y)/N。"),
        base="binary_cross_entropy_with_logits",
        loss=-(y0 * log(_sigma) + (1 - y0) * log(1 - _sigma)),
        layer=_neuron,
        residual=MatrixForm("a − y", "a - y"),
        row=MatrixForm("σ(z⁽ʳ⁾) − y⁽ʳ⁾", r"\sigma\left(z^{(r)}\right) - y^{(r)}"),
        aliases=("sigmoid_neuron_cross_entropy", "logistic_regression_gradient"),
        remarks=(_LOGISTIC,),
    ),
    LayerSpec(
        name="sigmoid_neuron_mse",
        title=Text("Sigmoid neuron with mean squared error", "均方误差训练的 sigmoid 神经元"),
        description=Text(
            "The same neuron a = σ(z), z = Σ_k W_k x_k + b, trained with the quadratic cost (a − y)²/2. "
            "The weight gradient (a − y) σ'(z) x_k keeps the factor σ'(z), which is why a saturated "
            "neuron learns slowly.",
            "同一个神经元 a = σ(z)，z = Σ_k W_k x_k + b，用二次代价 (a − y)²/2 训练。权重梯度 (a − y) σ'(z) x_k "
            "保留了因子 σ'(z)，这就是饱和的神经元学得慢的原因。"),
        base="mse_sigmoid",
        loss=(_sigma - y0) ** 2 / 2,
        layer=_neuron,
        residual=MatrixForm("(a − y) ⊙ a ⊙ (1 − a)", r"(a - y) \odot a \odot (1 - a)"),
        row=MatrixForm("(a⁽ʳ⁾ − y⁽ʳ⁾) a⁽ʳ⁾ (1 − a⁽ʳ⁾)",
                       r"\left(a^{(r)} - y^{(r)}\right) a^{(r)} \left(1 - a^{(r)}\right)"),
        aliases=("sigmoid_neuron_quadratic_cost", "mse_sigmoid_neuron_weights"),
        remarks=(_SLOWDOWN,),
    ),
    LayerSpec(
        name="softmax_regression",
        title=Text("Softmax regression: gradients of the weights and bias (probability targets)",
                   "softmax 回归：权重与偏置的梯度（概率目标）"),
        description=Text(
            "A linear layer z = W x + b (W is n × d, as in torch.nn.Linear) followed by the softmax "
            "cross-entropy. The gradient at the logits, s − y, becomes ∂L/∂W_jk = (s_j − y_j) x_k for one "
            "example and ∂L/∂W = (S − Y)ᵀX/N for a batch.",
            "线性层 z = W x + b（W 为 n × d，与 torch.nn.Linear 相同）后接 softmax 交叉熵。logits 处的梯度 s − y "
            "对单个样本变成 ∂L/∂W_jk = (s_j − y_j) x_k，对一批样本变成 ∂L/∂W = (S − Y)ᵀX/N。"),
        base="cross_entropy",
        loss=-Sum(y[l] * log(Softmax(z, l)), (l, 1, n)),  # l: i, j, k are free in the steps
        layer=_dense,
        residual=MatrixForm("S − Y", "S - Y"),
        row=MatrixForm("s⁽ʳ⁾_j − y⁽ʳ⁾_j", r"s^{(r)}_{j} - y^{(r)}_{j}"),
        aliases=("multinomial_logistic_regression", "softmax_classifier"),
    ),
    LayerSpec(
        name="softmax_regression_index",
        title=Text("Softmax regression: gradients of the weights and bias (class-index target)",
                   "softmax 回归：权重与偏置的梯度（整数类别标签）"),
        description=Text(
            "Softmax regression when the target is a class index t, as in torch.nn.CrossEntropyLoss: "
            "∂L/∂W_jk = (s_j − δ_jt) x_k, and for a batch ∂L/∂W = (S − Y)ᵀX/N with Y the one-hot rows "
            "of the targets.",
            "目标为整数类别标签 t 时的 softmax 回归（与 torch.nn.CrossEntropyLoss 相同）：∂L/∂W_jk = (s_j − δ_jt) x_k；"
            "对一批样本，∂L/∂W = (S − Y)ᵀX/N，其中 Y 的各行是目标的独热编码。"),
        base="cross_entropy_index",
        loss=-log(Softmax(z, t)),
        layer=_dense,
        residual=MatrixForm("S − Y", "S - Y"),
        row=MatrixForm("s⁽ʳ⁾_j − δ_j,t⁽ʳ⁾", r"s^{(r)}_{j} - \delta_{j t^{(r)}}"),
        aliases=("sparse_softmax_regression",),
    ),
)
