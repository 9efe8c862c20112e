"""Importing the unit list staff keep: header found under the title, columns suggested, a preview
that writes nothing, then all-or-nothing chunks that a re-run completes without duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import Role
from services import bootstrap
from services.core.errors import AccessDenied, InvalidInput
from services.core.settings import Settings
from services.core.xlsx_read import FileRefused, read_tables
from services.people import list_import as li
from services.people import unit_import as ui
from services.people import units
from services.people.unit_import_apply import apply_units
from services.people.unit_import_preview import preview_units
from services.registration import dashboard
from services.storage import StoreError
from tests.fakes import FakeSheets
from tests.support.builders import OPEN, audit_rows
from tests.support.unit_lists import NEW_COMMUNES, messy_unit_list
from tests.support.world import unit_id

PAST = "CK-2026"
DAY = date(2027, 1, 1)


@pytest.fixture
def table():
    return read_tables(messy_unit_list())[0]


@pytest.fixture
def columns(table):
    return li.suggest(table, ui.FIELDS)


@pytest.fixture
def twin(rt, people):
    """A second 'Đoàn cơ sở Cơ quan Mẫu 1', under another Đoàn Khối: the name is ambiguous."""
    form = {
        "name": "Đoàn cơ sở Cơ quan Mẫu 1",
        "kind": "Cơ quan",
        "parent_id": unit_id(rt, "Đoàn Khối Doanh nghiệp Mẫu 2"),
    }
    return units.add_unit(rt, people[Role.PROVINCE], form, "twin-unit-1")


def by_name(preview: ui.UnitPreview) -> dict[str, ui.UnitRow]:
    """Each name's first row."""
    found: dict[str, ui.UnitRow] = {}
    for row in preview.rows:
        found.setdefault(row.name, row)
    return found


def test_the_header_is_found_under_the_merged_title_and_the_columns_are_suggested(columns):
    assert columns.header_row == 4
    assert columns.columns == {
        "name": 1,
        "kind": 2,
        "parent": 3,
        "members": 4,
        "secretary": 5,
        "phone": 6,
        "predecessors": 7,
    }


def test_the_preview_says_what_each_row_would_do_and_writes_nothing(
    rt, people, table, columns, twin
):
    before = rt.store.read(["units", "audit_log"])
    preview = preview_units(rt, people[Role.PROVINCE], table, columns)
    rows = by_name(preview)
    assert rows["Đoàn phường Phố Hiến"].status == ui.Action.UPDATE
    assert rows["Đoàn phường Phố Hiến"].changes == {
        "members": "1450",
        "secretary": "Nguyễn Văn Hiến",
        "phone": "0912000001",
    }
    assert rows["Đoàn xã Hoàng Hoa Thám"].status == ui.Action.SAME
    assert rows["DOAN XA TIEN LU"].status == li.NEAR
    assert rows["DOAN XA TIEN LU"].stored_name == "Đoàn xã Tiên Lữ"
    assert rows["Đoàn xã Mẫu Mới 1"].status == ui.Action.ADD
    assert rows["Đoàn xã Hợp Nhất Mẫu"].status == ui.Action.MERGE
    assert rows["Đoàn trường THPT Mẫu 4"].parent_id == rows["Đoàn Khối Trường học Mẫu 3"].unit_id
    duplicate = [r for r in preview.rows if r.name == "Đoàn xã Mẫu Mới 1"][1:]
    assert "Trùng tên với dòng" in duplicate[0].problems[0]
    assert "trùng với nhiều đơn vị" in rows["Doan co so Co quan Mau 1"].problems[0]
    assert [s.reason for s in preview.skipped] == ["Dòng tổng cộng — bỏ qua"]
    assert preview.blank == 2  # the blank rows below the header
    assert rt.store.read(["units", "audit_log"]) == before


def test_units_the_list_does_not_hold_are_listed_not_touched(rt, people, table, columns):
    preview = preview_units(rt, people[Role.PROVINCE], table, columns)
    absent = {a.unit.name for a in preview.absent}
    assert "Đoàn trường THPT Mẫu 3" in absent
    assert "Đoàn phường Phố Hiến" not in absent
    assert "Đoàn xã Chí Minh" not in absent  # it ends through the merge
    assert "Tỉnh đoàn Hưng Yên" not in absent
    police = next(a for a in preview.absent if a.unit.name == "Đoàn Thanh niên Công an tỉnh")
    assert police.below == ["Đoàn cơ sở Công an Mẫu 1", "Đoàn cơ sở Công an Mẫu 2"]
    khoi = next(a for a in preview.absent if a.unit.name == "Đoàn Khối Doanh nghiệp Mẫu 2")
    assert khoi.users == ["doankhoi@mau.example"]  # who would lose access


def apply(rt, people, table, columns, **choices):
    accepted = ui.Accepted(DAY, "27-QĐ/TĐTN", **choices)
    return apply_units(rt, people[Role.PROVINCE], table, columns, accepted)


def test_applying_adds_merges_updates_and_confirms_only_the_ticked(rt, people, table, columns):
    near = by_name(preview_units(rt, people[Role.PROVINCE], table, columns))["DOAN XA TIEN LU"]
    school = unit_id(rt, "Đoàn trường THPT Mẫu 3")
    outcome = apply(rt, people, table, columns, deactivate=frozenset({school}))
    wb = rt.workbook()
    assert (outcome.merged, outcome.added, outcome.updated, outcome.deactivated) == (1, 4, 2, 1)
    merged = wb.units[unit_id(rt, "Đoàn xã Hợp Nhất Mẫu")]
    assert set(merged.predecessor_ids) == {
        unit_id(rt, "Đoàn xã Chí Minh"),
        unit_id(rt, "Đoàn xã Đại Đồng"),
    }
    assert merged.members == 500 and merged.valid_from == DAY
    assert wb.units[unit_id(rt, "Đoàn phường Phố Hiến")].members == 1450
    assert wb.units[school].valid_until == DAY
    assert wb.units[near.unit_id].members != 820  # a near match not ticked: untouched
    school4 = wb.units[unit_id(rt, "Đoàn trường THPT Mẫu 4")]
    assert wb.unit_name(school4.parent_id or "") == "Đoàn Khối Trường học Mẫu 3"


def test_a_near_match_is_applied_when_ticked(rt, people, table, columns):
    near = by_name(preview_units(rt, people[Role.PROVINCE], table, columns))["DOAN XA TIEN LU"]
    apply(rt, people, table, columns, confirmed=frozenset({near.number}))
    again = by_name(preview_units(rt, people[Role.PROVINCE], table, columns))
    assert again["DOAN XA TIEN LU"].unit_id == near.unit_id
    assert again["DOAN XA TIEN LU"].action == ui.Action.SAME  # applied: nothing left to do
    unit = rt.workbook().units[near.unit_id]
    assert (unit.name, unit.members) == ("Đoàn xã Tiên Lữ", 820)  # no rename to capitals
    assert any(r["record_id"] == near.unit_id for r in audit_rows(rt))


def test_the_new_communes_join_the_open_cycle_and_last_years_figures_stay(
    rt, people, table, columns
):
    province = people[Role.PROVINCE]
    past = dashboard.registration_board(rt, province, PAST).totals
    open_before = sum(dashboard.registration_board(rt, province, OPEN).totals.values())
    apply(rt, people, table, columns)
    assert dashboard.registration_board(rt, province, PAST).totals == past
    board = dashboard.registration_board(rt, province, OPEN)
    listed = set(board.not_registered["unit"])
    assert set(NEW_COMMUNES) <= listed
    # two communes and a school added, two communes merged into one
    assert sum(board.totals.values()) == open_before + 3 - 1


def test_a_run_that_failed_part_way_is_completed_by_running_it_again(
    rt, people, table, columns, monkeypatch
):
    monkeypatch.setattr(li, "CHUNK", 2)
    real_apply, calls = rt.store.apply, []

    def failing(ops):
        calls.append(len(ops))
        if len(calls) == 3:  # the merge, the first chunk, then the store fails
            raise StoreError("mất kết nối")
        return real_apply(ops)

    monkeypatch.setattr(rt.store, "apply", failing)
    with pytest.raises(StoreError):
        apply(rt, people, table, columns)
    monkeypatch.setattr(rt.store, "apply", real_apply)
    apply(rt, people, table, columns)
    apply(rt, people, table, columns)  # and once more: nothing new
    wb = rt.workbook()
    for name in (*NEW_COMMUNES, "Đoàn Khối Trường học Mẫu 3", "Đoàn trường THPT Mẫu 4"):
        assert sum(1 for u in wb.units.values() if u.name == name) == 1
    assert len(wb.unit_changes) == 1 + len(restructure_changes(rt))


def restructure_changes(rt):
    return [c for c in rt.workbook().unit_changes.values() if c.decision_number != "27-QĐ/TĐTN"]


def test_merges_need_the_decision_number(rt, people, table, columns):
    accepted = ui.Accepted(DAY, "")
    with pytest.raises(InvalidInput):
        apply_units(rt, people[Role.PROVINCE], table, columns, accepted)


def test_only_province_staff_import_the_unit_list(rt, people, table, columns):
    with pytest.raises(AccessDenied):
        preview_units(rt, people[Role.UPPER], table, columns)


def test_a_file_over_the_row_limit_is_refused_before_anything_is_read(monkeypatch):
    with pytest.raises(FileRefused, match="dòng"):
        read_tables(messy_unit_list(), max_rows=5)


def test_names_fold_diacritics_case_and_the_word_doan():
    names = li.Names({"A": "Đoàn xã Tân Hưng", "B": "Đoàn xã Tân Hùng"})
    assert names.find("ĐOÀN XÃ TÂN HƯNG") == li.Found(("A",), False)
    assert names.find("Xa Tan Hung") == li.Found(("A", "B"), True)
    assert names.find("Đoàn xã Tân Hùng") == li.Found(("B",), False)


@pytest.fixture
def shared_sheet():
    """The list typed by people into a tab of a Google Sheet (the fake Sheets API): a title row,
    the header, two communes, a blank row and a totals row."""
    fake = FakeSheets()
    key = fake.create_spreadsheet("Danh sách đơn vị 2026", tabs=("Tổng hợp", "Đơn vị"))
    person = fake.person(key)
    person.type("Đơn vị", "A1", "DANH SÁCH ĐOÀN CƠ SỞ")
    person.type_row("Đơn vị", 3, ["STT", "Tên đơn vị", "Loại đơn vị", "Số đoàn viên"])
    person.type_row("Đơn vị", 4, ["1", "Đoàn xã Mẫu Mới 1", "Xã", "1.200"])
    person.type_row("Đơn vị", 5, ["2", "Doan xa Tien Lu", "Xã", ""])
    person.type_row("Đơn vị", 7, ["Tổng", "", "", "1.200"])
    return fake, key


def test_a_google_sheet_tab_is_read_with_the_service_account_and_previewed(
    rt, people, shared_sheet
):
    fake, key = shared_sheet
    link = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
    table = bootstrap.read_sheet_tab(Settings(), link, "Đơn vị", client=fake.client())
    columns = li.suggest(table, ui.FIELDS)
    assert columns.header_row == 3
    preview = preview_units(rt, people[Role.PROVINCE], table, columns)
    assert [(r.name, r.status) for r in preview.rows] == [
        ("Đoàn xã Mẫu Mới 1", ui.Action.ADD),
        ("Doan xa Tien Lu", li.NEAR),
    ]
    assert preview.rows[0].changes["members"] == "1200"  # "1.200" as the vi_VN sheet shows it


def test_a_tab_that_does_not_exist_is_named_in_the_refusal(shared_sheet):
    fake, key = shared_sheet
    with pytest.raises(FileRefused, match="Danh sach"):
        bootstrap.read_sheet_tab(Settings(), key, "Danh sach", client=fake.client())
