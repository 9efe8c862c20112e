"""Adopting a row a person added without an id: id and version into that row only, audited."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from schemas.tabs import TABS
from services import demo
from services.core import records
from services.core.access import Role
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.data import health
from services.storage import Append, Conflict, RecordMissing
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.sheets_health import DemoSheet

UNITS = "units"
TYPED = ["", "Đoàn xã Mẫu Tay", "Xã", "DV-0002", "045", "", "", "0912345678", "", "", "Có"]


def hand_row(found: health.HealthReport) -> health.Unadopted:
    (row,) = found.unadopted
    return row


def audit_rows(rt: Runtime, record_id: str) -> list[dict[str, str]]:
    rows = rt.store.read(["audit_log"])["audit_log"]
    return [dict(r.cells) for r in rows if r.cells["record_id"] == record_id]


# ---- on Google Sheets ---------------------------------------------------------------------------


@pytest.fixture
def sheet() -> DemoSheet:
    """The demo sheet with one unit row typed by hand, without id or version, after the last row."""
    sheet = DemoSheet.open()
    sheet.person.leave_blank_rows(TABS[UNITS].title, 1)
    sheet.person.type_row(TABS[UNITS].title, len(sheet.values(UNITS)) + 2, TYPED)
    return sheet


def test_adopting_writes_only_id_and_version_into_that_row_with_an_audit_row(sheet):
    me = sheet.province()
    row = hand_row(health.report(sheet.later(), me))
    before = sheet.values(UNITS)
    writes = sheet.fake.counts("write")
    new_id = health.adopt_row(sheet.rt, me, row, "a1b2c3d4e5f6a7b8")
    assert new_id == "DV-A1B2C3D4E5F6"
    after = sheet.values(UNITS)
    header = after[0]
    changed = {
        (r, header[c])
        for r in range(len(after))
        for c in range(len(header))
        if (before[r][c : c + 1] or [""]) != (after[r][c : c + 1] or [""])
    }
    assert changed == {(row.row - 1, "Mã"), (row.row - 1, "Phiên bản")}
    typed_back = dict(zip(header, after[row.row - 1], strict=False))
    assert (typed_back["Mã"], typed_back["Phiên bản"]) == (new_id, "1")
    assert (typed_back["Số đoàn viên"], typed_back["Điện thoại"]) == ("045", "0912345678")
    assert sheet.fake.counts("write") == writes + 1  # record and audit row in one batchUpdate
    (audit,) = audit_rows(sheet.rt, new_id)
    assert audit["action"] == records.ADOPTED and audit["tab"] == UNITS
    assert json.loads(audit["before"]) == {"id": "", "version": ""}
    assert json.loads(audit["after"]) == {"id": new_id, "version": "1"}
    found = health.report(sheet.later(), me)
    assert found.unadopted == [] and sheet.rt.workbook().units[new_id].name == "Đoàn xã Mẫu Tay"


def test_the_request_sent_updates_just_the_two_cells_of_that_row(sheet):
    me = sheet.province()
    row = hand_row(health.report(sheet.later(), me))
    sheet.fake.calls.clear()
    health.adopt_row(sheet.rt, me, row, "feedfacecafe0000")
    (write,) = [c for c in sheet.fake.calls if c.kind == "write"]
    unit_cells = [
        r["updateCells"]
        for r in write.body["requests"]
        if "updateCells" in r and r["updateCells"]["start"]["sheetId"] == sheet.sheet_id(UNITS)
    ]
    assert sorted((u["start"]["rowIndex"], u["start"]["columnIndex"]) for u in unit_cells) == [
        (row.row - 1, 0),
        (row.row - 1, 11),
    ]
    assert not any(
        "appendCells" in r and r["appendCells"]["sheetId"] == sheet.sheet_id(UNITS)
        for r in write.body["requests"]
    )


def test_adoption_finds_the_id_column_where_a_person_moved_it(sheet):
    me = sheet.province()
    sheet.person.move_column(TABS[UNITS].title, "Mã", 5)
    row = hand_row(health.report(sheet.later(), me))
    new_id = health.adopt_row(sheet.rt, me, row, "0123456789abcdef")
    after = dict(zip(sheet.values(UNITS)[0], sheet.values(UNITS)[row.row - 1], strict=False))
    assert (after["Mã"], after["Tên đơn vị"], after["Phiên bản"]) == (
        new_id,
        "Đoàn xã Mẫu Tay",
        "1",
    )
    assert sheet.values(UNITS)[0][4] == "Mã"


def test_a_row_a_person_moved_down_is_a_conflict_not_a_write_into_the_wrong_row(sheet):
    me = sheet.province()
    row = hand_row(health.report(sheet.later(), me))
    sheet.person.insert_rows(TABS[UNITS].title, 3)  # everything below row 2 moves down one row
    before = sheet.values(UNITS)
    with pytest.raises((Conflict, RecordMissing)):
        health.adopt_row(sheet.rt, me, row, "1111222233334444")
    assert sheet.values(UNITS) == before
    assert audit_rows(sheet.rt, "DV-111122223333") == []


def test_a_row_a_person_edited_meanwhile_is_a_conflict_showing_both_values(sheet):
    me = sheet.province()
    row = hand_row(health.report(sheet.later(), me))
    sheet.type(UNITS, "name", row.row, "Đoàn xã Mẫu Tay (đã sửa)")
    with pytest.raises(Conflict) as conflict:
        health.adopt_row(sheet.rt, me, row, "5555666677778888")
    (change,) = conflict.value.changes
    assert (change.field, change.loaded, change.current) == (
        "name",
        "Đoàn xã Mẫu Tay",
        "Đoàn xã Mẫu Tay (đã sửa)",
    )
    assert sheet.values(UNITS)[row.row - 1][0] == ""
    assert audit_rows(sheet.rt, "DV-555566667777") == []


def test_only_province_staff_may_adopt(sheet):

    row = hand_row(health.report(sheet.later(), sheet.province()))
    for actor in demo.demo_actors(sheet.rt):
        if actor.role is not Role.PROVINCE:
            with pytest.raises(AccessDenied):
                health.adopt_row(sheet.rt, actor, row, "9999aaaabbbbcccc")
    assert sheet.values(UNITS)[row.row - 1][0] == ""


# ---- on the embedded store ---------------------------------------------------------------------


@pytest.fixture
def by_hand(rt) -> SqlStore:
    """The same SQLite file opened by someone else: rows written here skip every service rule."""
    store = SqlStore(rt.store.inner.url)
    cells = dict(zip(TABS[UNITS].fields, TYPED, strict=False))
    store.apply([Append(UNITS, cells)])
    return store


def fresh(rt: Runtime) -> Runtime:
    return Runtime(CachedStore(SqlStore(rt.store.inner.url)), rt.clock, rt.criteria)


def test_adopting_on_the_embedded_store_writes_id_and_version_of_that_row(rt, people, by_hand):
    me = people[Role.PROVINCE]
    row = hand_row(health.report(fresh(rt), me))
    new_id = health.adopt_row(rt, me, row, "abcdefabcdef0000")
    stored = {r.number: r.cells for r in by_hand.read([UNITS])[UNITS]}
    assert stored[row.row] == {**row.cells, "id": new_id, "version": "1"}
    assert [a["action"] for a in audit_rows(rt, new_id)] == [records.ADOPTED]
    assert fresh(rt).workbook().units[new_id].name == "Đoàn xã Mẫu Tay"


def test_on_the_embedded_store_a_row_changed_meanwhile_is_a_conflict(rt, people, by_hand):
    me = people[Role.PROVINCE]
    row = hand_row(health.report(fresh(rt), me))
    table = by_hand.tables[UNITS]
    with by_hand.engine.begin() as conn:  # someone edits the row directly in the database
        conn.execute(table.update().where(table.c.id == "").values(members="46"))
    with pytest.raises(Conflict):
        health.adopt_row(rt, me, row, "abcdefabcdef1111")
    with by_hand.engine.connect() as conn:
        assert conn.execute(sa.select(table.c.id).where(table.c.members == "46")).scalar() == ""
    assert audit_rows(rt, "DV-ABCDEFABCDEF") == []
