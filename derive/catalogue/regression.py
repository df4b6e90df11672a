"""Regression: squared error, absolute error, smooth L1 and Huber (PyTorch's element-wise losses), and
log-cosh (optax, Keras)."""

from sympy import Abs, Piecewise, cosh, log

from ..engine.derivation import HessianSpec, LossSpec, Text
from ..engine.symbols import beta, delta, x0, y0

_e = x0 - y0  # the residual

_KINK_L1 = Text(
    "|x − y| has no derivative at x = y; every value in [−1, 1] is a subgradient there. "
    "sign(0) = 0 picks the middle one, which is also what PyTorch returns.",
    "|x − y| 在 x = y 处不可导，[−1, 1] 中的任何值都是次梯度。sign(0) = 0 取中间的那个，这也是 PyTorch 的返回值。")
_BRANCHES = Text(
    "Inside the band (|x − y| below the threshold) the loss is quadratic and the gradient is linear in "
    "the residual; outside it is linear and the gradient is clipped. The two branches meet with the "
    "same value and slope, so the loss is differentiable everywhere; at x = y the sign branch is not "
    "used (the quadratic branch applies) and the gradient is 0, as in PyTorch.",
    "在阈值以内（|x − y| 小于阈值）损失是二次的，梯度与残差成正比；阈值以外损失是线性的，梯度被截断。"
    "两段在分界处的值和斜率都相同，所以损失处处可导；x = y 时用的是二次那一段，梯度为 0，与 PyTorch 一致。")

SPECS = (
    LossSpec(
        name="mse_loss",
        title=Text("Mean squared error", "均方误差"),
        family="regression",
        description=Text(
            "PyTorch's MSELoss, element by element: the squared residual (x − y)². Its gradient "
            "2(x − y) grows with the error, so outliers dominate.",
            "PyTorch 的 MSELoss（逐元素）：残差的平方 (x − y)²。梯度 2(x − y) 随误差增大，所以离群点占主导。"),
        loss=_e ** 2,
        wrt=x0,
        hessian=HessianSpec(x0, remark=Text("The second derivative is the constant 2: the loss is convex.",
                                            "二阶导数是常数 2：损失是凸的。")),
        aliases=("MSELoss", "squared_error", "mean_squared_error"),
    ),
    LossSpec(
        name="l1_loss",
        title=Text("Mean absolute error (L1)", "平均绝对误差（L1）"),
        family="regression",
        description=Text(
            "PyTorch's L1Loss, element by element: |x − y|. Its gradient has constant size, so "
            "outliers pull no harder than any other point.",
            "PyTorch 的 L1Loss（逐元素）：|x − y|。梯度大小恒定，离群点的拉力并不比其他点大。"),
        loss=Abs(_e),
        wrt=x0,
        remarks=(_KINK_L1,),
        aliases=("L1Loss", "absolute_error", "mean_absolute_error"),
    ),
    LossSpec(
        name="smooth_l1_loss",
        title=Text("Smooth L1 loss", "平滑 L1 损失"),
        family="regression",
        description=Text(
            "PyTorch's SmoothL1Loss with threshold β: quadratic (x − y)²/(2β) near zero, "
            "|x − y| − β/2 beyond. With β = 0 it is the L1 loss (PyTorch switches to l1_loss).",
            "PyTorch 的 SmoothL1Loss，阈值为 β：零附近是二次的 (x − y)²/(2β)，之外是 |x − y| − β/2。"
            "β = 0 时就是 L1 损失（PyTorch 会改用 l1_loss）。"),
        loss=Piecewise((_e ** 2 / (2 * beta), Abs(_e) < beta), (Abs(_e) - beta / 2, True)),
        wrt=x0,
        parameters=(beta,),
        remarks=(_BRANCHES,),
        aliases=("SmoothL1Loss",),
    ),
    LossSpec(
        name="huber_loss",
        title=Text("Huber loss", "Huber 损失"),
        family="regression",
        description=Text(
            "PyTorch's HuberLoss with threshold δ: (x − y)²/2 near zero, δ(|x − y| − δ/2) beyond; "
            "the gradient is the residual clipped to [−δ, δ]. It equals δ times the smooth L1 loss with β = δ.",
            "PyTorch 的 HuberLoss，阈值为 δ：零附近是 (x − y)²/2，之外是 δ(|x − y| − δ/2)；梯度是截断到 [−δ, δ] "
            "的残差。它等于 β = δ 时平滑 L1 损失的 δ 倍。"),
        loss=Piecewise((_e ** 2 / 2, Abs(_e) < delta), (delta * (Abs(_e) - delta / 2), True)),
        wrt=x0,
        parameters=(delta,),
        remarks=(_BRANCHES,),
        aliases=("HuberLoss",),
    ),
    LossSpec(
        name="log_cosh",
        title=Text("Log-cosh loss", "Log-cosh 损失"),
        family="regression",
        description=Text(
            "optax's log_cosh and Keras' LogCosh: log cosh(x − y) is (x − y)²/2 to second order near zero "
            "and |x − y| − log 2 far from it, so it behaves like the squared error close to the target and "
            "like the absolute error far from it; its gradient tanh(x − y) is a smooth clip to (−1, 1). "
            "PyTorch has no log-cosh loss.",
            "optax 的 log_cosh 与 Keras 的 LogCosh：log cosh(x − y) 在零附近到二阶是 (x − y)²/2，远处是 "
            "|x − y| − log 2，所以靠近目标时像平方误差，远离目标时像绝对误差；它的梯度 tanh(x − y) 是把残差"
            "平滑地截断到 (−1, 1)。PyTorch 没有 log-cosh 损失。"),
        loss=log(cosh(_e)),
        wrt=x0,
        hessian=HessianSpec(x0, remark=Text(
            "The second derivative 1 − tanh²(x − y) lies in (0, 1]: the loss is convex, with curvature 1 at "
            "the target, as for (x − y)²/2, fading to 0 far from it, as for |x − y|.",
            "二阶导数 1 − tanh²(x − y) 在 (0, 1] 内：损失是凸的，在目标处曲率为 1，与 (x − y)²/2 相同；远离目标时"
            "趋于 0，与 |x − y| 相同。")),
        aliases=("LogCosh",),
    ),
)
