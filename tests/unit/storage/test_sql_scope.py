"""A server scoped to one unit's subtree (`[store] scope`) reads exactly its part of the database,
shows its people the same screens as a server holding everything, and keeps its snapshot right
through its own writes and other servers' moves of units — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pytest

from schemas import tabs
from schemas.tabs import SCREEN_TABS
from services import demo
from services.core.access import Role
from services.people import units
from services.registration import dashboard, plans
from services.storage import Row, Update
from services.storage.sql import SqlStore
from tests.support.builders import OPEN, officer_of, plan
from tests.support.national import (
    OTHER_UNIT,
    OTHER_UPPER,
    add_other_province,
    bloc_of,
    runtime,
    seed_demo,
)

Rows = dict[str, list[Row]]


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request, tmp_path) -> Callable[[str], SqlStore]:
    """Opens the test's one database, scoped to a unit id or ('') not; closed after the test."""
    url = (
        f"sqlite:///{tmp_path / 'national.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )

    def open_store(scope: str = "") -> SqlStore:
        store = SqlStore(url, scope=scope)
        request.addfinalizer(store.engine.dispose)
        return store

    return open_store


@pytest.fixture
def national(opener, clock) -> dict[str, str]:
    """The demo province and another province in one database; the scopes the tests use."""
    whole = opener()
    seed_demo(whole, clock)
    add_other_province(whole)
    wb = runtime(whole, clock).workbook()
    return {"province": wb.root_ids()[0], "bloc": bloc_of(wb)}


def expected_part(whole: Rows, unit_id: str) -> Rows:
    """The rows a server scoped to `unit_id` should hold, picked from a full read in Python."""
    children: dict[str, list[str]] = defaultdict(list)
    parent = {}
    for row in whole["units"]:
        children[row.cells["parent_id"]].append(row.cells["id"])
        parent[row.cells["id"]] = row.cells["parent_id"]
    below, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in below:
            below.add(current)
            stack += children.get(current, [])
    above, at = set(), parent.get(unit_id, "")
    while at and at not in above:
        above.add(at)
        at = parent.get(at, "")

    def ids(tab: str, keep: Callable[[dict], bool]) -> set[str]:
        return {r.cells["id"] for r in whole[tab] if keep(r.cells)}

    assessed = ids("assessments", lambda c: c["unit_id"] in below)
    reported = ids("upper_reports", lambda c: c["unit_id"] in below)
    recognised = {
        r.cells["decision_id"] for r in whole["decision_units"] if r.cells["unit_id"] in below
    }
    keep: dict[str, Callable[[dict], bool]] = {
        "units": lambda c: c["id"] in below | above,
        "assessment_items": lambda c: c["assessment_id"] in assessed,
        "upper_report_units": lambda c: c["report_id"] in reported,
        "decisions": lambda c: c["unit_id"] in below or c["id"] in recognised,
        "audit_log": lambda c: c["unit_id"] in below or not c["unit_id"],
    }
    by_unit = ("users", "registrations", "extensions", "upper_reports", "assessments")
    by_unit += ("document_texts", "reminders", "decision_units")
    keep |= {tab: (lambda c: c["unit_id"] in below) for tab in by_unit}
    return {
        tab: [r for r in rows if keep.get(tab, lambda c: True)(dict(r.cells))]
        for tab, rows in whole.items()
    }


@pytest.mark.parametrize("scope", ["province", "bloc"])
def test_a_scoped_store_reads_exactly_the_rows_of_its_subtree(opener, national, scope):
    everything = opener().read([*SCREEN_TABS, tabs.AUDIT_LOG.name])
    part = opener(national[scope]).read([*SCREEN_TABS, tabs.AUDIT_LOG.name])

    assert part == expected_part(everything, national[scope])
    # not a vacuous comparison: the other province is left out, and every kind of row is there
    assert OTHER_UNIT not in {r.cells["id"] for r in part["units"]}
    assert len(part["registrations"]) < len(everything["registrations"])
    for tab in ("registrations", "assessments", "assessment_items", "decisions", "reminders"):
        assert part[tab], tab
    audit = {r.cells["id"] for r in part["audit_log"]}
    assert "NK-GH-DEMO" in audit and "NK-GH-KHAC" not in audit
    assert part["cycles"] == everything["cycles"]  # belongs to nobody: whole


def test_a_server_scoped_to_an_upper_unit_reads_its_ancestors_and_a_decision_from_above(
    opener, national
):
    part = opener(national["bloc"]).read(["units", "decisions"])

    assert national["province"] in {r.cells["id"] for r in part["units"]}
    assert "QD-DEMO" in {r.cells["id"] for r in part["decisions"]}  # the province's, for our unit


def frames(board: dashboard.RegistrationBoard) -> dict[str, object]:
    """A board as plain values (its tables as lists of rows), to compare two boards."""
    return {
        name: value.to_dict("records") if isinstance(value, pd.DataFrame) else value
        for name, value in vars(board).items()
    }


@pytest.mark.parametrize("scope", ["province", "bloc"])
def test_an_officer_sees_the_same_board_and_units_on_a_scoped_server(
    opener, national, clock, scope
):
    whole = runtime(opener(), clock)
    part = runtime(opener(national[scope]), clock)
    officer = officer_of(whole, bloc_name(whole, national))

    assert frames(dashboard.registration_board(part, officer, OPEN)) == frames(
        dashboard.registration_board(whole, officer, OPEN)
    )
    assert units.list_units(part, officer) == units.list_units(whole, officer)


def bloc_name(rt, national: dict[str, str]) -> str:
    return rt.workbook().units[national["bloc"]].name


def test_province_staff_on_their_provinces_server_see_what_a_store_of_their_province_shows(
    opener, clock
):
    whole = opener()
    seed_demo(whole, clock)
    alone = runtime(whole, clock)  # the demo province alone in the database, not scoped
    staff = next(replace(a, demo=False) for a in demo.demo_actors(alone) if a.role is Role.PROVINCE)
    board_alone = frames(dashboard.registration_board(alone, staff, OPEN))
    units_alone = units.list_units(alone, staff)
    add_other_province(whole)
    unscoped = runtime(opener(), clock)
    scoped = runtime(opener(staff.unit_id), clock)

    assert frames(dashboard.registration_board(scoped, staff, OPEN)) == board_alone
    assert units.list_units(scoped, staff) == units_alone
    # what the scope spares them: unscoped, the other province is counted in their view
    assert len(units.list_units(unscoped, staff)) == len(units_alone) + 3


def test_a_write_through_a_scoped_runtime_is_patched_and_equals_a_fresh_scoped_read(
    opener, national, clock
):
    rt = runtime(opener(national["bloc"]), clock)
    officer = officer_of(rt, bloc_name(rt, national))
    wb = rt.workbook()
    unit_id = next(
        u.id
        for u in wb.grassroots(wb.subtree(national["bloc"]))
        if wb.registration(OPEN, u.id) is None
    )
    reads, patched = rt.store.reads, rt.store.patched

    plans.register_plan(
        rt, officer, OPEN, unit_id, plan(), "scoped-1", received_on=clock.now().date()
    )

    assert rt.store.patched == patched + 1 and rt.store.reads == reads  # nothing read again
    assert rt.store.snapshot().tabs == opener(national["bloc"]).read(SCREEN_TABS)
    assert rt.workbook().registration(OPEN, unit_id) is not None


def test_a_unit_moved_out_of_the_scope_by_another_server_leaves_with_its_rows(
    opener, national, clock
):
    rt = runtime(opener(national["bloc"]), clock)
    wb = rt.workbook()
    leaving = next(
        u.id
        for u in wb.grassroots(wb.subtree(national["bloc"]))
        if wb.registration(OPEN, u.id) is not None
    )
    row = next(r for r in opener().read(["units"])["units"] if r.cells["id"] == leaving)
    other_server = opener()  # not scoped: moves the unit to the other province's upper unit
    other_server.apply([Update("units", leaving, dict(row.cells), {"parent_id": OTHER_UPPER})])

    after = rt.store.snapshot()
    assert after.tabs == opener(national["bloc"]).read(SCREEN_TABS)
    assert leaving not in rt.workbook().units
    assert rt.workbook().registration(OPEN, leaving) is None  # its rows went with it


def test_a_units_write_on_a_scoped_server_is_read_again_not_patched(opener, national, clock):
    rt = runtime(opener(national["bloc"]), clock)
    wb = rt.workbook()
    unit = next(iter(wb.grassroots(wb.subtree(national["bloc"]))))
    row = next(r for r in rt.store.snapshot().tabs["units"] if r.cells["id"] == unit.id)
    patched, tabs_read = rt.store.patched, rt.store.tabs_read

    rt.store.apply([Update("units", unit.id, dict(row.cells), {"secretary": "Bí thư mới"})])

    assert rt.store.snapshot().tabs == opener(national["bloc"]).read(SCREEN_TABS)
    assert rt.store.patched == patched  # a units write may move rows in or out: read again
    assert rt.store.tabs_read - tabs_read >= 10  # every scoped tab, not only the units
    assert rt.workbook().units[unit.id].secretary == "Bí thư mới"


def test_the_audit_log_is_read_a_window_at_a_time_within_the_scope(opener, national):
    everything = opener().read(SCREEN_TABS)
    whole = opener().read_tail(tabs.AUDIT_LOG.name, 50)
    part = opener(national["bloc"]).read_tail(tabs.AUDIT_LOG.name, 50)

    assert part.start == whole.start  # the same window of sheet rows, fewer of them shown
    expected = expected_part({**everything, tabs.AUDIT_LOG.name: whole.rows}, national["bloc"])
    assert part.rows == expected[tabs.AUDIT_LOG.name]
    assert len(part.rows) < len(whole.rows)
