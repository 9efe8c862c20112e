"""The data-health list: every problem a person made by hand, with tab, row, column and a link."""

from __future__ import annotations

import pytest

from schemas.tabs import TABS
from services import demo
from services.core.access import Role
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.data import health
from services.registration import status
from services.storage import Append, Row
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.builders import COMPANY_2, OPEN
from tests.support.sheets_health import KEY, DemoSheet
from tests.support.world import unit_id

UNITS, REGS = "units", "registrations"


@pytest.fixture
def sheet() -> DemoSheet:
    return DemoSheet.open()


def listed(sheet: DemoSheet, **match) -> list[health.Problem]:
    found = health.report(sheet.later(), sheet.province())
    return [p for p in found.problems if all(getattr(p, k) == v for k, v in match.items())]


def the_one(problems: list[health.Problem]) -> health.Problem:
    assert len(problems) == 1, problems
    return problems[0]


# ---- each kind of hand-made problem, on Google Sheets -------------------------------------------


def test_a_clean_sheet_in_vietnamese_settings_has_no_problem(sheet):
    found = health.report(sheet.rt, sheet.province())
    assert found.problems == [] and found.unadopted == []
    assert found.sheet_url == f"https://docs.google.com/spreadsheets/d/{KEY}/edit"


def test_an_unparsable_value_is_listed_with_its_row_column_and_a_link_to_the_cell(sheet):
    row = sheet.row_of(UNITS, unit_id(sheet.rt, COMPANY_2))
    sheet.type(UNITS, "members", row, "khoảng 120")
    problem = the_one(listed(sheet, tab=UNITS, row=row))
    assert (problem.kind, problem.kind_label) == ("value", "Giá trị không đọc được")
    assert (problem.tab_title, problem.column) == ("Đơn vị", "Số đoàn viên")
    assert problem.link == sheet.link(UNITS, f"E{row}")


def test_a_missing_required_cell_is_listed_as_missing(sheet):
    row = sheet.row_of(UNITS, unit_id(sheet.rt, COMPANY_2))
    sheet.type(UNITS, "name", row, "")
    problem = the_one(listed(sheet, tab=UNITS, row=row))
    assert (problem.kind_label, problem.column) == ("Thiếu ô bắt buộc", "Tên đơn vị")
    assert problem.link == sheet.link(UNITS, f"B{row}")


def test_a_duplicated_id_names_the_row_it_repeats(sheet):
    hong_tien = unit_id(sheet.rt, COMPANY_2)
    first = sheet.row_of(UNITS, hong_tien)
    copied = sheet.values(UNITS)[first - 1]
    sheet.person.insert_row(TABS[UNITS].title, 3, copied)  # pasted near the top
    problem = the_one(listed(sheet, tab=UNITS, kind="duplicate_id"))
    assert problem.row == first + 1  # the original moved down one row; the copy is row 3 ...
    assert "trùng với hàng 3" in problem.message  # ... and came first, so it keeps the id
    assert problem.link == sheet.link(UNITS, f"A{first + 1}")


def test_an_unknown_unit_in_a_registration_is_listed(sheet):
    reg = sheet.rt.workbook().registration(OPEN, unit_id(sheet.rt, COMPANY_2))
    row = sheet.row_of(REGS, reg.id)
    sheet.type(REGS, "unit_id", row, "DV-KHONG-CO")
    problem = the_one(listed(sheet, tab=REGS, row=row))
    assert (problem.kind_label, problem.column) == ("Mã không tồn tại", "Mã đơn vị")
    assert problem.link == sheet.link(REGS, f"C{row}")


def test_a_row_without_id_is_listed_as_chua_co_ma_and_offered_for_adoption(sheet):
    last = len(sheet.values(UNITS))
    sheet.person.leave_blank_rows(TABS[UNITS].title, 2)
    sheet.person.type_row(
        TABS[UNITS].title, last + 3, ["", "Đoàn xã Mẫu Tay", "Xã", "DV-0002", "45"]
    )
    problem = the_one(listed(sheet, kind="no_id"))
    assert (problem.tab_title, problem.row, problem.column) == ("Đơn vị", last + 3, "Mã")
    assert problem.kind_label == "Chưa có mã" and "chưa có mã" in problem.message
    assert problem.link == sheet.link(UNITS, f"A{last + 3}")
    (row,) = health.report(sheet.rt, sheet.province()).unadopted
    assert (row.tab, row.row, row.cells["name"]) == (UNITS, last + 3, "Đoàn xã Mẫu Tay")
    assert row.label == f"Bảng Đơn vị · hàng {last + 3} · Tên đơn vị: Đoàn xã Mẫu Tay; " + (
        "Loại đơn vị: Xã; Mã đơn vị cấp trên: DV-0002"
    )


def test_rows_a_person_inserted_above_move_the_listed_row_number(sheet):
    row = sheet.row_of(UNITS, unit_id(sheet.rt, COMPANY_2))
    sheet.type(UNITS, "members", row, "nhiều")
    sheet.person.insert_rows(TABS[UNITS].title, 2, count=3)
    problem = the_one(listed(sheet, tab=UNITS, kind="value"))
    assert problem.row == row + 3
    assert problem.link == sheet.link(UNITS, f"E{row + 3}")


def test_a_renamed_app_header_is_listed_naming_the_tab_and_the_header(sheet):
    sheet.person.rename_header(TABS[UNITS].title, "Bí thư", "Họ tên bí thư")
    problem = the_one(listed(sheet, kind="header"))
    assert (problem.tab_title, problem.row, problem.column) == ("Đơn vị", 1, "Bí thư")
    assert "Không tìm thấy cột “Bí thư”" in problem.message and "Đơn vị" in problem.message
    assert problem.link == sheet.link(UNITS, "1:1")


def test_a_persons_column_with_an_app_header_is_listed_and_the_field_is_neither_read_nor_written(
    sheet,
):
    """A person adds their own "Điện thoại" column at the right: which one is the app's cannot be
    told, so the app reads the field as blank and *Dữ liệu* lists the repeated header."""
    title = TABS[UNITS].title
    width = len(sheet.values(UNITS)[0])
    hong_tien = unit_id(sheet.rt, COMPANY_2)
    row = sheet.row_of(UNITS, hong_tien)
    sheet.person.type(title, f"{chr(ord('A') + width)}1", "Điện thoại")
    sheet.person.type(title, f"{chr(ord('A') + width)}{row}", "số riêng của huyện")
    later = sheet.later()
    problem = the_one(listed(sheet, kind="header"))
    assert (problem.tab_title, problem.row, problem.column) == ("Đơn vị", 1, "Điện thoại")
    assert "có hai cột “Điện thoại”" in problem.message
    assert "không đọc, không ghi cột này" in problem.message
    assert problem.link == sheet.link(UNITS, "1:1")
    assert later.workbook().units[hong_tien].phone == ""  # neither column is guessed to be ours


def test_a_column_a_person_added_or_moved_is_fine(sheet):
    title = TABS[UNITS].title
    width = len(sheet.values(UNITS)[0])
    sheet.person.type(title, f"{chr(ord('A') + width)}1", "Ghi chú riêng của huyện")
    sheet.person.move_column(title, "Điện thoại", 1)
    found = health.report(sheet.later(), sheet.province())
    assert found.problems == []


def test_a_tab_a_person_renamed_is_listed_and_the_other_tabs_are_still_read(sheet):
    me = sheet.province()
    sheet.person.rename_tab(TABS["extensions"].title, "Gia hạn (cũ)")
    later = sheet.later()
    found = health.report(later, me)
    problem = the_one(found.filtered(kind_label="Thiếu hoặc đổi tên cột"))
    assert problem.tab_title == "Gia hạn" and "Không tìm thấy bảng “Gia hạn”" in problem.message
    wb = later.workbook()  # every screen still reads the other tabs
    assert wb.units and wb.registrations and wb.extensions == []
    assert problem.link == f"https://docs.google.com/spreadsheets/d/{KEY}/edit"


@pytest.mark.parametrize(
    ("locale", "time_zone", "words"),
    [
        ("en_US", "Asia/Ho_Chi_Minh", ["“en_US”", "Ngôn ngữ và khu vực"]),
        ("vi_VN", "America/New_York", ["“America/New_York”", "Múi giờ"]),
    ],
)
def test_a_spreadsheet_not_in_vietnamese_settings_is_warned(locale, time_zone, words):
    sheet = DemoSheet.open(locale=locale, time_zone=time_zone)
    problem = the_one(listed(sheet, kind="settings"))
    assert (problem.tab_title, problem.row, problem.column) == ("Cả bảng tính", None, "")
    assert all(w in problem.message for w in words)
    assert problem.link == f"https://docs.google.com/spreadsheets/d/{KEY}/edit"


def test_counts_and_filters_by_tab_and_kind(sheet):
    hong_tien = unit_id(sheet.rt, COMPANY_2)
    reg = sheet.rt.workbook().registration(OPEN, hong_tien)
    sheet.type(REGS, "plan_date", sheet.row_of(REGS, reg.id), "hôm qua")
    sheet.type(REGS, "on_time", sheet.row_of(REGS, reg.id), "chắc là có")
    sheet.person.type_row(TABS[UNITS].title, len(sheet.values(UNITS)) + 1, ["", "Đoàn xã Mới"])
    sheet.fake.book(KEY).locale = "en_US"
    found = health.report(sheet.later(), sheet.province())
    assert found.counts() == {
        "Cài đặt bảng tính": 1,
        "Chưa có mã": 1,
        "Giá trị không đọc được": 2,
    }
    assert found.tabs() == ["Cả bảng tính", "Đơn vị", "Đăng ký"]
    assert found.kinds() == ["Cài đặt bảng tính", "Chưa có mã", "Giá trị không đọc được"]
    assert [p.column for p in found.filtered("Đăng ký", "Giá trị không đọc được")] == [
        "Ngày kế hoạch",
        "Đúng hạn",
    ]
    assert [p.kind_label for p in found.filtered("Đơn vị")] == ["Chưa có mã"]
    assert len(found.filtered()) == 4


def test_listing_problems_never_writes_to_the_sheet(sheet):
    row = sheet.row_of(UNITS, unit_id(sheet.rt, COMPANY_2))
    sheet.type(UNITS, "members", row, "nhiều")
    before = sheet.values(UNITS)
    writes = sheet.fake.counts("write")
    assert listed(sheet, kind="value")
    assert sheet.fake.counts("write") == writes
    assert sheet.values(UNITS) == before


def test_a_hand_edit_reaches_the_screens_within_the_refresh_interval(sheet):
    hong_tien = unit_id(sheet.rt, COMPANY_2)
    sheet.rt.workbook()
    sheet.type(UNITS, "name", sheet.row_of(UNITS, hong_tien), "Đoàn cơ sở Công ty Mẫu 2 (sửa tay)")
    assert sheet.later(59).workbook().units[hong_tien].name == COMPANY_2  # still the cached copy
    assert sheet.later(1).workbook().units[hong_tien].name == "Đoàn cơ sở Công ty Mẫu 2 (sửa tay)"


def test_a_broken_registration_row_still_counts_its_unit_as_needing_a_check(sheet):
    hong_tien = unit_id(sheet.rt, COMPANY_2)
    reg = sheet.rt.workbook().registration(OPEN, hong_tien)
    sheet.type(REGS, "submitted_at", sheet.row_of(REGS, reg.id), "sáng nay")
    rt = sheet.later()
    wb = rt.workbook()
    assert status.unit_status(wb, wb.cycles[OPEN], wb.units[hong_tien]) == status.NEEDS_CHECK


def test_only_province_staff_see_the_list(sheet):

    for actor in demo.demo_actors(sheet.rt):
        if actor.role is not Role.PROVINCE:
            with pytest.raises(AccessDenied):
                health.report(sheet.rt, actor)


# ---- on the embedded store ---------------------------------------------------------------------


def test_on_the_embedded_store_problems_have_row_numbers_but_no_links_or_sheet_settings(rt, people):
    by_hand = SqlStore(rt.store.inner.url)
    by_hand.apply(
        [
            Append(
                UNITS, {"id": "DV-TAY-1", "name": "Đoàn xã Tay", "kind": "Thôn", "active": "Có"}
            ),
            Append(UNITS, {"id": "", "name": "Đoàn xã Chưa Mã", "kind": "Xã", "active": "Có"}),
        ]
    )
    fresh = Runtime(CachedStore(SqlStore(rt.store.inner.url)), rt.clock, rt.criteria)
    found = health.report(fresh, people[Role.PROVINCE])
    rows = [r.number for r in by_hand.read([UNITS])[UNITS][-2:]]
    assert [(p.kind_label, p.row, p.column) for p in found.problems] == [
        ("Giá trị không đọc được", rows[0], "Loại đơn vị"),
        ("Chưa có mã", rows[1], "Mã"),
    ]
    assert all(p.link == "" for p in found.problems) and found.sheet_url == ""
    assert [(u.tab, u.row) for u in found.unadopted] == [(UNITS, rows[1])]


def test_an_assessment_result_changed_by_hand_is_listed_as_disagreeing_with_recomputation(
    rt, people
):

    assert demo.seed_year_end(rt)
    by_hand = SqlStore(rt.store.inner.url)
    table = by_hand.tables["assessments"]
    row = next(r for r in by_hand.read(["assessments"])["assessments"] if r.cells["result"])
    flipped = "Đạt" if row.cells["result"] == "Không đạt" else "Không đạt"
    with by_hand.engine.begin() as conn:  # someone "corrects" the overall result in the sheet
        conn.execute(table.update().where(table.c.id == row.cells["id"]).values(result=flipped))
    fresh = Runtime(CachedStore(SqlStore(rt.store.inner.url)), rt.clock, rt.criteria)
    found = health.report(fresh, people[Role.PROVINCE])
    problem = the_one(found.filtered(kind_label="Kết quả đánh giá cần xem lại"))
    assert (problem.tab_title, problem.row, problem.record_id) == (
        "Đánh giá",
        row.number,
        row.cells["id"],
    )


def test_a_write_repaired_after_a_sort_inside_the_save_is_listed_with_the_records_involved(sheet):
    meant, found = repaired(sheet)
    assert [p.kind_label for p in found] == [health.KIND_LABELS["misdirected"]] * 2
    restored, replaced = found
    assert restored.record_id not in ("", meant)
    assert "tự hoàn tác các ô “Điện thoại”" in restored.message
    assert replaced.record_id == meant
    assert "ghi lại vào đúng hàng" in replaced.message


def never_repaired(sheet: DemoSheet) -> tuple[Row, list[Row], health.Problem]:
    """A save a sort sent into another record's row, whose repair Google refuses every time: the
    record meant, the units as they were before, and the one line Dữ liệu lists."""
    from services.storage import StoreError, Update

    engine = sheet.rt.store.inner
    engine.retry.sleep = lambda seconds: None  # the retry's waits, instant
    units = sheet.rt.store.snapshot().tabs[UNITS]
    target = next(r for r in units if r.cells["id"] and r.number > 3)
    change = Update(UNITS, target.cells["id"], dict(target.cells), {"phone": "0900 000 111"})
    header = TABS[UNITS].header("name")
    sheet.fake.before_next_write(
        lambda: sheet.person.sort(TABS[UNITS].title, header, True),
        lambda: sheet.fake.fail_next(engine.retry.max_attempts, status=503, kind="write"),
    )
    with pytest.raises(StoreError):
        sheet.rt.store.apply([change])
    return target, units, the_one(listed(sheet, kind="misdirected"))


def test_a_repair_google_never_took_is_listed_as_cells_to_fix_by_hand(sheet):
    target, _, problem = never_repaired(sheet)
    assert problem.record_id not in ("", target.cells["id"])
    assert "chưa sửa lại được" in problem.message
    assert "Hãy sửa tay: ô “Điện thoại” đang là “0900 000 111”, cần trả lại" in problem.message


def repaired(sheet: DemoSheet) -> tuple[str, list[health.Problem]]:
    """A save whose write a sort sent into another record's row, repaired in the same save: the
    record meant, and the two repair lines Dữ liệu lists (the restored record, the rewritten one)."""
    from services.storage import Update

    units = sheet.rt.store.snapshot().tabs[UNITS]
    target = next(r for r in units if r.cells["id"] and r.number > 3)
    change = Update(UNITS, target.cells["id"], dict(target.cells), {"phone": "0900 000 111"})
    header = TABS[UNITS].header("name")
    sheet.fake.before_next_write(lambda: sheet.person.sort(TABS[UNITS].title, header, True))
    sheet.rt.store.apply([change])
    found = listed(sheet, kind="misdirected")
    assert len(found) == 2
    return target.cells["id"], found


def test_a_repair_stays_listed_however_many_audit_rows_came_after_it(sheet):
    """At rush rates hundreds of audit rows a minute follow a repair: it must not drop off."""
    repaired(sheet)
    fields = TABS["audit_log"].fields
    later = [
        Append(
            "audit_log",
            {f: "" for f in fields}
            | {"id": f"NK-SAU-{n}", "action": "Đăng ký", "tab": REGS, "record_id": f"DK-{n}"},
        )
        for n in range(1_200)
    ]
    sheet.rt.store.apply(later)
    assert len(listed(sheet, kind="misdirected")) == 2


def test_a_repair_line_goes_once_its_record_is_saved_again_in_the_app(sheet):
    from services.core import records
    from services.people import units

    meant, (restored, replaced) = repaired(sheet)
    me = sheet.province()
    loaded = units.get_unit(sheet.rt, me, restored.record_id)
    units.assign_officer(sheet.rt, me, loaded, "Người xem lại", records.new_request_key())
    assert [p.record_id for p in listed(sheet, kind="misdirected")] == [meant]


def test_cells_left_wrong_are_listed_until_a_person_puts_them_right(sheet):
    _, units, problem = never_repaired(sheet)
    victim = problem.record_id
    should_be = next(r.cells["phone"] for r in units if r.cells["id"] == victim)
    sheet.type(UNITS, "phone", sheet.row_of(UNITS, victim), should_be)  # put right by hand
    assert listed(sheet, kind="misdirected") == []


def test_an_id_retyped_with_a_trailing_space_is_listed_and_every_screen_still_works(sheet):
    from services.core import records
    from services.people import units

    hong_tien = unit_id(sheet.rt, COMPANY_2)
    row = sheet.row_of(UNITS, hong_tien)
    sheet.type(UNITS, "id", row, hong_tien + " ")
    reg = sheet.rt.workbook().registration(OPEN, hong_tien)
    reg_row = sheet.row_of(REGS, reg.id)
    sheet.type(REGS, "unit_id", reg_row, "\u00a0" + hong_tien)
    me, rt = sheet.province(), sheet.later()
    loaded = units.get_unit(rt, me, hong_tien)  # found by the tidy id
    saved = units.assign_officer(rt, me, loaded, "Nguyễn Văn Mới", records.new_request_key())
    assert (saved.id, saved.officer) == (hong_tien, "Nguyễn Văn Mới")
    assert sheet.values(UNITS)[row - 1][0] == hong_tien + " "  # never rewritten silently
    assert any(line.unit.id == hong_tien for line in units.list_units(rt, me))
    wb = rt.workbook()
    assert wb.registration(OPEN, hong_tien).id == reg.id  # the reference is read tidy too
    assert status.unit_status(wb, wb.cycles[OPEN], wb.units[hong_tien]) != status.NOT_YET
    untidy = listed(sheet, kind="untidy_id")
    assert [(p.tab, p.row, p.column) for p in untidy] == [
        (UNITS, row, "Mã"),
        (REGS, reg_row, "Mã đơn vị"),
    ]
    assert untidy[0].kind_label == "Mã có khoảng trắng thừa"
    assert f"“{hong_tien} ”" in untidy[0].message and f"“{hong_tien}”" in untidy[0].message
    assert untidy[0].link == sheet.link(UNITS, f"A{row}")
    assert untidy[1].link == sheet.link(REGS, f"C{reg_row}")
