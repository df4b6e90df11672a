"""``derive all``: every document, index page, plot and the generated code, written atomically.

The output tree::

    outputs/README.md              links to both languages
    outputs/<lang>/index.{md,html} the index of one language
    outputs/<lang>/<name>.{md,tex,html}
    outputs/plots/<name>.{svg,pdf}
    outputs/losses.py              the generated NumPy module (when the code generator is present)

Each file is written to a temporary file in its folder and moved into place
with ``os.replace``, so an interrupted run leaves no half-written file.  Files in
``<lang>/`` and ``plots/`` that the catalogue no longer produces are removed
(``check`` reports them).  Output is deterministic: the same catalogue gives the
same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import names
from . import memo, plots
from .documents import FORMATS, MODULE, has_plot, render_document, render_index, render_page
from .environment import template
from .pages import PAGES, slowdown_plot
from .phrases import LANGUAGES, phrases
from .training import PLOT_NAME as TRAINING_PLOT
from .training import training_plot

__all__ = ["Output", "Status", "atomic_write", "check", "plan", "produce", "write"]

INDEX_FORMATS = ("md", "html")
MANAGED = (*LANGUAGES, "plots")  # folders whose every file comes from the plan


@dataclass(frozen=True)
class Output:
    """One file of the tree: its path relative to the root, and what produces it (picklable, so
    worker processes can produce it): ``PRODUCERS[kind](*args)``."""

    path: str
    kind: str
    args: tuple[str | bool, ...]
    group: str  # outputs of one group are produced by one worker (one derivation, one page)

    def produce(self) -> bytes:
        return PRODUCERS[self.kind](*self.args)


@dataclass(frozen=True)
class Status:
    """What ``check`` found: files whose content differs, files missing, files no longer produced."""

    stale: tuple[str, ...]
    missing: tuple[str, ...]
    obsolete: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.obsolete)


def _module() -> Callable[[], str] | None:
    """The code generator's ``render_module``, or None while the package has none."""
    try:
        from ..codegen import render_module
    except ImportError:
        return None
    return render_module


def _plot(name: str) -> plots.Plot:
    pages = {"mse_vs_cross_entropy": slowdown_plot, TRAINING_PLOT: training_plot}
    plot = pages[name]() if name in pages else plots.loss_plot(name)
    if plot is None:
        raise ValueError(f"{name} has no plot")
    return plot


def _readme(code: bool) -> str:
    languages = [phrases(lang) for lang in LANGUAGES]
    return template("readme.md.j2").render(languages=languages, code=MODULE if code else None)


PRODUCERS: dict[str, Callable[..., bytes]] = {
    "document": lambda name, fmt, lang: render_document(name, fmt, lang).encode("utf-8"),
    "page": lambda page, fmt, lang: render_page(page, fmt, lang).encode("utf-8"),
    "index": lambda fmt, lang, code: render_index(fmt, lang, code).encode("utf-8"),
    "svg": lambda name: _plot(name).svg.encode("utf-8"),
    "pdf": lambda name: _plot(name).pdf,
    "readme": lambda code: _readme(code).encode("utf-8"),
    "module": lambda: _module()().encode("utf-8"),
}


def plan() -> list[Output]:
    """Every file ``derive all`` writes, in a fixed order."""
    code = _module() is not None
    outputs: list[Output] = []
    for name in names():
        outputs += [Output(f"{lang}/{name}.{fmt}", "document", (name, fmt, lang), name)
                    for lang in LANGUAGES for fmt in FORMATS]
        if plots.available() and has_plot(name):
            outputs += [Output(f"plots/{name}.{kind}", kind, (name,), name) for kind in ("svg", "pdf")]
    for page in PAGES:
        outputs += [Output(f"{lang}/{page}.{fmt}", "page", (page, fmt, lang), page)
                    for lang in LANGUAGES for fmt in FORMATS]
    if plots.available():
        outputs += [Output(f"plots/{plot}.{kind}", kind, (plot,), "mse_vs_cross_entropy")
                    for plot in ("mse_vs_cross_entropy", TRAINING_PLOT) for kind in ("svg", "pdf")]
    outputs += [Output(f"{lang}/index.{fmt}", "index", (fmt, lang, code), "index")
                for lang in LANGUAGES for fmt in INDEX_FORMATS]
    outputs.append(Output("README.md", "readme", (code,), "index"))
    if code:
        outputs.append(Output(MODULE, "module", (), "module"))
    return outputs


def _produce_group(outputs: list[Output]) -> list[tuple[str, bytes]]:
    return [(output.path, output.produce()) for output in outputs]


def produce(outputs: list[Output], jobs: int = 1) -> Iterator[tuple[str, bytes]]:
    """``(path, bytes)`` for every output, groups spread over ``jobs`` worker processes."""
    groups: dict[str, list[Output]] = {}
    for output in outputs:
        groups.setdefault(output.group, []).append(output)
    if jobs <= 1 or len(groups) <= 1:
        for group in groups.values():
            yield from _produce_group(group)
        return
    # the index needs every derivation: it starts first so that it does not finish last
    first = sorted(groups, key=lambda group: group != "index")
    with ProcessPoolExecutor(min(jobs, len(groups))) as pool:
        futures = {group: pool.submit(_produce_group, groups[group]) for group in first}
        for group in groups:  # results in plan order
            yield from futures[group].result()


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _obsolete(root: Path, outputs: list[Output]) -> list[str]:
    wanted = {o.path for o in outputs}
    found = [p.relative_to(root).as_posix() for folder in MANAGED if (root / folder).is_dir()
             for p in sorted((root / folder).rglob("*")) if p.is_file()]
    return [path for path in found if path not in wanted]


def write(root: Path, outputs: list[Output], jobs: int = 1) -> Iterator[str]:
    """Write every output under ``root`` (unchanged files are left alone), remove obsolete files in
    the managed folders; yields each path when it is done.  Files that a run with the same
    fingerprint wrote and that are still intact are not produced again (:mod:`.memo`)."""
    key = memo.fingerprint(o.path for o in outputs)
    hashes = memo.unchanged(root, key)
    yield from hashes
    for path, data in produce([o for o in outputs if o.path not in hashes], jobs):
        target = root / path
        if not target.is_file() or target.read_bytes() != data:
            atomic_write(target, data)
        hashes[path] = memo.digest(data)
        yield path
    for path in _obsolete(root, outputs):
        (root / path).unlink()
    memo.remember(key, hashes)


def check(root: Path, outputs: list[Output], jobs: int = 1) -> Iterator[str | Status]:
    """Compare ``root`` with what would be written, writing nothing; yields each path, then the Status."""
    stale, missing = [], []
    intact = memo.unchanged(root, memo.fingerprint(o.path for o in outputs))
    yield from intact
    for path, data in produce([o for o in outputs if o.path not in intact], jobs):
        target = root / path
        if not target.is_file():
            missing.append(path)
        elif target.read_bytes() != data:
            stale.append(path)
        yield path
    yield Status(tuple(stale), tuple(missing), tuple(_obsolete(root, outputs)))
