"""Tổng hợp: where a cycle's registrations stand, grouped by the units directly below the viewer.

Chart data is computed once per data version and scope, and shared by every open dashboard
(`Snapshot.derived`), so a hundred people watching cost one computation per change, not per tick.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import pandas as pd

from schemas.models import Cycle, Unit
from schemas.vntext import sort_key
from services.core import readable
from services.core.access import Actor, Role, scope
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import deadlines
from services.registration.cycles import get_cycle
from services.registration.status import (
    LATE,
    NEEDS_CHECK,
    NOT_REPORTED,
    NOT_YET,
    ON_TIME,
    REPORTED_LATE,
    REPORTED_ON_TIME,
    RETURNED,
    STATUSES,
    unit_status,
)

# The tables' columns are field names; the screen names them in Vietnamese (pages/_board_view).
FOLLOW_UP_COLUMNS = ["unit", "upper", "status", "secretary", "phone", "email", "officer"]
ROLLUP_COLUMNS = ["unit", "status", "sent_at", "on_time", "late", "not_registered"]


@dataclass(frozen=True)
class RegistrationBoard:
    cycle: Cycle
    cutoff_words: str
    report_cutoff_words: str
    totals: dict[str, int]
    by_group: pd.DataFrame  # group, status, units
    timeline: pd.DataFrame  # day, registrations (cumulative), status
    not_registered: pd.DataFrame  # FOLLOW_UP_COLUMNS: the units still to chase, with contacts
    rollups: pd.DataFrame  # ROLLUP_COLUMNS: each upper unit's report (counts as sent)
    # groups of by_group that are one grassroots unit directly below the viewer's unit (its own
    # bar would be one full bar like the others: the chart shows them as one stacked bar)
    direct: frozenset[str] = frozenset()


def registration_board(rt: Runtime, actor: Actor, cycle_id: str) -> RegistrationBoard:
    """The dashboard for one cycle as this person may see it, computed once per data version.

    Refused (TabsUnreadable) while a tab it counts from cannot be read: never a board of every
    unit "Chưa đăng ký" because *Đăng ký* was deleted or has a title row above its header."""
    readable.ensure(rt, readable.SCREENS["tong_hop"])
    wb = rt.workbook()
    get_cycle(wb, cycle_id)  # an unknown cycle is refused before anything is computed
    top = _top_unit(wb, actor)
    return rt.derived(
        ("board", cycle_id, top, actor.role is Role.PROVINCE),
        lambda current: _build(current, get_cycle(current, cycle_id), top, scope(current, actor)),
    )


def _top_unit(wb: Workbook, actor: Actor) -> str:
    if actor.role is Role.PROVINCE:
        roots = wb.root_ids()
        return roots[0] if roots else actor.unit_id
    return actor.unit_id


def _build(wb: Workbook, cycle: Cycle, top: str, visible: set[str]) -> RegistrationBoard:
    units = wb.expected(visible, cycle)
    group_of = _groups(wb, cycle, top, visible)
    statuses = {u.id: unit_status(wb, cycle, u) for u in units}
    by_group = (
        pd.DataFrame(
            [
                {"group": group_of.get(u.id, u.name), "status": statuses[u.id], "units": 1}
                for u in units
            ],
            columns=["group", "status", "units"],
        )
        .groupby(["group", "status"])["units"]
        .sum()
        .reset_index()
    )
    totals = Counter(statuses.values())
    return RegistrationBoard(
        cycle=cycle,
        cutoff_words=deadlines.cutoff_words(cycle.register_cutoff),
        report_cutoff_words=deadlines.cutoff_words(cycle.report_cutoff),
        totals={s: totals.get(s, 0) for s in STATUSES},
        by_group=by_group,
        timeline=_timeline(wb, cycle, _counted(wb, cycle, units)),
        not_registered=_not_registered(wb, units, statuses),
        rollups=_rollups(wb, cycle, visible),
        direct=frozenset(group_of[u.id] for u in units if group_of.get(u.id) == u.name),
    )


def _groups(wb: Workbook, cycle: Cycle, top: str, visible: set[str]) -> dict[str, str]:
    """Each unit's group: the unit directly below the viewer's unit on its path (itself if direct).

    A registered unit is placed by the upper unit it had when it registered, so moving or merging
    units (the 2025 restructuring) never regroups a past cycle.
    """
    groups = {}
    for unit_id in visible:
        reg = wb.registration(cycle.id, unit_id)
        upper = reg.upper_unit_id if reg and reg.upper_unit_id in wb.units else None
        path = (
            [unit_id, upper, *wb.ancestors(upper)] if upper else [unit_id, *wb.ancestors(unit_id)]
        )
        if top in path and path.index(top) > 0:
            groups[unit_id] = wb.unit_name(path[path.index(top) - 1])
        else:
            groups[unit_id] = wb.unit_name(unit_id)
    return groups


def _counted(wb: Workbook, cycle: Cycle, units: list[Unit]) -> set[str]:
    """The units whose registrations count: these, and the predecessors merged into them."""
    return {u.id for u in units} | {p for u in units for p in wb.predecessors_in(u.id, cycle)}


def _timeline(wb: Workbook, cycle: Cycle, unit_ids: set[str]) -> pd.DataFrame:
    """Registrations received per day (the day they count from), cumulative, split on time/late."""
    rows = []
    for reg in wb.registrations_of(cycle.id):
        if reg.unit_id in unit_ids:
            arrived: datetime = deadlines.judged_instant(reg.submitted_at, reg.received_on)
            rows.append({"day": arrived.date(), "status": ON_TIME if reg.on_time else LATE})
    frame = pd.DataFrame(rows, columns=["day", "status"])
    if frame.empty:
        return pd.DataFrame(columns=["day", "status", "registrations"])
    daily = frame.groupby(["day", "status"]).size().unstack(fill_value=0)
    # stack() of a frame with one column level is a Series; pandas-stubs types it as either
    stacked = cast(pd.Series, daily.sort_index().cumsum().stack())
    cumulative = stacked.rename("registrations").reset_index()
    cumulative["day"] = pd.to_datetime(cumulative["day"])
    return cumulative


def _not_registered(wb: Workbook, units: list[Unit], statuses: dict[str, str]) -> pd.DataFrame:
    rows = [
        {
            "unit": u.name,
            "upper": wb.unit_name(u.parent_id or ""),
            "status": statuses[u.id],
            "secretary": u.secretary,
            "phone": u.phone,
            "email": u.email,
            "officer": u.officer,
        }
        for u in units
        if statuses[u.id] in (NOT_YET, RETURNED, NEEDS_CHECK)
    ]
    return pd.DataFrame(rows, columns=FOLLOW_UP_COLUMNS)


def _expects_rollup(wb: Workbook, cycle: Cycle, unit_id: str) -> bool:
    """An upper unit that existed in the cycle and has grassroots units of the cycle below it."""
    return wb.existed_in(unit_id, cycle) and bool(wb.expected(wb.children.get(unit_id, ()), cycle))


def _rollups(wb: Workbook, cycle: Cycle, visible: set[str]) -> pd.DataFrame:
    """Roll-up status of every upper unit that has grassroots units directly below it."""
    rows = []
    for unit_id in visible:
        unit = wb.units[unit_id]
        if unit.kind.is_grassroots or not unit.parent_id:
            continue
        report = wb.upper_report(cycle.id, unit_id)
        if report is None and not _expects_rollup(wb, cycle, unit_id):
            continue
        status = (
            NOT_REPORTED
            if report is None
            else (REPORTED_ON_TIME if report.on_time else REPORTED_LATE)
        )
        rows.append(
            {
                "unit": unit.name,
                "status": status,
                "sent_at": report.sent_at.strftime("%H:%M %d/%m/%Y") if report else "",
                "on_time": report.registered_on_time if report else None,
                "late": report.registered_late if report else None,
                "not_registered": report.not_registered if report else None,
            }
        )
    rows.sort(key=lambda r: sort_key(r["unit"]))
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)
