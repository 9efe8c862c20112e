"""The store contract runs on every engine: add an engine to tests/support/engines.py and every
contract test runs on it."""

from __future__ import annotations

import pytest

from services.storage import Store
from tests.support.engines import ENGINES


@pytest.fixture(params=sorted(ENGINES))
def store(request, tmp_path) -> Store:
    """An empty store of each engine in turn."""
    return ENGINES[request.param](request, tmp_path)
