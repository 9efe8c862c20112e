"""The review's low findings, one behaviour each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pages import _ui
from schemas.models import UnitKind
from services.core.access import Role
from services.core.errors import InvalidInput
from services.core.records import new_request_key
from services.data import audit_log
from services.people import units, users
from services.people.users import SignInRefused
from services.registration import cycles
from tests.support.builders import COMPANY_2, OFFICER_BLOC
from tests.support.cycles import new_cycle  # noqa: F401 - a fixture
from tests.support.world import unit_id


def test_only_a_unit_without_an_upper_unit_can_be_a_tinh_doan(rt, people):
    root = rt.workbook().root_ids()[0]
    form = {"name": "Tỉnh đoàn Thứ Hai", "kind": "Tỉnh đoàn", "parent_id": root}
    with pytest.raises(InvalidInput, match="Loại đơn vị: chỉ đơn vị cấp cao nhất"):
        units.add_unit(rt, people[Role.PROVINCE], form, new_request_key())
    upper = unit_id(rt, OFFICER_BLOC)
    form = {"name": "Tỉnh đoàn Giả", "kind": "Tỉnh đoàn", "parent_id": upper}
    with pytest.raises(InvalidInput, match="Loại đơn vị"):
        units.add_unit(rt, people[Role.UPPER], form, new_request_key())


def test_audit_rows_about_users_are_shown_to_province_staff_only(rt, people):
    added = users.add_user(
        rt,
        people[Role.PROVINCE],
        {
            "email": "bithu.moi@mau.example",
            "name": "Bí thư Mới",
            "role": "Bí thư Đoàn cơ sở",
            "unit_id": unit_id(rt, COMPANY_2),
        },
        new_request_key(),
    )

    def seen(who) -> list[str]:
        return [line.entry.record_id for line in audit_log.entries(rt, who, page_size=500).lines]

    assert added.id in seen(people[Role.PROVINCE])
    assert added.id not in seen(people[Role.UPPER])


def test_an_identity_whose_e_mail_the_provider_did_not_verify_is_refused(rt):
    with pytest.raises(SignInRefused, match="chưa được nhà cung cấp đăng nhập xác minh"):
        users.resolve(rt, "tinhdoan@mau.example", verified=False)
    assert users.resolve(rt, "tinhdoan@mau.example").role is Role.PROVINCE


@pytest.mark.parametrize(
    "text", ["www.x.vn", "http://x.vn", "a@b.vn", ":material/home:", ":streamlit:", "&amp; &#60;"]
)
def test_links_shortcodes_and_entities_are_escaped_in_user_text(text):
    shown = _ui.plain(text)
    for ch in ":@&.":
        assert shown.count(f"\\{ch}") == text.count(ch)


def test_a_cycle_name_has_a_length_limit(rt, people):
    draft = replace(cycles.draft_for(rt, 2031), name="Năm " + "x" * 300)
    with pytest.raises(InvalidInput, match="Tên đợt: quá dài"):
        cycles.save_cycle(rt, people[Role.PROVINCE], draft, new_request_key())


def test_a_paper_plan_cannot_be_received_before_it_was_written(rt, people, new_cycle):  # noqa: F811
    from datetime import date

    from services.registration import plans
    from tests.support.builders import plan

    cycle = new_cycle()
    with pytest.raises(InvalidInput, match="Ngày nhận bản giấy: không được trước Ngày kế hoạch"):
        plans.register_plan(
            rt,
            people[Role.UPPER],
            cycle,
            unit_id(rt, COMPANY_2),
            plan(plan_date="20/11/2026"),
            new_request_key(),
            received_on=date(2020, 1, 1),
        )
    assert rt.workbook().registration(cycle, unit_id(rt, COMPANY_2)) is None


def test_audit_rows_that_came_in_an_import_are_shown_as_imported(rt, people, tmp_path):
    from schemas.criteria import load_catalogue
    from services.core.clock import FixedClock
    from services.core.runtime import Runtime
    from services.data import transfer
    from services.storage.cache import CachedStore
    from services.storage.sql import SqlStore
    from tests.support.world import NOW

    me = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, me), "du-lieu.xlsx")
    target = Runtime(
        CachedStore(SqlStore.at_path(tmp_path / "new.sqlite")), FixedClock(NOW), load_catalogue()
    )
    transfer.import_workbook(target.store, me, upload, NOW)
    lines = audit_log.entries(target, me, page_size=500).lines
    from_file = {row.cells["id"] for row in upload.rows["audit_log"]}
    assert from_file and {ln.entry.id for ln in lines if ln.imported} == from_file
    assert all(ln.entry.action == "Nhập dữ liệu" for ln in lines if not ln.imported)


# ---- a Tỉnh đoàn under an upper unit, by every way in: the rule sits on the model -------------

TINH_DOAN_RULE = "chỉ đơn vị cấp cao nhất (không có đơn vị cấp trên) mới là Tỉnh đoàn"


def test_the_unit_list_import_shows_a_tinh_doan_under_an_upper_unit_as_an_error_row(rt, people):
    from services.core.xlsx_read import Table
    from services.people.list_import import ColumnMap
    from services.people.unit_import_preview import preview_units

    table = Table(
        "Danh sách",
        [
            ["Tên đơn vị", "Loại đơn vị", "Đơn vị cấp trên"],
            ["Tỉnh đoàn Giả", "Tỉnh đoàn", OFFICER_BLOC],
            ["Tỉnh đoàn Thứ Hai", "Tỉnh đoàn", ""],  # no upper unit given: placed under the root
        ],
    )
    columns = ColumnMap(1, {"name": 0, "kind": 1, "parent": 2})
    preview = preview_units(rt, people[Role.PROVINCE], table, columns)
    rows = {row.name: row for row in preview.rows}
    for name in ("Tỉnh đoàn Giả", "Tỉnh đoàn Thứ Hai"):
        assert any(TINH_DOAN_RULE in p for p in rows[name].problems), rows[name].problems


def test_the_workbook_import_refuses_a_tinh_doan_under_an_upper_unit(rt, people):
    import io

    import openpyxl

    from schemas.tabs import TABS
    from services.data import transfer

    me = people[Role.PROVINCE]
    book = openpyxl.load_workbook(io.BytesIO(transfer.export_xlsx(rt.store, me)))
    sheet = book[TABS["units"].title]
    header = [c.value for c in sheet[1]]
    id_col = header.index(TABS["units"].header("id")) + 1
    kind_col = header.index(TABS["units"].header("kind")) + 1
    target = unit_id(rt, COMPANY_2)
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, id_col).value == target)
    sheet.cell(row, kind_col).value = "Tỉnh đoàn"
    out = io.BytesIO()
    book.save(out)
    upload = transfer.read_workbook(out.getvalue(), "du-lieu.xlsx")
    assert [(p.row, TINH_DOAN_RULE in p.message) for p in upload.blocking] == [(row, True)]


def test_a_hand_typed_tinh_doan_under_an_upper_unit_is_listed_on_du_lieu_and_no_screen_breaks(
    monkeypatch,
):
    from services.data import health
    from tests.support.sheets_health import DemoSheet

    sheet = DemoSheet.open()
    target = unit_id(sheet.rt, COMPANY_2)
    row = sheet.row_of("units", target)
    sheet.type("units", "kind", row, "Tỉnh đoàn")
    found = health.report(sheet.later(), sheet.province())
    listed = [p for p in found.problems if p.tab == "units" and p.row == row]
    assert [TINH_DOAN_RULE in p.message for p in listed] == [True]
    for page in ("pages/du_lieu.py", "pages/don_vi.py", "pages/tong_hop.py", "pages/nguoi_dung.py"):
        at = sheet.screen(monkeypatch, page)
        assert not at.exception, page


def test_a_unit_change_cannot_form_a_tinh_doan(rt, people):
    from datetime import date

    from schemas.models import UnitChangeKind
    from services.people import unit_changes

    source = unit_id(rt, COMPANY_2)
    parent = unit_id(rt, OFFICER_BLOC)
    request = unit_changes.ChangeRequest(
        UnitChangeKind.SPLIT,
        date(2026, 12, 1),
        "12-QĐ/TĐTN",
        (source,),
        new_units=(
            unit_changes.NewUnit("Đoàn cơ sở Công ty Mẫu 2A", UnitKind.DOANH_NGHIEP, parent),
            unit_changes.NewUnit("Tỉnh đoàn Tách Ra", UnitKind.TINH_DOAN, parent),
        ),
    )
    plan = unit_changes.plan_change(rt, people[Role.PROVINCE], request, new_request_key())
    assert any("Tỉnh đoàn Tách Ra" in p and TINH_DOAN_RULE in p for p in plan.problems), (
        plan.problems
    )
    with pytest.raises(InvalidInput):
        unit_changes.apply_change(rt, people[Role.PROVINCE], request, new_request_key())
