"""`derive all` remembers what it wrote: a second run with nothing changed produces nothing, and a
file changed on disk is produced again."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.render import build, memo

OUTPUTS = [build.Output("en/sigmoid.md", "document", ("sigmoid", "md", "en"), "sigmoid"),
           build.Output("zh/sigmoid.md", "document", ("sigmoid", "md", "zh"), "sigmoid")]


@pytest.fixture
def produced(monkeypatch) -> list[str]:
    """The paths that build.produce was asked for."""
    asked: list[str] = []
    real = build.produce

    def spy(outputs, jobs=1):
        asked.extend(o.path for o in outputs)
        return real(outputs, jobs)

    monkeypatch.setattr(build, "produce", spy)
    return asked


def test_a_second_run_produces_nothing(tmp_path: Path, produced: list[str]) -> None:
    first = list(build.write(tmp_path, OUTPUTS))
    assert sorted(first) == sorted(produced) == ["en/sigmoid.md", "zh/sigmoid.md"]
    before = {p: (tmp_path / p).read_bytes() for p in first}
    produced.clear()
    assert sorted(build.write(tmp_path, OUTPUTS)) == sorted(first) and produced == []
    assert {p: (tmp_path / p).read_bytes() for p in first} == before
    status = list(build.check(tmp_path, OUTPUTS))[-1]
    assert status.ok and produced == []


def test_a_changed_or_missing_file_is_produced_again(tmp_path: Path, produced: list[str]) -> None:
    list(build.write(tmp_path, OUTPUTS))
    good = (tmp_path / "en/sigmoid.md").read_bytes()
    (tmp_path / "en/sigmoid.md").write_text("edited by hand")
    (tmp_path / "zh/sigmoid.md").unlink()
    status = list(build.check(tmp_path, OUTPUTS))[-1]
    assert status.stale == ("en/sigmoid.md",) and status.missing == ("zh/sigmoid.md",)
    produced.clear()
    list(build.write(tmp_path, OUTPUTS))
    assert sorted(produced) == ["en/sigmoid.md", "zh/sigmoid.md"]
    assert (tmp_path / "en/sigmoid.md").read_bytes() == good


def test_without_the_cache_everything_is_produced(tmp_path: Path, produced: list[str], monkeypatch) -> None:
    list(build.write(tmp_path, OUTPUTS))
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    produced.clear()
    list(build.write(tmp_path, OUTPUTS))
    assert len(produced) == 2


def test_the_fingerprint_covers_the_outputs_templates_and_libraries(monkeypatch) -> None:
    key = memo.fingerprint(["a", "b"])
    assert memo.fingerprint(["a", "b"]) == key != memo.fingerprint(["a"])
    monkeypatch.setattr(memo, "_version", lambda library: "0.0")
    assert memo.fingerprint(["a", "b"]) != key
    monkeypatch.undo()
    monkeypatch.setattr(memo, "_templates_key", lambda: "edited")
    assert memo.fingerprint(["a", "b"]) != key


def test_derive_list_reads_its_lines_from_the_cache(monkeypatch) -> None:
    from click.testing import CliRunner

    import derive.cli as cli

    first = CliRunner().invoke(cli.main, ["list"])
    assert first.exit_code == 0 and "cross_entropy" in first.output

    def no_verification(name: str) -> None:
        raise AssertionError(f"{name} verified again")

    monkeypatch.setattr(cli, "verified", no_verification)
    again = CliRunner().invoke(cli.main, ["list"])
    assert again.exit_code == 0 and again.stdout == first.stdout
    assert again.stderr == ""  # a progress line only when something is verified
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    assert CliRunner().invoke(cli.main, ["list"]).exit_code != 0  # without the cache it verifies
