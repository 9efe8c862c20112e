"""The Tổng hợp board as a competent developer would compute it without our design.

Straight from the rows (tab -> list of cell dicts) a screen needs — the units, the cycles, the
users, and the chosen cycle's registrations and roll-ups — with plain Python, on every render: no
parsed workbook, no shared snapshot, no memo. Small cell parsers (dates, yes/no, choices) come
from `schemas.cells`, as any app would have its own. It returns the same `RegistrationBoard` the
app draws, so the baselines draw the same screen, and tests/unit/test_load_baselines.py checks
that its figures equal the app's.

Simplification a plain app would make: a registration row a person broke by hand is not detected
(the app counts it as "Lỗi dữ liệu"); the sample province has none.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pandas as pd

from schemas.cells import parse_day, parse_flag, parse_instant, to_cell
from schemas.models import Cycle, RegistrationState, Role, UnitKind
from schemas.vntext import sort_key
from services.core.access import Actor
from services.registration import deadlines
from services.registration.dashboard import (
    FOLLOW_UP_COLUMNS,
    ROLLUP_COLUMNS,
    RegistrationBoard,
)
from services.registration.status import (
    LATE,
    NOT_REPORTED,
    NOT_YET,
    ON_TIME,
    REPORTED_LATE,
    REPORTED_ON_TIME,
    RETURNED,
    STATUSES,
)

Rows = list[dict[str, str]]
RETURNED_CELL = to_cell(RegistrationState.RETURNED)
# What a screen's loader asks for: whole small tabs, and the chosen cycle's rows of the big ones.
WHOLE_TABS = ("units", "cycles", "users")
CYCLE_TABS = ("registrations", "upper_reports")


def demo_people(users: Rows) -> dict[str, str]:
    """E-mail -> "name · role", for the sign-in picker (as the app's demo picker shows them)."""
    return {u["email"].strip().casefold(): f"{u['name']} · {u['role']}" for u in users}


def actor_for(users: Rows, email: str) -> Actor:
    row = next(u for u in users if u["email"].strip().casefold() == email)
    return Actor(row["email"].strip().casefold(), row["name"], Role(row["role"]), row["unit_id"])


def cycles_newest_first(cycles: Rows) -> list[Cycle]:
    parsed = [Cycle.from_cells(c) for c in cycles]
    return sorted(parsed, key=lambda c: (c.year, c.register_cutoff), reverse=True)


def current_cycle(cycles: list[Cycle], now: datetime) -> Cycle | None:
    """The cycle whose registration is open, else the newest (as services.registration.cycles.current_cycle)."""
    upcoming = [c for c in cycles if c.register_cutoff > now]
    if upcoming:
        return min(upcoming, key=lambda c: c.register_cutoff)
    return cycles[0] if cycles else None


def board(
    units: Rows, cycle: Cycle, registrations: Rows, upper_reports: Rows, actor: Actor
) -> RegistrationBoard:
    """The board for `cycle` as `actor` may see it; `registrations` and `upper_reports` may hold
    other cycles' rows too (they are filtered here)."""
    by_id = {u["id"]: u for u in units}
    children: dict[str, list[str]] = {}
    for u in units:
        children.setdefault(u["parent_id"], []).append(u["id"])
    roots = [u["id"] for u in units if not u["parent_id"]]
    top = (roots[0] if roots else actor.unit_id) if actor.role is Role.PROVINCE else actor.unit_id
    visible = set(by_id) if actor.role is Role.PROVINCE else _subtree(children, actor.unit_id)

    regs: dict[str, dict[str, str]] = {}
    for r in registrations:
        if r["cycle_id"] == cycle.id and r["unit_id"] in by_id:
            regs.setdefault(r["unit_id"], r)  # the first row wins, as in the app
    grassroots = sorted(
        (
            by_id[i]
            for i in visible
            if UnitKind(by_id[i]["kind"]).is_grassroots
            and parse_flag(by_id[i]["active"]) is not False
        ),
        key=lambda u: sort_key(u["name"]),
    )
    status = {u["id"]: _status(regs.get(u["id"])) for u in grassroots}
    group = {u["id"]: _group(by_id, regs.get(u["id"]), u["id"], top) for u in grassroots}
    by_group = (
        pd.DataFrame(
            [{"group": group[u["id"]], "status": status[u["id"]], "units": 1} for u in grassroots],
            columns=["group", "status", "units"],
        )
        .groupby(["group", "status"], as_index=False)["units"]
        .sum()
    )
    totals = Counter(status.values())
    return RegistrationBoard(
        cycle=cycle,
        cutoff_words=deadlines.cutoff_words(cycle.register_cutoff),
        report_cutoff_words=deadlines.cutoff_words(cycle.report_cutoff),
        totals={s: totals.get(s, 0) for s in STATUSES},
        by_group=by_group,
        timeline=_timeline([regs[u["id"]] for u in grassroots if u["id"] in regs]),
        not_registered=_not_registered(by_id, grassroots, status),
        rollups=_rollups(by_id, children, visible, cycle, upper_reports),
    )


def _subtree(children: dict[str, list[str]], unit_id: str) -> set[str]:
    seen, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, ()))
    return seen


def _status(reg: dict[str, str] | None) -> str:
    if reg is None:
        return NOT_YET
    if reg["state"] == RETURNED_CELL:
        return RETURNED
    return ON_TIME if parse_flag(reg["on_time"]) else LATE


def _ancestors(by_id: dict[str, dict[str, str]], unit_id: str) -> list[str]:
    chain: list[str] = []
    unit = by_id.get(unit_id)
    while unit and unit["parent_id"] and unit["parent_id"] not in chain:
        chain.append(unit["parent_id"])
        unit = by_id.get(unit["parent_id"])
    return chain


def _group(by_id, reg, unit_id: str, top: str) -> str:
    """The unit directly below the viewer's on the path (by the upper unit at registration)."""
    upper = reg["upper_unit_id"] if reg and reg["upper_unit_id"] in by_id else None
    path = (
        [unit_id, upper, *_ancestors(by_id, upper)]
        if upper
        else [unit_id, *_ancestors(by_id, unit_id)]
    )
    if top in path and path.index(top) > 0:
        return by_id[path[path.index(top) - 1]]["name"]
    return by_id[unit_id]["name"]


def _timeline(regs: Rows) -> pd.DataFrame:
    rows = [
        {
            "day": deadlines.judged_instant(
                parse_instant(r["submitted_at"]), parse_day(r["received_on"])
            ).date(),
            "status": ON_TIME if parse_flag(r["on_time"]) else LATE,
        }
        for r in regs
    ]
    frame = pd.DataFrame(rows, columns=["day", "status"])
    if frame.empty:
        return pd.DataFrame(columns=["day", "status", "registrations"])
    daily = frame.groupby(["day", "status"]).size().unstack(fill_value=0)
    cumulative = daily.sort_index().cumsum().stack().rename("registrations").reset_index()
    cumulative["day"] = pd.to_datetime(cumulative["day"])
    return cumulative


def _not_registered(by_id, grassroots: Rows, status: dict[str, str]) -> pd.DataFrame:
    rows = [
        {
            "unit": u["name"],
            "upper": by_id[u["parent_id"]]["name"]
            if u["parent_id"] in by_id
            else f"(mã {u['parent_id']})",
            "status": status[u["id"]],
            "secretary": u["secretary"],
            "phone": u["phone"],
            "email": u["email"],
            "officer": u["officer"],
        }
        for u in grassroots
        if status[u["id"]] != ON_TIME and status[u["id"]] != LATE
    ]
    return pd.DataFrame(rows, columns=FOLLOW_UP_COLUMNS)


def _rollups(by_id, children, visible: set[str], cycle: Cycle, reports: Rows) -> pd.DataFrame:
    mine = {}
    for r in reports:
        if r["cycle_id"] == cycle.id:
            mine.setdefault(r["unit_id"], r)
    rows = []
    for unit_id in visible:
        unit = by_id[unit_id]
        if UnitKind(unit["kind"]).is_grassroots or not unit["parent_id"]:
            continue
        if not any(UnitKind(by_id[c]["kind"]).is_grassroots for c in children.get(unit_id, ())):
            continue
        report = mine.get(unit_id)
        sent = parse_instant(report["sent_at"]) if report else None
        on_time = parse_flag(report["on_time"]) if report else None
        rows.append(
            {
                "unit": unit["name"],
                "status": NOT_REPORTED
                if report is None
                else (REPORTED_ON_TIME if on_time else REPORTED_LATE),
                "sent_at": sent.strftime("%H:%M %d/%m/%Y") if sent else "",
                "on_time": int(report["registered_on_time"]) if report else None,
                "late": int(report["registered_late"]) if report else None,
                "not_registered": int(report["not_registered"]) if report else None,
            }
        )
    rows.sort(key=lambda r: sort_key(r["unit"]))
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)
