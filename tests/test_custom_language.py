"""The language a researcher needs: n, pi, more elementwise functions, norm(v), max(v)/min(v) over
the classes, several one-hot vectors, and any name that is not taken, each with hostile input."""

import importlib.util

import numpy as np
import pytest
from click.testing import CliRunner

import derive.cli as cli
from derive.language.custom import build
from derive.language.output import render


def run(*args):
    return CliRunner().invoke(cli.main, ["custom", *args])


def module(tmp_path, name, *args):
    path = tmp_path / f"{name}.py"
    result = run(*args, "--name", name, "--format", "py", "-o", str(path))
    assert result.exit_code == 0, result.output
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def central(f, z, h=1e-6):
    """Central differences of the summed loss ``f`` (written here with NumPy) at ``z``."""
    grad = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up).sum() - f(down).sum()) / (2 * h)
    return grad


RNG = np.random.default_rng(7)
Z = RNG.normal(0, 0.8, (3, 4))


# --- names ----------------------------------------------------------------------------------------


def test_a_vector_named_like_a_core_symbol_is_sampled_where_the_expression_needs():
    """sum(log(z)) failed its numeric check (error=inf): z was the catalogue's real-valued logits."""
    loss = build("sum(log(z))", wrt="z")
    assert all(c.passed for c in loss.checks)
    assert build("sum(sqrt(x) + log(u))", wrt="x", vectors="u").checks


@pytest.mark.parametrize(("vector", "shown", "misleading"), [
    ("delta", "delta_j", "δ_j"), ("sigma", "sigma_j", "σ_j"), ("x_j", "(x_j)_j", "x_j_j")])
def test_names_print_as_typed_not_as_notation(vector, shown, misleading):
    result = run(f"sum(z*{vector})", "--wrt", "z", "--vector", vector)
    assert result.exit_code == 0, result.output
    closed = next(line for line in result.stdout.splitlines() if line.startswith("closed form"))
    assert closed.endswith(f"= {shown}") and misleading not in closed.replace(shown, "")


def test_a_greek_name_prints_as_its_letter():
    result = run("sum(z)/tau", "--wrt", "z", "--scalar", "tau=0.5")
    assert "closed form:  ∂L/∂z_j = 1/τ" in result.stdout


def test_a_name_that_would_shadow_what_the_module_uses_is_refused(tmp_path):
    result = run("sum(z*ValueError)", "--wrt", "z", "--vector", "ValueError", "--format", "py")
    assert result.exit_code == 2 and "'ValueError' is taken by the generated module" in result.stderr
    assert run("sum(z*ValueError)", "--wrt", "z", "--vector", "ValueError").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (("--vector", "n"), "'n' is a constant of the language"),
    (("--scalar", "pi=3"), "'pi' is a constant of the language"),
    (("--vector", "norm"), "'norm' is the name of a function"),
    (("--vector", "cosh"), "'cosh' is the name of a function"),
    (("--vector", "j"), "'j' is reserved"),
    (("--vector", "s"), "'s' is reserved for vectors"),
])
def test_reserved_names_are_refused_with_the_reason(args, message):
    result = run("sum(z)", "--wrt", "z", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_t_m_and_a_scalar_s_are_ordinary_names(tmp_path):
    """Hinton's distillation names the teacher's logits t; additive-margin softmax has s and m."""
    loss = build("sum(t*z) + s*m*sum(z)", wrt="z", vectors="t", scalars={"s": 30.0, "m": 0.35})
    assert all(c.passed for c in loss.checks)


# --- n, pi and the elementwise functions -----------------------------------------------------------


def test_n_is_the_class_count_in_label_smoothing(tmp_path):
    mod = module(tmp_path, "smooth", "-sum(((1 - eps)*y + eps/n)*log_softmax(z))", "--wrt", "z",
                 "--vector", "y", "--scalar", "eps=0.1")
    y = np.eye(4)[[0, 3, 1]]
    s = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = s - 0.9 * y - 0.1 / 4  # Szegedy et al.: softmax − the smoothed target
    assert np.allclose(mod.smooth_grad(z=Z, y=y, reduction="sum"), expected, rtol=1e-12, atol=1e-14)


def test_pi_and_every_new_elementwise_function(tmp_path):
    expression = "sum(cosh(z) + sinh(z) + cos(z) + sin(z) + acos(tanh(z)) + log1p(z**2) + expm1(z))/pi"
    mod = module(tmp_path, "trig", expression, "--wrt", "z")

    def loss(z):
        return (np.cosh(z) + np.sinh(z) + np.cos(z) + np.sin(z) + np.arccos(np.tanh(z))
                + np.log1p(z**2) + np.expm1(z)).sum(axis=1) / np.pi

    assert np.allclose(mod.trig(z=Z, reduction="none"), loss(Z), rtol=1e-12)
    assert np.allclose(mod.trig_grad(z=Z, reduction="sum"), central(loss, Z), rtol=1e-6, atol=1e-8)


def test_norm_is_euclidean(tmp_path):
    mod = module(tmp_path, "length", "norm(z)", "--wrt", "z")
    assert np.allclose(mod.length(z=Z, reduction="none"), np.sqrt((Z**2).sum(axis=1)), rtol=1e-13)
    assert np.allclose(mod.length_grad(z=Z, reduction="sum"), Z / np.sqrt((Z**2).sum(axis=1, keepdims=True)))


# --- max and min over the classes ------------------------------------------------------------------


def test_max_of_a_vector_is_a_reduction_and_ties_share_the_gradient(tmp_path):
    mod = module(tmp_path, "top", "max(z + 1 - y) - sum(y*z) + min(z**2)", "--wrt", "z", "--vector", "y")
    z = np.array([[1.0, 3.0, 3.0, 0.5], [0.5, -1.0, 3.0, 0.5]])
    y = np.array([[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]])
    # row 1: z + 1 − y = [2, 4, 4, 0.5], a tie at classes 2 and 3 (½ each); min z² at class 4
    # row 2: [0.5, 0, 4, 1.5], max at class 3; min z² = 0.25 at classes 1 and 4 (½ each)
    expected = np.array([[0.0, 0.5, 0.5, -1.0 + 1.0], [-1.0 + 0.5, 0.0, 1.0, 0.5]])
    assert np.allclose(mod.top_grad(z=z, y=y, reduction="sum"), expected)
    assert np.allclose(mod.top(z=z, y=y, reduction="none"), [4 - 0.5 + 0.25, 4 - 0.5 + 0.25])


def test_max_of_two_arguments_stays_elementwise():
    from sympy import Heaviside

    from derive.language.reductions import ClassMax

    gradient = build("sum(max(z, 0))", wrt="z").derivation.gradient
    assert gradient.has(Heaviside) and not gradient.has(ClassMax)


def test_the_subgradient_at_ties_is_stated():
    text = render(build("max(z)", wrt="z"), "text")
    assert "𝟙[z_j = max_k(z_k)]" in text and "split the gradient evenly among tied components" in text


# --- several one-hot vectors -----------------------------------------------------------------------


def test_each_one_hot_vector_has_its_own_class():
    result = run("-sum(y*log_softmax(z)) - sum(w*log_softmax(z))/2", "--wrt", "z", "--onehot", "y",
                 "--onehot", "w")
    assert result.exit_code == 0, result.output
    assert "closed form:  ∂L/∂z_j = 3·s_j/2 − δ_jt − δ_ju/2" in result.stdout


def test_class_letters_skip_declared_names():
    result = run("sum(y*z) + sum(t*u*z)", "--wrt", "z", "--onehot", "y", "--vector", "t,u")
    assert result.exit_code == 0, result.output
    assert "δ_jv" in result.stdout


def test_too_many_one_hot_vectors_is_a_clear_error():
    result = run("sum(a*b*c*d*e*z)", "--wrt", "z", *[x for v in "abcde" for x in ("--onehot", v)])
    assert result.exit_code == 2 and "at most 4 one-hot vectors" in result.stderr


# --- hostile input for every new construct -----------------------------------------------------------

HOSTILE_NEW = {
    "max of a scalar": ("max(sum(z))", "needs a vector; this is a scalar"),
    "nested reductions": ("max(max(z))", "needs a vector; this is a scalar"),
    "norm of a scalar": ("norm(1)", "needs a vector; this is a scalar"),
    "norm of two": ("norm(z, z)", "norm() takes 1 argument (2 given)"),
    "max of three": ("max(z, z, z)", "takes 2 arguments (3 given)"),
    "n called": ("n(z)", "unknown function 'n'"),
    "pi called": ("pi(1)", "unknown function 'pi'"),
    "cosh bare": ("sum(cosh)", "cosh is a function"),
    "deep norms": ("norm(" * 40 + "z" + ")" * 40, "nested too deeply"),
    "deep maxes": ("max(" * 33 + "z" + ")" * 33, "nested too deeply"),
    "n too large exponent": ("sum(z)**99", "too large"),
    "pi keyword": ("sum(z, pi=1)", "keyword arguments are not allowed"),
    "long chain of norms": ("+".join(["norm(z)"] * 300), "too long"),
    "acos attribute": ("acos.__class__", "attribute access"),
    "max generator": ("max(z for z in z)", "comprehensions are not allowed"),
}


@pytest.mark.parametrize(("source", "message"), HOSTILE_NEW.values(), ids=HOSTILE_NEW.keys())
def test_hostile_input_to_the_new_constructs_is_a_one_line_error_with_a_caret(source, message):
    result = run(source, "--wrt", "z")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.stderr and "^" in result.stderr
