"""Every file derive writes is written whole or not at all: `derive code -o`, `derive custom -o`,
`derive doc -o` and `derive all` share one atomic write (temporary file, fsync, rename)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from derive.files import write_file

ROOT = Path(__file__).resolve().parents[1]


def derive_cli(*args: str, cwd: Path, limit_bytes: int | None = None,
               timeout: float = 240) -> subprocess.CompletedProcess:
    """The real command line in a child process (this checkout's package); with ``limit_bytes``, no
    file it writes may grow past that size (RLIMIT_FSIZE: a write beyond fails as on a full disk)."""

    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", "from derive.cli import main; main()", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)


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
