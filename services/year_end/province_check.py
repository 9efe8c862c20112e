"""The province's yearly check of each upper unit's direction of the programme, per cycle.

For every upper unit: was the roll-up sent on time, how many of its grassroots units registered,
were assessed (official, submitted), passed and were recognised, and which decisions it issued.
Units are counted under the upper unit they had when they registered (their current one when
they did not), so the 2025 restructuring never regroups a past cycle. Plain data: the screens
and charts draw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from schemas.models import Cycle, RegistrationState, Role
from schemas.vntext import sort_key
from services.core.access import Actor, scope
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import lineage
from services.registration.cycles import get_cycle
from services.year_end.assessments import Outcome, outcomes_of
from services.year_end.decisions import recognised


@dataclass(frozen=True)
class DecisionRef:
    number: str
    signed_on: date
    units: int


@dataclass(frozen=True)
class UpperCheck:
    """One upper unit's figures for one cycle (the province's own row counts the grassroots units
    directly under it)."""

    unit_id: str
    unit_name: str
    cycle_id: str
    rollup_sent_at: datetime | None
    rollup_on_time: bool | None  # None: not sent
    total_units: int
    registered: int  # registered and not returned for corrections
    assessed: int  # an official assessment submitted
    passed: int
    recognised: int  # listed on a decision of the cycle
    decisions: tuple[DecisionRef, ...]
    needs_check: int  # units whose rows in the sheet could not be read

    @property
    def assessed_share(self) -> float | None:
        """Assessed units as a share of the registered ones (only those can be assessed)."""
        return _share(self.assessed, self.registered)

    @property
    def rate_of_registered(self) -> float | None:
        return _share(self.recognised, self.registered)

    @property
    def rate_of_total(self) -> float | None:
        return _share(self.recognised, self.total_units)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def province_check(rt: Runtime, actor: Actor, cycle_id: str) -> list[UpperCheck]:
    """Every upper unit's row for the province; an upper-unit officer or a viewer gets the rows of
    the upper units in their scope (their own). Computed once per data version."""
    if actor.role is Role.SECRETARY:
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn và Đoàn cấp trên mới xem được phần kiểm tra này.")
    wb = rt.workbook()
    get_cycle(wb, cycle_id)
    rows = rt.derived(
        ("province_check", cycle_id),
        lambda current: _rows(
            current, get_cycle(current, cycle_id), outcomes_of(current, rt.criteria, cycle_id)
        ),
    )
    visible = scope(wb, actor)
    return [r for r in rows if r.unit_id in visible]


def _rows(wb: Workbook, cycle: Cycle, results: dict[str, Outcome]) -> list[UpperCheck]:
    members = _units_by_upper(wb, cycle)
    taken = recognised(wb, cycle.id)
    broken = wb.broken_registrations | wb.broken_decisions | wb.broken_assessments
    rows = []
    for upper in wb.units.values():
        if upper.kind.is_grassroots:
            continue
        if upper.parent_id:  # a district-level union or bloc: every unit below it, then
            below = wb.subtree(upper.id)
            mine = {u for u, at in members.items() if at in below}
        else:  # the province: the units directly under it
            mine = {u for u, at in members.items() if at == upper.id}
        report = wb.upper_report(cycle.id, upper.id)
        if not mine and report is None:
            continue
        registered = {
            u
            for u in mine
            if (r := lineage.registration_of(wb, cycle, u))
            and r.state is not RegistrationState.RETURNED
        }
        issued = [
            d for d in wb.decisions.values() if (d.cycle_id, d.unit_id) == (cycle.id, upper.id)
        ]
        rows.append(
            UpperCheck(
                unit_id=upper.id,
                unit_name=upper.name,
                cycle_id=cycle.id,
                rollup_sent_at=report.sent_at if report else None,
                rollup_on_time=report.on_time if report else None,
                total_units=len(mine),
                registered=len(registered),
                assessed=sum(1 for u in mine if u in results),
                passed=sum(1 for u in mine if u in results and results[u].passed),
                recognised=sum(1 for u in mine if u in taken),
                decisions=tuple(
                    DecisionRef(
                        d.number,
                        d.signed_on,
                        sum(1 for t in taken.values() if t.decision.id == d.id),
                    )
                    for d in sorted(issued, key=lambda d: d.signed_on)
                ),
                needs_check=sum(1 for u in mine if (cycle.id, u) in broken),
            )
        )
    rows.sort(key=lambda r: (bool(wb.units[r.unit_id].parent_id), sort_key(r.unit_name)))
    return rows


def _units_by_upper(wb: Workbook, cycle: Cycle) -> dict[str, str]:
    """Each grassroots unit counted in the cycle -> the upper unit it had then: the one its
    registration recorded, else its current parent (active units only, when not registered)."""
    placed = {}
    expected = {u.id for u in wb.expected(wb.units, cycle)}
    for unit in wb.grassroots(wb.units, active_only=False):
        reg = wb.registration(cycle.id, unit.id)
        if reg is not None and reg.upper_unit_id and not wb.superseded_in(unit.id, cycle):
            placed[unit.id] = reg.upper_unit_id
        elif unit.id in expected and unit.parent_id:
            placed[unit.id] = unit.parent_id
    return placed
