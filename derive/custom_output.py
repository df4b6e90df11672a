"""``derive custom``: the command-line arguments in, one verified loss out in the chosen format."""

from __future__ import annotations

import contextlib
import json
import math
import signal
import threading
from collections.abc import Iterator, Sequence

import click

from .custom import CustomLoss, DerivationFailed, build
from .custom_code import module_source
from .export import to_dict
from .printing.terminal import show_lines

__all__ = ["FORMATS", "parse_scalars", "render", "run", "time_limit"]

FORMATS = ("text", "json", "md", "tex", "html", "py")


def parse_scalars(items: Sequence[str]) -> dict[str, float]:
    """``["q=0.7", "eps=1"]`` → ``{"q": 0.7, "eps": 1.0}``; a ``ValueError`` names the bad item."""
    scalars: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            number = float(value) if sep else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"scalar: {item!r} is not NAME=VALUE with a finite number VALUE")
        if key.strip() in scalars:
            raise ValueError(f"scalar: {key.strip()!r} is given twice")
        scalars[key.strip()] = number
    return scalars


def render(loss: CustomLoss, fmt: str, styled: bool = False) -> str:
    """The verified ``loss`` as text, JSON, a document (md, tex, html) or a Python module (py)."""
    d, checks = loss.derivation, loss.checks
    if fmt == "text":
        lines = "\n".join(show_lines(d, checks))
        return (lines if styled else click.unstyle(lines)) + "\n"
    if fmt == "json":
        data = {**to_dict(d, checks), "expression": loss.expression, "closed_form": loss.closed_form}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "py":
        return module_source(loss)
    raise ValueError(f"format: {fmt!r} is not available yet (choose from text, json, py)")


def run(expression: str, *, wrt: str, vectors: Sequence[str], scalars: Sequence[str],
        simplex: Sequence[str], onehot: str | None, name: str, hessian: bool) -> CustomLoss:
    """Build the loss from the command-line values (``vectors`` items may hold several names)."""
    return build(expression, wrt=wrt, vectors=" ".join(vectors), scalars=parse_scalars(scalars),
                 simplex=" ".join(simplex), onehot=onehot, name=name, hessian=hessian)


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` inside SymPy swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`DerivationFailed` when the block runs longer than ``seconds`` (0: no limit).

    Uses ``SIGALRM``, so the limit holds in the main thread on Unix; elsewhere there is none."""
    main = threading.current_thread() is threading.main_thread()
    if not seconds or not main or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise DerivationFailed(f"gave up after {seconds:g} s (raise --timeout, or simplify the "
                               "expression)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
