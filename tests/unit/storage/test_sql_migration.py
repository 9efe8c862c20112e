"""A database written by an older version gains the fields added since, and keeps its rows."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from schemas import tabs
from services.storage.sql import SqlStore


def test_older_database_gains_new_fields_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    old_fields = [f for f in tabs.CYCLES.fields if f != "late_policy"]  # as if added later
    with closing(sqlite3.connect(path)) as db, db:
        columns = ", ".join(f"\"{f}\" TEXT NOT NULL DEFAULT ''" for f in old_fields)
        db.execute(f'CREATE TABLE cycles ("_row" INTEGER PRIMARY KEY, {columns})')
        db.execute("INSERT INTO cycles (id, year, name) VALUES ('CK-1', '2026', 'Năm 2026')")

    store = SqlStore.at_path(path)

    (row,) = store.read(["cycles"])["cycles"]
    assert row.cells["id"] == "CK-1"
    assert row.cells["name"] == "Năm 2026"
    assert row.cells["late_policy"] == ""
    SqlStore.at_path(path)  # opening again finds nothing to add
