"""The closed form a person writes: named rewrites chosen by measured size, and no hand-written answers."""

from __future__ import annotations

import pytest
from sympy import Heaviside, KroneckerDelta, Max, Min, Sum, Symbol, symbols

from derive.catalogue import SPECS, derivation
from derive.engine.functions import Sigmoid, Softmax
from derive.engine.layers import LayerSpec
from derive.engine.presentation import presentation_steps, size
from derive.engine.symbols import j, t, z
from derive.language.custom import from_expression
from derive.printing.text import text

x, c = symbols("x c", real=True)
L = Symbol("L")


def test_a_delta_moves_the_component_to_the_class_and_the_factor_comes_out():
    q = Symbol("q", positive=True)
    form = Softmax(z, t) ** q * Softmax(z, j) - Softmax(z, j) ** q * KroneckerDelta(j, t)
    steps = presentation_steps(L, form, component=j)
    assert [s.rule for s in steps] == ["Kronecker delta", "factor"]
    assert steps[-1].rhs == Softmax(z, t) ** q * (Softmax(z, j) - KroneckerDelta(j, t))


def test_redundant_step_functions_go():
    steps = presentation_steps(L, -2 * c * Heaviside(1 - c * x) * Max(0, 1 - c * x))
    assert steps[-1].rhs == -2 * c * Max(0, 1 - c * x)
    q = Symbol("q", positive=True)
    pinball = Heaviside(x) - q * Heaviside(x) - q * Heaviside(-x)
    assert presentation_steps(L, pinball)[-1].rhs == Heaviside(x) - q


def test_a_rewrite_that_does_not_shorten_is_not_taken():
    assert presentation_steps(L, Sigmoid(x) - c) == []
    assert presentation_steps(L, c * (Sigmoid(x) - 1)) == []


@pytest.mark.parametrize(("expression", "kwargs", "shown"), [
    ("sum(y * (1 - softmax(z)**q) / q)", {"onehot": "y", "scalars": {"q": 0.7}}, "s_t^q·(s_j − δ_jt)"),
    ("sum(max(0, 1 - y*z)**2)", {"vectors": "y"}, "-2·y_j·max(0, 1 − y_j·z_j)"),
    ("sum(max(q*(y-z), (q-1)*(y-z)))", {"vectors": "y", "scalars": {"q": 0.3}}, "H(z_j − y_j) − q"),
])
def test_losses_from_papers_reach_the_published_shape(expression, kwargs, shown):
    assert text(from_expression(expression, wrt="z", **kwargs).gradient) == shown


def test_no_catalogue_closed_form_is_hand_written():
    written = {name for name, spec in SPECS.items()
               if not isinstance(spec, LayerSpec) and spec.presented_as is not None}
    assert not written, f"{sorted(written)}: the engine must reach these"
    hessians = {name for name, spec in SPECS.items() if not isinstance(spec, LayerSpec)
                and spec.hessian is not None and spec.hessian.presented_as is not None}
    assert not hessians, f"{sorted(hessians)}: the engine must reach these"


def test_the_published_shapes_of_the_catalogue_are_reached_by_named_steps():
    # Lin et al.: α_t((1 − p_t)^γ(σ − y) − γ(1 − p_t)^(γ−1)(2y − 1)σ(1 − σ)CE)
    focal = derivation("sigmoid_focal_loss")
    assert text(focal.gradient) == ("α_t·((1 − p_t)^γ·(σ(z) − y) + γ·CE·σ(z)·(1 − p_t)^(γ − 1)·(1 − σ(z))"
                                    "·(1 − 2·y))")
    assert [s.rule for s in focal.steps[-3:]] == ["common denominator", "cancel", "factor"]
    mse = derivation("mse_sigmoid").hessian  # σ'(z) as a factor: the point of the MSE-vs-CE comparison
    assert text(mse.expr) == "σ(z)·(1 − σ(z))·(σ(z)·(1 − σ(z)) + (1 − 2·σ(z))·(σ(z) − y))"
    cosine = text(derivation("cosine_embedding_loss").gradient)
    assert "Subs" not in cosine and "∂" not in cosine


def test_a_named_sub_expression_differentiates_as_what_it_stands_for():
    from derive.engine.derivation import Named

    p = Named(Symbol("p"), Sigmoid(x) * c)
    assert (p ** 2).diff(x) == 2 * p * c * Sigmoid(x) * (1 - Sigmoid(x))


@pytest.mark.parametrize(("name", "shown"), [
    ("cross_entropy_weighted", "w_t·(s_j − δ_jt)"), ("mse_loss", "2·(x − y)"), ("log_cosh", "tanh(x − y)"),
    ("multilabel_soft_margin_loss", "w_j·(σ(x_j) − y_j)/n"),
])
def test_catalogue_forms_are_derived_not_written(name, shown):
    d = derivation(name)
    assert text(d.gradient) == shown and "rearrange" not in [s.rule for s in d.steps]


def test_size_counts_operations():
    assert size(x + c) == 1 and size(x * (c + 1)) == 2


FOCAL = "sum(-a*y*(1 - sigmoid(z))**g*log(sigmoid(z)) - (1 - a)*(1 - y)*sigmoid(z)**g*log(1 - sigmoid(z)))"


def test_an_element_wise_loss_is_not_multiplied_out_before_its_delta_goes():
    d = from_expression(FOCAL, wrt="z", vectors="y", scalars={"a": 0.25, "g": 2.0})
    assert "distribute" not in [s.rule for s in d.steps]
    # Lin et al.'s published shape:
    # α·y·(1−p)^γ·(γ·p·log p − (1 − p)) + (1 − α)(1 − y)·p^γ·(p − γ(1 − p)·log(1 − p))
    assert text(d.gradient) == ("a·y_j·(1 − σ(z_j))^g·(g·σ(z_j)·log(σ(z_j)) + σ(z_j) − 1) + σ(z_j)^g·(1 − a)·"
                                "(1 − y_j)·(σ(z_j) − g·log(1 − σ(z_j))·(1 − σ(z_j)))")


def test_terms_are_grouped_by_the_factors_some_of_them_share():
    a, y, g, p = symbols("a y g p", positive=True)
    form = a * g * y * p * (1 - p) ** g - a * y * (1 - p) ** (g + 1) + c * x - c
    steps = presentation_steps(L, form)
    assert steps[-1].rule == "group"
    assert steps[-1].rhs == a * y * (1 - p) ** g * (g * p - 1 + p) + c * (x - 1)


def test_a_sum_that_factors_is_factored_with_its_sign_inside():
    nu, y = symbols("nu y", real=True)
    form = (nu * x - nu * y + x - y) / (c ** 2 + (x - y) ** 2)
    assert presentation_steps(L, form)[-1].rhs == (nu + 1) * (x - y) / (c ** 2 + (x - y) ** 2)


def test_a_step_function_goes_where_what_it_guards_vanishes_and_min_takes_its_side():
    u, d = symbols("u d", positive=True)
    tukey = (1 - Min(1, u)) ** 2 * x * Heaviside(1 - u)  # where u > 1 the bracket is 0 already
    assert presentation_steps(L, tukey)[-1].rhs == (1 - Min(1, u)) ** 2 * x
    huber = (-u * Heaviside(d - u) + Heaviside(d - u) * Min(d, u) - Min(d, u)) * x  # under H(d − u), min = u
    assert presentation_steps(L, huber)[-1].rhs == -x * Min(d, u)
    kept = (1 - Min(1, u)) * x * Heaviside(2 - u)  # a different edge: the step stays
    assert presentation_steps(L, kept) == []


def test_a_sum_that_occurs_twice_gets_a_name_and_a_where_line():
    from derive.engine.derivation import Named, named_parts

    d = from_expression("1 - 2*sum(sigmoid(z)*y)/(sum(sigmoid(z)**2) + sum(y**2))", wrt="z", vectors="y")
    assert d.steps[-1].rule == "name"
    (denominator,) = named_parts(d.gradient)
    assert str(denominator.label) == "D" and text(denominator.expr) == "Σ_k y_k^2 + Σ_k σ(z_k)^2"
    assert text(d.gradient).count("/D") == 2 and "Σ_k σ(z_k)^2" not in text(d.gradient.xreplace(
        {denominator: denominator.label}))
    once = from_expression("sum(z**2)/(1 + sum(y))", wrt="z", vectors="y")  # nothing repeats: no name
    assert not once.gradient.has(Named)


def test_a_sum_repeated_with_the_opposite_sign_is_one_name():
    from derive.engine.derivation import Named
    from derive.engine.presentation import NAME
    from derive.engine.symbols import k, n, y

    total = Sum(y[k], (k, 1, n)) + c * Sum(y[k] ** 2, (k, 1, n)) + 1
    named = NAME.apply(x / total ** 2 + x ** 2 * (-Sum(y[k], (k, 1, n)) - c * Sum(y[k] ** 2, (k, 1, n)) - 1))
    (name,) = named.atoms(Named)
    assert named == x / name ** 2 - x ** 2 * name and name.expr == total


def test_deltas_leave_a_case_and_meet_their_sum():
    # PyTorch's multi_margin_loss: Σ_k [u_k > 0](1 − δ_kt)(δ_jk − δ_jt)·p·u_k^(p−1), u_k = Δ − x_t + x_k
    d = derivation("multi_margin_loss")
    assert "Kronecker delta" in [s.rule for s in d.steps]
    shown = text(d.gradient)
    assert shown.count("δ_jt") == 1 and "δ_jk" not in shown and "δ_kt" not in shown


@pytest.mark.parametrize(("name", "shown"), [
    # Lin et al. with p_t = s_t: (γ·p_t·log p_t·(1 − p_t)^(γ−1) − (1 − p_t)^γ)·(δ_jt − s_j)
    ("softmax_focal_loss_index", "(γ·s_t·log(s_t)·(1 − s_t)^(γ − 1) − (1 − s_t)^γ)·(δ_jt − s_j)"),
    ("poly_loss_cross_entropy_index", "(1 + ε·s_t)·(s_j − δ_jt)"),  # Leng et al. 2022: (1 + ε·p_t)(s − y)
])
def test_class_index_losses_reach_the_papers_factored_form(name, shown):
    assert text(derivation(name).gradient) == shown
