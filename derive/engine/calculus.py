r"""Differentiation along the route a person takes.

Definition, outer derivative (:math:`\partial L/\partial s_i`), the inner
Jacobian (:math:`\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)`), the chain
rule, then the rewrite rules of :mod:`derive.engine.rules` to a fixed point, then the
declared constraints (:math:`\sum_i y_i = 1`), each application a
:class:`~derive.engine.derivation.Step`.
"""

from __future__ import annotations

from dataclasses import replace

from sympy import Derivative, Expr, Indexed, IndexedBase, Mul, S, Sum, exp

from .constraints import Constraint
from .derivation import Derivation, LossSpec, Named, SecondOrder, Step, Text
from .functions import NAMED_FUNCTIONS, Sigmoid, Softmax
from .lemmas import cited, lemma_steps
from .presentation import presentation_steps
from .rules import RECOGNITION_RULES, evaluate_products, rewrite_steps, run_rules
from .symbols import a0, i, n, s

__all__ = ["derive", "rearranged"]

_CONSTRAINT_NOTES = {
    "sum to one": Text("The target is a distribution, so its components sum to one: Σ_i {v}_i = 1.",
                       "目标是一个概率分布，各分量之和为一：Σ_i {v}_i = 1。"),
    "one-hot target": Text("The target is one-hot for class t: {v}_i = δ_it.",
                           "目标是类别 t 的独热编码：{v}_i = δ_it。"),
}



def _softmax_vector(loss: Expr, wrt: Expr) -> IndexedBase | None:
    """The logits vector when ``loss`` depends on ``wrt`` only through its softmax."""
    if not isinstance(wrt, Indexed) or isinstance(loss, Softmax):
        return None
    vector = wrt.base
    hidden = loss.replace(lambda e: isinstance(e, Softmax) and e.vector == vector, lambda e: S.One)
    uses = [e for e in loss.atoms(Softmax) if e.vector == vector]
    return vector if uses and vector not in hidden.atoms(IndexedBase) else None


def _through_sigmoid(loss: Expr, wrt: Expr) -> bool:
    """True when the scalar ``loss`` depends on ``wrt`` only through ``σ(wrt)``."""
    if isinstance(wrt, Indexed) or isinstance(loss, Sigmoid) or Sigmoid(wrt) not in loss.atoms(Sigmoid):
        return False
    return wrt not in loss.xreplace({Sigmoid(wrt): a0}).free_symbols


def _chain_steps(spec: LossSpec, named: Named) -> tuple[list[Step], Expr]:
    """Definition, outer derivative, inner derivative and chain rule; returns (steps, chain rhs)."""
    wrt, steps = spec.wrt, []
    vector = _softmax_vector(spec.loss, wrt)
    if vector is not None:
        as_s = spec.loss.replace(lambda e: isinstance(e, Softmax) and e.vector == vector,
                                 lambda e: s[e.index])
        inner, var = Softmax(vector, i), s[i]
        summed = True
        jac_rule = Text("The softmax Jacobian, derived from the definition of the softmax in its lemma.",
                        "softmax 的雅可比矩阵，由 softmax 的定义在引理中推导。")
        jac_name = "softmax Jacobian"
        definition = Text("The softmax turns logits into probabilities.",
                          "softmax 把 logits 变成概率。")
    elif _through_sigmoid(spec.loss, wrt):
        as_s = spec.loss.xreplace({Sigmoid(wrt): a0})
        inner, var, summed = Sigmoid(wrt), a0, False
        jac_name = "sigmoid derivative"
        jac_rule = Text("The derivative of the sigmoid, derived from its definition in its lemma.",
                        "sigmoid 的导数，由其定义在引理中推导。")
        definition = Text("The sigmoid squashes the logit into (0, 1).",
                          "sigmoid 把 logit 压缩到 (0, 1) 区间。")
    else:
        return [], Derivative(named, wrt, evaluate=False)

    outer_named = Named(named.label, as_s)
    steps.append(Step(Named(var, inner), inner.rewrite(exp) if summed else inner, "definition",
                      definition))
    outer_lhs = Derivative(outer_named, var, evaluate=False)
    outer = as_s.diff(var)
    steps.append(Step(outer_lhs, outer, "outer derivative",
                      Text("Differentiate the loss with respect to the intermediate variable; "
                           "only the matching term of the sum survives." if summed else
                           "Differentiate the loss with respect to the activation.",
                           "先对中间变量求导；求和中只有下标相同的那一项留下。" if summed else
                           "先对激活值求导。")))
    steps += rewrite_steps(outer_lhs, outer)
    outer = steps[-1].rhs
    jac = inner.diff(wrt)
    steps.append(Step(Derivative(inner, wrt, evaluate=False), jac, jac_name, jac_rule,
                      lemmas=(type(inner).lemma,)))
    if summed:
        outer = outer.replace(lambda e: isinstance(e, Indexed) and e.base == s,
                              lambda e: Softmax(vector, e.indices[0]))
        rhs = Sum(Mul(outer, jac, evaluate=False), (i, 1, n))
        note = Text("Chain rule: z_j reaches L through every s_i, so sum over i.",
                    "链式法则：z_j 通过每一个 s_i 影响 L，因此对 i 求和。")
    else:
        rhs = Mul(outer.xreplace({a0: inner}), jac, evaluate=False)
        note = Text("Chain rule: ∂L/∂z = ∂L/∂a · da/dz.", "链式法则：∂L/∂z = ∂L/∂a · da/dz。")
    evaluated = evaluate_products(rhs)
    if evaluated.count_ops() >= rhs.count_ops():
        rhs = evaluated  # nothing cancels: show the product as it is
    steps.append(Step(Derivative(named, wrt, evaluate=False), rhs, "chain rule", note))
    return steps, rhs


def derive(spec: LossSpec) -> Derivation:
    """Build the derivation of ``spec`` (not yet verified; see :mod:`derive.engine.verify`).

    When the subject of ``spec`` is a named function itself (``softmax``, ``sigmoid``), the
    derivation is its lemma: the rule derived from the function's definition."""
    if isinstance(spec.loss, NAMED_FUNCTIONS) and spec.symbol == spec.loss:
        return _lemma(spec)
    typed = spec.loss
    steps = [Step(spec.symbol, typed, "definition", Text("The definition of the loss.", "损失函数的定义。"))]
    steps += [Step(spec.symbol, new, rule.name, rule.note)
              for rule, new in run_rules(typed, RECOGNITION_RULES)]
    spec = replace(spec, loss=steps[-1].rhs)  # in named terms: softmax(z/T), not e^{z_j/T}/Σ_k e^{z_k/T}
    named = Named(spec.symbol, spec.loss)
    lhs = Derivative(named, spec.wrt, evaluate=False)
    chain, rhs = _chain_steps(spec, named)
    steps += chain
    if not chain:
        rhs = spec.loss.diff(spec.wrt)
        steps.append(Step(lhs, rhs, "differentiate",
                          Text("Differentiate term by term.", "逐项求导。"),
                          lemmas=cited(spec.loss, spec.wrt)))
    steps += rewrite_steps(lhs, rhs)
    rhs = steps[-1].rhs
    general = rhs
    used: tuple[Constraint, ...] = ()
    for constraint in spec.assumptions:
        new = constraint.rewrite(rhs)
        if new == rhs:
            continue
        used += (constraint,)
        note = _CONSTRAINT_NOTES[constraint.rule]
        steps.append(Step(lhs, new, constraint.rule,
                          Text(note.en.format(v=constraint.vector), note.zh.format(v=constraint.vector)),
                          used))
        steps += rewrite_steps(lhs, new, used)
        rhs = steps[-1].rhs
    component = spec.wrt.indices[0] if isinstance(spec.wrt, Indexed) else None
    steps += presentation_steps(lhs, rhs, used, component)
    rhs = steps[-1].rhs
    steps += _rearrange(lhs, rhs, spec.presented_as, used)
    rhs = steps[-1].rhs
    return Derivation(
        name=spec.name, title=spec.title, family=spec.family, description=spec.description,
        symbol=spec.symbol, loss=typed, wrt=spec.wrt, assumptions=spec.assumptions,
        steps=tuple(steps), gradient=rhs, gradient_general=general if used else None,
        hessian=_hessian(spec, lhs, rhs, used), aliases=spec.aliases,
        parameters=spec.parameters, remarks=spec.remarks, identities=spec.identities,
    )


def _lemma(spec: LossSpec) -> Derivation:
    """The derivation of a named function's rule from its definition (:mod:`derive.engine.lemmas`)."""
    steps, result = lemma_steps(spec.symbol)
    if steps[-1].lhs != Derivative(spec.symbol, spec.wrt, evaluate=False):
        raise ValueError(f"{spec.name}: the lemma of {spec.symbol} is derived with respect to "
                         f"{steps[-1].lhs.variables[0]}, not {spec.wrt}")
    return Derivation(
        name=spec.name, title=spec.title, family=spec.family, description=spec.description,
        symbol=spec.symbol, loss=spec.loss, wrt=spec.wrt, assumptions=(), steps=tuple(steps),
        gradient=result, gradient_general=None, aliases=spec.aliases, parameters=spec.parameters,
        remarks=spec.remarks, identities=spec.identities,
    )


def rearranged(d: Derivation, target: Expr) -> Derivation:
    """``d`` with one more step, to the form ``target`` (verified like any other step); the Hessian
    stays the one derived from ``d``'s gradient, which ``target`` equals."""
    last = d.steps[-1]
    steps = _rearrange(last.lhs, d.gradient, target, last.assumes)
    return replace(d, steps=d.steps + tuple(steps), gradient=target) if steps else d


def _rearrange(lhs: Expr, rhs: Expr, target: Expr | None, used: tuple[Constraint, ...]) -> list[Step]:
    """A final step to the form people write (``target``); the verifier checks it like any other."""
    if target is None or target == rhs:
        return []
    return [Step(lhs, target, "rearrange",
                 Text("Collect the terms into the usual form.", "整理成常见的形式。"), used)]


def _hessian(spec: LossSpec, first: Expr, gradient: Expr, used: tuple[Constraint, ...]) -> SecondOrder | None:
    if spec.hessian is None:
        return None
    lhs = Derivative(first, spec.hessian.wrt, evaluate=False)
    rhs = gradient.diff(spec.hessian.wrt)
    steps = [Step(lhs, rhs, "differentiate",
                  Text("Differentiate the closed-form gradient once more.",
                       "对闭式梯度再求一次导。"), used, lemmas=cited(gradient, spec.hessian.wrt))]
    steps += rewrite_steps(lhs, rhs, used)
    steps += presentation_steps(lhs, steps[-1].rhs, used)
    steps += _rearrange(lhs, steps[-1].rhs, spec.hessian.presented_as, used)
    return SecondOrder(spec.hessian.wrt, tuple(steps), steps[-1].rhs,
                       spec.hessian.matrix, spec.hessian.remark)
