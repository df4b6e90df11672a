"""Test-wide settings: a private, empty verification cache for the session."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("DERIVE_CACHE_DIR", str(tmp_path_factory.mktemp("derive-cache")))
    yield
    mp.undo()
