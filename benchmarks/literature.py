r"""The literature benchmark: published losses typed into ``derive custom``, measured against PyTorch.

    python benchmarks/literature.py                  # every loss of benchmarks/papers.py, a table
    python benchmarks/literature.py -k focal -k dice # the losses whose name contains a pattern
    python benchmarks/literature.py --readme         # also rewrites README's "Losses from papers"

Per loss (:mod:`papers` holds the entries, their citations and PyTorch references):

* **parses**: ``derive custom`` accepts the expression as typed (else the refusal, the construct
  that is missing);
* **verified**: it exits 0, i.e. every symbolic and numeric check passed (else the failure);
* **named**: the closed form is in named terms: the tool reports a closed form, and no raw
  exponential is left in a normaliser (``exp(z_k)`` inside a sum) or a logistic
  (``1/(1 + exp(…))``);
* **vs torch**: the generated ``--format py`` module against PyTorch autograd of the reference, float64,
  on random inputs of shape (N, n) = (8, 5): the largest error of the per-row losses and of the
  gradient of their sum, each relative to max(1, the largest reference entry), must be ≤ 1e-8;
* **finite f64 / f32**: at extreme inputs (real inputs uniform in ±1e4) in that dtype, the module's
  loss and gradient are finite wherever PyTorch's are (✓), else the count of entries where only the
  module overflows;
* **time**: the wall time of the ``derive custom … --format py`` process (interpreter start included);
* **lengths**: the operation count (``sympy.count_ops``, a named function such as a softmax
  component counting as one operation and a Kronecker delta δ_jt as an atom, like the y_j it stands
  for in a published form) of the tool's closed form, of SymPy's raw derivative of the
  typed expression (its named functions written out as exponentials, differentiated by
  ``sympy.diff``, unsimplified) and of the paper's published gradient (when it gives one) written in
  the language.

A loss the tool cannot handle yet stays in the table, marked with the reason: the benchmark measures
the engine as it improves.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import report
import torch
from papers import PAPERS, Paper
from sympy import Derivative, Expr, IndexedBase, KroneckerDelta, Pow, Sum, Symbol, count_ops, exp

from derive.engine.derivation import Named, named_parts, unwrap
from derive.engine.functions import NAMED_FUNCTIONS
from derive.language.custom import CustomLoss, build
from derive.language.parse import parse

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- literature:start -->", "<!-- literature:end -->"
COMMAND = "python benchmarks/literature.py --readme"
ROWS, CLASSES = 8, 5
TOLERANCE = 1e-8
EXTREME = 1e4


@dataclass
class Result:
    """What was measured for one loss; ``None`` where the step before did not succeed."""

    paper: Paper
    parses: str = "—"
    verified: str = "—"
    named: bool | None = None
    error: float | None = None
    finite: dict[str, str | None] | None = None
    seconds: float | None = None
    lengths: tuple[int | None, int | None, int | None] = (None, None, None)


# --- running the tool ---------------------------------------------------------------------------


def run_cli(paper: Paper, path: Path) -> tuple[int, str, float]:
    """(exit code, first line of the error, wall seconds) of ``derive custom … -o path``, cold: with an
    empty cache of verified derivations."""
    derive = Path(sys.executable).with_name("derive")
    command = [str(derive), "custom", paper.expression, *paper.arguments(), "--format", "py",
               "-o", str(path)]
    environment = {**os.environ, "DERIVE_CACHE_DIR": str(path.parent / "cache")}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    seconds = time.perf_counter() - start
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback"):  # a crash, not a refusal: its last line says why
        return done.returncode, f"crashed: {lines[-1]}", seconds
    return done.returncode, (lines[0].removeprefix("Error: ") if lines else ""), seconds


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"literature_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_paper(paper: Paper) -> CustomLoss:
    onehot = [v for v, kind in paper.inputs.items() if kind == "onehot"]
    return build(paper.expression, wrt=paper.wrt, vectors=list(paper.inputs), scalars=paper.scalars,
                 simplex=[v for v, kind in paper.inputs.items() if kind == "simplex"],
                 onehot=" ".join(onehot) or None, name=paper.function)


# --- named terms and lengths ----------------------------------------------------------------------


def _has_exp_of(expr: Expr, vector: IndexedBase) -> bool:
    return any(vector in e.atoms(IndexedBase) for e in expr.atoms(exp))


def in_named_terms(loss: CustomLoss) -> bool:
    """The tool found a closed form, and no normaliser Σ exp(z_k) nor logistic 1/(1 + exp(…)) of the
    differentiated vector is left in it."""
    gradient, vector = loss.derivation.gradient, loss.derivation.wrt.base
    normaliser = any(_has_exp_of(s.function, vector) for s in gradient.atoms(Sum))
    logistic = any(p.exp.is_negative and _has_exp_of(p.base, vector) and p.base.is_Add
                   for p in gradient.atoms(Pow))
    return loss.closed_form and not normaliser and not logistic


def raw_derivative(loss: CustomLoss) -> Expr:
    """SymPy's own derivative of the typed loss, its named functions written out as exponentials."""
    d = loss.derivation
    written = unwrap(d.loss).replace(lambda e: isinstance(e, NAMED_FUNCTIONS), lambda e: e.rewrite(exp))
    return Derivative(written, d.wrt).doit()


def length(expr: Expr) -> int:
    """``count_ops`` with a Kronecker delta as an atom (the tool's δ_jt is the published form's y_j);
    a named sub-expression (``D`` in a "where" line) counts as a symbol, plus its definition once."""
    def ops(e: Expr) -> int:
        return count_ops(e.replace(lambda a: isinstance(a, KroneckerDelta),
                                   lambda a: Symbol(f"delta_{a.args[0]}{a.args[1]}")))

    return ops(_names_as_symbols(expr)) + sum(ops(part.expr) for part in named_parts(expr))


def _names_as_symbols(expr: Expr) -> Expr:
    """``expr`` with each named sub-expression replaced by its name."""
    return expr.replace(lambda e: isinstance(e, Named), lambda e: e.label)


def published_length(paper: Paper) -> int | None:
    """The operation count of the published gradient (the body of ``sum(published)``)."""
    if paper.published is None:
        return None
    bases = {v: IndexedBase(v, real=True) for v in paper.inputs}
    symbols = {s: Symbol(s, real=True) for s in paper.scalars}
    try:
        total = parse(f"sum({paper.published})", bases, symbols)
    except ValueError:
        return None  # not yet in the language
    return length(total.function if isinstance(total, Sum) else total)


# --- inputs and comparisons ---------------------------------------------------------------------


def sample(kind: str, rng: np.random.Generator, extreme: bool) -> np.ndarray:
    shape = (ROWS, CLASSES)
    if kind == "real":
        return rng.uniform(-EXTREME, EXTREME, shape) if extreme else rng.normal(0.0, 2.0, shape)
    if kind == "onehot":
        return np.eye(CLASSES)[rng.integers(0, CLASSES, ROWS)]
    if kind == "simplex":
        return rng.dirichlet(np.full(CLASSES, 2.0), ROWS)
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(float)
    if kind == "multihot":
        hot = rng.integers(0, 2, shape).astype(float)
        hot[np.arange(ROWS), rng.integers(0, CLASSES, ROWS)] = 1.0
        return hot
    if kind == "sign":
        return rng.choice((-1.0, 1.0), shape)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    raise ValueError(f"unknown input kind {kind!r}")


def both(paper: Paper, module: ModuleType, inputs: dict[str, np.ndarray]
         ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((module loss per row, module gradient of the sum), (the same from PyTorch autograd))."""
    generated = getattr(module, paper.function)(**inputs, **paper.scalars, reduction="none")
    gradient = getattr(module, f"{paper.function}_grad")(**inputs, **paper.scalars, reduction="sum")
    tensors = {k: torch.tensor(v, requires_grad=k == paper.wrt) for k, v in inputs.items()}
    value = paper.reference(**tensors, **paper.scalars)
    value.sum().backward()
    reference = (value.detach().numpy(), tensors[paper.wrt].grad.numpy())
    return (np.asarray(generated), np.asarray(gradient)), reference


def error_vs_torch(paper: Paper, module: ModuleType, rng: np.random.Generator) -> float:
    inputs = {v: sample(kind, rng, extreme=False) for v, kind in paper.inputs.items()}
    mine, theirs = both(paper, module, inputs)
    return max(float(np.max(np.abs(a - b))) / max(1.0, float(np.max(np.abs(b))))
               for a, b in zip(mine, theirs, strict=True))


def finiteness(paper: Paper, module: ModuleType, rng: np.random.Generator, dtype: type) -> str:
    """✓ when the module is finite wherever PyTorch is at extreme inputs, else how often it is not."""
    inputs = {v: sample(kind, rng, extreme=True).astype(dtype) for v, kind in paper.inputs.items()}
    with np.errstate(all="ignore"):
        mine, theirs = both(paper, module, inputs)
    worse = sum(int(np.sum(np.isfinite(b) & ~np.isfinite(a))) for a, b in zip(mine, theirs, strict=True))
    total = sum(int(np.sum(np.isfinite(b))) for b in theirs)
    return "✓" if not worse else f"✗ {worse}/{total}"


# --- one loss -----------------------------------------------------------------------------------


def measure(paper: Paper, cli: bool = True) -> Result:
    """Every measurement of ``paper``; with ``cli=False`` the tool runs in this process (no time)."""
    result = Result(paper, lengths=(None, None, published_length(paper)))
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="derive-literature-") as folder:
        path = Path(folder) / f"{paper.name}.py"
        if cli:
            code, message, result.seconds = run_cli(paper, path)
            if code:
                _refused(result, code, message)
                return result
        loss = _built(paper, result)
        if loss is None:
            return result
        if not cli:
            from derive.language.output import render

            path.write_text(render(loss, "py"), encoding="utf-8")
        result.parses, result.verified, result.named = "yes", "yes", in_named_terms(loss)
        result.lengths = (length(loss.derivation.gradient), length(raw_derivative(loss)),
                          result.lengths[2])
        module = load(path, paper.name)
        result.error = error_vs_torch(paper, module, rng)
        result.finite = {"float64": finiteness(paper, module, rng, np.float64),
                         "float32": finiteness(paper, module, rng, np.float32)}
    return result


def _refused(result: Result, code: int, message: str) -> None:
    if code == 2:
        result.parses = f"no: {message}"
    else:
        result.parses, result.verified = "yes", f"no: {message}"


def _built(paper: Paper, result: Result) -> CustomLoss | None:
    try:
        return build_paper(paper)
    except ValueError as error:  # refused as typed (ExpressionError or a bad argument)
        if isinstance(error, AssertionError):
            raise
        result.parses = f"no: {str(error).splitlines()[0]}"
    except (RuntimeError, AssertionError) as error:  # DerivationFailed, VerificationError
        result.parses, result.verified = "yes", f"no: {str(error).splitlines()[0]}"
    return None


# --- the table ----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:.1e}" + (" ✓" if value <= TOLERANCE else " ✗")
    return str(value).replace("|", "\\|")


def markdown(results: list[Result]) -> str:
    head = ("| loss | family | parses as typed | verified | named | vs torch (f64) | finite f64 | "
            "finite f32 | cold time (s) | length: tool / raw / paper |\n"
            "|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for r in results:
        finite = r.finite or {}
        lengths = " / ".join(_cell(x) for x in r.lengths)
        seconds = "—" if r.seconds is None else f"{r.seconds:.2f}"
        rows.append(f"| `{r.paper.name}` | {r.paper.family} | {_cell(r.parses)} | {_cell(r.verified)} | "
                    f"{_cell(r.named)} | {_cell(r.error)} | {_cell(finite.get('float64'))} | "
                    f"{_cell(finite.get('float32'))} | {seconds} | {lengths} |")
    counts = summary(results)
    sources = "\n".join(f"- `{r.paper.name}`: {r.paper.citation}; typed as `{r.paper.expression}`"
                        for r in results)
    return (f"{head}\n" + "\n".join(rows) + f"\n\n{counts}\n\nMachine: {os.cpu_count()} cores, load "
            f"average {os.getloadavg()[0]:.1f} at the end; times are cold (an empty cache of verified "
            "derivations) and include the interpreter's start.\n\n"
            f"<details><summary>Sources and expressions</summary>\n\n{sources}\n\n</details>\n")


def summary(results: list[Result]) -> str:
    total = len(results)
    parsed = sum(r.parses == "yes" for r in results)
    verified = sum(r.verified == "yes" for r in results)
    matched = sum(r.error is not None and r.error <= TOLERANCE for r in results)
    finite = sum(r.finite is not None and set(r.finite.values()) == {"✓"} for r in results)
    named = sum(bool(r.named) for r in results)
    measured = [r.lengths for r in results if None not in r.lengths[:2]]
    published = [(tool, paper) for tool, _, paper in measured if paper is not None]
    return (f"{total} losses: {parsed} parse as typed, {verified} verify, {named} in named terms, "
            f"{matched} match PyTorch to {TOLERANCE:g}, {finite} as finite as PyTorch at |inputs| ≤ "
            f"{EXTREME:g} in float32 and float64. Closed form no longer than SymPy's raw derivative: "
            f"{sum(tool <= raw for tool, raw, _ in measured)} of {len(measured)}; no longer than the "
            f"published form: {sum(tool <= paper for tool, paper in published)} of {len(published)}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", action="append", default=[], help="only losses whose name contains this")
    parser.add_argument("--readme", action="store_true", help="rewrite README's Losses from papers section")
    args = parser.parse_args(argv)
    chosen = [p for p in PAPERS if not args.k or any(key in p.name for key in args.k)]
    results = []
    for paper in chosen:
        results.append(measure(paper))
        print(f"{paper.name}: {results[-1].parses} / {results[-1].verified}", file=sys.stderr)
    report.publish(markdown(results), ROOT / "README.md" if args.readme else None, "Losses from papers",
                   START, END, COMMAND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
