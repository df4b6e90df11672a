"""`derive doc` and `derive all`: output, errors, --check, atomic writes."""

import subprocess
import sys

import pytest
from cli_process import environment
from click.testing import CliRunner

from derive import catalogue
from derive.cli import main
from derive.render import build


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_doc_prints_markdown_with_the_closed_form():
    result = _run("doc", "CrossEntropyLoss")
    assert result.exit_code == 0
    assert result.output.startswith("<!--")
    assert r"\boxed{\frac{\partial L}{\partial z_{j}} = s_{j} - y_{j}}" in result.output


def test_doc_writes_chinese_html_to_a_file(tmp_path):
    target = tmp_path / "ce.html"
    result = _run("doc", "cross_entropy", "--format", "html", "--lang", "zh", "-o", str(target))
    assert result.exit_code == 0 and result.output == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in text and "<math" in text and "链式法则" in text


def test_doc_renders_the_special_pages():
    assert "KL" in _run("doc", "information_theory", "--format", "tex").output
    assert "mse_sigmoid.md" in _run("doc", "mse_vs_cross_entropy").output


def test_doc_unknown_name_suggests_and_exits_2():
    result = CliRunner().invoke(main, ["doc", "cross_entropie"])
    assert result.exit_code == 2 and "did you mean 'cross_entropy'" in result.output


def test_doc_rejects_an_unknown_format():
    assert CliRunner().invoke(main, ["doc", "sigmoid", "--format", "pdf"]).exit_code == 2


@pytest.fixture
def small_plan(monkeypatch):
    """`derive all` restricted to the sigmoid's documents and plot, to keep the test fast."""
    outputs = [o for o in build.plan() if o.group == "sigmoid"]
    monkeypatch.setattr(build, "plan", lambda: outputs)
    return outputs


def test_all_writes_then_check_passes_and_finds_stale_missing_and_obsolete(tmp_path, small_plan):
    out = tmp_path / "out"
    assert _run("all", "--check", "-o", str(out)).exit_code == 1
    result = _run("all", "-o", str(out), "-j", "1")
    assert result.exit_code == 0
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {o.path for o in small_plan} | {build.MANIFEST}
    assert _run("all", "--check", "-o", str(out)).exit_code == 0

    (out / "en" / "sigmoid.md").write_text("edited", encoding="utf-8")
    (out / "zh" / "sigmoid.tex").unlink()
    # a file an earlier catalogue produced (the manifest lists it) and one that derive did not write
    (out / "en" / "removed_loss.md").write_text("old", encoding="utf-8")
    manifest = out / build.MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "en/removed_loss.md\n", encoding="utf-8")
    (out / "en" / "notes.md").write_text("mine", encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = _run("all", "--check", "-o", str(out))
    assert result.exit_code == 1
    assert f"stale: {out / 'en' / 'sigmoid.md'}" in result.output
    assert f"missing: {out / 'zh' / 'sigmoid.tex'}" in result.output
    assert f"obsolete: {out / 'en' / 'removed_loss.md'}" in result.output
    assert "notes.md" not in result.output
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}  # --check wrote nothing

    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    assert not (out / "en" / "removed_loss.md").exists()
    assert (out / "en" / "notes.md").read_text(encoding="utf-8") == "mine"
    assert _run("all", "--check", "-o", str(out)).exit_code == 0


def test_documents_do_not_depend_on_which_command_filled_the_cache(tmp_path, monkeypatch):
    """A tree written with one empty cache is up to date for `derive all --check` after another empty
    cache was filled by `derive show`, `doc` and `code` (which verify on two processes), each run as a
    user runs it; binary_cross_entropy's documents said "All 10 checks" instead of "All 4" then."""
    selected = ("binary_cross_entropy", "mse_loss")
    outputs = [o for o in build.plan() if o.group in selected and o.kind == "document"]
    monkeypatch.setattr(build, "plan", lambda: outputs)
    monkeypatch.setattr(catalogue, "_verified", {})
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache-of-all"))
    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0

    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache-of-commands"))
    two_cores = "import os; os.cpu_count = lambda: 2; from derive.cli import main; main()"
    for name in selected:
        for command in ("show", "doc", "code"):
            run = subprocess.run([sys.executable, "-c", two_cores, command, name], env=environment(),
                                 capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stderr
    monkeypatch.setattr(catalogue, "_verified", {})
    result = _run("all", "--check", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output


def test_without_matplotlib_derive_all_says_once_that_plots_were_skipped(tmp_path, monkeypatch):
    from derive.render import plots

    monkeypatch.setattr(plots, "available", lambda: False)
    monkeypatch.setattr(build, "plan", list)
    result = _run("all", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0
    hint = "plots skipped: matplotlib is not installed (pip install 'derive-losses[plots]')"
    assert result.output.count(hint) == 1


def test_a_standalone_document_writes_its_plot_beside_it_and_links_only_what_exists(tmp_path):
    import re

    for fmt in ("md", "tex", "html"):
        target = tmp_path / f"s.{fmt}"
        result = _run("doc", "sigmoid", "--format", fmt, "-o", str(target))
        assert result.exit_code == 0
        text = target.read_text(encoding="utf-8")
        assert "derive all" not in text and "../" not in text and "index." not in text
        assert fmt == "html" or "derive doc sigmoid" in text.splitlines()[0]
        if fmt == "md":
            linked = set(re.findall(r"\]\(([^)#][^)]*)\)", text))
        elif fmt == "tex":
            linked = set(re.findall(r"\\includegraphics(?:\[[^]]*\])?\{([^}]*)\}", text))
        else:
            found = re.findall(r'(?:href|src)="([^"]*)"', text)
            linked = {link for link in found if not link.startswith("#")}
        assert all((tmp_path / link).is_file() for link in linked), linked
        assert linked == ({"s.svg"} if fmt == "md" else {"s.pdf"} if fmt == "tex" else set())
    assert f"wrote {tmp_path / 's.svg'}" in _run("doc", "sigmoid", "-o", str(tmp_path / "s.md")).output


def test_a_document_written_into_a_tree_links_as_the_tree_is_laid_out(tmp_path, small_plan):
    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    tree = (out / "en" / "sigmoid.md").read_bytes()
    assert _run("doc", "sigmoid", "-o", str(out / "en" / "sigmoid.md")).exit_code == 0
    assert (out / "en" / "sigmoid.md").read_bytes() == tree and b"../plots/sigmoid.svg" in tree
