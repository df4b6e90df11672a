"""Time the ``derive`` command line, cold (an empty cache) and warm (everything cached).

    python benchmarks/bench_tool.py            # prints the table
    python benchmarks/bench_tool.py --readme   # also rewrites README's "Speed of the tool" section

Each command runs as a user would run it, in a fresh process (the installed ``derive`` script), with
``DERIVE_CACHE_DIR`` pointing at a new empty folder for the cold runs, which the warm runs then
reuse; ``derive all`` writes into a temporary folder.  Every timing is the median of ``--repeat``
runs (cold runs each get their own empty folder).  The bounds are those of the speed issue.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report

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


def executable() -> str:
    """The ``derive`` script next to this Python (a virtualenv), else the one on the PATH."""
    beside = Path(sys.executable).with_name("derive")
    found = str(beside) if beside.exists() else shutil.which("derive")
    if found is None:
        raise SystemExit("derive is not installed: pip install -e .")
    return found


def run(arguments: list[str], cache: Path, out: Path) -> float:
    """Wall seconds of one ``derive`` process; the run stops if the command fails."""
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    env.pop("DERIVE_NO_CACHE", None)
    command = [executable(), *(a.format(out=out) for a in arguments)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds


def measure(repeat: int) -> list[tuple[str, bool, float, float | None]]:
    """(label, cold, median seconds, bound) for every run in RUNS."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="derive-tool-") as scratch:
        base = Path(scratch)
        warm_cache = base / "warm"
        for label, arguments, cold, bound in RUNS:
            times = []
            if not cold:  # warm: everything done once already, and this very command run just before
                if not (base / "out").exists():
                    run(["all", "-o", "{out}"], warm_cache, base / "out")
                run(arguments, warm_cache, base / "out")
            for attempt in range(repeat):
                cache = base / f"cold-{len(rows)}-{attempt}" if cold else warm_cache
                out = base / (f"out-{len(rows)}-{attempt}" if cold else "out")
                times.append(run(arguments, cache, out))
            rows.append((label, cold, statistics.median(times), bound))
    return rows


def markdown(rows: list[tuple[str, bool, float, float | None]], repeat: int) -> str:
    lines = ["| command | cache | wall time (s) | bound (s) |", "|---|---|---|---|"]
    for label, cold, seconds, bound in rows:
        mark = "" if bound is None else f"{bound:g} {'✓' if seconds <= bound else '✗'}"
        lines.append(f"| `{label}` | {'cold' if cold else 'warm'} | {seconds:.2f} | {mark} |")
    load = os.getloadavg()[0]
    return ("\n".join(lines) + f"\n\nMedians of {repeat} runs, each a fresh process; cold: an empty "
            f"cache (`DERIVE_CACHE_DIR`), warm: nothing changed since the last run. Machine: "
            f"{os.cpu_count()} cores, load average {load:.1f} at the end.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (default 3)")
    parser.add_argument("--readme", action="store_true", help="rewrite README's Speed of the tool section")
    args = parser.parse_args(argv)
    report.publish(markdown(measure(args.repeat), args.repeat), ROOT / "README.md" if args.readme else None,
                   "Speed of the tool", START, END, COMMAND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
