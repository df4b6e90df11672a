"""The README's set-up commands are the ones CI runs; its generated sections are current."""

from pathlib import Path

import torch_differences

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("```bash\n", 1)[0]
    assert head.strip() == "# derive"
    assert len(readme_commands()) == 2


def test_ci_runs_the_readme_test_command():
    test_command = readme_commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_lists_the_documented_differences():
    """The README's section is generated from the one list the OpInfo tests apply."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert torch_differences.section(text) == torch_differences.markdown()


def test_users_are_told_to_install_the_distribution_by_its_own_name():
    """`derive` on the package index is another project: the distribution is DISTRIBUTION, and every
    hint to install names it (the import package and the command stay derive)."""
    import tomllib

    from derive.version import DISTRIBUTION

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "derive-losses"
    assert project["scripts"] == {"derive": "derive.cli:main"}
    sources = [path for folder in ("templates", "derive") for path in (ROOT / folder).rglob("*")
               if path.is_file() and path.suffix in (".toml", ".j2", ".py")]
    hints = [path for path in sources if "pip install" in path.read_text(encoding="utf-8")]
    for path in hints:
        text = path.read_text(encoding="utf-8")
        assert "'derive[" not in text and '"derive[' not in text, path
    assert any(f"pip install '{DISTRIBUTION}[plots]'" in p.read_text("utf-8") for p in hints)


def test_the_dev_extra_brings_what_the_wheel_tests_build_with():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dev = project["optional-dependencies"]["dev"]
    names = {entry.split(">")[0].split("=")[0].split("[")[0].strip() for entry in dev}
    assert {"pytest", "ruff", "setuptools", "wheel", "matplotlib"} <= names
