"""``derive all``: every document, index page, plot and the generated code, written atomically.

The output tree::

    outputs/README.md              links to both languages
    outputs/<lang>/index.{md,html} the index of one language
    outputs/<lang>/<name>.{md,tex,html}
    outputs/plots/<name>.{svg,pdf}
    outputs/losses.py              the generated NumPy module (when the code generator is present)

    outputs/.derive-manifest       every file derive wrote there, one path a line

Each file is written to a temporary file in its folder and moved into place
with ``os.replace``, so an interrupted run leaves no half-written file.  The
manifest is what makes the folder derive's: a file is removed only when the
manifest lists it and the catalogue no longer produces it (``check`` reports
those as obsolete), so a file that derive did not write is never touched.  A
folder that holds files but no manifest is not written into unless asked
(``force``).  The manifest is written before the first file (listing what is
about to be written as well) and again at the end, so it lists every file an
interrupted run may have left.  Output is deterministic: the same catalogue
gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import names
from ..files import locked, make_folder, temporaries, write_file
from ..processes import worker_pool
from . import memo, plots
from .documents import FORMATS, MODULE, has_plot, render_document, render_index, render_page
from .environment import template
from .information import information_plot
from .pages import PAGES, slowdown_plot
from .phrases import LANGUAGES, phrases
from .topics import improved_plot
from .training import PLOT_NAME as TRAINING_PLOT
from .training import training_plot

__all__ = ["MANIFEST", "NotAnOutputTree", "Output", "Status", "check", "foreign", "plan", "produce", "write"]

INDEX_FORMATS = ("md", "html")
MANIFEST = ".derive-manifest"
_MANIFEST_HEADER = "# Written by `derive all`: the files it owns here; it replaces or removes no other.\n"


class NotAnOutputTree(Exception):
    """The folder holds files but no manifest: writing into it could overwrite someone's files."""


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
    """What ``check`` found: files whose content differs, files missing, files no longer produced,
    temporary files left behind."""

    stale: tuple[str, ...]
    missing: tuple[str, ...]
    obsolete: tuple[str, ...]
    temporary: tuple[str, ...] = ()  # left by a write that was killed; the next run removes them

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.obsolete or self.temporary)


def _module() -> Callable[[], str] | None:
    """The code generator's ``render_module``, or None while the package has none."""
    try:
        from ..codegen import render_module
    except ImportError:
        return None
    return render_module


def _plot(name: str) -> plots.Plot:
    pages = {"mse_vs_cross_entropy": slowdown_plot, TRAINING_PLOT: training_plot,
             "improved_forms": improved_plot, "information_theory": information_plot}
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
        outputs += [Output(f"plots/{plot}.{kind}", kind, (plot,), group)
                    for plot, group in (("mse_vs_cross_entropy", "mse_vs_cross_entropy"),
                                        (TRAINING_PLOT, "mse_vs_cross_entropy"),
                                        ("improved_forms", "improved_forms"),
                                        ("information_theory", "information_theory"))
                    for kind in ("svg", "pdf")]
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
    with worker_pool(min(jobs, len(groups))) as pool:
        futures = {group: pool.submit(_produce_group, groups[group]) for group in first}
        for group in groups:  # results in plan order
            yield from futures[group].result()


def _read_manifest(root: Path) -> set[str] | None:
    """The paths the manifest of ``root`` lists, or None when there is none.  Only plain relative
    paths inside the tree count: a line such as ``../x`` or ``/x`` is ignored, never removed."""
    try:
        lines = (root / MANIFEST).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return set()  # unreadable: it is still derive's folder, but nothing in it may be removed
    listed = set()
    for line in lines:
        parts = line.split("/")
        if line and not line.startswith("#") and "\\" not in line \
                and all(part not in ("", ".", "..") for part in parts):
            listed.add(line)
    return listed


def _manifest_bytes(paths: set[str]) -> bytes:
    return (_MANIFEST_HEADER + "".join(f"{path}\n" for path in sorted(paths))).encode("utf-8")


def _has_files(root: Path) -> bool:
    """Whether anything but folders lies under ``root`` (an empty folder tree loses nothing); a
    folder that cannot be read counts as holding files."""
    if not root.is_dir():
        return False
    unreadable: list[OSError] = []
    for folder, subfolders, files in os.walk(root, onerror=unreadable.append):
        if files or unreadable or any(os.path.islink(os.path.join(folder, s)) for s in subfolders):
            return True
    return bool(unreadable)


def foreign(root: Path) -> bool:
    """Whether ``root`` holds files but no manifest (``write`` refuses it without ``force``)."""
    return _read_manifest(root) is None and _has_files(root)


def _obsolete(root: Path, listed: set[str] | None, outputs: list[Output]) -> list[str]:
    """Files the manifest lists that the plan no longer produces and that are still there."""
    wanted = {o.path for o in outputs}
    return [path for path in sorted((listed or set()) - wanted)
            if (root / path).is_file() or (root / path).is_symlink()]


def _update_manifest(root: Path, paths: set[str]) -> None:
    data = _manifest_bytes(paths)
    target = root / MANIFEST
    if not target.is_file() or target.read_bytes() != data:
        write_file(target, data)


def _temporaries(root: Path, paths: set[str]) -> list[Path]:
    """Temporary files that killed writes of ``paths`` left under ``root``."""
    folders: dict[str, set[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, set()).add(name)
    return sorted(t for folder, names in folders.items() for t in temporaries(root / folder, names))


def write(root: Path, outputs: list[Output], jobs: int = 1, force: bool = False,
          waiting: Callable[[], None] | None = None) -> Iterator[str]:
    """Write every output under ``root`` (unchanged files are left alone), remove the files that the
    manifest lists and the plan no longer has; yields each path when it is done.  Files that a run
    with the same fingerprint wrote and that are still intact are not produced again (:mod:`.memo`).

    Raises :class:`NotAnOutputTree` before writing anything when ``root`` holds files but no
    manifest, unless ``force`` (then files of other names are left as they are).  One run at a time
    writes a tree (a lock on the folder; ``waiting()`` is called when another run holds it); the
    temporary files a killed run left are removed."""
    make_folder(root)
    with locked(root, waiting=waiting):
        yield from _write(root, outputs, jobs, force)


def _write(root: Path, outputs: list[Output], jobs: int, force: bool) -> Iterator[str]:
    listed = _read_manifest(root)
    if not force and foreign(root):
        raise NotAnOutputTree(
            f"{root} is not empty and is not a folder `derive all` wrote (it has no {MANIFEST}); "
            "choose a new or empty folder, or pass --force to write into it (files of other names "
            "are kept)")
    wanted = {o.path for o in outputs}
    for temporary in _temporaries(root, (listed or set()) | wanted | {MANIFEST}):
        temporary.unlink(missing_ok=True)
    _update_manifest(root, (listed or set()) | wanted)  # before the first file: it lists all it may leave
    key = memo.fingerprint(o.path for o in outputs)
    hashes = memo.unchanged(root, key)
    yield from hashes
    for path, data in produce([o for o in outputs if o.path not in hashes], jobs):
        target = root / path
        if not target.is_file() or target.read_bytes() != data:
            write_file(target, data)
        hashes[path] = memo.digest(data)
        yield path
    for path in _obsolete(root, listed, outputs):
        (root / path).unlink()
    _update_manifest(root, wanted)
    memo.remember(key, hashes)


def check(root: Path, outputs: list[Output], jobs: int = 1) -> Iterator[str | Status]:
    """Compare ``root`` with what would be written, writing nothing; yields each path, then the Status.
    The manifest is compared too (a tree without one reports it missing)."""
    if not root.is_dir():
        yield from _check(root, outputs, jobs)
        return
    with locked(root, shared=True):
        yield from _check(root, outputs, jobs)


def _check(root: Path, outputs: list[Output], jobs: int) -> Iterator[str | Status]:
    stale, missing = [], []
    listed = _read_manifest(root)
    intact = memo.unchanged(root, memo.fingerprint(o.path for o in outputs))
    yield from intact
    for path, data in produce([o for o in outputs if o.path not in intact], jobs):
        target = root / path
        if not target.is_file():
            missing.append(path)
        elif target.read_bytes() != data:
            stale.append(path)
        yield path
    manifest = root / MANIFEST
    if not manifest.is_file():
        missing.append(MANIFEST)
    elif manifest.read_bytes() != _manifest_bytes({o.path for o in outputs}):
        stale.append(MANIFEST)
    left = _temporaries(root, (listed or set()) | {o.path for o in outputs} | {MANIFEST})
    yield Status(tuple(stale), tuple(missing), tuple(_obsolete(root, listed, outputs)),
                 tuple(t.relative_to(root).as_posix() for t in left))
