"""Time the generated ``NAME_value_and_grad`` against plain NumPy, PyTorch and JAX.

    python benchmarks/bench_losses.py                 # every case, float32 and float64
    python benchmarks/bench_losses.py --quick         # small sizes, few rounds: a smoke run
    python benchmarks/bench_losses.py -k cross_entropy --dtype float32 --rounds 30
    python benchmarks/bench_losses.py --readme        # full run in both regimes; rewrites README's Benchmarks
    python benchmarks/bench_losses.py --back-to-back  # calls in a tight loop (threads kept awake)

All implementations of a case are first checked against a float64 reference (the run stops if one
disagrees), then timed alternately, round after round, so that a change in the machine's load hits
every one of them alike.  The generated module is rendered from the catalogue on the fly
(``derive.codegen.render_module``) unless ``--module PATH`` names a file.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import peers
import report
from cases import Arrays, Case, all_cases

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 2e-3  # calls per sample are batched up to this, so tiny inputs time well
SETTLE_SECONDS = 1e-2  # single-threaded busy work before each sample: worker threads that PyTorch and
# JAX leave spinning after a call (a few ms here) go to sleep instead of slowing the next sample, and
# the cores do not idle (an idle core starts slower)
WARMUP_SECONDS = 0.3  # at least 3 calls and this long, or 5 times as long while under 50 calls:
# PyTorch's first dozens of calls can be slow; every runner is warmed up alike
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}


def load_module(path: Path | None, names: list[str]) -> ModuleType:
    """The generated module: from ``path``, else rendered now from the catalogue (just ``names``)."""
    if path is None:
        from derive.codegen import render_module

        path = Path(tempfile.mkdtemp(prefix="derive-bench-")) / "losses.py"
        path.write_text(render_module(names), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("generated_losses", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def relative_errors(result: tuple[object, object],
                    reference: tuple[float, np.ndarray]) -> tuple[float, float]:
    """(loss relative error, gradient max error relative to the largest gradient entry)."""
    loss, grad = float(np.asarray(result[0])), np.asarray(result[1], dtype=np.float64)
    ref_loss, ref_grad = reference
    scale = max(float(np.max(np.abs(ref_grad))), np.finfo(np.float64).tiny)
    return abs(loss - ref_loss) / abs(ref_loss), float(np.max(np.abs(grad - ref_grad))) / scale


def settle() -> None:
    scratch, end = np.zeros(1 << 14), time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < end:
        np.add(scratch, 1.0, out=scratch)


def time_alternately(runners: dict[str, peers.Runner], rounds: int,
                     back_to_back: bool = False) -> dict[str, float]:
    """Median seconds per call of each runner; one sample of each per round, in a new random order
    each round (so that no implementation always runs right after another: PyTorch's and JAX's
    worker threads keep spinning for a while after a call, which slows whatever runs next).

    Each sample starts from settled cores (see ``settle``): a call made after other work.  With
    ``back_to_back`` an untimed call of the same implementation comes between the settling and the
    sample, which then times calls made one right after another, every thread still awake."""
    batch = {}
    for name, run in runners.items():
        calls, start, fastest = 0, time.perf_counter(), float("inf")
        while calls < 3 or time.perf_counter() - start < WARMUP_SECONDS * (1 if calls >= 50 else 5):
            before = time.perf_counter()
            run()
            fastest = min(fastest, time.perf_counter() - before)
            calls += 1
        batch[name] = max(1, int(SAMPLE_SECONDS / max(fastest, 1e-7)))
    samples: dict[str, list[float]] = {name: [] for name in runners}
    shuffle = random.Random(0).sample
    gc.disable()
    try:
        for _ in range(rounds):
            for name in shuffle(list(runners), len(runners)):
                run, n = runners[name], batch[name]
                settle()
                if back_to_back:
                    run()
                start = time.perf_counter()
                for _ in range(n):
                    run()
                samples[name].append((time.perf_counter() - start) / n)
    finally:
        gc.enable()
    return {name: float(np.median(s)) for name, s in samples.items()}


def run_case(case: Case, dtype: str, module: ModuleType, args: argparse.Namespace,
             back_to_back: bool) -> report.Row:
    arrays: Arrays = case.make(np.random.default_rng(0), np.dtype(dtype).type)
    reference = case.numpy(*(a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays))
    runners = {"generated": peers.generated_runner(module, case, arrays),
               "numpy": peers.numpy_runner(case, arrays)}
    if args.torch:
        runners["torch"] = peers.torch_runner(case, arrays, args.threads)
    if args.jax:
        runners["jax"] = peers.jax_runner(case, arrays)
    errors = {name: relative_errors(run(), reference) for name, run in runners.items()}
    bad = {n: e for n, e in errors.items() if max(e) > TOLERANCE[dtype]}
    if bad:
        raise SystemExit(f"{case.label} {dtype}: implementations disagree with the float64 reference "
                         f"(loss, gradient relative errors): {bad}")
    copy, traffic = peers.copy_runner(case, arrays, args.threads)
    times = time_alternately({**runners, "copy": copy}, args.rounds, back_to_back)
    floor = times.pop("copy") * traffic
    return report.Row(case.label, dtype, times, floor, errors["generated"][0])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--module", type=Path, help="generated module to time (default: render the catalogue now)")
    p.add_argument("-k", dest="select", default="", help="only cases whose label contains this text")
    p.add_argument("--dtype", choices=["float32", "float64"], action="append",
                   help="repeatable; default both")
    p.add_argument("--rounds", type=int, default=15, help="samples per implementation (default 15)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for every implementation (default: the machine's cores)")
    p.add_argument("--quick", action="store_true", help="small sizes and 5 rounds")
    p.add_argument("--back-to-back", action="store_true",
                   help="time calls made right after a call of the same implementation (default: after "
                        "other work, every implementation's threads asleep)")
    p.add_argument("--no-torch", dest="torch", action="store_false", help="leave PyTorch out")
    p.add_argument("--no-jax", dest="jax", action="store_false", help="leave JAX out")
    p.add_argument("--markdown", type=Path, help="also write the table to this file")
    p.add_argument("--plot", type=Path, help="write the ratio plot here (needs matplotlib)")
    p.add_argument("--readme", action="store_true",
                   help="update README.md's Benchmarks section and benchmarks/ratios.png")
    args = p.parse_args(argv)
    args.dtype = args.dtype or ["float32", "float64"]
    args.torch = args.torch and peers.available("torch")
    args.jax = args.jax and peers.available("jax")
    if args.quick:
        args.rounds = min(args.rounds, 5)
    if args.readme and args.plot is None:
        args.plot = ROOT / "benchmarks" / "ratios.png"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    peers.configure_threads(args.threads)
    cases = [c for c in all_cases() if args.select in c.label]
    if args.quick:
        cases = [c for c in cases if np.prod(c.shape) <= 10**6]
    module = load_module(args.module, sorted({c.loss for c in cases}))
    if hasattr(module, "set_num_threads"):
        module.set_num_threads(args.threads)
    versions = {"numpy": np.__version__}
    for name in ("torch", "jax"):
        if getattr(args, name):
            versions[name] = __import__(name).__version__
    regimes = [False, True] if args.readme else [args.back_to_back]
    results: dict[bool, list[report.Row]] = {regime: [] for regime in regimes}
    load_before = os.getloadavg()[0]
    for back_to_back in regimes:
        for case in cases:
            for dtype in args.dtype:
                row = run_case(case, dtype, module, args, back_to_back)
                results[back_to_back].append(row)
                ratio = f"{row.ratio:.2f}x {row.best_peer}" if row.ratio is not None else ""
                times = "  ".join(f"{k} {v * 1e3:8.3f} ms" for k, v in row.times.items())
                print(f"{case.label:<40} {dtype:<8} {times}  floor {row.floor * 1e3:.3f} ms  {ratio}"
                      f"{'  (back to back)' if back_to_back else ''}", flush=True)
    environment = report.environment_line(args.threads, versions, (load_before, os.getloadavg()[0]))
    tables = [(f"### {report.REGIMES[regime][0].capitalize()}\n\n" if len(regimes) > 1 else "")
              + report.markdown(rows, environment, regime) for regime, rows in results.items()]
    table = "\n".join(tables)
    print("\n" + table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    plotted = args.plot is not None and report.plot(results, args.plot)
    if args.readme:
        image = args.plot.resolve().relative_to(ROOT).as_posix() if plotted else None
        report.update_readme(ROOT / "README.md", table, image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
