"""Changes of the unit tree over time, on every engine: merge, split, rename, move, abolish,
reversal; a past cycle's figures are the same before and after each change."""

from __future__ import annotations

import json
from datetime import date

import pytest

from schemas import tabs
from schemas.criteria import load_catalogue
from schemas.models import Role, UnitKind
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput, NotAllowed
from services.core.runtime import Runtime
from services.people import unit_changes as uc
from services.people.unit_changes import ChangeRequest, NewUnit
from services.registration import dashboard
from services.storage import Append
from services.storage.cache import CachedStore
from tests.support.builders import audit_rows
from tests.support.engines import ENGINES
from tests.support.province import Province

K = uc.K
MERGER = date(2025, 7, 1)


@pytest.fixture(params=sorted(ENGINES))
def province(request, tmp_path, clock) -> Province:
    """The small province on each engine, with cycles 2024–2026 and a few registrations."""
    rt = Runtime(CachedStore(ENGINES[request.param](request, tmp_path)), clock, load_catalogue())
    p = Province(rt)
    for year in (2024, 2025, 2026):
        p.cycle(year)
    for key in ("a1", "a2", "b1"):
        p.register(2024, key)
        p.register(2025, key)
    p.register(2025, "a3", on_time=False)
    return p


def figures(p: Province, year: int) -> dict[str, int]:
    board = dashboard.registration_board(p.rt, p.actor("P"), p.cycles[year]["id"])
    return board.totals


def merge(p: Province, *keys: str, name: str = "Đoàn xã Mẫu Mới", key: str = "merge-1"):
    request = ChangeRequest(
        K.MERGE,
        MERGER,
        "12-QĐ/TĐTN",
        tuple(p.id(k) for k in keys),
        new_units=(NewUnit(name, UnitKind.XA, p.id("P")),),
    )
    return uc.apply_change(p.rt, p.actor("P"), request, key)


def test_a_merge_preview_lists_the_units_ended_created_and_the_users_moved(province):
    p = province
    p.rt.store.apply([Append(tabs.USERS.name, _user("ND-1", "bithu.a1@mau.example", p.id("a1")))])
    request = ChangeRequest(
        K.MERGE,
        MERGER,
        "12-QĐ/TĐTN",
        (p.id("a1"), p.id("a2")),
        new_units=(NewUnit("Đoàn xã Mẫu Mới", UnitKind.XA, p.id("P")),),
    )
    plan = uc.plan_change(p.rt, p.actor("P"), request, "merge-1")
    assert not plan.problems
    assert [u.name for u in plan.ended] == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu A2"]
    assert [c["name"] for c in plan.created] == ["Đoàn xã Mẫu Mới"]
    assert [(m.user.email, m.action) for m in plan.users] == [
        ("bithu.a1@mau.example", "Chuyển sang Đoàn xã Mẫu Mới")
    ]
    assert p.rt.workbook().units[p.id("a1")].valid_until is None  # nothing written by a preview


def test_a_merge_into_a_new_unit_keeps_past_cycles_figures(province):
    p = province
    before = {year: figures(p, year) for year in (2024, 2025)}
    change = merge(p, "a1", "a2")
    wb = p.rt.workbook()
    new = next(u for u in wb.units.values() if u.name == "Đoàn xã Mẫu Mới")
    assert new.predecessor_ids == (p.id("a1"), p.id("a2"))
    assert new.valid_from == MERGER and wb.units[p.id("a1")].valid_until == MERGER
    assert not wb.units[p.id("a1")].active
    assert figures(p, 2024) == before[2024]
    # the merger cycle counts the successor once, registered through its predecessors
    after_2025 = figures(p, 2025)
    assert sum(after_2025.values()) == sum(before[2025].values()) - 1
    assert change.decision_number == "12-QĐ/TĐTN"
    assert any(r["action"] == uc.ACTION and r["tab"] == "unit_changes" for r in audit_rows(p.rt))


def test_a_merge_into_an_existing_unit_adds_its_predecessors(province):
    p = province
    request = ChangeRequest(K.MERGE, MERGER, "13-QĐ/TĐTN", (p.id("a3"),), target_id=p.id("a2"))
    before = figures(p, 2024)
    uc.apply_change(p.rt, p.actor("P"), request, "merge-2")
    wb = p.rt.workbook()
    assert wb.units[p.id("a2")].predecessor_ids == (p.id("a3"),)
    assert wb.units[p.id("a3")].valid_until == MERGER
    assert figures(p, 2024) == before
    expected_2026 = {u.id for u in wb.expected(wb.units, wb.cycles[p.cycles[2026]["id"]])}
    assert p.id("a3") not in expected_2026 and p.id("a2") in expected_2026


def test_a_split_forms_two_units_and_disables_the_old_units_users(province):
    p = province
    p.rt.store.apply([Append(tabs.USERS.name, _user("ND-1", "bithu.b1@mau.example", p.id("b1")))])
    before = figures(p, 2024)
    request = ChangeRequest(
        K.SPLIT,
        MERGER,
        "14-QĐ/TĐTN",
        (p.id("b1"),),
        new_units=(
            NewUnit("Đoàn xã Mẫu B1 Bắc", UnitKind.XA, p.id("B")),
            NewUnit("Đoàn xã Mẫu B1 Nam", UnitKind.XA, p.id("B")),
        ),
    )
    uc.apply_change(p.rt, p.actor("P"), request, "split-1")
    wb = p.rt.workbook()
    made = [u for u in wb.units.values() if u.name.startswith("Đoàn xã Mẫu B1 ")]
    assert len(made) == 2 and all(u.predecessor_ids == (p.id("b1"),) for u in made)
    assert not wb.users["ND-1"].active
    assert figures(p, 2024) == before


def test_a_rename_keeps_the_unit_and_its_past(province):
    p = province
    before = figures(p, 2024)
    request = ChangeRequest(
        K.RENAME, MERGER, "15-QĐ/TĐTN", (p.id("b2"),), new_name="Đoàn phường Mẫu B2"
    )
    uc.apply_change(p.rt, p.actor("B"), request, "rename-1")
    assert p.rt.workbook().units[p.id("b2")].name == "Đoàn phường Mẫu B2"
    assert figures(p, 2024) == before


def test_a_move_changes_the_parent_but_not_a_past_registrations_upper_unit(province):
    p = province
    before = figures(p, 2024)
    request = ChangeRequest(K.MOVE, MERGER, "16-QĐ/TĐTN", (p.id("a1"),), target_id=p.id("P"))
    uc.apply_change(p.rt, p.actor("P"), request, "move-1")
    wb = p.rt.workbook()
    assert wb.units[p.id("a1")].parent_id == p.id("P")
    assert wb.registration(p.cycles[2024]["id"], p.id("a1")).upper_unit_id == p.id("A")
    assert figures(p, 2024) == before


def test_an_upper_unit_cannot_move_a_unit_out_of_its_subtree(province):
    p = province
    request = ChangeRequest(K.MOVE, MERGER, "16-QĐ/TĐTN", (p.id("a1"),), target_id=p.id("B"))
    with pytest.raises(AccessDenied):
        uc.plan_change(p.rt, p.actor("A"), request, "move-2")


def test_only_province_staff_merge(province):
    p = province
    request = ChangeRequest(K.MERGE, MERGER, "1", (p.id("a1"), p.id("a2")), target_id=p.id("a3"))
    with pytest.raises(AccessDenied):
        uc.plan_change(p.rt, p.actor("A"), request, "merge-x")


def test_abolishing_an_upper_unit_reparents_its_units_in_one_step(province):
    p = province
    p.rt.store.apply([Append(tabs.USERS.name, _user("ND-2", "canbo.a@mau.example", p.id("A")))])
    before = figures(p, 2024)
    request = ChangeRequest(K.ABOLISH, MERGER, "17-QĐ/TĐTN", (p.id("A"),), target_id=p.id("P"))
    plan = uc.plan_change(p.rt, p.actor("P"), request, "abolish-1")
    assert [m.action for m in plan.users] == ["Khóa truy cập"]
    uc.apply_change(p.rt, p.actor("P"), request, "abolish-1")
    wb = p.rt.workbook()
    assert {wb.units[p.id(k)].parent_id for k in ("a1", "a2", "a3")} == {p.id("P")}
    assert wb.units[p.id("A")].valid_until == MERGER and not wb.users["ND-2"].active
    assert figures(p, 2024) == before


def test_a_refused_change_writes_nothing(province):
    p = province
    rows = len(audit_rows(p.rt))
    request = ChangeRequest(K.MERGE, MERGER, "", (p.id("a1"),))
    with pytest.raises(InvalidInput) as refused:
        uc.apply_change(p.rt, p.actor("P"), request, "merge-bad")
    assert "Số quyết định: bắt buộc phải nhập" in refused.value.messages
    assert len(audit_rows(p.rt)) == rows


def test_a_change_applied_twice_with_the_same_key_is_stored_once(province):
    p = province
    merge(p, "a1", "a2")
    merge(p, "a1", "a2")
    assert len(p.rt.workbook().unit_changes) == 1


def test_a_merge_is_reversed_while_nothing_refers_to_the_new_unit(province):
    p = province
    before = {year: figures(p, year) for year in (2024, 2025, 2026)}
    change = merge(p, "a1", "a2")
    uc.reverse_change(p.rt, p.actor("P"), change.id, "undo-1")
    wb = p.rt.workbook()
    assert wb.units[p.id("a1")].valid_until is None and wb.units[p.id("a1")].active
    assert wb.unit_changes[change.id].reversed
    assert {year: figures(p, year) for year in (2024, 2025, 2026)} == before


def test_a_reversal_is_refused_naming_the_records_made_for_the_new_unit(province):
    p = province
    merge(p, "a1", "a2")
    new_id = next(u.id for u in p.rt.workbook().units.values() if u.name == "Đoàn xã Mẫu Mới")
    p.cells["new"] = {**p.rt.workbook().units[new_id].cells, "parent_id": p.id("P")}
    p.register(2026, "new")
    change = next(iter(p.rt.workbook().unit_changes.values()))
    with pytest.raises(NotAllowed) as refused:
        uc.reverse_change(p.rt, p.actor("P"), change.id, "undo-2")
    assert "Đăng ký DK-2026-" in str(refused.value) and "Đoàn xã Mẫu Mới" in str(refused.value)


def test_only_province_staff_reverse(province):
    p = province
    change = merge(p, "a1", "a2")
    with pytest.raises(AccessDenied):
        uc.reverse_change(p.rt, p.actor("A"), change.id, "undo-3")


def test_the_change_row_keeps_what_it_did(province):
    p = province
    change = merge(p, "a1", "a2")
    detail = json.loads(change.plan)
    assert detail["units"][p.id("a1")]["valid_until"] == ["", "2025-07-01"]
    assert change.summary.startswith("Hợp nhất Đoàn xã Mẫu A1, Đoàn xã Mẫu A2 vào Đoàn xã Mẫu Mới")


def _user(user_id: str, email: str, unit_id: str) -> dict[str, str]:
    return {
        "id": user_id,
        "email": email,
        "name": "Người dùng mẫu",
        "role": Role.SECRETARY.value,
        "unit_id": unit_id,
        "active": "Có",
        "version": "1",
    }


_ = Actor  # the actors come from the small province
