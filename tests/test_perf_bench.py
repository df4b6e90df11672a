"""The benchmark script: it checks every implementation against a float64 reference before timing,
writes its table, and replaces only the README's Benchmarks section."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from generated_losses import GOLDEN

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_losses
import report

QUICK = ["-k", "256", "--rounds", "1", "--dtype", "float32", "--no-torch", "--no-jax"]


def test_a_quick_run_writes_a_table(tmp_path: Path) -> None:
    table = tmp_path / "table.md"
    assert bench_losses.main([*QUICK, "--module", str(GOLDEN), "--markdown", str(table)]) == 0
    row = next(line for line in table.read_text().splitlines() if line.startswith("| `cross_entropy`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == ["256×10", "float32"] and cells[7].endswith("(numpy)") and float(cells[9]) < 1e-6


def test_back_to_back_says_so_in_the_table(tmp_path: Path) -> None:
    table = tmp_path / "table.md"
    args = [*QUICK, "--module", str(GOLDEN), "--markdown", str(table), "--back-to-back"]
    assert bench_losses.main(args) == 0
    text = table.read_text()
    assert "back to back: each sample follows an untimed call" in text and "after other work" not in text


def test_the_ratio_plot_has_a_bar_per_regime(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    row = report.Row("cross_entropy 256×10", "float32", {"generated": 1.0, "torch": 2.0}, 0.1, 0.0)
    assert report.plot({False: [row], True: [row]}, tmp_path / "ratios.png")
    assert (tmp_path / "ratios.png").stat().st_size > 1000


def test_a_wrong_implementation_stops_the_run(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import numpy as np\n"
        "def cross_entropy_value_and_grad(z, t):\n"
        "    return np.float32(1.0), np.zeros_like(z)\n"
    )
    with pytest.raises(SystemExit, match="disagree"):
        bench_losses.main([*QUICK, "--module", str(wrong)])


def test_the_readme_section_is_replaced_and_nothing_else(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nIntro.\n")
    report.update_readme(readme, "| first |\n", None)
    report.update_readme(readme, "| second |\n", "benchmarks/ratios.png")
    text = readme.read_text()
    assert text.startswith("# Title\n\nIntro.\n\n## Benchmarks\n") and text.count("## Benchmarks") == 1
    assert "| second |" in text and "| first |" not in text and "ratios.png" in text


def test_the_tool_timer_runs_a_command_cold_and_fills_its_section(tmp_path: Path, monkeypatch) -> None:
    import bench_tool

    monkeypatch.setattr(bench_tool, "RUNS", [("derive show kl_div", ["show", "kl_div"], True, 60.0)])
    rows = bench_tool.measure(repeat=1, patterns=[])
    assert [(label, cold) for label, cold, *_ in rows] == [("derive show kl_div", True)]
    assert 0 < rows[0][2] < 60 and 0 < rows[0][3] < 60  # wall and CPU seconds
    table = bench_tool.markdown(rows, 1)
    assert "| `derive show kl_div` | cold |" in table and "60 ✓" in table
    readme = tmp_path / "README.md"
    readme.write_text("# T\n")
    for body in ("first\n", "second\n"):
        report.replace_section(readme, "Speed of the tool", bench_tool.START, bench_tool.END, body)
    text = readme.read_text()
    assert text.count("## Speed of the tool") == 1 and "second" in text and "first" not in text


def test_the_tool_timer_times_the_published_softmax_and_sigmoid_losses_cold(monkeypatch) -> None:
    import bench_tool

    labels = {label: (cold, bound) for label, _, cold, bound in bench_tool.RUNS}
    for name in ("cross_entropy", "distillation", "focal_sigmoid", "focal_tversky", "crammer_singer"):
        assert labels[f"derive custom {name}"] == (True, 3.0)
    assert "derive custom huber" not in labels  # a regression loss without softmax or sigmoid
    monkeypatch.setattr(bench_tool, "RUNS", [r for r in bench_tool.RUNS if r[0] == "derive custom logistic"])
    rows = bench_tool.measure(repeat=1, patterns=["logistic"])
    assert [row[0] for row in rows] == ["derive custom logistic"]
    assert bench_tool.measure(repeat=1, patterns=["no such command"]) == []


def test_the_tool_timer_stops_when_a_command_fails(tmp_path: Path) -> None:
    import bench_tool

    with pytest.raises(SystemExit, match="exited 2"):
        bench_tool.run(["show", "no_such_loss"], tmp_path / "cache", tmp_path / "out")
