"""How each loss is computed without overflow or NaN, and why the textbook formula is not enough.

Declarative data beside the catalogue: the naive formula, the form the generated
code evaluates (both SymPy expressions, printed like every equation), the
definitions the stable form uses, and one explanation per language.  The two
forms are equal as functions (the tests check it numerically where both are
finite); they differ only in floating point.
"""

from __future__ import annotations

from typing import NamedTuple

from sympy import Abs, Eq, Expr, Function, Max, Min, Sum, Symbol, exp, log

from ..derivation import Text
from ..functions import Sigmoid
from ..symbols import alpha, eps, gamma, i, k, n, p, p0, q, q0, t, w, y, y0, z, z0

__all__ = ["STABLE", "StableForm", "stable_form"]


class StableForm(NamedTuple):
    naive: Expr
    stable: Expr
    why: Text
    where: tuple[Eq, ...] = ()


xlogy = Function("xlogy")
log1p = Function("log1p")
_M = Symbol("M", real=True)  # the largest logit
_max = Function("max")
_SHIFT = (Eq(_M, _max(z), evaluate=False),)


def _lse(over: Symbol) -> Expr:
    """log Σ exp(z) with the largest logit taken out."""
    return _M + log(Sum(exp(z[over] - _M), (over, 1, n)))


_LSE = _lse(i)

_SHIFT_WHY = Text(
    "exp(z) overflows for z > 709 in float64 (z > 88 in float32), and then inf/inf is NaN. Subtracting "
    "the largest logit M first changes nothing mathematically (the factor e^{−M} cancels) but keeps every "
    "exponent ≤ 0, so nothing overflows and the largest term is exactly 1.",
    "float64 中 z > 709（float32 中 z > 88）时 exp(z) 上溢，inf/inf 得到 NaN。先减去最大的 logit M "
    "在数学上不改变结果（因子 e^{−M} 约去），却让所有指数都 ≤ 0，不会上溢，且最大的一项恰好是 1。")
_LOG_WHY = Text(
    "log(s_k) of a softmax that underflowed to 0 is −inf, and 0 · (−inf) is NaN. The log-softmax "
    "z_k − M − log Σ exp(z_i − M) is computed directly, so it stays finite for every finite logit.",
    "softmax 下溢为 0 时 log(s_k) 为 −inf，而 0 · (−inf) 是 NaN。直接计算 log-softmax "
    "z_k − M − log Σ exp(z_i − M)，对任何有限的 logit 都保持有限。")
_SOFTPLUS_WHY = Text(
    "σ(z) rounds to exactly 1 for z > 37 in float64 (z > 17 in float32), so log(1 − σ(z)) is −inf; "
    "exp(−z) overflows for z < −709. Writing −log σ(z) = max(−z, 0) + log(1 + e^{−|z|}) keeps the "
    "exponent ≤ 0, and log1p keeps its precision when e^{−|z|} is tiny.",
    "float64 中 z > 37（float32 中 z > 17）时 σ(z) 恰好舍入为 1，于是 log(1 − σ(z)) 为 −inf；"
    "z < −709 时 exp(−z) 上溢。改写为 −log σ(z) = max(−z, 0) + log(1 + e^{−|z|}) 使指数始终 ≤ 0，"
    "而 log1p 在 e^{−|z|} 很小时保持精度。")
_XLOGY_WHY = Text(
    "A zero probability makes p log p equal 0 · (−inf) = NaN, though its limit is 0. xlogy(a, b) = a log b "
    "with xlogy(0, b) = 0 takes the limit.",
    "概率为零时 p log p 变成 0 · (−inf) = NaN，而它的极限是 0。xlogy(a, b) = a log b 并约定 "
    "xlogy(0, b) = 0，取的正是这个极限。")

_NEG_LOG_SIGMOID = Max(-z0, 0) + log1p(exp(-Abs(z0)))
_NEG_LOG_ONE_MINUS_SIGMOID = Max(z0, 0) + log1p(exp(-Abs(z0)))
_BCE_LOGITS = StableForm(
    naive=-(y0 * log(Sigmoid(z0)) + (1 - y0) * log(1 - Sigmoid(z0))),
    stable=Max(z0, 0) - z0 * y0 + log1p(exp(-Abs(z0))),
    why=_SOFTPLUS_WHY)
_ALPHA_T = alpha * y0 + (1 - alpha) * (1 - y0)
_FOCAL = (1 - (Sigmoid(z0) * y0 + (1 - Sigmoid(z0)) * (1 - y0))) ** gamma


def _naive_softmax(index: Expr, over: Symbol = i) -> Expr:
    return exp(z[index]) / Sum(exp(z[over]), (over, 1, n))


def _cross_entropy(target: Expr) -> StableForm:
    """−Σ_k target_k log s_k, naive and through the shifted log-sum-exp."""
    return StableForm(naive=-Sum(target * log(_naive_softmax(k)), (k, 1, n)),
                      stable=-Sum(target * (z[k] - _LSE), (k, 1, n)), why=_LOG_WHY, where=_SHIFT)



STABLE: dict[str, StableForm] = {
    "entropy": StableForm(-Sum(p[k] * log(p[k]), (k, 1, n)), -Sum(xlogy(p[k], p[k]), (k, 1, n)), _XLOGY_WHY),
    "cross_entropy_distributions": StableForm(
        -Sum(p[k] * log(q[k]), (k, 1, n)), -Sum(xlogy(p[k], q[k]), (k, 1, n)), _XLOGY_WHY),
    "kl_divergence": StableForm(
        Sum(p[k] * log(p[k] / q[k]), (k, 1, n)), Sum(xlogy(p[k], p[k]) - xlogy(p[k], q[k]), (k, 1, n)),
        _XLOGY_WHY),
    "softmax": StableForm(_naive_softmax(i, k), exp(z[i] - _M) / Sum(exp(z[k] - _M), (k, 1, n)),
                          _SHIFT_WHY, _SHIFT),
    "log_softmax": StableForm(log(_naive_softmax(i, k)), z[i] - _lse(k), _LOG_WHY, _SHIFT),
    "cross_entropy": _cross_entropy(y[k]),
    "cross_entropy_index": StableForm(-log(_naive_softmax(t)), _LSE - z[t], _SHIFT_WHY, _SHIFT),
    "cross_entropy_weighted": StableForm(-w[t] * log(_naive_softmax(t)), w[t] * (_LSE - z[t]),
                                         _SHIFT_WHY, _SHIFT),
    "cross_entropy_label_smoothing": _cross_entropy((1 - eps) * y[k] + eps / n),
    "softmax_focal_loss": StableForm(
        -Sum(y[k] * (1 - _naive_softmax(k)) ** gamma * log(_naive_softmax(k)), (k, 1, n)),
        -Sum(y[k] * (1 - exp(z[k] - _LSE)) ** gamma * (z[k] - _LSE), (k, 1, n)), _LOG_WHY, _SHIFT),
    "sigmoid": StableForm(
        1 / (1 + exp(-z0)), exp(Min(z0, 0)) / (1 + exp(-Abs(z0))),
        Text("exp(−z) overflows for z < −709 in float64. Dividing numerator and denominator by e^{−z} "
             "when z < 0 evaluates only exp(−|z|) ≤ 1.",
             "float64 中 z < −709 时 exp(−z) 上溢。z < 0 时把分子分母同除以 e^{−z}，只需计算 exp(−|z|) ≤ 1。")),
    "binary_cross_entropy": StableForm(
        -(y0 * log(p0) + (1 - y0) * log(1 - p0)),
        -(y0 * Max(log(p0), -100) + (1 - y0) * Max(log1p(-p0), -100)),
        Text("log(0) is −inf at p = 0 or p = 1. Like PyTorch, the generated code clamps each log at −100 "
             "and uses log1p(−p) for log(1 − p), which keeps its precision for small p; the gradient "
             "(p − y)/(p(1 − p)) gets its denominator clamped at 1e-12.",
             "p = 0 或 p = 1 时 log(0) 为 −inf。生成的代码与 PyTorch 一样，把每个对数截断在 −100，并用 "
             "log1p(−p) 计算 log(1 − p)，在 p 很小时保持精度；梯度 (p − y)/(p(1 − p)) 的分母截断在 1e-12。")),
    "binary_cross_entropy_with_logits": _BCE_LOGITS,
    "binary_cross_entropy_with_logits_pos_weight": StableForm(
        -(q0 * y0 * log(Sigmoid(z0)) + (1 - y0) * log(1 - Sigmoid(z0))),
        (1 - y0) * z0 + (1 + (q0 - 1) * y0) * _NEG_LOG_SIGMOID, _SOFTPLUS_WHY),
    "mse_sigmoid": StableForm(
        (1 / (1 + exp(-z0)) - y0) ** 2 / 2, (exp(Min(z0, 0)) / (1 + exp(-Abs(z0))) - y0) ** 2 / 2,
        Text("Only the sigmoid needs care: it is evaluated as exp(min(z, 0))/(1 + exp(−|z|)), which never "
             "overflows. The loss itself is bounded by 1/2.",
             "只有 sigmoid 需要小心：按 exp(min(z, 0))/(1 + exp(−|z|)) 计算，永不上溢。损失本身不超过 1/2。")),
    "sigmoid_focal_loss": StableForm(
        _ALPHA_T * _FOCAL * _BCE_LOGITS.naive,
        _ALPHA_T * _FOCAL * (y0 * _NEG_LOG_SIGMOID + (1 - y0) * _NEG_LOG_ONE_MINUS_SIGMOID), _SOFTPLUS_WHY),
}


def stable_form(name: str) -> StableForm | None:
    """The stable computation of catalogue loss ``name``; None when the formula is safe as written."""
    return STABLE.get(name)
