"""Scope: every role, through the services, reading and writing records outside its subtree.

Each refused call must raise a typed error and leave every tab (the audit log included) exactly as
it was. Reads that are allowed but filtered must return only units inside the person's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from schemas.models import RegistrationState
from services.core.access import Role, scope
from services.core.errors import AccessDenied, DomainError
from services.overview import home
from services.people import units, users
from services.registration import cycles, dashboard, plans, rollups, status
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    OFFICER_BLOC,
    OPEN,
    POLICE_1,
    POLICE_UNION,
    plan,
    unit_form,
)
from tests.support.scope import CO_QUAN, KHOI_CO_QUAN, PAST, Attempt, World, everything
from tests.support.scope import world as world  # noqa: F401 - the fixture, by its name


def new_user(w: World) -> dict[str, Any]:
    return {
        "email": "moi@mau.example",
        "name": "Người mới (mẫu)",
        "role": Role.PROVINCE.value,
        "unit_id": w.id("Tỉnh đoàn Hưng Yên"),
    }


def cycle_draft(year: int = 2031) -> cycles.CycleDraft:
    return cycles.CycleDraft(
        year, f"Năm {year}", "3cd-2023-2027@1", date(year - 1, 10, 9), date(year - 1, 10, 14)
    )


def new_unit(parent: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"name": "Đoàn xã Mẫu Mới", "kind": "Xã", "parent_id": w.id(parent)}


# (who, what is attempted) — every one of these must be refused and change nothing.
REFUSED: list[tuple[str, str, Attempt]] = [
    # ---- reading units and registrations outside one's subtree --------------------------------
    ("secretary", "get a neighbouring unit", lambda w, a: units.get_unit(w.rt, a, w.id(COMPANY_2))),
    (
        "secretary",
        "get its own upper unit",
        lambda w, a: units.get_unit(w.rt, a, w.id(OFFICER_BLOC)),
    ),
    ("upper", "get another district's unit", lambda w, a: units.get_unit(w.rt, a, w.id(POLICE_1))),
    ("upper", "get the province unit", lambda w, a: units.get_unit(w.rt, a, w.id(KHOI_CO_QUAN))),
    (
        "viewer",
        "get a Đoàn Khối DN Mẫu 2 unit",
        lambda w, a: units.get_unit(w.rt, a, w.id(COMPANY_1)),
    ),
    (
        "other_upper",
        "get a Đoàn Khối DN Mẫu 2 unit",
        lambda w, a: units.get_unit(w.rt, a, w.id(COMPANY_2)),
    ),
    *[
        (
            who,
            "read Công ty Mẫu 2's registration",
            lambda w, a: plans.registration_of(w.rt, a, OPEN, w.id(COMPANY_2)),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "read a Công an tỉnh registration",
        lambda w, a: plans.registration_of(w.rt, a, PAST, w.id(POLICE_1)),
    ),
    *[
        (
            who,
            "get the receipt of Công ty Mẫu 2's registration",
            lambda w, a: plans.receipt_for(w.rt, a, w.registration(OPEN, COMPANY_2)),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "get the receipt of a Công an tỉnh registration",
        lambda w, a: plans.receipt_for(w.rt, a, w.any_registration_below(PAST, POLICE_UNION)),
    ),
    *[
        (
            who,
            "read Công ty Mẫu 2's deadline",
            lambda w, a: plans.deadline_for(w.rt, a, OPEN, w.id(COMPANY_2)),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "read Công an Mẫu 1's deadline",
        lambda w, a: plans.deadline_for(w.rt, a, OPEN, w.id(POLICE_1)),
    ),
    # ---- roll-ups of another upper unit --------------------------------------------------------
    *[
        (
            who,
            "preview Đoàn Khối DN Mẫu 2's roll-up",
            lambda w, a: rollups.preview(w.rt, a, OPEN, w.id(OFFICER_BLOC)),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "preview Công an tỉnh's roll-up",
        lambda w, a: rollups.preview(w.rt, a, OPEN, w.id(POLICE_UNION)),
    ),
    (
        "viewer",
        "preview the province",
        lambda w, a: rollups.preview(w.rt, a, OPEN, w.id("Tỉnh đoàn Hưng Yên")),
    ),
    *[
        (
            who,
            "read Công an tỉnh's sent roll-up",
            lambda w, a: rollups.report_of(w.rt, a, PAST, w.id(POLICE_UNION)),
        )
        for who in ("secretary", "viewer", "upper")
    ],
    (
        "other_upper",
        "read Đoàn Khối DN Mẫu 2's sent roll-up",
        lambda w, a: rollups.report_of(w.rt, a, PAST, w.id(OFFICER_BLOC)),
    ),
    *[
        (
            who,
            "download Công an tỉnh's roll-up",
            lambda w, a: rollups.report_xlsx(w.rt, a, w.report(PAST, POLICE_UNION)),
        )
        for who in ("secretary", "viewer", "upper")
    ],
    (
        "upper",
        "send Công an tỉnh's roll-up",
        lambda w, a: rollups.send_rollup(w.rt, a, OPEN, w.id(POLICE_UNION), "", "k1"),
    ),
    *[
        (
            who,
            "send Đoàn Khối DN Mẫu 2's roll-up",
            lambda w, a: rollups.send_rollup(w.rt, a, OPEN, w.id(OFFICER_BLOC), "", "k1"),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "viewer",
        "send its own unit's roll-up",
        lambda w, a: rollups.send_rollup(w.rt, a, OPEN, w.id(KHOI_CO_QUAN), "", "k1"),
    ),
    # ---- registering and reviewing for another unit --------------------------------------------
    *[
        (
            who,
            "register a plan for Công ty Mẫu 1",
            lambda w, a: plans.register_plan(
                w.rt, a, OPEN, w.id(COMPANY_1), plan(), "k1", received_on=date(2026, 11, 24)
            ),
        )
        for who in ("viewer", "other_upper")
    ],
    (
        "secretary",
        "register a plan for its neighbour Công ty Mẫu 2",
        lambda w, a: plans.register_plan(
            w.rt, a, OPEN, w.id(COMPANY_2), plan(), "k1", received_on=date(2026, 11, 24)
        ),
    ),
    (
        "upper",
        "enter a paper plan for Công an Mẫu 1 (Công an tỉnh)",
        lambda w, a: plans.register_plan(
            w.rt, a, OPEN, w.id(POLICE_1), plan(), "k1", received_on=date(2026, 11, 24)
        ),
    ),
    *[
        (
            who,
            "accept Công ty Mẫu 2's registration",
            lambda w, a: plans.accept(w.rt, a, w.registration(OPEN, COMPANY_2), "k1"),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    *[
        (
            who,
            "return Công ty Mẫu 2's registration",
            lambda w, a: plans.return_for_correction(
                w.rt, a, w.registration(OPEN, COMPANY_2), "Sửa lại", "k1"
            ),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "return a Công an tỉnh registration",
        lambda w, a: plans.return_for_correction(
            w.rt, a, w.any_registration_below(PAST, POLICE_UNION), "Sửa lại", "k1"
        ),
    ),
    *[
        (
            who,
            "extend Công ty Mẫu 1's deadline",
            lambda w, a: plans.grant_extension(
                w.rt, a, OPEN, w.id(COMPANY_1), date(2026, 12, 31), "Lý do", "k1"
            ),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "extend Công an Mẫu 1's deadline",
        lambda w, a: plans.grant_extension(
            w.rt, a, OPEN, w.id(POLICE_1), date(2026, 12, 31), "Lý do", "k1"
        ),
    ),
    # ---- the unit register ---------------------------------------------------------------------
    (
        "upper",
        "add a unit under Công an tỉnh",
        lambda w, a: units.add_unit(w.rt, a, new_unit(POLICE_UNION)(w), "k1"),
    ),
    *[
        (
            who,
            "add a unit under Đoàn Khối DN Mẫu 2",
            lambda w, a: units.add_unit(w.rt, a, new_unit(OFFICER_BLOC)(w), "k1"),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "add a second province",
        lambda w, a: units.add_unit(w.rt, a, {"name": "Tỉnh đoàn Mới", "kind": "Tỉnh đoàn"}, "k1"),
    ),
    (
        "upper",
        "edit Công an Mẫu 1 (Công an tỉnh)",
        lambda w, a: units.edit_unit(
            w.rt, a, w.unit(POLICE_1), unit_form(w.unit(POLICE_1), secretary="X"), "k1"
        ),
    ),
    (
        "upper",
        "edit its own district",
        lambda w, a: units.edit_unit(
            w.rt, a, w.unit(OFFICER_BLOC), unit_form(w.unit(OFFICER_BLOC), secretary="X"), "k1"
        ),
    ),
    (
        "upper",
        "move Công ty Mẫu 1 into Công an tỉnh",
        lambda w, a: units.edit_unit(
            w.rt,
            a,
            w.unit(COMPANY_1),
            unit_form(w.unit(COMPANY_1), parent_id=w.id(POLICE_UNION)),
            "k1",
        ),
    ),
    *[
        (
            who,
            "edit Công ty Mẫu 1",
            lambda w, a: units.edit_unit(
                w.rt, a, w.unit(COMPANY_1), unit_form(w.unit(COMPANY_1), secretary="X"), "k1"
            ),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "assign an officer to Công an Mẫu 1",
        lambda w, a: units.assign_officer(w.rt, a, w.unit(POLICE_1), "Ai đó", "k1"),
    ),
    *[
        (
            who,
            "assign an officer to Công ty Mẫu 1",
            lambda w, a: units.assign_officer(w.rt, a, w.unit(COMPANY_1), "Ai đó", "k1"),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    # ---- province-only settings ----------------------------------------------------------------
    *[
        (who, "create a cycle", lambda w, a: cycles.save_cycle(w.rt, a, cycle_draft(), "k1"))
        for who in ("upper", "secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "edit the open cycle's cut-off",
        lambda w, a: cycles.save_cycle(
            w.rt, a, cycle_draft(2027), "k1", loaded=w.rt.workbook().cycles[OPEN]
        ),
    ),
    *[
        (who, "add a user", lambda w, a: users.add_user(w.rt, a, new_user(w), "k1"))
        for who in ("upper", "secretary", "viewer", "other_upper")
    ],
    *[
        (
            who,
            "make itself province staff",
            lambda w, a: users.edit_user(
                w.rt,
                a,
                w.rt.workbook().user_by_email(a.id) or w.user(a.role),
                {**new_user(w), "email": a.id},
                "k1",
            ),
        )
        for who in ("upper", "secretary", "viewer")
    ],
    *[
        (who, "list users", lambda w, a: users.list_users(w.rt, a))
        for who in ("upper", "secretary", "viewer")
    ],
]


# Refused by a rule other than scope, still before anything is written.
OTHER_REFUSAL = {"add a second province"}


@pytest.mark.parametrize(
    ("who", "what", "attempt"),
    [pytest.param(who, what, fn, id=f"{who}: {what}") for who, what, fn in REFUSED],
)
def test_an_out_of_scope_attempt_is_refused_and_changes_nothing(world, who, what, attempt):
    actor = world.people[who]
    before = everything(world.rt)
    with pytest.raises(DomainError) as refused:
        attempt(world, actor)
    assert what in OTHER_REFUSAL or isinstance(refused.value, AccessDenied), refused.value
    assert everything(world.rt) == before


# ---- a submission key that happens to name someone else's record ------------------------------
# Every create derives its record id from the form's idempotency key, and a retried submission
# returns the record already stored under that id. A key naming another unit's record must not
# hand that record out (nor write anything).

REPLAYED: list[tuple[str, str, Attempt]] = [
    (
        "secretary",
        "add a unit with the key of the province's id",
        lambda w, a: units.add_unit(
            w.rt, a, new_unit(OFFICER_BLOC)(w), w.id("Tỉnh đoàn Hưng Yên").removeprefix("DV-")
        ),
    ),
    (
        "upper",
        "add a unit under its Đoàn Khối with the key of Công an Mẫu 1's id",
        lambda w, a: units.add_unit(
            w.rt, a, new_unit(OFFICER_BLOC)(w), w.id(POLICE_1).removeprefix("DV-")
        ),
    ),
    (
        "secretary",
        "register its own plan with the key of Công ty Mẫu 2's registration id",
        lambda w, a: plans.register_plan(
            w.rt, a, OPEN, a.unit_id, plan(), w.registration(OPEN, COMPANY_2).id.removeprefix("DK-")
        ),
    ),
    (
        "upper",
        "send its roll-up with the key of Công an tỉnh's report id",
        lambda w, a: rollups.send_rollup(
            w.rt, a, OPEN, a.unit_id, "", w.report(PAST, POLICE_UNION).id.removeprefix("BC-")
        ),
    ),
]


@pytest.mark.parametrize(
    ("who", "attempt"),
    [pytest.param(who, fn, id=f"{who}: {what}") for who, what, fn in REPLAYED],
)
def test_a_key_naming_another_units_record_neither_returns_it_nor_writes(world, who, attempt):
    before = everything(world.rt)
    with pytest.raises(DomainError):
        attempt(world, world.people[who])
    assert everything(world.rt) == before


# ---- reads that are allowed but must show only the person's own subtree ------------------------

ROLES = ("province", "upper", "secretary", "viewer", "other_upper")


def subtree_names(w: World, who: str) -> set[str]:
    wb = w.rt.workbook()
    return {wb.units[u].name for u in scope(wb, w.people[who])}


@pytest.mark.parametrize("who", ROLES)
def test_the_unit_register_lists_only_units_in_scope(world, who):
    wb = world.rt.workbook()
    allowed = subtree_names(world, who)
    listed = {line.unit.name for line in units.list_units(world.rt, world.people[who])}
    assert listed and listed <= allowed
    for extra in (
        units.upper_units(world.rt, world.people[who]),
        units.parent_choices(world.rt, world.people[who]),
        units.manageable_units(world.rt, world.people[who]),
    ):
        assert {u.name for u in extra} <= allowed
    if who != "province":
        assert len(listed) < len(wb.units)


@pytest.mark.parametrize("who", ["upper", "secretary", "viewer", "other_upper"])
def test_filtering_the_register_by_an_outside_upper_unit_shows_nothing(world, who):
    outside = POLICE_UNION if who != "other_upper" else OFFICER_BLOC
    assert units.list_units(world.rt, world.people[who], parent_id=world.id(outside)) == []


@pytest.mark.parametrize("who", ROLES)
def test_the_dashboard_shows_only_units_in_scope(world, who):
    actor = world.people[who]
    wb = world.rt.workbook()
    allowed = subtree_names(world, who)
    board = dashboard.registration_board(world.rt, actor, OPEN)
    assert set(board.not_registered["unit"]) <= allowed
    assert set(board.not_registered["upper"]) <= allowed | {
        wb.unit_name(wb.units[actor.unit_id].parent_id or "")
    }
    assert set(board.rollups["unit"]) <= allowed
    assert sum(board.totals.values()) == len(wb.grassroots(scope(wb, actor)))
    groups = set(board.by_group["group"])
    assert groups <= allowed


def test_a_viewer_of_a_doan_khoi_does_not_see_province_wide_figures(world):
    """The board is shared between sessions: a province board computed first must not leak."""
    dashboard.registration_board(world.rt, world.people["province"], OPEN)
    viewer = dashboard.registration_board(world.rt, world.people["viewer"], OPEN)
    wb = world.rt.workbook()
    khoi = len(wb.grassroots(wb.subtree(world.id(KHOI_CO_QUAN))))
    assert sum(viewer.totals.values()) == khoi < len(wb.grassroots(wb.units))
    assert CO_QUAN in set(viewer.by_group["group"]) | set(viewer.not_registered["unit"]) or (
        viewer.totals[status.NOT_YET] == 0
    )
    assert COMPANY_2 not in set(viewer.not_registered["unit"])
    assert list(viewer.rollups["unit"]) == [KHOI_CO_QUAN]


@pytest.mark.parametrize("who", ROLES)
def test_the_home_page_counts_only_units_in_scope(world, who):
    actor = world.people[who]
    wb = world.rt.workbook()
    todo = home.todo(world.rt, actor)
    if actor.role is Role.SECRETARY:
        assert all(COMPANY_2 not in item for item in todo.items)
    else:
        assert todo.items[0].endswith(
            f"/ {len(wb.grassroots(scope(wb, actor)))} đoàn cơ sở chưa đăng ký."
        )


@pytest.mark.parametrize("who", ROLES)
def test_only_ones_own_upper_unit_can_be_reported(world, who):
    actor = world.people[who]
    reporting = set(rollups.reporting_units(world.rt, actor))
    if actor.role is Role.PROVINCE:
        assert world.id(OFFICER_BLOC) in reporting and world.id(POLICE_UNION) in reporting
    elif actor.role is Role.UPPER:
        assert reporting == {actor.unit_id}
    else:
        assert reporting == set()


def test_the_in_scope_calls_of_the_table_do_succeed_for_the_right_person(world):
    """The refusals above are about scope, not broken inputs: the rightful person gets through."""
    rt, upper = world.rt, world.people["upper"]
    units.get_unit(rt, upper, world.id(COMPANY_1))
    rollups.preview(rt, upper, OPEN, world.id(OFFICER_BLOC))
    plans.grant_extension(rt, upper, OPEN, world.id(COMPANY_1), date(2026, 12, 31), "Lý do", "k1")
    units.assign_officer(rt, upper, world.unit(COMPANY_1), "Ai đó", "k2")
    units.edit_unit(
        rt, upper, world.unit(COMPANY_2), unit_form(world.unit(COMPANY_2), secretary="X"), "k3"
    )
    units.add_unit(rt, upper, new_unit(OFFICER_BLOC)(world), "k4")
    accepted = plans.accept(rt, upper, world.registration(OPEN, COMPANY_2), "k5")
    assert accepted.state is RegistrationState.ACCEPTED
    other = world.people["other_upper"]
    if world.registration(OPEN, POLICE_1) is None:
        plans.register_plan(
            rt, other, OPEN, world.id(POLICE_1), plan(), "k6", received_on=date(2026, 11, 24)
        )
    rollups.send_rollup(rt, other, OPEN, world.id(POLICE_UNION), "", "k7")
    cycles.save_cycle(rt, world.people["province"], cycle_draft(), "k8")
    users.add_user(rt, world.people["province"], new_user(world), "k9")
