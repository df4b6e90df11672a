"""PyTorch's own test inputs for its losses, as cases the generated module is run on.

Three sources, all from ``torch.testing._internal``: the OpInfo entries of ``op_db`` (their sample,
reference and error inputs), the ``module_db`` entries of the loss modules, and the criterion tests
of ``common_nn``.  A :class:`Case` holds the torch call and the same call in NumPy terms; a module is
turned into its functional call by reading its constructor's arguments back from its attributes.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch.testing._internal import common_nn
from torch.testing._internal.common_methods_invocations import op_db
from torch.testing._internal.common_modules import module_db

from derive.codegen import CODE_SPECS

SPECS = {spec.name: spec for spec in CODE_SPECS}
"""The generated functions by name."""

ALIASES = {"sigmoid": "sigmoid", "softmax": "softmax", "log_softmax": "log_softmax"}
"""op_db names outside ``nn.functional`` that are the generated activations."""

MODULES = {
    "CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss", "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits", "MSELoss": "mse_loss", "L1Loss": "l1_loss",
    "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss", "KLDivLoss": "kl_div",
    "PoissonNLLLoss": "poisson_nll_loss", "GaussianNLLLoss": "gaussian_nll_loss",
    "SoftMarginLoss": "soft_margin_loss", "MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
    "HingeEmbeddingLoss": "hinge_embedding_loss", "MarginRankingLoss": "margin_ranking_loss",
    "CosineEmbeddingLoss": "cosine_embedding_loss", "MultiMarginLoss": "multi_margin_loss",
    "MultiLabelMarginLoss": "multilabel_margin_loss", "TripletMarginLoss": "triplet_margin_loss",
    "TripletMarginWithDistanceLoss": "triplet_margin_with_distance_loss", "Softmax": "softmax",
    "LogSoftmax": "log_softmax", "Sigmoid": "sigmoid", "Softmax2d": "softmax",
}
"""torch.nn loss and activation modules → the generated function with the same semantics."""

DTYPES = (torch.float32, torch.float64)


@dataclass
class Case:
    """One call: ``torch_fn(*args, **kwargs)`` against the generated ``name`` on the same values."""

    source: str
    name: str
    label: str
    torch_fn: Callable
    args: list
    kwargs: dict = field(default_factory=dict)
    error: str | None = None
    """For an error input: the message torch raises (the generated module must raise ValueError)."""

    def __str__(self) -> str:
        return f"{self.source} {self.name} [{self.label}]"


def to_numpy(value: object) -> object:
    """A torch value as the generated module takes it (tensors → arrays, dtypes → NumPy dtypes)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().resolve_conj().resolve_neg().numpy().copy()
    if isinstance(value, torch.nn.PairwiseDistance):  # PyTorch's default distance_function is None here
        return None if (value.norm, value.eps, value.keepdim) == (2.0, 1e-6, False) else value
    if isinstance(value, torch.dtype):
        return torch.empty((), dtype=value).numpy().dtype
    if isinstance(value, (list, tuple)):
        return type(value)(to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    return value


def _describe(args: list, kwargs: dict) -> str:
    def one(v: object) -> str:
        if isinstance(v, torch.Tensor):
            return f"{str(v.dtype).removeprefix('torch.')}{tuple(v.shape)}"
        return repr(v)
    return ", ".join([*map(one, args), *(f"{k}={one(v)}" for k, v in kwargs.items())])


def _op_name(op: object) -> str | None:
    name = op.name.removeprefix("nn.functional.")
    if op.name.startswith("nn.functional.") and name in SPECS:
        return name
    return ALIASES.get(op.name) if op.name in ALIASES else None


def _ops() -> list:
    return [op for op in op_db if _op_name(op) is not None]


def opinfo_cases() -> Iterator[Case]:
    """Sample and reference inputs of every OpInfo entry of a generated function, float32 and 64."""
    for op in _ops():
        name = _op_name(op)
        variant = f".{op.variant_test_name}" if op.variant_test_name else ""
        for dtype in DTYPES:
            if dtype not in op.supported_dtypes("cpu"):
                continue
            sources = [("opinfo", op.sample_inputs("cpu", dtype, requires_grad=True))]
            if op.reference_inputs_func is not None:
                sources.append(("reference", op.reference_inputs("cpu", dtype, requires_grad=True)))
            for source, samples in sources:
                for i, s in enumerate(samples):
                    args = [s.input, *s.args]
                    yield Case(f"{source}{variant}", name, f"{i}: {_describe(args, s.kwargs)}", op.op, args,
                               dict(s.kwargs))


def error_cases() -> Iterator[Case]:
    """OpInfo's error inputs: calls on which torch raises."""
    for op in _ops():
        if op.error_inputs_func is None:
            continue
        for i, e in enumerate(op.error_inputs("cpu")):
            s = e.sample_input
            args = [s.input, *s.args]
            label = f"{i}: {_describe(args, s.kwargs)}"
            yield Case("error", _op_name(op), label, op.op, args, dict(s.kwargs), error=e.error_regex)


def functional_call(module: torch.nn.Module) -> tuple[str, dict]:
    """The generated function and keyword arguments a loss or activation module computes."""
    cls = type(module).__name__
    kwargs = {}
    for p in list(inspect.signature(type(module).__init__).parameters.values())[1:]:
        skipped = p.name in ("size_average", "reduce", "device", "dtype")
        if skipped or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        kwargs[p.name] = getattr(module, p.name)
    if cls == "Softmax2d":
        kwargs["dim"] = -3
    return MODULES[cls], kwargs


def module_cases() -> Iterator[Case]:
    """module_db's inputs of the loss and activation modules, float32 and float64."""
    for info in module_db:
        if info.module_cls.__name__ not in MODULES or MODULES[info.module_cls.__name__] not in SPECS:
            continue
        for dtype in DTYPES:
            inputs = info.module_inputs_func(info, device="cpu", dtype=dtype, requires_grad=True,
                                             training=True)
            for i, mi in enumerate(inputs):
                if mi.forward_input is None:
                    continue
                module = info.module_cls(*mi.constructor_input.args, **mi.constructor_input.kwargs)
                name, kwargs = functional_call(module)
                args = list(mi.forward_input.args)
                yield Case("module_db", name, f"{info.module_cls.__name__} {i}: {_describe(args, kwargs)}",
                           _module_call(module), args, kwargs)


def _module_call(module: torch.nn.Module) -> Callable:
    return lambda *args, **_: module(*args)


def criterion_cases() -> Iterator[Case]:
    """common_nn's criterion tests (the no-batch-dimension ones), in their float64 and in float32."""
    for test in common_nn.criterion_tests:
        if MODULES.get(type(test["constructor"]()).__name__) not in SPECS:
            continue
        for dtype in DTYPES:
            module = test["constructor"]().to(dtype)
            name, kwargs = functional_call(module)
            torch.manual_seed(0)
            inputs = test["input_fn"]() if "input_fn" in test else torch.randn(test["input_size"])
            target = test["target_fn"]() if "target_fn" in test else torch.randn(test["target_size"])
            inputs = list(inputs) if isinstance(inputs, tuple) else [inputs]
            args = [x.to(dtype) if x.is_floating_point() else x for x in (*inputs, target)]
            args = [x.detach().requires_grad_(x.is_floating_point()) for x in args]
            yield Case("common_nn", name, f"{test['fullname']} {dtype}: {_describe(args, kwargs)}",
                       _module_call(module), args, kwargs)



def extra_cases() -> Iterator[Case]:
    """Parameter combinations torch's own samples leave out, on random inputs (seeded)."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(0)
    for dtype in DTYPES:
        for shape in ((4, 5), (5,)):
            triple = [torch.randn(shape, generator=g, dtype=dtype) for _ in range(3)]
            for p, swap, margin in itertools.product((1.0, 1.5, 2.0, 3.0), (False, True), (0.5, 4.0)):
                kwargs = {"p": p, "swap": swap, "margin": margin, "reduction": "none" if p < 2 else "mean"}
                yield Case("extra", "triplet_margin_loss", f"{dtype} {shape} {kwargs}", F.triplet_margin_loss,
                           list(triple), kwargs)
        x = torch.randn((3, 4), generator=g, dtype=dtype)
        lists = torch.tensor([[3, 3, 0, -1], [-1, 2, 1, 0], [1, 0, 2, 3]])  # a repeat, an empty list, all
        for reduction in ("none", "mean", "sum"):
            yield Case("extra", "multilabel_margin_loss", f"{dtype} repeated/empty/full lists {reduction}",
                       F.multilabel_margin_loss, [x, lists], {"reduction": reduction})
