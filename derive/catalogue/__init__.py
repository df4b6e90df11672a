"""The catalogue: one short declarative :class:`~derive.engine.derivation.LossSpec` per loss.

Names follow ``torch.nn.functional`` where PyTorch has the loss; other common
names (TensorFlow, optax, Keras, the ``nn`` module classes) resolve as aliases.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict
from functools import cache, partial

from .. import cache as _cache
from ..engine.calculus import derive
from ..engine.derivation import Derivation, LossSpec
from ..engine.layers import LayerSpec, derive_layer
from ..engine.verify import Check, ensure_verified
from . import binary, classification, information, layers, margins, probabilistic, regression

__all__ = ["SPECS", "UnknownLossError", "derivation", "lemma_checks", "lemmas", "names", "resolve", "spec", "verified"]

SPECS: dict[str, LossSpec | LayerSpec] = {
    s.name: s for s in (*information.SPECS, *classification.SPECS, *binary.SPECS, *layers.SPECS,
                        *regression.SPECS, *probabilistic.SPECS, *margins.SPECS)}
_ALIASES: dict[str, str] = {alias.lower(): s.name for s in SPECS.values() for alias in s.aliases}


class UnknownLossError(KeyError):
    """An unknown loss name; the message suggests the closest known names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown loss {name!r}{hint} (`derive list` shows them all)")

    def __str__(self) -> str:
        return self.args[0]


def names() -> list[str]:
    """Catalogue names in catalogue order."""
    return list(SPECS)


# module paths a user may write before a name: nn.CrossEntropyLoss, torch.nn.functional.cross_entropy
_MODULES = frozenset({"torch", "torch.nn", "nn", "torch.nn.functional", "nn.functional", "f", "functional",
                      "tf.keras.losses", "keras.losses", "tf.losses", "optax", "optax.losses"})


def resolve(name: str) -> str:
    """The catalogue name for ``name`` or one of its aliases (case-insensitive for aliases), also
    written with its module (``nn.CrossEntropyLoss``, ``torch.nn.functional.cross_entropy``)."""
    module, dot, short = name.rpartition(".")
    if dot and module.lower() in _MODULES:
        try:
            return resolve(short)
        except UnknownLossError as error:
            raise UnknownLossError(name, error.suggestions) from None
    if name in SPECS:
        return name
    key = name.lower().replace("-", "_")
    if key in SPECS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    known = [*SPECS, *{a for s in SPECS.values() for a in s.aliases}]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    close += difflib.get_close_matches(key, [k.lower() for k in known], n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(resolve(c) for c in close))
    raise UnknownLossError(name, suggestions)


def spec(name: str) -> LossSpec | LayerSpec:
    return SPECS[resolve(name)]


@cache
def derivation(name: str) -> Derivation:
    """The (unverified) derivation of a catalogue entry."""
    entry = spec(name)
    if isinstance(entry, LayerSpec):  # through a layer: reuses the gradient at the logits of its base
        return derive_layer(entry, derivation(entry.base))
    return derive(entry)


_verified: dict[str, tuple[Derivation, tuple[Check, ...]]] = {}


def verified(name: str, jobs: int = 1) -> tuple[Derivation, tuple[Check, ...]]:
    """The derivation with its passed checks; raises ``VerificationError`` if any check fails.

    Passed checks are remembered in the disk cache (:mod:`derive.cache`), keyed by the source, and
    for the life of the process.  With ``jobs`` > 1 a second process shares the symbolic checks."""
    name = resolve(name)
    if name not in _verified:
        _verified[name] = _verify(name, jobs)
    return _verified[name]


def _verify(name: str, jobs: int) -> tuple[Derivation, tuple[Check, ...]]:
    d = derivation(name)
    remembered = _cache.load("checks", name)
    if isinstance(remembered, list):
        try:
            return d, tuple(Check(**entry) for entry in remembered)
        except TypeError:
            pass  # an entry of another shape: verify again
    checks = tuple(ensure_verified(d, jobs, also=(partial(lemma_checks, d),)))
    _cache.store("checks", name, [asdict(c) for c in checks])
    return d, checks


def lemmas(d: Derivation) -> dict[str, Derivation]:
    """The lemmas ``d`` cites and those they cite in turn, in order of first use."""
    found: dict[str, Derivation] = {}
    todo = list(d.lemmas)
    while todo:
        name = todo.pop(0)
        if name not in found:
            found[name] = derivation(name)
            todo += found[name].lemmas
    return found


def lemma_checks(d: Derivation) -> list[Check]:
    """One check per lemma ``d`` cites, passed when the lemma's own derivation verifies; a lemma that
    fails makes ``d`` fail (``VerificationError``), since its steps apply the lemma's rule."""
    return [Check("lemma", f"{lemma}: {len(verified(lemma)[1])} checks passed", None, 0.0, True)
            for lemma in d.lemmas]
