"""What a generated public function is: PyTorch's signature, the runtime that carries its semantics,
the kernels printed from the derivations, and the notes its docstring states."""

from __future__ import annotations

from dataclasses import dataclass

from .kernel import KernelSpec

__all__ = ["REQUIRED", "CodeSpec", "Param", "signature"]

REQUIRED = object()
"""The default of a parameter that has none (a positional argument)."""


@dataclass(frozen=True)
class Param:
    """One parameter of a public function, with its default (``REQUIRED`` for none)."""

    name: str
    default: object = REQUIRED

    @property
    def source(self) -> str:
        """The parameter as written in a ``def``: ``reduction="mean"``."""
        if self.default is REQUIRED:
            return self.name
        value = f'"{self.default}"' if isinstance(self.default, str) else repr(self.default)
        return f"{self.name}={value}"


def signature(*required: str, **defaults: object) -> tuple[Param, ...]:
    """Parameters in order: the required ones, then those with defaults (keyword order is kept)."""
    return (*(Param(name) for name in required), *(Param(name, value) for name, value in defaults.items()))


@dataclass(frozen=True)
class CodeSpec:
    """A public function of the generated module (and its ``_grad`` / ``_value_and_grad`` twins).

    ``driver`` is the runtime function (in ``templates/code/_<runtime>.py.j2``) that holds the
    framework semantics; it is called with the kernels, then every parameter in order, then
    ``grad_output`` and what to return.  ``differentiable`` names the arguments the gradient is
    taken with respect to, in argument order.
    """

    name: str
    summary: str
    parameters: tuple[Param, ...]
    driver: str
    runtime: str
    kernels: tuple[KernelSpec, ...]
    differentiable: tuple[str, ...] = ("input",)
    mean: str | None = "1/numel, numel the number of loss elements"
    """The factor reduction='mean' puts on every gradient (None: no reduction argument)."""
    notes: tuple[str, ...] = ()
    origin: str = "torch.nn.functional"

    @property
    def derivations(self) -> tuple[str, ...]:
        """The catalogue entries this function's kernels are printed from, in order."""
        names = [
            name for k in self.kernels for term in k.terms for name in (term.value, *term.gradient_names)
        ]
        return tuple(dict.fromkeys(names))
