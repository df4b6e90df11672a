"""Every file derive writes is written whole or not at all: `derive code -o`, `derive custom -o`,
`derive doc -o` and `derive all` share one atomic write (temporary file, fsync, rename)."""

from __future__ import annotations

import os
import socket
import threading

import pytest
from cli_process import derive_cli
from click.testing import CliRunner

from derive.cli import main
from derive.files import write_file


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "doc.md"
    target.write_text("old", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(target, b"new content")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.md"]


@pytest.mark.parametrize("command", [
    ["code", "mse_loss"],
    ["custom", "sum((z - y)**2)", "--wrt", "z", "--vector", "z,y", "--format", "py"],
    ["doc", "mse_loss"],
], ids=["code", "custom", "doc"])
def test_a_full_disk_leaves_the_old_file_whole(tmp_path, command):
    old = "def mse_loss(): ...  # the user's working module\n"
    (tmp_path / "mod.py").write_text(old, encoding="utf-8")
    run = derive_cli(*command, "-o", "mod.py", cwd=tmp_path, limit_bytes=1024)
    assert run.returncode != 0
    assert (tmp_path / "mod.py").read_text(encoding="utf-8") == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py"]  # no temporary left
    # and with room on the disk the same command replaces it
    assert derive_cli(*command, "-o", "mod.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "mod.py").stat().st_size > 1024


def _doc(*args: str):
    return CliRunner().invoke(main, ["doc", "sigmoid", *args], catch_exceptions=False)


def test_a_symbolic_link_is_followed_to_its_file_and_stays_a_link(tmp_path):
    (tmp_path / "docs").mkdir()
    real = tmp_path / "docs" / "sigmoid.md"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(real)
    (tmp_path / "dangling.md").symlink_to(tmp_path / "docs" / "new.md")
    for link in ("link.md", "dangling.md"):
        assert _doc("-o", str(tmp_path / link)).exit_code == 0
        assert (tmp_path / link).is_symlink()
        assert (tmp_path / link).read_text(encoding="utf-8").startswith("<!--")
    assert real.read_text(encoding="utf-8").startswith("<!--")
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["new.md", "sigmoid.md"]


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert _doc("-o", str(fifo)).exit_code == 0
    reader.join(30)
    assert received and received[0].startswith(b"<!--")
    assert os.path.exists(fifo) and os.stat(fifo).st_mode & 0o170000 == 0o010000  # still a FIFO


@pytest.mark.parametrize(("minor", "code", "message"), [(3, 0, ""), (7, 1, "No space left on device")],
                         ids=["null", "full"])
def test_a_character_device_is_written_through_and_stays_a_device(tmp_path, minor, code, message):
    node = tmp_path / "device"
    try:  # a private copy of /dev/null (1, 3) or /dev/full (1, 7): needs the right to make device nodes
        os.mknod(node, 0o600 | 0o020000, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    result = CliRunner().invoke(main, ["doc", "sigmoid", "-o", str(node)])
    assert result.exit_code == code and message in result.output and "Traceback" not in result.output
    assert os.stat(node).st_mode & 0o170000 == 0o020000  # still a character device
    assert [p.name for p in tmp_path.iterdir()] == ["device"]


def test_a_socket_and_the_kernels_files_are_refused(tmp_path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        refused = ((tmp_path / "sock", "it is a socket"), ("/proc/version", "belongs to the kernel"),
                   ("/sys/kernel/x.md", "belongs to the kernel"))
        for target, reason in refused:
            result = CliRunner().invoke(main, ["doc", "sigmoid", "-o", str(target)])
            assert result.exit_code == 1 and reason in result.output, result.output
            assert len(result.output.strip().splitlines()) == 1
    finally:
        server.close()
    assert os.stat(tmp_path / "sock").st_mode & 0o170000 == 0o140000


def test_standard_output_is_written_through_and_appended_to_like_the_shell(tmp_path):
    # /proc/self/fd/1 and a link to it stand for /dev/stdout (a link to /proc/self/fd/1 too): the test
    # must not put the machine's /dev/stdout at risk should the write ever replace what it is given
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    piped = derive_cli("doc", "sigmoid", "-o", "/proc/self/fd/1", cwd=tmp_path)
    assert piped.returncode == 0 and piped.stdout.startswith("<!--")
    log = tmp_path / "log.md"
    log.write_text("kept\n", encoding="utf-8")
    with open(log, "ab") as append:  # derive doc -o /dev/stdout >> log.md
        run = derive_cli("doc", "sigmoid", "-o", "stdout", cwd=tmp_path, stdout=append)
    assert run.returncode == 0, run.stderr
    assert log.read_text(encoding="utf-8") == "kept\n" + piped.stdout
    assert (tmp_path / "stdout").is_symlink()
