"""The store contract runs on every engine: add an engine here and every contract test runs on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.storage import Store
from services.storage.sql import SqlStore

# name -> how to open an empty store of that engine in a test's own folder.
ENGINES: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda folder: SqlStore.at_path(folder / "contract.sqlite"),
}


@pytest.fixture(params=sorted(ENGINES))
def store(request, tmp_path) -> Store:
    """An empty store of each engine in turn."""
    return ENGINES[request.param](tmp_path)
