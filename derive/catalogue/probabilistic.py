"""Likelihood-based losses on predictions: KL divergence on log-probabilities, Poisson and Gaussian NLL."""

from sympy import Piecewise, exp, log, pi

from ..engine.derivation import LossSpec, Text
from ..engine.symbols import eps, rate, var, x0, y0

STIRLING = Piecewise((y0 * log(y0) - y0 + log(2 * pi * y0) / 2, y0 > 1), (0, True))
"""The Stirling term ``full=True`` adds to the Poisson NLL: log(y!) for y > 1, 0 otherwise (PyTorch)."""

GAUSSIAN_CONSTANT = log(2 * pi) / 2
"""The constant ``full=True`` adds to the Gaussian NLL."""

_NO_INPUT = Text(
    "The term PyTorch adds with full=True does not depend on the input, so the gradient is unchanged.",
    "PyTorch 在 full=True 时加上的项与输入无关，所以梯度不变。")
_CLAMP = Text(
    "PyTorch clamps v at eps before evaluating (outside autograd), so the gradients are these closed "
    "forms at the clamped variance, with no zero mask below eps.",
    "PyTorch 先把 v 截断到不小于 eps（不经过自动求导），所以梯度就是在截断后的方差处取值的闭式，eps 以下没有置零。")

SPECS = (
    LossSpec(
        name="kl_div",
        title=Text("KL divergence on log-probabilities", "对数概率输入的 KL 散度"),
        family="probabilistic",
        description=Text(
            "PyTorch's KLDivLoss, element by element: the input x is a log-probability, the target y a "
            "probability, and the pointwise loss is y(log y − x), with 0·log 0 = 0. Its gradient is −y.",
            "PyTorch 的 KLDivLoss（逐元素）：输入 x 是对数概率，目标 y 是概率，逐点损失为 y(log y − x)，"
            "约定 0·log 0 = 0。梯度是 −y。"),
        loss=y0 * (log(y0) - x0),
        wrt=x0,
        aliases=("KLDivLoss",),
    ),
    LossSpec(
        name="kl_div_log_target",
        title=Text("KL divergence with a log-probability target", "目标为对数概率的 KL 散度"),
        family="probabilistic",
        description=Text(
            "KLDivLoss with log_target=True: both the input x and the target y are log-probabilities, "
            "and the pointwise loss is e^y (y − x). Its gradient is −e^y.",
            "log_target=True 时的 KLDivLoss：输入 x 和目标 y 都是对数概率，逐点损失为 e^y (y − x)。梯度是 −e^y。"),
        loss=exp(y0) * (y0 - x0),
        wrt=x0,
    ),
    LossSpec(
        name="poisson_nll_loss",
        title=Text("Poisson negative log-likelihood (log-rate input)", "泊松负对数似然（输入为对数速率）"),
        family="probabilistic",
        description=Text(
            "PyTorch's PoissonNLLLoss with log_input=True: the input x is the log of the rate, and the "
            "loss e^x − y x is the negative log-likelihood of a count y up to log(y!).",
            "log_input=True 时 PyTorch 的 PoissonNLLLoss：输入 x 是速率的对数，损失 e^x − y x 是计数 y 的"
            "负对数似然（差一个 log(y!)）。"),
        loss=exp(x0) - y0 * x0,
        wrt=x0,
        remarks=(_NO_INPUT,),
        aliases=("PoissonNLLLoss", "log_poisson_loss"),
    ),
    LossSpec(
        name="poisson_nll_loss_rate",
        title=Text("Poisson negative log-likelihood (rate input)", "泊松负对数似然（输入为速率）"),
        family="probabilistic",
        description=Text(
            "PoissonNLLLoss with log_input=False: the input λ is the rate itself, and the loss is "
            "λ − y log(λ + ε), where ε keeps the log finite at λ = 0.",
            "log_input=False 时的 PoissonNLLLoss：输入 λ 就是速率，损失为 λ − y log(λ + ε)，ε 使 λ = 0 时对数有限。"),
        loss=rate - y0 * log(rate + eps),
        wrt=rate,
        parameters=(eps,),
        remarks=(_NO_INPUT,),
    ),
    LossSpec(
        name="gaussian_nll_loss",
        title=Text("Gaussian negative log-likelihood (mean)", "高斯负对数似然（对均值）"),
        family="probabilistic",
        description=Text(
            "PyTorch's GaussianNLLLoss: the input x is the predicted mean, v the predicted variance; "
            "the loss (log v + (x − y)²/v)/2 is the negative log-density up to a constant.",
            "PyTorch 的 GaussianNLLLoss：输入 x 是预测的均值，v 是预测的方差；损失 (log v + (x − y)²/v)/2 是"
            "负对数密度（差一个常数）。"),
        loss=(log(var) + (x0 - y0) ** 2 / var) / 2,
        wrt=x0,
        remarks=(_CLAMP, _NO_INPUT),
        aliases=("GaussianNLLLoss",),
    ),
    LossSpec(
        name="gaussian_nll_loss_var",
        title=Text("Gaussian negative log-likelihood (variance)", "高斯负对数似然（对方差）"),
        family="probabilistic",
        description=Text(
            "The same loss differentiated with respect to the variance v: the gradient vanishes where "
            "v equals the squared residual, the variance that fits this point best.",
            "同一个损失对方差 v 求导：当 v 等于残差的平方时梯度为零，这是最适合该点的方差。"),
        loss=(log(var) + (x0 - y0) ** 2 / var) / 2,
        wrt=var,
        remarks=(_CLAMP,),
    ),
)
