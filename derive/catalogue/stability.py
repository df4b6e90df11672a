"""How each loss is computed without overflow, cancellation or NaN, and why the textbook formula is not.

Declarative data beside the catalogue: the naive formula, the stable form (both
SymPy expressions, printed like every equation), the definitions the stable form
uses, and one explanation per language.  The stable forms are the identities the
generated NumPy code uses (``derive.printing.stable``): the shifted log-sum-exp,
``log σ(x) = −logaddexp(0, −x)``, ``1 − σ(x) = σ(−x)``, ``xlogy``.  A loss mapped
to ``None`` is safe as written; a loss missing here gets no such section.
"""

from __future__ import annotations

from typing import NamedTuple

from sympy import Abs, Eq, Expr, Function, Max, Min, Sum, Symbol, cosh, exp, log

from ..engine.derivation import Text
from ..engine.functions import Sigmoid
from ..engine.symbols import alpha, eps, gamma, i, k, n, p, p0, q, q0, t, w, x, x0, y, y0, y_pm, z, z0

__all__ = ["STABLE", "StableForm", "stable_form"]


class StableForm(NamedTuple):
    """``naive`` fails in floating point where ``stable`` does not (``stable`` None: the naive form is
    what is computed, and ``why`` says where it overflows); ``where`` defines the helpers it uses."""

    naive: Expr
    stable: Expr | None
    why: Text
    where: tuple[Eq, ...] = ()


xlogy = Function("xlogy")
log1p = Function("log1p")
logaddexp = Function("logaddexp")
expm1 = Function("expm1")
_M = Symbol("M", real=True)  # the largest logit
_max = Function("max")
_SHIFT = (Eq(_M, _max(z), evaluate=False),)


def _lse(over: Symbol) -> Expr:
    """log Σ exp(z) with the largest logit taken out."""
    return _M + log(Sum(exp(z[over] - _M), (over, 1, n)))


def _naive_softmax(index: Expr, over: Symbol = i) -> Expr:
    return exp(z[index]) / Sum(exp(z[over]), (over, 1, n))


_LSE = _lse(i)
_SHIFT_WHY = Text(
    "exp(z) overflows for z > 709 in float64 (z > 88 in float32), and then inf/inf is NaN. Subtracting "
    "the largest logit M first changes nothing mathematically (the factor e^{−M} cancels) but keeps every "
    "exponent ≤ 0, so nothing overflows and the largest term is exactly 1.",
    "float64 中 z > 709（float32 中 z > 88）时 exp(z) 上溢，inf/inf 得到 NaN。先减去最大的 logit M "
    "在数学上不改变结果（因子 e^{−M} 约去），却让所有指数都 ≤ 0，不会上溢，且最大的一项恰好是 1。")
_LOG_WHY = Text(
    "log(s_k) of a softmax that underflowed to 0 is −inf, and 0 · (−inf) is NaN. The log-softmax "
    "log s_k = z_k − M − log Σ exp(z_i − M) is computed directly, so it stays finite for every finite "
    "logit, and a class with zero target contributes exactly 0.",
    "softmax 下溢为 0 时 log(s_k) 为 −inf，而 0 · (−inf) 是 NaN。直接计算 log-softmax "
    "log s_k = z_k − M − log Σ exp(z_i − M)，对任何有限的 logit 都保持有限，目标为零的类别恰好贡献 0。")
_SOFTPLUS_WHY = Text(
    "σ(z) rounds to exactly 1 for z > 37 in float64 (z > 17 in float32), so log(1 − σ(z)) is −inf, and "
    "exp(−z) overflows for z < −709. The stable form uses 1 − σ(z) = σ(−z) and "
    "−log σ(z) = log(1 + e^{−z}) = logaddexp(0, −z), which never overflows and never takes log 0.",
    "float64 中 z > 37（float32 中 z > 17）时 σ(z) 恰好舍入为 1，于是 log(1 − σ(z)) 为 −inf；"
    "z < −709 时 exp(−z) 上溢。稳定形式利用 1 − σ(z) = σ(−z) 和 −log σ(z) = log(1 + e^{−z}) = "
    "logaddexp(0, −z)，既不会上溢，也不会对 0 取对数。")
_XLOGY_WHY = Text(
    "A zero probability makes p log p equal 0 · (−inf) = NaN, though its limit is 0. xlogy(a, b) = a log b "
    "with xlogy(0, b) = 0 takes the limit.",
    "概率为零时 p log p 变成 0 · (−inf) = NaN，而它的极限是 0。xlogy(a, b) = a log b 并约定 "
    "xlogy(0, b) = 0，取的正是这个极限。")
_SIGMOID_WHY = Text(
    "exp(−z) overflows for z < −709 in float64. Dividing numerator and denominator by e^{−z} when z < 0 "
    "evaluates only exp(−|z|) ≤ 1, and 1 − σ(z) is computed as σ(−z), without cancellation.",
    "float64 中 z < −709 时 exp(−z) 上溢。z < 0 时把分子分母同除以 e^{−z}，只需计算 exp(−|z|) ≤ 1；"
    "1 − σ(z) 按 σ(−z) 计算，不会相消。")


def _cross_entropy(target: Expr) -> StableForm:
    """−Σ_k target_k log s_k, naive and through the shifted log-sum-exp."""
    return StableForm(naive=-Sum(target * log(_naive_softmax(k)), (k, 1, n)),
                      stable=-Sum(target * (z[k] - _LSE), (k, 1, n)), why=_LOG_WHY, where=_SHIFT)


def _binary(positive: Expr) -> StableForm:
    """−(positive·y log σ(z) + (1 − y) log(1 − σ(z))), naive and through logaddexp."""
    return StableForm(
        naive=-(positive * y0 * log(Sigmoid(z0)) + (1 - y0) * log(1 - Sigmoid(z0))),
        stable=positive * y0 * logaddexp(0, -z0) + (1 - y0) * logaddexp(0, z0), why=_SOFTPLUS_WHY)


_ONE_MINUS_P_T = y0 * Sigmoid(-z0) + (1 - y0) * Sigmoid(z0)
_ALPHA_T = alpha * y0 + (1 - alpha) * (1 - y0)
_FOCAL_WHY = Text(
    _SOFTPLUS_WHY.en + " The focal factor uses 1 − p_t = y σ(−z) + (1 − y) σ(z), which has no "
    "cancellation when p_t ≈ 1.",
    _SOFTPLUS_WHY.zh + "焦点因子使用 1 − p_t = y σ(−z) + (1 − y) σ(z)，在 p_t ≈ 1 时也不会相消。")
_SOFTMAX_FOCAL_WHY = Text(
    _LOG_WHY.en + " The focal factor uses 1 − s_k = −expm1(log s_k), which keeps its precision when "
    "s_k ≈ 1.",
    _LOG_WHY.zh + "焦点因子使用 1 − s_k = −expm1(log s_k)，在 s_k ≈ 1 时保持精度。")
_SOFTMAX_FOCAL = StableForm(
    -Sum(y[k] * (1 - _naive_softmax(k)) ** gamma * log(_naive_softmax(k)), (k, 1, n)),
    -Sum(y[k] * (-expm1(z[k] - _LSE)) ** gamma * (z[k] - _LSE), (k, 1, n)), _SOFTMAX_FOCAL_WHY, _SHIFT)
_POLY_WHY = Text(
    _LOG_WHY.en + " The poly term uses 1 − s_k = −expm1(log s_k), which keeps its precision when s_k ≈ 1.",
    _LOG_WHY.zh + "多项式项使用 1 − s_k = −expm1(log s_k)，在 s_k ≈ 1 时保持精度。")
_POLY = StableForm(
    -Sum(y[k] * log(_naive_softmax(k)), (k, 1, n)) + eps * Sum(y[k] * (1 - _naive_softmax(k)), (k, 1, n)),
    -Sum(y[k] * (z[k] - _LSE), (k, 1, n)) - eps * Sum(y[k] * expm1(z[k] - _LSE), (k, 1, n)), _POLY_WHY, _SHIFT)
_AS_WRITTEN = None

STABLE: dict[str, StableForm | None] = {
    "self_information": _AS_WRITTEN,
    "entropy": StableForm(-Sum(p[k] * log(p[k]), (k, 1, n)), -Sum(xlogy(p[k], p[k]), (k, 1, n)), _XLOGY_WHY),
    "cross_entropy_distributions": StableForm(
        -Sum(p[k] * log(q[k]), (k, 1, n)), -Sum(xlogy(p[k], q[k]), (k, 1, n)), _XLOGY_WHY),
    "kl_divergence": StableForm(
        Sum(p[k] * log(p[k] / q[k]), (k, 1, n)), Sum(xlogy(p[k], p[k]) - xlogy(p[k], q[k]), (k, 1, n)),
        _XLOGY_WHY),
    "softmax": StableForm(_naive_softmax(i, k), exp(z[i] - _M) / Sum(exp(z[k] - _M), (k, 1, n)),
                          _SHIFT_WHY, _SHIFT),
    "logsumexp": StableForm(log(Sum(exp(z[k]), (k, 1, n))), _lse(k), _SHIFT_WHY, _SHIFT),
    "log_softmax": StableForm(log(_naive_softmax(i, k)), z[i] - _lse(k), _LOG_WHY, _SHIFT),
    "cross_entropy": _cross_entropy(y[k]),
    "cross_entropy_index": StableForm(-log(_naive_softmax(t)), _LSE - z[t], _SHIFT_WHY, _SHIFT),
    "nll_loss": _AS_WRITTEN,
    "cross_entropy_weighted": StableForm(-w[t] * log(_naive_softmax(t)), w[t] * (_LSE - z[t]),
                                         _SHIFT_WHY, _SHIFT),
    "cross_entropy_label_smoothing": _cross_entropy((1 - eps) * y[k] + eps / n),
    "softmax_focal_loss": _SOFTMAX_FOCAL,
    "softmax_focal_loss_index": _SOFTMAX_FOCAL,
    "sigmoid": StableForm(1 / (1 + exp(-z0)), exp(Min(z0, 0)) / (1 + exp(-Abs(z0))), _SIGMOID_WHY),
    "softplus": StableForm(log(1 + exp(z0)), logaddexp(0, z0), Text(
        "exp(z) overflows for z > 709 in float64 (z > 88 in float32), and for z < −37 the 1 + e^z rounds to 1 "
        "and loses e^z entirely. logaddexp(0, z) = max(z, 0) + log1p(e^{−|z|}) does neither.",
        "float64 中 z > 709（float32 中 z > 88）时 exp(z) 上溢；z < −37 时 1 + e^z 舍入为 1，e^z 完全丢失。"
        "logaddexp(0, z) = max(z, 0) + log1p(e^{−|z|}) 两个问题都没有。")),
    "binary_cross_entropy": StableForm(
        -(y0 * log(p0) + (1 - y0) * log(1 - p0)),
        -(y0 * Max(log(p0), -100) + (1 - y0) * Max(log1p(-p0), -100)),
        Text("log(0) is −inf at p = 0 or p = 1. Like PyTorch, the generated code clamps each log at −100 "
             "and uses log1p(−p) for log(1 − p), which keeps its precision for small p; the gradient "
             "(p − y)/(p(1 − p)) gets its denominator clamped at 1e-12.",
             "p = 0 或 p = 1 时 log(0) 为 −inf。生成的代码与 PyTorch 一样，把每个对数截断在 −100，并用 "
             "log1p(−p) 计算 log(1 − p)，在 p 很小时保持精度；梯度 (p − y)/(p(1 − p)) 的分母截断在 1e-12。")),
    "binary_cross_entropy_with_logits": _binary(1),
    "binary_cross_entropy_with_logits_pos_weight": _binary(q0),
    "mse_sigmoid": StableForm(
        (1 / (1 + exp(-z0)) - y0) ** 2 / 2, (exp(Min(z0, 0)) / (1 + exp(-Abs(z0))) - y0) ** 2 / 2,
        Text("Only the sigmoid needs care: it is evaluated as exp(min(z, 0))/(1 + exp(−|z|)), which never "
             "overflows. The loss itself is bounded by 1/2.",
             "只有 sigmoid 需要小心：按 exp(min(z, 0))/(1 + exp(−|z|)) 计算，永不上溢。损失本身不超过 1/2。")),
    "sigmoid_focal_loss": StableForm(
        _ALPHA_T * (1 - (Sigmoid(z0) * y0 + (1 - Sigmoid(z0)) * (1 - y0))) ** gamma * _binary(1).naive,
        _ALPHA_T * _ONE_MINUS_P_T ** gamma * _binary(1).stable, _FOCAL_WHY),
    "mse_loss": _AS_WRITTEN,
    "l1_loss": _AS_WRITTEN,
    "smooth_l1_loss": _AS_WRITTEN,
    "huber_loss": _AS_WRITTEN,
    "log_cosh": StableForm(
        log(cosh(x0 - y0)), logaddexp(x0 - y0, y0 - x0) - log(2),
        Text("cosh(x − y) overflows to inf once |x − y| > 710 in float64 (89 in float32), although the loss "
             "there is only about |x − y| − log 2. As cosh e = (e^e + e^{−e})/2, log cosh e = "
             "logaddexp(e, −e) − log 2 = |e| + log1p(e^{−2|e|}) − log 2, which never overflows (optax's form).",
             "当 |x − y| > 710（float32 中 > 89）时 cosh(x − y) 上溢为 inf，而那里的损失只有约 |x − y| − log 2。"
             "由 cosh e = (e^e + e^{−e})/2，log cosh e = logaddexp(e, −e) − log 2 = |e| + log1p(e^{−2|e|}) − "
             "log 2，永不上溢（optax 的写法）。")),
    "kl_div": StableForm(y0 * (log(y0) - x0), xlogy(y0, y0) - y0 * x0, _XLOGY_WHY),
    "kl_div_log_target": _AS_WRITTEN,
    "poisson_nll_loss": StableForm(
        exp(x0) - y0 * x0, None,
        Text("Computed as written, as PyTorch does: e^x overflows to inf for x > 709 in float64 "
             "(x > 88 in float32), and so does the loss; the log-rate input avoids any log of 0.",
             "与 PyTorch 一样按原式计算：float64 中 x > 709（float32 中 x > 88）时 e^x 上溢为 inf，损失也随之为 "
             "inf；以对数速率为输入则避免了对 0 取对数。")),
    "poisson_nll_loss_rate": _AS_WRITTEN,
    "gaussian_nll_loss": _AS_WRITTEN,
    "gaussian_nll_loss_var": _AS_WRITTEN,
    "soft_margin_loss": StableForm(
        log(1 + exp(-y_pm * x0)), logaddexp(0, -y_pm * x0),
        Text("PyTorch computes log1p(exp(−y x)), which overflows once −y x > 88 in float32 (an inf loss "
             "and a NaN gradient). logaddexp(0, −y x) = max(0, −y x) + log1p(e^{−|y x|}) never overflows.",
             "PyTorch 按 log1p(exp(−y x)) 计算，float32 中 −y x > 88 时上溢（损失为 inf，梯度为 NaN）。"
             "logaddexp(0, −y x) = max(0, −y x) + log1p(e^{−|y x|}) 永不上溢。")),
    "multilabel_soft_margin_loss": StableForm(
        -Sum(w[k] * (y[k] * log(Sigmoid(x[k])) + (1 - y[k]) * log(1 - Sigmoid(x[k]))), (k, 1, n)) / n,
        Sum(w[k] * (y[k] * logaddexp(0, -x[k]) + (1 - y[k]) * logaddexp(0, x[k])), (k, 1, n)) / n,
        _SOFTPLUS_WHY),
    "hinge_loss": _AS_WRITTEN,
    "squared_hinge": _AS_WRITTEN,
    "hinge_embedding_loss": _AS_WRITTEN,
    "margin_ranking_loss": _AS_WRITTEN,
    "margin_ranking_loss_input2": _AS_WRITTEN,
    "cosine_embedding_loss": _AS_WRITTEN,
    "cosine_embedding_loss_input2": _AS_WRITTEN,
    "multi_margin_loss": _AS_WRITTEN,
    "poly_loss_cross_entropy": _POLY,
    "poly_loss_cross_entropy_index": _POLY,
    "sparsemax": _AS_WRITTEN,
    "sparsemax_loss": _AS_WRITTEN,
    "triplet_margin_loss": _AS_WRITTEN,
    "triplet_margin_loss_positive": _AS_WRITTEN,
    "triplet_margin_loss_negative": _AS_WRITTEN,
    "multilabel_margin_loss": _AS_WRITTEN,
}


def stable_form(name: str) -> StableForm | None:
    """The stable computation of catalogue loss ``name``; None when it is safe as written or not listed
    (see :func:`is_listed`)."""
    return STABLE.get(name)


def is_listed(name: str) -> bool:
    """True when the table says how ``name`` is computed (a stable form, or None: safe as written)."""
    return name in STABLE
