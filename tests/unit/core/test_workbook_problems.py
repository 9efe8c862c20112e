"""Rows a person broke by hand never crash a screen: they are listed, and their unit needs checking."""

from __future__ import annotations

import pytest

from services.core.access import Role
from services.core.errors import NotAllowed
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import dashboard, plans, rollups, status
from services.storage import Append
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.builders import COMPANY_2, OPEN, plan
from tests.support.world import unit_id

PROVINCE_ROOT = "Tỉnh đoàn Hưng Yên"


@pytest.fixture
def by_hand(rt) -> SqlStore:
    """The same SQLite file opened by someone else: rows written here skip every service rule."""
    return SqlStore(rt.store.inner.url)


def reopen(rt: Runtime) -> Runtime:
    """A fresh process on the same file (so nothing cached hides what was written by hand)."""
    return Runtime(CachedStore(SqlStore(rt.store.inner.url)), rt.clock, rt.criteria)


def registration_cells(unit: str, marker: str, **changes: str) -> dict[str, str]:
    cells = {
        "id": f"DK-TAY-{marker}",
        "cycle_id": OPEN,
        "unit_id": unit,
        "state": "Đã gửi",
        "plan_number": marker,
        "plan_date": "20/11/2026",
        "target_nd1": "a",
        "target_nd2": "b",
        "target_nd3": "c",
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "on_time": "Có",
    }
    cells.update(changes)
    return cells


def row_number(store: SqlStore, tab: str, **match: str) -> int:
    rows = store.read([tab])[tab]
    return next(r.number for r in rows if all(r.cells[f] == v for f, v in match.items()))


def unregistered(rt: Runtime, count: int) -> list[str]:
    wb = rt.workbook()
    return [u.id for u in wb.grassroots(wb.units) if wb.registration(OPEN, u.id) is None][:count]


@pytest.fixture
def broken(rt, people, by_hand):
    """Four hand-broken registration rows in the open cycle; returns what each should report.

    Also keeps the province board's totals as they were before (under "totals before").
    """
    totals = dashboard.registration_board(rt, people[Role.PROVINCE], OPEN).totals
    bad_date, dup_id, no_id = unregistered(rt, 3)
    hong_tien_reg = rt.workbook().registration(OPEN, unit_id(rt, COMPANY_2))
    by_hand.apply(
        [
            Append("registrations", registration_cells(bad_date, "NGAY", plan_date="hôm qua")),
            Append("registrations", registration_cells(no_id, "KHONG-MA", id="")),
            Append("registrations", registration_cells("DV-9999", "LA")),
        ]
    )
    table = by_hand.tables["registrations"]
    with by_hand.engine.begin() as conn:  # a copied row: the store itself refuses a duplicated id
        conn.execute(
            table.insert().values(**registration_cells(dup_id, "TRUNG", id=hong_tien_reg.id))
        )
    return {
        "totals before": totals,
        "bad date": (
            row_number(by_hand, "registrations", plan_number="NGAY"),
            "Ngày kế hoạch",
            "ngày/tháng/năm",
            bad_date,
        ),
        "no id": (
            row_number(by_hand, "registrations", plan_number="KHONG-MA"),
            "Mã",
            "chưa có mã",
            no_id,
        ),
        "unknown unit": (
            row_number(by_hand, "registrations", plan_number="LA"),
            "Mã đơn vị",
            "không tồn tại",
            None,
        ),
        "duplicated id": (
            row_number(by_hand, "registrations", plan_number="TRUNG"),
            "Mã",
            f"trùng với hàng {row_number(by_hand, 'registrations', id=hong_tien_reg.id)}",
            dup_id,
        ),
    }


@pytest.mark.parametrize("case", ["bad date", "no id", "unknown unit", "duplicated id"])
def test_a_hand_broken_registration_is_listed_with_its_row_column_and_a_vietnamese_reason(
    rt, broken, case
):
    row, column, words, _ = broken[case]
    wb = reopen(rt).workbook()
    found = [p for p in wb.problems if p.tab == "registrations" and p.row == row]
    assert found, wb.problems
    assert found[0].column == column and words in found[0].message


@pytest.mark.parametrize("case", ["bad date", "no id", "duplicated id"])
def test_the_unit_of_a_broken_registration_counts_as_needing_a_check(rt, people, broken, case):
    fresh = reopen(rt)
    wb = fresh.workbook()
    unit = wb.units[broken[case][3]]
    board = dashboard.registration_board(fresh, people[Role.PROVINCE], OPEN)
    listed = board.not_registered.set_index("unit")["status"]
    assert status.unit_status(wb, wb.cycles[OPEN], unit) == status.NEEDS_CHECK
    assert listed[unit.name] == status.NEEDS_CHECK


def test_the_board_and_the_rollup_count_every_broken_unit_once_and_keep_the_rest(
    rt, people, broken
):
    before = broken["totals before"]
    fresh = reopen(rt)
    board = dashboard.registration_board(fresh, people[Role.PROVINCE], OPEN)
    assert board.totals[status.NEEDS_CHECK] == 3
    assert board.totals[status.NOT_YET] == before[status.NOT_YET] - 3
    assert board.totals[status.ON_TIME] == before[status.ON_TIME]  # Hồng Tiến's row still counts
    assert sum(board.totals.values()) == sum(before.values())
    wb = fresh.workbook()
    root = unit_id(fresh, PROVINCE_ROOT)
    assert rollups.counts(wb, OPEN, root).needs_check == 3


def test_a_unit_with_a_broken_registration_cannot_send_a_second_one(rt, people, broken):
    fresh = reopen(rt)
    unit = broken["bad date"][3]
    with pytest.raises(NotAllowed) as refused:
        plans.register_plan(
            fresh,
            people[Role.PROVINCE],
            OPEN,
            unit,
            plan(),
            "k1",
            received_on=fresh.clock.now().date(),
        )
    assert "Dữ liệu" in str(refused.value)


def test_two_registrations_of_one_unit_in_one_cycle_are_listed_and_need_a_check(
    rt, people, by_hand
):
    hong_tien = unit_id(rt, COMPANY_2)
    by_hand.apply([Append("registrations", registration_cells(hong_tien, "LAN-2"))])
    fresh = reopen(rt)
    wb = fresh.workbook()
    row = row_number(by_hand, "registrations", plan_number="LAN-2")
    found = [p for p in wb.problems if p.row == row]
    assert found and found[0].column == "Mã đơn vị" and "hai bản đăng ký" in found[0].message
    assert status.unit_status(wb, wb.cycles[OPEN], wb.units[hong_tien]) == status.NEEDS_CHECK


def test_a_unit_row_with_an_unknown_kind_or_upper_unit_is_listed_with_its_row(rt, by_hand):
    by_hand.apply(
        [
            Append(
                "units",
                {
                    "id": "DV-TAY-1",
                    "name": "Đoàn xã Mẫu Tay 1",
                    "kind": "Thôn",
                    "parent_id": unit_id(rt, COMPANY_2),
                    "active": "Có",
                },
            ),
            Append(
                "units",
                {
                    "id": "DV-TAY-2",
                    "name": "Đoàn xã Mẫu Tay 2",
                    "kind": "Xã",
                    "parent_id": "DV-9999",
                    "active": "Có",
                },
            ),
        ]
    )
    wb = reopen(rt).workbook()
    by_row = {p.row: p for p in wb.problems}
    kind = by_row[row_number(by_hand, "units", id="DV-TAY-1")]
    orphan = by_row[row_number(by_hand, "units", id="DV-TAY-2")]
    assert kind.column == "Loại đơn vị" and "phải là một trong" in kind.message
    assert orphan.column == "Mã đơn vị cấp trên" and "không tồn tại" in orphan.message
    assert "DV-TAY-1" not in wb.units


def test_a_blank_row_a_person_left_is_not_a_problem(rt, by_hand):
    by_hand.apply([Append("registrations", {"id": ""})])
    assert reopen(rt).workbook().problems == []


def test_no_tab_at_all_is_an_empty_workbook_not_a_crash():
    wb = Workbook.parse({})
    assert wb.units == {} and wb.problems == []


def test_a_row_pointing_at_a_unit_whose_own_row_is_unreadable_says_which_row_to_fix(rt, by_hand):
    uid = unit_id(rt, COMPANY_2)
    by_hand.apply([Append("registrations", registration_cells(uid, "X1"))])
    row = rt.workbook().row_numbers[("units", uid)]
    with by_hand.engine.begin() as conn:  # a person types words into the unit's member count
        conn.exec_driver_sql("UPDATE units SET members = 'nhiều' WHERE id = ?", (uid,))

    wb = reopen(rt).workbook()
    pointing = [p for p in wb.problems if p.tab == "registrations" and p.record_id == "DK-TAY-X1"]
    assert [p.message for p in pointing] == [
        f"Đăng ký DK-TAY-X1 trỏ tới đơn vị {uid} ở hàng {row} bảng Đơn vị, hàng đó chưa đọc được"
    ]
    assert any(p.tab == "units" and p.row == row for p in wb.problems)  # the row to fix
