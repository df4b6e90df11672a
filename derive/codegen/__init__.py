"""The generated NumPy module: torch.nn.functional's API over kernels printed from the derivations.

:func:`render_module` assembles one standalone module (NumPy only) from ``templates/code``: the
shared runtime (validation, reductions, weights, ignore_index: PyTorch's semantics, written once),
the kernels of the requested losses (printed from their verified closed forms by
:mod:`derive.codegen.kernel`), and three public functions per loss (``NAME``, ``NAME_grad``,
``NAME_value_and_grad``).  The output is deterministic: the same names give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from ..catalogue import UnknownLossError, resolve
from ..resources import templates_dir
from ..version import __version__
from . import api_classes, api_elementwise, api_layers
from .kernel import Kernel, build_kernel
from .layout import call, statement
from .spec import CodeSpec

__all__ = ["CODE_SPECS", "NoCodeError", "code_names", "render_module", "signatures"]

_ORDER = (
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "hinge_embedding_loss", "margin_ranking_loss",
    "cosine_embedding_loss", "multi_margin_loss", "sigmoid_focal_loss", "softmax_focal_loss", "softmax",
    "log_softmax", "sigmoid", "logistic_regression", "softmax_regression", "log_cosh", "hinge_loss",
    "squared_hinge", "poly_loss_cross_entropy", "sparsemax_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "multilabel_margin_loss",
)
_BY_NAME = {spec.name: spec for spec in (*api_classes.SPECS, *api_elementwise.SPECS, *api_layers.SPECS)}
CODE_SPECS: tuple[CodeSpec, ...] = tuple(_BY_NAME[name] for name in _ORDER)
"""Every generated function, in module order."""

_RUNTIMES = {"classes": ("classes",), "elementwise": ("elementwise",), "rows": ("elementwise", "rows"),
             "layers": ("classes", "elementwise", "layers")}
_PARTS = ("classes", "elementwise", "rows", "layers")  # the runtime partials, in module order


class NoCodeError(ValueError):
    """A name with no generated function (an unknown loss, or one that has only a derivation)."""


def code_names() -> list[str]:
    """The names of the functions the generator can write, in module order."""
    return [spec.name for spec in CODE_SPECS]


def _spec_for(name: str) -> CodeSpec:
    """The function for ``name``: a function name, or a catalogue name or alias its kernels use."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    try:
        entry = resolve(name)
    except UnknownLossError as error:  # the message of `derive show`: did you mean, `derive list`
        raise NoCodeError(str(error)) from None
    for spec in CODE_SPECS:
        if entry == spec.name or entry in spec.derivations:
            return spec
    raise NoCodeError(f"{name!r} has a derivation but no generated function; the functions are: "
                      f"{', '.join(code_names())}")


def signatures(name: str) -> list[str]:
    """The ``def`` lines of the generated functions printed from the catalogue entry ``name`` (none
    when no function uses it), for the documents."""
    entry = resolve(name)
    lines = []
    for spec in CODE_SPECS:
        if entry == spec.name or entry in spec.derivations:
            parameters = ", ".join(p.source for p in spec.parameters)
            lines += [f"def {spec.name}({parameters})",
                      f"def {spec.name}_grad({parameters}, grad_output=None)",
                      f"def {spec.name}_value_and_grad({parameters}, grad_output=None)"]
    return lines


@cache
def _kernel(spec_name: str, index: int) -> Kernel:
    return build_kernel(_BY_NAME[spec_name].kernels[index])


@dataclass(frozen=True)
class _KernelView:
    """A kernel as the template writes it."""

    kernel: Kernel
    title: str

    def __getattr__(self, name: str) -> object:
        return getattr(self.kernel, name)

    @property
    def arguments(self) -> list[str]:
        return list(self.kernel.arguments)


@dataclass(frozen=True)
class _FunctionView:
    """A public function as the template writes it: the spec with its kernels' math."""

    spec: CodeSpec
    kernels: tuple[Kernel, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.spec, name)

    @property
    def parameters(self) -> list[str]:
        return [p.source for p in self.spec.parameters]

    @property
    def arguments(self) -> list[str]:
        return [p.name for p in self.spec.parameters]

    @property
    def kernels_name(self) -> str:
        return f"_{self.spec.name.upper()}_KERNELS"

    @property
    def kernel_names(self) -> list[str]:
        return [f"_k_{k.name}" for k in self.kernels]

    @property
    def math(self) -> list[str]:
        return list(dict.fromkeys(line for k in self.kernels for line in k.math))

    @property
    def identities(self) -> list[str]:
        return list(dict.fromkeys(line for k in self.kernels for line in k.identities))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "code"),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["statement"] = statement
    env.filters["call"] = call
    return env


def render_module(names: list[str] | None = None) -> str:
    """The source of the generated module for ``names`` (None: every function), as text.

    Names may be function names (``cross_entropy``) or catalogue names and aliases whose kernels a
    function uses (``BCEWithLogitsLoss``, ``cross_entropy_index``); ``NoCodeError`` for the rest."""
    wanted = {_spec_for(name).name for name in names} if names is not None else set(_BY_NAME)
    specs = [spec for spec in CODE_SPECS if spec.name in wanted]
    functions, kernels = [], {}
    for spec in specs:
        built = tuple(_kernel(spec.name, index) for index in range(len(spec.kernels)))
        functions.append(_FunctionView(spec, built))
        for k in built:
            kernels.setdefault(k.name, _KernelView(k, f"Kernel of {spec.name}: {k.name.replace('_', ' ')}."))
    runtimes = {part for spec in specs for part in _RUNTIMES[spec.runtime]}
    partials = ["_core.py.j2", "_results.py.j2", "_blocks.py.j2", "_fused.py.j2",
                *(f"_{part}.py.j2" for part in _PARTS if part in runtimes)]
    command = "" if names is None else " ".join(spec.name for spec in specs)
    return _environment().get_template("module.py.j2").render(
        version=__version__, command=command, functions=functions, kernels=list(kernels.values()),
        partials=partials, exported=sorted([f"{spec.name}{suffix}" for spec in specs
                                            for suffix in ("", "_grad", "_value_and_grad")]
                                           + ["get_num_threads", "set_num_threads", "set_recycling"]))
