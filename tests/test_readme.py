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
