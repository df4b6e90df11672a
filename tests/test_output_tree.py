"""`derive all -o DIR` never loses a file it did not write: it replaces and removes only what its
manifest lists, refuses a folder of someone else's files unless --force, and never reads an empty
path as the current folder."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest
from cli_process import environment, wait_until
from click.testing import CliRunner

from derive import files
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


SIGMOID_ONLY = ("import derive.render.build as b; every = b.plan(); "
                "b.plan = lambda: [o for o in every if o.group == 'sigmoid' and o.path.endswith('.md')]; "
                "from derive.cli import main; main()")


def test_temporaries_a_killed_run_left_are_listed_by_check_and_removed_by_the_next_run(tmp_path, small_plan):
    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    left = [out / "zh" / ".sigmoid.md.a1b2c3d4.tmp", out / "en" / ".sigmoid.md.zz_9x8y7.tmp",
            out / f".{build.MANIFEST}.k3j4h5g6.tmp"]
    kept = [out / ".notes.md.a1b2c3d4.tmp", out / "en" / "sigmoid.md.tmp", out / ".sigmoid.md.x.tmp"]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("partial", encoding="utf-8")
    result = _run("all", "--check", "-o", str(out))
    assert result.exit_code == 1
    assert sorted(line for line in result.output.splitlines() if line.startswith("temporary: ")) == \
        sorted(f"temporary: {path}" for path in left)
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    assert not any(path.exists() for path in left) and all(path.exists() for path in kept)
    assert _run("all", "--check", "-o", str(out)).exit_code == 0


def test_a_temporary_a_running_write_holds_is_not_removed(tmp_path, small_plan):
    import fcntl

    out = tmp_path / "out"
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    busy = out / "en" / ".sigmoid.md.abcdefgh.tmp"
    busy.write_text("being written", encoding="utf-8")
    with open(busy, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as derive doc -o out/en/sigmoid.md holds its temporary
        assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
        assert busy.exists()
    assert _run("all", "-o", str(out), "-j", "1").exit_code == 0
    assert not busy.exists()


def test_a_second_run_waits_for_the_first(tmp_path):
    """While one `derive all` holds the tree (here: the test holds its lock), another waits, writes
    nothing, and finishes once it is free."""
    out = tmp_path / "out"
    out.mkdir()
    with files.locked(out):
        second = subprocess.Popen([sys.executable, "-c", SIGMOID_ONLY, "all", "-o", str(out), "-j", "1"],
                                  env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        try:
            seen: list[str] = []
            said = wait_until(lambda: "waiting for another" in _peek(second, seen), 120)
            assert said is not None and second.poll() is None
            assert list(out.iterdir()) == []
        except BaseException:
            second.kill()
            raise
    _, err = second.communicate(timeout=240)
    assert second.returncode == 0, err
    assert _run("all", "--check", "-o", str(out)).exit_code == 1  # the full plan: only sigmoid was written
    assert (out / "en" / "sigmoid.md").is_file()


def _peek(process: subprocess.Popen, seen: list[str]) -> str:
    """What ``process`` wrote to its standard error so far (read without blocking), kept in ``seen``."""
    while select.select([process.stderr], [], [], 0)[0]:
        chunk = os.read(process.stderr.fileno(), 4096).decode(errors="replace")
        if not chunk:
            break
        seen.append(chunk)
    return "".join(seen)


def test_two_runs_at_once_both_finish_and_leave_a_current_tree(tmp_path):
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-c", SIGMOID_ONLY, "all", "-o", str(out), "-j", "1"],
                             env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    check = subprocess.run([sys.executable, "-c", SIGMOID_ONLY, "all", "--check", "-o", str(out)],
                           env=environment(), capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
