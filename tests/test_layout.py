"""The package's layout: the data flow ``catalogue | language → engine → printing → render | codegen → cli``
is visible in its folders, the engine builds on nothing above it, and no module imports itself back."""

from __future__ import annotations

import ast
from pathlib import Path

import derive

ROOT = Path(derive.__file__).parent


def _module(path: Path) -> str:
    parts = ["derive", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in ROOT.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """The derive modules ``name`` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        submodules = {f"{target}.{alias.name}" for alias in node.names} & MODULES.keys()
        found |= (submodules or {target} & MODULES.keys()) - {name}
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def test_the_engine_imports_nothing_above_it():
    for name, deps in GRAPH.items():
        if name.startswith("derive.engine"):
            outside = {d for d in deps if not d.startswith("derive.engine")}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_printing_builds_on_the_engine_only():
    for name, deps in GRAPH.items():
        if name.startswith("derive.printing"):
            outside = {d for d in deps if not d.startswith(("derive.engine", "derive.printing"))}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_no_import_cycles():
    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), list(GRAPH[start])
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(GRAPH[node])
        return False

    cycles = [name for name in GRAPH if reaches(name, name)]
    assert not cycles, f"modules on an import cycle: {sorted(cycles)}"


def test_the_top_level_shows_the_packages():
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"catalogue", "language", "engine", "printing", "render", "codegen"} <= folders
    flat = sorted(p.name for p in ROOT.glob("*.py"))
    infrastructure = ["cache.py", "cli.py", "command.py", "files.py", "processes.py", "resources.py",
                      "version.py"]
    assert flat == ["__init__.py", *infrastructure], flat
