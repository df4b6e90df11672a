r"""Through a linear layer: from the gradient at the logits to the gradient at the weights.

A :class:`LayerSpec` names a loss on the logits (a catalogue entry whose
:math:`\partial L/\partial z_i` is already derived, e.g. ``s_i - y_i``) and the
layer :math:`z_i = \sum_l W_{il} x_l + b_i` in front of it.  :func:`derive_layer`
takes the route a person takes: reuse the closed form at the logits (verified
again here as a step), differentiate the layer (:math:`\partial z_i/\partial W_{jk}
= \delta_{ij} x_k`), chain, eliminate the delta, first for the bias and then for
the weights; then states the gradient for a batch in matrix form
(:math:`\partial L/\partial W = (S - Y)^\top X / N`), which :mod:`derive.engine.batch` verifies.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Derivative, Expr, Indexed, Mul, Sum

from .constraints import Linear
from .derivation import LOSS, BatchForm, Derivation, MatrixForm, Named, Step, Text
from .rules import DELTA, STRUCTURAL_RULES, run_rules
from .symbols import i, j, k, n

__all__ = ["LayerSpec", "derive_layer"]


@dataclass(frozen=True)
class LayerSpec:
    """A catalogue entry for a loss behind a linear layer.

    ``base`` is the catalogue entry whose gradient at the logits is reused; ``loss`` is the same
    loss written with this derivation's indices (the reuse is verified); ``residual`` names the
    matrix whose rows are the per-example gradients at the logits (``S − Y``) and ``row`` one of
    its entries for example ``r`` (``s⁽ʳ⁾_j − y⁽ʳ⁾_j``)."""

    name: str
    title: Text
    description: Text
    base: str
    loss: Expr
    layer: Linear
    residual: MatrixForm
    row: MatrixForm
    family: str = "layers"
    aliases: tuple[str, ...] = ()
    remarks: tuple[Text, ...] = ()


def _rule_steps(lhs: Expr, rhs: Expr, assumes: tuple, delta_first: bool = True) -> list[Step]:
    """The rewrite steps from ``rhs``; the delta goes first so ``Σ_i f_i δ_ij x_k`` becomes ``f_j x_k``."""
    rules = (DELTA, *STRUCTURAL_RULES) if delta_first else STRUCTURAL_RULES
    return [Step(lhs, new, rule.name, rule.note, assumes) for rule, new in run_rules(rhs, rules)]


def _subscripted(param: Expr) -> str:
    """``b_j``, ``W_jk`` or ``b``: a parameter as the sentences name it."""
    if not isinstance(param, Indexed):
        return str(param)
    return f"{param.base}_{''.join(map(str, param.indices))}"


def _through(named: Named, layer: Linear, logit: Expr, param: Expr, assumes: tuple) -> list[Step]:
    """Layer derivative, chain rule and simplification for one parameter (a bias or a weight)."""
    z_i = layer.output(i)
    p = _subscripted(param)
    jac_lhs = Derivative(Named(z_i, layer.definition()), param, evaluate=False)
    raw = layer.definition().diff(param)
    steps = [Step(jac_lhs, raw, "layer derivative",
                  Text(f"Differentiate the layer with respect to {p}; only the term that contains {p} "
                       "depends on it.",
                       f"对 {p} 求线性层的导数；只有含 {p} 的那一项与它有关。"))]
    steps += _rule_steps(jac_lhs, raw, ())
    jac = steps[-1].rhs
    lhs = Derivative(named, param, evaluate=False)
    if layer.scalar:
        rhs = logit if jac == 1 else Mul(logit, jac)
        note = Text(f"Chain rule: ∂L/∂{p} = ∂L/∂z · ∂z/∂{p}.", f"链式法则：∂L/∂{p} = ∂L/∂z · ∂z/∂{p}。")
    else:
        rhs = Sum(Mul(logit, jac), (i, 1, n))
        note = Text(f"Chain rule: {p} reaches L through every logit z_i, so sum over i: "
                    f"∂L/∂{p} = Σ_i ∂L/∂z_i · ∂z_i/∂{p}.",
                    f"链式法则：{p} 通过每一个 logit z_i 影响 L，因此对 i 求和："
                    f"∂L/∂{p} = Σ_i ∂L/∂z_i · ∂z_i/∂{p}。")
    steps.append(Step(lhs, rhs, "chain rule", note, assumes))
    return steps + _rule_steps(lhs, rhs, assumes)


def derive_layer(spec: LayerSpec, base: Derivation) -> Derivation:
    """Build the derivation of ``spec``, reusing the closed form of ``base`` at the logits."""
    layer, named = spec.layer, Named(LOSS, spec.loss)
    used = base.steps[-1].assumes
    with_layer = (layer, *used)
    z_i = layer.output(i)
    logit = base.gradient if layer.scalar else base.gradient.xreplace({j: i})
    bias = layer.bias if layer.scalar else layer.bias[j]
    weight = layer.weight[k] if layer.scalar else layer.weight[j, k]
    steps = [
        Step(LOSS, spec.loss, "definition",
             Text("The loss of one example, as a function of the logits.",
                  "单个样本的损失，写成 logits 的函数。")),
        Step(Named(z_i, layer.definition()), layer.definition(), "definition",
             Text("A linear layer computes the logits from the input x with weights W and bias b.",
                  "线性层用权重 W 和偏置 b 由输入 x 计算 logits。")),
        Step(Derivative(named, z_i, evaluate=False), logit, "gradient at the logits",
             Text(f"Derived step by step in {base.name}.", f"已在 {base.name} 中逐步推导。"), used),
    ]
    steps += _through(named, layer, logit, bias, with_layer)
    steps += _through(named, layer, logit, weight, with_layer)
    gradient = steps[-1].rhs
    return Derivation(
        name=spec.name, title=spec.title, family=spec.family, description=spec.description,
        symbol=LOSS, loss=spec.loss, wrt=weight, assumptions=(layer, *base.assumptions),
        steps=tuple(steps), gradient=gradient, gradient_general=None, aliases=spec.aliases,
        remarks=spec.remarks, batch=batch_form(spec, base.gradient),
    )


# --- the batch in matrix form ----------------------------------------------------------------------

_MEAN = Text("A batch of N examples: the inputs x⁽ʳ⁾ are the rows of X (N × d) and the targets those "
             "of Y; the loss is the mean of the per-example losses.",
             "一批 N 个样本：输入 x⁽ʳ⁾ 是 X（N × d）的各行，目标是 Y 的各行；损失是各样本损失的平均值。")
_SHARED = Text("Every example contributes the closed form above; W is shared, so the contributions add up.",
               "每个样本贡献上面的闭式梯度；W 是共享的，所以各样本的贡献相加。")
_PRODUCT = Text("Entry r of the residual {R} is the gradient at the logits of example r; a sum over r "
                "of products is a matrix product.",
                "残差 {R} 的第 r 行是第 r 个样本在 logits 处的梯度；对 r 求乘积之和就是矩阵乘法。")
_BIAS = Text("The bias gradient is the mean of the rows of {R}.", "偏置的梯度是 {R} 各行的平均值。")
_LAYOUT = Text("With the weights stored as Wᵀ (d × n, the layout of Z = X W + b) the same gradient reads "
               "Xᵀ({R})/N.",
               "若权重按 Wᵀ 存储（d × n，即 Z = X W + b 的写法），同一个梯度写作 Xᵀ({R})/N。")


def _fill(note: Text, residual: MatrixForm) -> Text:
    return Text(note.en.format(R=residual.text), note.zh.format(R=residual.text))


_TRANSPOSED = r"W^{\top}"


def _d(wrt: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {wrt}}} = \frac{{1}}{{N}}"


def batch_form(spec: LayerSpec, logit_gradient: Expr) -> BatchForm:
    """The lines from the per-example gradient to ``∂L/∂W`` and ``∂L/∂b`` for a batch."""
    R, row, scalar = spec.residual, spec.row, spec.layer.scalar
    sub = "k" if scalar else "jk"
    res = rf"\left({R.latex}\right)"
    mean = MatrixForm("L = (1/N) Σ_r L⁽ʳ⁾", r"L = \frac{1}{N} \sum_{r=1}^{N} L^{(r)}")
    total = rf"\sum_{{r=1}}^{{N}} \left({row.latex}\right) x^{{(r)}}_{{k}}"
    per_example = MatrixForm(f"∂L/∂W_{sub} = (1/N) Σ_r ({row.text}) x⁽ʳ⁾_k",
                             _d("W_{" + sub + "}") + " " + total)
    if scalar:
        weight = MatrixForm(f"∂L/∂W = Xᵀ({R.text})/N", rf"{_d('W')} X^{{\top}} {res}")
    else:
        weight = MatrixForm(f"∂L/∂W = ({R.text})ᵀ X/N", rf"{_d('W')} {res}^{{\top}} X")
    bias = MatrixForm(f"∂L/∂b = ({R.text})ᵀ 1/N", rf"{_d('b')} {res}^{{\top}} \mathbf{{1}}")
    lines = [(mean, _MEAN), (per_example, _SHARED), (weight, _fill(_PRODUCT, R)), (bias, _fill(_BIAS, R))]
    if not scalar:
        transposed = MatrixForm(f"∂L/∂Wᵀ = Xᵀ({R.text})/N", rf"{_d(_TRANSPOSED)} X^{{\top}} {res}")
        lines.append((transposed, _fill(_LAYOUT, R)))
    return BatchForm(tuple(lines), weight, bias, logit_gradient)
