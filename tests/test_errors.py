"""Every I/O problem on -o or standard output is one line naming the path and the reason, exit 1,
with nothing left behind; numbers and time limits out of range are clear errors too; files get
the mode the umask gives and a replaced file keeps its own."""

from __future__ import annotations

import os
import stat
import tempfile

import pytest
from cli_process import derive_cli
from click.testing import CliRunner

from derive import cache
from derive.cli import main
from derive.render import build


def _error(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit | None)
    lines = [line for line in result.output.splitlines() if line.strip() and not line.startswith("writing")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def _unchanged(folder, before: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == before


@pytest.mark.parametrize("command", [["doc", "sigmoid"], ["code", "mse_loss"],
                                     ["custom", "sum(z**2)", "--wrt", "z"]], ids=["doc", "code", "custom"])
def test_an_output_path_that_cannot_be_written_is_one_line(tmp_path, command):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    cases = {
        str(tmp_path / "file.txt" / "x.md"): "file.txt is not a folder",
        str(tmp_path / ("a" * 300 + ".md")): "File name too long",
        str(tmp_path): "it is a folder",
        "/proc/version": "belongs to the kernel",
    }
    for target, reason in cases.items():
        line = _error(*command, "-o", target)
        assert target in line and reason in line, line
    _unchanged(tmp_path, {"file.txt"})


def test_an_unwritable_folder_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: the refusal the kernel gives anyone else
        def refused(*args, dir=None, **kwargs):
            raise PermissionError(13, "Permission denied", os.path.join(dir, ".x.tmp"))

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    else:
        folder.chmod(0o555)
    line = _error("doc", "sigmoid", "-o", str(folder / "s.md"))
    assert line == f"Error: cannot write {folder / 's.md'}: Permission denied"
    folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_custom_creates_the_missing_parent_folders(tmp_path):
    target = tmp_path / "a" / "b" / "c.txt"
    result = CliRunner().invoke(main, ["custom", "sum(z**2)", "--wrt", "z", "-o", str(target)])
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").strip()


def test_derive_all_into_a_path_that_cannot_be_a_folder_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "plan", list)  # nothing to produce: the folder is what is tested
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    for target, reason in ((tmp_path / "file.txt" / "out", "file.txt is not a folder"),
                           (tmp_path / ("o" * 300), "File name too long")):
        line = _error("all", "-o", str(target))
        assert str(target) in line and reason in line, line
    _unchanged(tmp_path, {"file.txt"})


def test_standard_output_on_a_full_device_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:  # derive show mse_loss > /dev/full
        run = derive_cli("show", "mse_loss", cwd=tmp_path, stdout=full)
    assert run.returncode == 1
    assert run.stderr == "Error: cannot write standard output: No space left on device\n"


@pytest.mark.parametrize("timeout", ["inf", "1e300"])
def test_a_time_limit_beyond_any_timer_means_no_limit(timeout):
    result = CliRunner().invoke(main, ["custom", "sum(z**2)", "--wrt", "z", "--timeout", timeout])
    assert result.exit_code == 0 and "verified" in result.output


@pytest.mark.parametrize(("expression", "shown"), [("sum(z)*1e308*10", "1.000E+309"),
                                                   ("sum(z)*" + "9" * 400, "1.000E+400")])
def test_a_number_beyond_float64_is_an_input_error(expression, shown):
    result = CliRunner().invoke(main, ["custom", expression, "--wrt", "z"])
    assert result.exit_code == 2
    assert result.output == (f"Error: the number {shown} is too large: at most 1.798e+308 in magnitude "
                             "(float64)\n")


def test_a_cache_entry_that_is_a_folder_leaves_no_temporary(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    folder = cache.cache_dir()
    (folder / "list-x.json").mkdir(parents=True)
    for _ in range(3):
        cache.store("list", "x", "a line")
    assert sorted(p.name for p in folder.iterdir()) == ["list-x.json"]
    assert cache.load("list", "x") is None


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_umasks_mode_and_a_replaced_file_keeps_its_own(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        assert CliRunner().invoke(main, ["doc", "sigmoid", "-o", str(tmp_path / "new.md")]).exit_code == 0
        kept = tmp_path / "kept.md"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o640)
        assert CliRunner().invoke(main, ["code", "mse_loss", "-o", str(kept)]).exit_code == 0
        outputs = [o for o in build.plan() if o.group == "sigmoid" and o.path.endswith(".md")]
        list(build.write(tmp_path / "tree", outputs))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == mode
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text(encoding="utf-8") != "old"
    for path in (tmp_path / "tree").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == mode, path
