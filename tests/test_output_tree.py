"""`derive all -o DIR` never loses a file it did not write: it replaces and removes only what its
manifest lists, refuses a folder of someone else's files unless --force, and never reads an empty
path as the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.render import build


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def small_plan(monkeypatch):
    """`derive all` restricted to a few of the sigmoid's files, to keep the tests fast."""
    outputs = [o for o in build.plan() if o.group == "sigmoid" and o.path.endswith(".md")]
    monkeypatch.setattr(build, "plan", lambda: outputs)
    return outputs


def test_a_folder_of_someone_elses_files_is_refused_and_left_as_it_was(tmp_path, small_plan):
    proj = tmp_path / "proj"
    (proj / "plots").mkdir(parents=True)
    (proj / "plots" / "accuracy.png").write_bytes(b"fig")
    (proj / "README.md").write_text("my project", encoding="utf-8")
    before = _files(proj)
    result = _run("all", "-o", str(proj), "-j", "1")
    assert result.exit_code == 1
    assert "is not empty and is not a folder `derive all` wrote" in result.output
    assert "--force" in result.output
    assert "Traceback" not in result.output
    assert _files(proj) == before


def test_force_writes_beside_the_files_and_a_later_run_keeps_them(tmp_path, small_plan):
    proj = tmp_path / "proj"
    (proj / "plots").mkdir(parents=True)
    (proj / "plots" / "accuracy.png").write_bytes(b"fig")
    (proj / "en").mkdir()
    (proj / "en" / "notes.md").write_text("mine", encoding="utf-8")
    assert _run("all", "-o", str(proj), "-j", "1", "--force").exit_code == 0
    manifest = (proj / build.MANIFEST).read_text(encoding="utf-8").splitlines()
    assert sorted(line for line in manifest if not line.startswith("#")) == sorted(o.path for o in small_plan)
    assert (proj / "plots" / "accuracy.png").read_bytes() == b"fig"
    # the folder is derive's now: no --force needed, and the other files are neither obsolete nor removed
    assert _run("all", "-o", str(proj), "-j", "1").exit_code == 0
    assert _run("all", "--check", "-o", str(proj)).exit_code == 0
    assert (proj / "plots" / "accuracy.png").read_bytes() == b"fig"
    assert (proj / "en" / "notes.md").read_text(encoding="utf-8") == "mine"


def test_an_empty_folder_or_a_tree_of_empty_folders_is_written_without_force(tmp_path, small_plan):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "plots").mkdir(parents=True)
    for folder in ("a", "b"):
        assert _run("all", "-o", str(tmp_path / folder), "-j", "1").exit_code == 0
        assert (tmp_path / folder / build.MANIFEST).is_file()


def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path, small_plan, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    for command in (["all", "-o", ""], ["all", "--check", "-o", ""], ["doc", "sigmoid", "-o", ""],
                    ["code", "mse_loss", "-o", ""], ["custom", "sum(z)", "--wrt", "z", "-o", ""]):
        result = _run(*command)
        assert result.exit_code == 1, command
        assert result.output.strip() == "Error: cannot write '': the path is empty (an unset variable?)"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_file_where_the_folder_should_be_is_a_one_line_error(tmp_path, small_plan):
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    result = _run("all", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: cannot write into {tmp_path / 'out'}: it is a file, not a folder"


def test_an_interrupted_first_run_leaves_a_folder_the_next_run_accepts(tmp_path, small_plan, monkeypatch):
    out = tmp_path / "out"
    real = build.write_file
    written = []

    def interrupted(path, data):
        if path.name != build.MANIFEST:
            if written:
                raise KeyboardInterrupt
            written.append(path)
        real(path, data)

    monkeypatch.setattr(build, "write_file", interrupted)
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 1  # "Aborted!"
    monkeypatch.setattr(build, "write_file", real)
    assert len(written) == 1 and written[0].is_file() and (out / build.MANIFEST).is_file()
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    assert _run("all", "--check", "-o", str(out)).exit_code == 0


def test_a_manifest_line_outside_the_tree_is_never_removed(tmp_path, small_plan):
    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    (tmp_path / "precious.txt").write_text("x", encoding="utf-8")
    manifest = out / build.MANIFEST
    lines = ["../precious.txt", str(tmp_path / "precious.txt"), "en/../../precious.txt", "./x", ""]
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "x"


def test_check_on_a_tree_without_manifest_says_to_force(tmp_path, small_plan):
    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    (out / build.MANIFEST).unlink()
    result = CliRunner().invoke(main, ["all", "--check", "-o", str(out)])
    assert result.exit_code == 1
    assert f"missing: {out / build.MANIFEST}" in result.output and "--force" in result.output
