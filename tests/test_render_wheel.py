"""Installed, not only checked out: the wheel carries the templates, and a fresh virtualenv outside the
checkout renders a document and the generated code from them."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("derive/templates/doc/derivation.html.j2", "derive/templates/doc/lang/zh.toml",
           "derive/templates/code/module.py.j2", "derive/render/documents.py", "derive/codegen/__init__.py")


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # only the venv's own
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=300, env=env,
                            **kwargs)
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def _source_copy(target: Path) -> Path:
    """The files a wheel is built from, copied so the build leaves nothing in the checkout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for folder in ("derive", "templates"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def test_wheel_installs_outside_the_checkout_and_renders(tmp_path):
    source = _source_copy(tmp_path / "source")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
          tmp_path / "dist", source])
    (wheel,) = (tmp_path / "dist").glob("derive_losses-*.whl")
    listed = set(zipfile.ZipFile(wheel).namelist())
    assert set(SHIPPED) <= listed, sorted(set(SHIPPED) - listed)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel])
    # the dependencies (sympy, numpy, jinja2, click) come from this environment's site-packages, added
    # as plain paths: its .pth files (such as an editable install of derive) are not run
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([python, "-c", purelib]).stdout.strip())
    paths = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site / "dependencies.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([python, "-c", "import derive.render, derive.resources as r; print(r.templates_dir())"],
                 cwd=work).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    derive = venv / "bin" / "derive"
    page = _run([derive, "doc", "cross_entropy", "--format", "html", "--lang", "zh"], cwd=work).stdout
    assert "<math" in page and "链式法则" in page and "def cross_entropy(" in page

    _run([derive, "code", "cross_entropy", "-o", work / "losses.py"], cwd=work)
    check = ("import numpy as np, losses; "
             "z = np.array([[1.0, 2.0, 3.0]]); t = np.array([2]); "
             "print(losses.cross_entropy(z, t), losses.cross_entropy_grad(z, t))")
    assert "0.407" in _run([python, "-c", check], cwd=work).stdout
