"""Test-wide settings: a private, empty verification cache for the session; the tree `derive all`
writes, built once per session for the tests that read documents."""

from pathlib import Path

import pytest

from derive.render import build


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DERIVE_CACHE_DIR", str(tmp_path_factory.mktemp("derive-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def tree(tmp_path_factory, _private_cache) -> Path:
    """Everything `derive all` writes, in a fresh folder."""
    root = tmp_path_factory.mktemp("outputs")
    for _ in build.write(root, build.plan(), jobs=2):
        pass
    return root
