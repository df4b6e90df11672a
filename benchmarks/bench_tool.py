"""Time the ``derive`` command line, cold (an empty cache) and warm (everything cached).

    python benchmarks/bench_tool.py            # prints the table
    python benchmarks/bench_tool.py --readme   # also rewrites README's "Speed of the tool" section
    python benchmarks/bench_tool.py -k custom  # only the commands whose label contains a pattern

Each command runs as a user would run it, in a fresh process (the installed ``derive`` script), with
``DERIVE_CACHE_DIR`` pointing at a new empty folder for the cold runs, which the warm runs then
reuse; ``derive all`` writes into a temporary folder.  Every timing is the median of ``--repeat``
runs (cold runs each get their own empty folder), as wall seconds and as CPU seconds (user + system, of
the process and the worker it forks: on a loaded machine the wall time is the noisier of the two).
The bounds are those of the speed issue and of issue 13 (``derive custom`` answers in ≤ 3 s for a
published loss built from softmax or sigmoid: every such loss of ``benchmarks/papers.py``, cold).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report
from papers import PAPERS

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- tool-speed:start -->", "<!-- tool-speed:end -->"
COMMAND = "python benchmarks/bench_tool.py --readme"

# (label, arguments, cold?, bound in seconds)
RUNS = [
    ("derive show cross_entropy", ["show", "cross_entropy"], True, 1.0),
    ("derive show cross_entropy", ["show", "cross_entropy"], False, 2.0),
    ("derive doc cross_entropy --format html", ["doc", "cross_entropy", "--format", "html"], True, None),
    ("derive custom (the README's GCE loss)",
     ["custom", "sum(y * (1 - softmax(z)**q) / q)", "--wrt", "z", "--onehot", "y", "--scalar", "q=0.7"],
     True, None),
    ("derive code -o losses.py", ["code", "-o", "{out}/losses.py"], True, None),
    ("derive code -o losses.py", ["code", "-o", "{out}/losses.py"], False, 2.0),
    ("derive list", ["list"], True, None),
    ("derive list", ["list"], False, 2.0),
    ("derive check (the whole catalogue)", ["check"], True, 15.0),
    ("derive all", ["all", "-o", "{out}"], True, 20.0),
    ("derive all", ["all", "-o", "{out}"], False, 2.0),
    ("derive all --check", ["all", "-o", "{out}", "--check"], False, 2.0),
]
# issue 13's speed target: the published classification losses and every one built from softmax or sigmoid
NAMED = ("softmax", "sigmoid", "softplus", "logsumexp")
CUSTOM_BOUND = 3.0
RUNS += [(f"derive custom {paper.name}", ["custom", paper.expression, *paper.arguments(), "--format", "py",
                                          "-o", "{out}/loss.py"], True, CUSTOM_BOUND)
         for paper in PAPERS
         if paper.family == "classification" or any(f"{name}(" in paper.expression for name in NAMED)]


def executable() -> str:
    """The ``derive`` script next to this Python (a virtualenv), else the one on the PATH."""
    beside = Path(sys.executable).with_name("derive")
    found = str(beside) if beside.exists() else shutil.which("derive")
    if found is None:
        raise SystemExit("derive is not installed: pip install -e .")
    return found


def _cpu() -> float:
    """CPU seconds (user + system) of the waited-for children of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(arguments: list[str], cache: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``derive`` process; the run stops if the command fails."""
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    env.pop("DERIVE_NO_CACHE", None)
    out.mkdir(parents=True, exist_ok=True)
    command = [executable(), *(a.format(out=out) for a in arguments)]
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, cpu


Row = tuple[str, bool, float, float, float | None]  # label, cold, wall, CPU (medians), bound


def measure(repeat: int, patterns: list[str]) -> list[Row]:
    """(label, cold, median wall seconds, median CPU seconds, bound) for every run in RUNS whose label
    contains one of ``patterns`` (every run when there is none)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="derive-tool-") as scratch:
        base = Path(scratch)
        warm_cache = base / "warm"
        for number, (label, arguments, cold, bound) in enumerate(RUNS):
            if patterns and not any(p in label for p in patterns):
                continue
            times = []
            if not cold:  # warm: everything done once already, and this very command run just before
                if not (base / "out" / "losses.py").exists():
                    run(["all", "-o", "{out}"], warm_cache, base / "out")
                run(arguments, warm_cache, base / "out")
            for attempt in range(repeat):
                cache = base / f"cold-{number}-{attempt}" if cold else warm_cache
                out = base / (f"out-{number}-{attempt}" if cold else "out")
                times.append(run(arguments, cache, out))
            walls, cpus = zip(*times, strict=True)
            rows.append((label, cold, statistics.median(walls), statistics.median(cpus), bound))
            print(f"{label} ({'cold' if cold else 'warm'}): {rows[-1][2]:.2f} s wall, "
                  f"{rows[-1][3]:.2f} s CPU", file=sys.stderr)
    return rows


def markdown(rows: list[Row], repeat: int) -> str:
    lines = ["| command | cache | wall time (s) | CPU time (s) | bound (s) |", "|---|---|---|---|---|"]
    for label, cold, seconds, cpu, bound in rows:
        mark = "" if bound is None else f"{bound:g} {'✓' if seconds <= bound else '✗'}"
        lines.append(f"| `{label}` | {'cold' if cold else 'warm'} | {seconds:.2f} | {cpu:.2f} | {mark} |")
    load = os.getloadavg()[0]
    return ("\n".join(lines) + f"\n\nMedians of {repeat} runs, each a fresh process; cold: an empty "
            f"cache (`DERIVE_CACHE_DIR`), warm: nothing changed since the last run; CPU time: user + "
            f"system of the process and the verifying worker it forks. `derive custom NAME`: the published "
            f"loss NAME of `benchmarks/papers.py` as typed, `--format py`. Machine: "
            f"{os.cpu_count()} cores, load average {load:.1f} at the end.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (default 3)")
    parser.add_argument("--readme", action="store_true", help="rewrite README's Speed of the tool section")
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="only the commands whose label contains this (repeatable)")
    args = parser.parse_args(argv)
    if args.readme and args.patterns:
        parser.error("--readme writes the whole table: drop -k")
    report.publish(markdown(measure(args.repeat, args.patterns), args.repeat),
                   ROOT / "README.md" if args.readme else None, "Speed of the tool", START, END, COMMAND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
