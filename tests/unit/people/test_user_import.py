"""Importing the list of people: province staff for anyone, an upper unit within its subtree and
never with a role above its own; near matches of unit names only when ticked; re-runs add no one
twice."""

from __future__ import annotations

import pytest

from schemas.models import Role
from services.core.errors import AccessDenied
from services.core.xlsx_read import read_tables
from services.people import list_import as li
from services.people import user_import as ui
from tests.support.unit_lists import user_list

ROWS = [
    ("Lê Văn Mẫu", "BiThu.Mau3@mau.example", "Bí thư", "Đoàn cơ sở Công ty Mẫu 3"),
    ("Phạm Thị Mẫu", "tinh.mau@mau.example", "Cán bộ Tỉnh đoàn", "Đoàn Khối Doanh nghiệp Mẫu 2"),
    ("Hoàng Văn Mẫu", "congan.mau@mau.example", "Bí thư", "Đoàn cơ sở Công an Mẫu 1"),
    ("Ngô Thị Mẫu", "xem.mau@mau.example", "người xem", "Doan co so Cong ty Mau 4"),
    ("", "doankhoi@mau.example", "Cán bộ Đoàn cấp trên", ""),  # the officer themself
    ("Người Dùng Trùng", "bithu.mau3@mau.example", "Bí thư", "Đoàn cơ sở Công ty Mẫu 3"),
]


@pytest.fixture
def listed():
    table = read_tables(user_list(ROWS))[0]
    return table, li.suggest(table, ui.FIELDS)


def statuses(preview: ui.UserPreview) -> dict[str, str]:
    return {f"{r.number}:{r.email}": r.status for r in preview.rows}


def test_an_upper_unit_sees_what_it_may_not_grant(rt, people, listed):
    preview = ui.preview_users(rt, people[Role.UPPER], *listed)
    assert statuses(preview) == {
        "3:bithu.mau3@mau.example": ui.Action.ADD,  # e-mails are stored in lower case
        "4:tinh.mau@mau.example": ui.Action.ERROR,
        "5:congan.mau@mau.example": ui.Action.ERROR,
        "6:xem.mau@mau.example": li.NEAR,
        "7:doankhoi@mau.example": ui.Action.SAME,
        "8:bithu.mau3@mau.example": ui.Action.ERROR,
    }
    rows = {r.number: r for r in preview.rows}
    assert "Vai trò: bạn không thể cấp quyền cán bộ Tỉnh đoàn" in rows[4].problems
    assert "không tìm thấy trong phạm vi" in rows[5].problems[0]
    assert "Email trùng với dòng 3" in rows[8].problems[0]


def test_applying_writes_the_allowed_rows_and_the_ticked_near_match_once(rt, people, listed):
    officer = people[Role.UPPER]
    near = next(r for r in ui.preview_users(rt, officer, *listed).rows if r.status == li.NEAR)
    assert ui.apply_users(rt, officer, *listed) == (1, 0)
    assert ui.apply_users(rt, officer, *listed, confirmed=frozenset({near.number})) == (1, 0)
    assert ui.apply_users(rt, officer, *listed, confirmed=frozenset({near.number})) == (0, 0)
    wb = rt.workbook()
    listed = {row[1].casefold() for row in ROWS}
    added = {u.email: u for u in wb.users.values() if u.email in listed}
    del added["doankhoi@mau.example"]
    assert set(added) == {"bithu.mau3@mau.example", "xem.mau@mau.example"}
    assert added["xem.mau@mau.example"].role is Role.VIEWER
    assert wb.unit_name(added["xem.mau@mau.example"].unit_id) == "Đoàn cơ sở Công ty Mẫu 4"


def test_province_staff_may_grant_any_role(rt, people, listed):
    preview = ui.preview_users(rt, people[Role.PROVINCE], *listed)
    assert statuses(preview)["5:congan.mau@mau.example"] == ui.Action.ADD
    assert statuses(preview)["4:tinh.mau@mau.example"] == ui.Action.ERROR  # not a Tỉnh đoàn unit


def test_secretaries_cannot_import_people(rt, people, listed):
    with pytest.raises(AccessDenied):
        ui.preview_users(rt, people[Role.SECRETARY], *listed)
