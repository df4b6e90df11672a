"""The ``derive`` command line: thin click commands over the package's functions."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from . import cache as disk_cache
from .catalogue import SPECS, UnknownLossError, derivation, lemmas, names, resolve, verified
from .command import OutputPath, Program, write_output
from .engine.verify import Check, VerificationError, verify
from .files import OutputError, is_special, write_file
from .printing.export import to_dict
from .printing.latex import latex
from .printing.terminal import check_table, show_lines
from .printing.text import text
from .processes import worker_pool
from .render.phrases import LANGUAGES, vocabulary
from .version import DISTRIBUTION, __version__

EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
T = TypeVar("T")


def _resolve_or_exit(name: str) -> str:
    try:
        return resolve(name)
    except UnknownLossError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)


@click.group(cls=Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive")
def main() -> None:
    """Symbolic derivations of machine-learning losses, step by step, verified."""


def _in_parallel(function: Callable[[str], T], items: list[str], jobs: int | None = None) -> Iterator[T]:
    """``map(function, items)`` on up to ``jobs`` processes (default: the number of CPUs), in order."""
    jobs = min(jobs or os.cpu_count() or 1, len(items))
    if jobs < 2:
        yield from map(function, items)
        return
    with worker_pool(jobs) as pool:
        yield from pool.map(function, items)


def _list_entry(name: str) -> dict[str, object]:
    """What ``derive list`` says of one loss (``--json`` prints these fields)."""
    d, _ = verified(name)
    return {"name": name, "title": d.title.en, "title_zh": d.title.zh, "family": d.family,
            "aliases": list(d.aliases), "derivative": text(d.steps[-1].lhs), "gradient": text(d.gradient),
            "gradient_latex": latex(d.gradient)}


def _list_line(entry: dict) -> str:
    name_width = max(len(s.name) for s in SPECS.values())
    title_width = max(len(s.title.en) for s in SPECS.values())
    formula = f"{entry['derivative']} = {entry['gradient']}"
    return f"{entry['name']:<{name_width}}  {entry['title']:<{title_width}}  {formula}"


def _with_progress(function: Callable[[str], T], items: list[str], label: str,
                   jobs: int | None = None) -> list[T]:
    """``[function(item) for item in items]`` on every core, with a progress line on standard error."""
    if not items:
        return []
    results = []
    with click.progressbar(length=len(items), label=label, file=sys.stderr) as bar:
        for result in _in_parallel(function, items, jobs):
            results.append(result)
            bar.update(1)
    return results


@main.command("list", short_help="One line per loss: name, title, closed-form gradient.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the losses' fields.")
def list_(as_json: bool) -> None:
    """One line per loss: name, title, closed-form gradient."""
    # an entry is cached once it was verified, keyed by the source; the others are verified on every core
    entries = {name: disk_cache.load("list-entry", name) for name in names()}
    missing = [name for name, entry in entries.items() if not isinstance(entry, dict)]
    label = f"verifying {len(missing)} losses (once: later runs read the cache)"
    for name, entry in zip(missing, _with_progress(_list_entry, missing, label), strict=True):
        entries[name] = entry
        disk_cache.store("list-entry", name, entry)
    if as_json:
        click.echo(json.dumps(list(entries.values()), indent=2, ensure_ascii=False))
        return
    for entry in entries.values():
        click.echo(_list_line(entry))


@main.command(short_help="The derivation of NAME, step by step.")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the derivation as JSON (with its lemmas).")
@click.option("--lemmas", "with_lemmas", is_flag=True,
              help="Print the derivation of each rule a step applies (softmax Jacobian, σ' = σ(1 − σ)) "
                   "under the step that first uses it.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the steps' names and sentences.")
def show(name: str, as_json: bool, with_lemmas: bool, lang: str) -> None:
    """Show the derivation of NAME step by step (aliases such as CrossEntropyLoss work)."""
    d, checks = _verified_or_exit(_resolve_or_exit(name))
    cited = lemmas(d)
    if as_json:
        click.echo(json.dumps(to_dict(d, checks, tuple(cited.values())), indent=2, ensure_ascii=False))
        return
    for line in show_lines(d, checks, vocabulary(lang), cited if with_lemmas else None):
        click.echo(line)


def _verified_or_exit(name: str) -> tuple:
    try:
        return verified(name, jobs=os.cpu_count() or 1)
    except VerificationError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_CHECK_FAILED)


def _run_checks(name: str) -> list[Check]:
    return verify(derivation(name))


@main.command(short_help="Run every verification and print a table of checks.")
@click.argument("names_", metavar="[NAME]...", nargs=-1)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to use (default: the number of CPUs).")
def check(names_: tuple[str, ...], jobs: int | None) -> None:
    """Run every verification of NAME (default: the whole catalogue) and print a table.

    Exits 1 if any check fails.  Always recomputes (the cache is not consulted)."""
    selected = [_resolve_or_exit(n) for n in names_] or names()
    label = f"checking {len(selected)} loss{'es' if len(selected) > 1 else ''}"
    results = dict(zip(selected, _with_progress(_run_checks, selected, label, jobs), strict=True))
    for line in check_table(results):
        click.echo(line)
    failed = sum(not c.passed for checks in results.values() for c in checks)
    total = sum(len(checks) for checks in results.values())
    click.echo(f"{total - failed} passed, {failed} failed")
    if failed:
        sys.exit(EXIT_CHECK_FAILED)

@main.command("slowdown", short_help="Why MSE learns slowly on a saturated sigmoid: a run.")
@click.option("--steps", type=click.IntRange(min=1), default=300, show_default=True)
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=0.15, show_default=True)
@click.option("--every", type=click.IntRange(min=1), default=25, show_default=True,
              help="Print a row every this many steps.")
def slowdown_(steps: int, rate: float, every: int) -> None:
    """Train a saturated sigmoid neuron (a ≈ 0.98 for y = 0) with MSE and with cross-entropy;
    print the output a and each loss against the step."""
    from .render.experiments import LEARNED, slowdown

    result = slowdown(rate=rate, steps=steps)
    click.echo(f"{'step':>5} {'a (MSE)':>9} {'L (MSE)':>9} {'a (CE)':>9} {'L (CE)':>9}")
    for step, *values in result.rows(every):
        click.echo(f"{step:>5} " + " ".join(f"{v:>9.4f}" for v in values))
    for label, run in (("MSE", result.mse), ("cross-entropy", result.cross_entropy)):
        reached = run.steps_to()
        when = f"after {reached} steps" if reached is not None else f"not within {steps} steps"
        click.echo(f"{label}: |a − y| ≤ {LEARNED} {when}")


class _ExpressionCommand(click.Command):
    """A command whose EXPR may start with a minus sign (``-sum(...)``) without ``--`` before it:
    the first word that starts with ``-`` but does not look like an option is moved behind ``--``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [p for p in self.params if isinstance(p, click.Option)]
        takes_value = {o for p in options if not p.is_flag for o in p.opts}
        for position, arg in enumerate(args):
            if arg == "--":
                break
            previous = args[position - 1] if position else ""
            if arg.startswith("-") and not re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", arg, re.DOTALL) \
                    and previous not in takes_value:
                args = [*args[:position], *args[position + 1:], "--", arg]
                break
        return super().parse_args(ctx, args)


@main.command(cls=_ExpressionCommand, short_help="Derive and verify your own loss EXPR.")
@click.argument("expression", metavar="EXPR")
@click.option("--wrt", required=True, help="The vector to differentiate with respect to (e.g. z).")
@click.option("--vector", "vectors", multiple=True, metavar="NAMES",
              help="Vector names (length n), comma-separated or repeated; the argument order of --format py.")
@click.option("--scalar", "scalars", multiple=True, metavar="NAME=VALUE",
              help="A scalar and its default value; repeat for more.")
@click.option("--simplex", multiple=True, metavar="NAME", help="A vector that sums to one.")
@click.option("--onehot", multiple=True, metavar="NAME",
              help="A one-hot vector (the class t; further ones u, v, w); repeat for more.")
@click.option("--index", multiple=True, metavar="NAME",
              help="A one-hot vector given as class indices: δ_jt in the math, integer labels of shape "
                   "(...) in the --format py code; repeat for more.")
@click.option("--name", default="custom", show_default=True, help="The loss's name (a Python identifier).")
@click.option("--hessian", is_flag=True, help="Also derive and verify the second derivative.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "tex", "html", "py"]),
              default="text", show_default=True,
              help="text: the steps as `derive show` prints them; json: the fields of `derive show --json`; "
                   "md, tex, html: a document; py: a NumPy module (NAME, NAME_grad, NAME_value_and_grad).")
@click.option("-o", "--output", type=OutputPath(), default=None,
              help="Write to this file instead of standard output.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="The language of the text, md, tex and html output.")
@click.option("--timeout", type=click.FloatRange(min=0), default=300, show_default=True,
              help="Give up after this many seconds (0 or inf: no limit).")
def custom(expression: str, wrt: str, vectors: tuple[str, ...], scalars: tuple[str, ...],
           simplex: tuple[str, ...], onehot: tuple[str, ...], index: tuple[str, ...], name: str,
           hessian: bool, fmt: str,
           output: Path | None, lang: str, timeout: float) -> None:
    """Derive your own loss EXPR, verified like the catalogue, e.g.

    derive custom "sum(y * (1 - softmax(z)**q) / q)" --wrt z --onehot y --scalar q=0.7

    The language: numbers, pi, n (the number of classes), the declared vectors and scalars,
    + - * / **; elementwise log exp sqrt abs tanh cosh sinh cos sin acos log1p expm1 sigmoid
    softplus, max(a, b) min(a, b); softmax log_softmax logsumexp of a vector or of a vector
    expression (z/T, z + tau*log(prior)); over the classes sum mean dot norm (Euclidean) and
    max(v) min(v).  Vectors and scalars may have any name that is not a function, pi or n,
    i j k l (indices) or L (the loss); a vector is not s (the softmax), and names ending in
    _<digits> are taken.  Exits 2 for input outside the language, 1 when the result fails
    verification; nothing is written then."""
    from .language.custom import DerivationFailed
    from .language.output import render, run, time_limit

    try:
        with time_limit(timeout):
            loss = run(expression, wrt=wrt, vectors=vectors, scalars=scalars, simplex=simplex,
                       onehot=onehot, index=index, name=name, hessian=hessian, jobs=os.cpu_count() or 1)
            result = render(loss, fmt, styled=output is None, lang=lang)
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except (VerificationError, DerivationFailed) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_CHECK_FAILED)
    if output is None:
        click.echo(result, nl=False)
        return
    write_output(output, result)


@main.command("code", short_help="A standalone NumPy module of the losses.")
@click.argument("names_", metavar="[NAME]...", nargs=-1)
@click.option("-o", "--output", type=OutputPath(), default=None,
              help="Write the module to this file instead of standard output.")
def code(names_: tuple[str, ...], output: Path | None) -> None:
    """Write a standalone NumPy module with torch.nn.functional's API for NAME... (default: every
    loss that has code): NAME, NAME_grad and NAME_value_and_grad, printed from the verified
    derivations.  Names may be PyTorch's or catalogue names and aliases (CrossEntropyLoss)."""
    from .codegen import NoCodeError, render_module
    from .render.memo import fingerprint

    key = fingerprint(["code", *names_])  # the source, the templates and the library versions
    source = disk_cache.load("code", key)
    if not isinstance(source, str):
        try:
            source = render_module(list(names_) or None)
        except NoCodeError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(EXIT_USAGE)
        disk_cache.store("code", key, source)
    if output is None:
        click.echo(source, nl=False)
        return
    write_output(output, source)


@main.command(short_help="The derivation of NAME as a document (md, tex, html).")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["md", "tex", "html"]), default="md", show_default=True,
              help="Markdown with GitHub math, LaTeX (pdflatex; Chinese: xelatex) or self-contained HTML.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="English or Chinese.")
@click.option("-o", "--output", type=OutputPath(), default=None,
              help="Write to this file instead of standard output.")
def doc(name: str, fmt: str, lang: str, output: Path | None) -> None:
    """Render the derivation document of NAME (or the page information_theory / mse_vs_cross_entropy).

    Printed, or written into a tree of `derive all` (DIR/en/NAME.md), it links as that tree is laid
    out (../plots/, index, translation); written anywhere else it stands alone: its plot beside it
    (FILE.svg for md, FILE.pdf for tex) or embedded (html), and no link to a file that is not there."""
    from .render.build import MANIFEST
    from .render.documents import render_document, render_page, render_standalone
    from .render.pages import PAGES

    beside: dict[str, bytes] = {}
    if name in PAGES:
        text_ = render_page(name, fmt, lang)
    else:
        name = _resolve_or_exit(name)
        _verified_or_exit(name)  # verified on every core before the document asks for it
        in_tree = output is None or is_special(output) or (  # a stream is read like printed text
            output.parent.name in LANGUAGES and (output.parent.parent / MANIFEST).is_file())
        if in_tree:
            text_ = render_document(name, fmt, lang)
        else:
            text_, beside = render_standalone(name, fmt, lang, output.stem)
    if output is None:
        click.echo(text_, nl=False)
        return
    try:  # first: the document never links a file that is not there
        for file_name, data in beside.items():
            write_file(output.parent / file_name, data)
            click.echo(f"wrote {output.parent / file_name}", err=True)
    except OutputError as error:  # said of the document asked for
        raise click.ClickException(str(OutputError(output, error.reason))) from None
    write_output(output, text_)


@main.command("all", short_help="Every document, plot and the module, into a folder.")
@click.option("-o", "--output", type=OutputPath(folder=True), default=Path("outputs"),
              show_default=True, help="The folder to write into.")
@click.option("--force", is_flag=True,
              help="Write into a folder that holds files but was not written by `derive all` (its "
                   "files of other names are kept).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; list stale, missing and obsolete files and exit 1 if there are any.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to use (default: the number of CPUs).")
def all_(output: Path, check_only: bool, force: bool, jobs: int | None) -> None:
    """Write every document (md/tex/html, en/zh), the index pages, the plots and the generated code.

    Only files that `derive all` wrote are ever replaced or removed (the folder's .derive-manifest
    lists them); a folder with other files is refused unless --force."""
    from .render import build, plots

    outputs = build.plan()
    if not plots.available():
        click.echo(f"plots skipped: matplotlib is not installed (pip install '{DISTRIBUTION}[plots]')",
                   err=True)
    jobs = jobs or os.cpu_count() or 1
    label = "checking" if check_only else "writing"
    with click.progressbar(length=len(outputs), label=f"{label} {output}", file=sys.stderr) as bar:
        if not check_only:
            try:
                def waiting() -> None:
                    click.echo(f"\nwaiting for another `derive all` writing into {output}", err=True)

                for _ in build.write(output, outputs, jobs, force=force, waiting=waiting):
                    bar.update(1)
                click.echo(f"\nwrote {output} ({len(outputs)} files)", err=True)
            except (build.NotAnOutputTree, OutputError) as error:
                raise click.ClickException(str(error)) from None
            except OSError as error:  # reading the tree: a name too long, a folder that cannot be read
                raise click.ClickException(f"cannot write into {output}: {error.strerror or error}") from None
            return
        for item in build.check(output, outputs, jobs):
            if isinstance(item, build.Status):
                status = item
            else:
                bar.update(1)
    for kind, paths in (("stale", status.stale), ("missing", status.missing), ("obsolete", status.obsolete),
                        ("temporary", status.temporary)):
        for path in paths:
            click.echo(f"{kind}: {output / path}")
    if not status.ok:
        force = " --force" if build.foreign(output) else ""
        click.echo(f"{output} is out of date: run `derive all -o {output}{force}`", err=True)
        sys.exit(EXIT_CHECK_FAILED)
    click.echo(f"{output} is up to date ({len(outputs)} files)")
