"""The whole platform as processes, on its own real broker and data directory (platform_support)."""
from __future__ import annotations

import pytest
from platform_support import arreter, demarrer


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """One platform per test module; its settings are also exported to the test's environment,
    so that tools run from the test (the SDK, the CLI) see the same broker and data."""
    r = demarrer(tmp_path_factory.mktemp("platform"))
    mp = pytest.MonkeyPatch()
    for k, v in r.env.items():
        mp.setenv(k, v)
    try:
        yield r
    finally:
        mp.undo()
        arreter(r)
