"""Results of a benchmark run as a Markdown table, a ratio plot, and the README's Benchmarks section."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

PEERS = ("numpy", "torch", "jax")
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
COMMAND = "python benchmarks/bench_losses.py --readme"
SLOWER = ("These are cheap element-wise losses, a few nanoseconds per element, where the peers fuse the "
          "work: NumPy makes one pass over a cache-sized block per operation (3 for MSE, 5 for smooth L1, 13 "
          "for BCE with logits) where PyTorch runs a few vectorised loops per direction and XLA a single one "
          "that reads each input once.  At about a millisecond per call the second thread gains about 1.4× "
          "instead of 2×: the threads take turns with the GIL between NumPy calls, and waking a thread that "
          "waits for it costs tens of microseconds here.  From run to run these ratios move by ±0.2 (JAX's "
          "times at 1e7 by up to 2×).")
SPINNING = (" Back to back, PyTorch's OpenMP threads are still spinning from its previous call, while the "
            "generated module's worker sleeps between calls and must be woken.")
REGIMES = {
    False: ("after other work", "each sample follows 10 ms of single-threaded work, so every "
            "implementation's worker threads are asleep when it is called (a loss called once per "
            "training step, between the model's own computations)"),
    True: ("back to back", "each sample follows an untimed call of the same implementation, so its "
           "worker threads are awake (a loss called in a tight loop)"),
}


@dataclass
class Row:
    label: str
    dtype: str
    times: dict[str, float]  # implementation -> median seconds
    floor: float  # seconds to read the inputs and write the gradient once
    loss_error: float  # generated loss, relative error against the float64 reference

    @property
    def best_peer(self) -> str | None:
        present = [p for p in PEERS if p in self.times]
        frameworks = [p for p in present if p != "numpy"]
        return min(frameworks or present, key=self.times.__getitem__) if present else None

    @property
    def ratio(self) -> float | None:
        best = self.best_peer
        return self.times["generated"] / self.times[best] if best else None


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    ms = seconds * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def markdown(rows: list[Row], environment: str, back_to_back: bool = False) -> str:
    """The table: medians in ms, the ratio to the faster of PyTorch and JAX, and the memory floor."""
    head = ("| loss | size | dtype | generated | NumPy (plain) | PyTorch | JAX | ratio to best peer "
            "| memory floor | loss rel. error |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        loss, size = r.label.rsplit(" ", 1)
        ratio = f"{r.ratio:.2f}× ({r.best_peer})" if r.ratio is not None else "–"
        cells = [f"`{loss}`", size, r.dtype, _ms(r.times["generated"]),
                 *(_ms(r.times.get(p)) for p in PEERS), ratio, _ms(r.floor), f"{r.loss_error:.1e}"]
        lines.append("| " + " | ".join(cells) + " |")
    slower = [f"{r.label} {r.dtype} ({r.ratio:.2f}×)" for r in rows if r.ratio is not None and r.ratio > 1.0]
    if slower:
        why = SLOWER + (SPINNING if back_to_back else "")
        lines.append(f"\nAbove 1.0 in this run: {', '.join(slower)}. {why}")
    title, how = REGIMES[back_to_back]
    note = (f"\nTimes are medians in ms of forward + gradient (`NAME_value_and_grad`; PyTorch: loss + "
            f"`backward()`; JAX: `jit(value_and_grad)`), measured alternately in one run, {title}: {how}. "
            f"The ratio is the "
            f"generated code's time over the faster of PyTorch and JAX (the plain NumPy version when neither "
            f"is installed). The memory floor is the time to read every input and write the gradient once, "
            f"scaled from a copy of the same size measured in the same run. {environment}\n")
    return "\n".join(lines) + "\n" + note


def environment_line(threads: int, versions: dict[str, str], load: tuple[float, float]) -> str:
    """Machine, threads, library versions and the 1-minute load average before and after the run
    (other processes on the machine slow every implementation, threaded ones most)."""
    libs = ", ".join(f"{k} {v}" for k, v in versions.items())
    blas = [f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ]
    blas_note = f" ({', '.join(blas)} set; the generated kernels call no BLAS)" if blas else ""
    return (f"Machine: {platform.machine()}, {os.cpu_count()} cores, {threads} thread(s) for every "
            f"implementation; {libs}{blas_note}; load average {load[0]:.1f} before, {load[1]:.1f} "
            f"after the run.")


def plot(regimes: dict[bool, list[Row]], path: Path) -> bool:
    """A bar chart of the ratios, a bar per regime (needs matplotlib, the ``plots`` extra); False when
    unavailable."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(regimes.values()))
    labels = [f"{r.label} {r.dtype}" for r in first if r.ratio is not None]
    height = 0.8 / len(regimes)
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(labels) * (1 + 0.5 * (len(regimes) - 1)) + 1.6))
    for k, (back_to_back, rows) in enumerate(regimes.items()):
        ratios = [r.ratio for r in rows if r.ratio is not None]
        ax.barh([i + k * height for i in range(len(ratios))], ratios, height=height,
                color=["#2a7" if x <= 1.0 else "#c43" for x in ratios], alpha=1.0 - 0.45 * k,
                label=REGIMES[back_to_back][0])
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks([i + height * (len(regimes) - 1) / 2 for i in range(len(labels))], labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("generated time / best peer time (lower is faster; 1.0 = parity)")
    if len(regimes) > 1:
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def update_readme(readme: Path, table: str, image: str | None) -> None:
    """Replace (or append) the ``## Benchmarks`` section's generated part; nothing else is touched."""
    picture = f"\n![ratio to the best peer]({image})\n" if image else ""
    replace_section(readme, "Benchmarks", START, END, f"Regenerate with `{COMMAND}`.\n\n{table}{picture}")


def publish(table: str, readme: Path | None, heading: str, start: str, end: str, command: str) -> None:
    """Print ``table``; with a ``readme``, also put it in that README's section (see replace_section)."""
    print(table)
    if readme is not None:
        replace_section(readme, heading, start, end, f"Regenerate with `{command}`.\n\n{table}")


def replace_section(readme: Path, heading: str, start: str, end: str, body: str) -> None:
    """Put ``body`` between the ``start`` and ``end`` markers of ``readme``, or append it under a new
    ``## heading`` when the markers are missing; nothing else is touched."""
    block = f"{start}\n{body}{end}"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + f"## {heading}\n\n{block}\n"
    readme.write_text(text, encoding="utf-8")
