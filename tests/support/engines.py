"""Every store engine, opened empty for one test: the contract and the tests that must hold on
every engine (changes of the unit tree, past figures) run over this one list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gspread
import pytest

from services.storage import Store
from services.storage.sheets import SheetsStore
from services.storage.sql import SqlStore
from tests.fakes import FakeSheets, Quota


def _sheets(folder: Path) -> Store:
    """A fresh spreadsheet on the in-process fake Sheets API, its tabs created by the engine.

    The quota is lifted: the contract is about what is stored, not about the request budget
    (engine tests check that separately).
    """
    fake = FakeSheets(quota=Quota(10**6, 10**6, 10**6, 10**6))
    key = fake.create_spreadsheet("3CĐ")
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)
    store.ensure_tabs()
    return store


def _postgresql(request: pytest.FixtureRequest) -> Store:
    """A store in this worker's database on the run's real PostgreSQL server, emptied first."""
    store = SqlStore(request.getfixturevalue("postgres_url"))
    request.addfinalizer(store.engine.dispose)
    return store


# name -> how to open an empty store of that engine for one test (its request, its own folder).
ENGINES: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "sqlite": lambda request, folder: SqlStore.at_path(folder / "contract.sqlite"),
    "sheets": lambda request, folder: _sheets(folder),
    "postgresql": lambda request, folder: _postgresql(request),
}
