"""The built wheel carries the code templates: an installed copy renders the module."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_wheel_renders_the_module(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("derive", "templates"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), str(source)], capture_output=True, text=True)
    assert build.returncode == 0, f"cannot build a wheel (the dev extra brings what it needs): {build.stderr}"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    *map(str, wheels.glob("*.whl"))], check=True)
    script = ("import derive, derive.resources as r; from derive.codegen import render_module; "
              "print(derive.__file__); print(r.templates_dir()); print(render_module(['mse_loss'])[:60])")
    env = {"PYTHONPATH": str(site), "DERIVE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env=env)
    module_file, templates, head = out.stdout.splitlines()[:3]
    assert module_file.startswith(str(site)) and templates == str(site / "derive" / "templates")
    assert head.startswith('"""Losses with torch.nn.functional')
