"""Kết quả công nhận: recognition per upper unit and per cycle, what fails most, the trend, and
the province's check table (one unit's history: services/year_end/unit_history.py).

Plain data for the dashboard, computed from the parsed workbook once per data version and scope
(`rt.derived`), so two hundred open dashboards cost one computation per change. A grassroots unit
is counted in a cycle under the upper unit it had then: the one its registration recorded, else
its official assessment's, else its decision row's, and its current parent only when none of
those exists — so moving or merging units (the 2025 restructuring) never regroups a past cycle.
The recognition rate is recognised units over registered ones (only registered units can be
assessed and recognised); a unit whose plan was returned for corrections is not registered.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd

from schemas.criteria import CriteriaSet
from schemas.models import Cycle, Registration, RegistrationState, Role
from schemas.vntext import sort_key
from services.core.access import Actor, scope
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import lineage
from services.registration.cycles import assessment_cutoff, get_cycle
from services.year_end import failing
from services.year_end.assessments import Outcome, outcomes_of
from services.year_end.decisions import Recognition, recognised

ON_TIME, LATE, RETURNED, NOT_REGISTERED, NEEDS_CHECK = (
    "Đúng hạn",
    "Trễ hạn",
    "Trả lại để sửa",
    "Chưa đăng ký",
    "Lỗi dữ liệu",
)
# Where a unit stands in a cycle, in one word, best first, with its colour (charts, history).
RECOGNISED, PASSED_WAITING, FAILED_STATUS, WAITING, ABSENT = (
    "Được công nhận",
    "Đạt, chưa có quyết định",
    "Không đạt",
    "Chưa có kết quả",
    "Chưa đăng ký",
)
STATUSES = (RECOGNISED, PASSED_WAITING, FAILED_STATUS, WAITING, ABSENT)

# Vietnamese headers of the frames below, for tables (charts use the English column names).
LABELS = {
    "upper": "Đoàn cấp trên (lúc đó)",
    "units": "Tổng số đoàn cơ sở",
    "registered": "Đã đăng ký",
    "assessed": "Đã đánh giá",
    "passed": "Đạt",
    "recognised": "Được công nhận",
    "rate": "Tỷ lệ công nhận",
    "content": "Nội dung",
    "criterion": "Tiêu chí",
    "title": "Tên",
    "full_title": "Nội dung tiêu chí",
    "failed": "Số đơn vị chưa đạt",
    "share": "Tỷ lệ chưa đạt",
    "cycle": "Năm",
    "closed": "Đã hết hạn đánh giá",
    "year": "Năm",
}


# ---- one cycle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """One grassroots unit as counted in a cycle."""

    unit_id: str
    upper_id: str  # the upper unit it had then
    registration: Registration | None
    broken: bool  # a row of this unit in the cycle could not be read
    outcome: Outcome | None  # its submitted official assessment, recomputed
    recognition: Recognition | None

    @property
    def registered(self) -> bool:
        reg = self.registration
        return reg is not None and reg.state is not RegistrationState.RETURNED

    @property
    def registration_status(self) -> str:
        if self.broken and self.registration is None:
            return NEEDS_CHECK
        reg = self.registration
        if reg is None:
            return NOT_REGISTERED
        if reg.state is RegistrationState.RETURNED:
            return RETURNED
        return ON_TIME if reg.on_time else LATE

    @property
    def status(self) -> str:
        """One of STATUSES; a returned plan counts as not registered."""
        if self.recognition is not None:
            return RECOGNISED
        if self.outcome is not None:
            return PASSED_WAITING if self.outcome.passed else FAILED_STATUS
        return WAITING if self.registered else ABSENT


def placed_units(wb: Workbook, catalogue: dict[str, CriteriaSet], cycle: Cycle) -> list[Placed]:
    """Every grassroots unit counted in a cycle, with the upper unit it had then; no scope check.

    Counted: units that registered (or were assessed or recognised), and active units that did not.
    """
    results = outcomes_of(wb, catalogue, cycle.id)
    taken = recognised(wb, cycle.id)
    broken = wb.broken_registrations | wb.broken_assessments | wb.broken_decisions
    out = []
    for unit in wb.grassroots(wb.units, active_only=False):
        reg = wb.registration(cycle.id, unit.id)
        outcome, recognition_ = results.get(unit.id), taken.get(unit.id)
        if not _counted_in(wb, cycle, unit.id, reg, outcome, recognition_):
            continue
        reg = reg or lineage.registration_of(wb, cycle, unit.id)
        upper = next(
            (
                u
                for u in (
                    reg.upper_unit_id if reg else "",
                    outcome.upper_unit_id if outcome else "",
                    recognition_.row.upper_unit_id if recognition_ else "",
                    unit.parent_id or "",
                )
                if u
            ),
            "",
        )
        is_broken = (cycle.id, unit.id) in broken
        out.append(Placed(unit.id, upper, reg, is_broken, outcome, recognition_))
    return out


def _counted_in(wb: Workbook, cycle: Cycle, unit_id: str, reg, outcome, recognition_) -> bool:
    """Counted: a unit with a year-end record of its own in the cycle; else one the cycle expects
    (it existed in the cycle and was not merged into another within it)."""
    if outcome is not None or recognition_ is not None:
        return True
    expected = wb.existed_in(unit_id, cycle) and not wb.superseded_in(unit_id, cycle)
    return expected or (reg is not None and not wb.superseded_in(unit_id, cycle))


@dataclass(frozen=True)
class Totals:
    units: int
    registered: int
    assessed: int
    passed: int
    recognised: int

    @property
    def rate(self) -> float | None:
        """Recognised units over registered ones; None before any registered unit is assessed
        (the cycle has not reached its year end: no rate yet, rather than a rate of 0 %)."""
        return self.recognised / self.registered if self.registered and self.assessed else None


def _totals(placed: list[Placed]) -> Totals:
    return Totals(
        units=len(placed),
        registered=sum(p.registered for p in placed),
        assessed=sum(p.outcome is not None for p in placed),
        passed=sum(bool(p.outcome and p.outcome.passed) for p in placed),
        recognised=sum(p.recognition is not None for p in placed),
    )


@dataclass(frozen=True)
class CycleResults:
    """A cycle's recognition results for the units one person may see."""

    cycle: Cycle
    totals: Totals
    by_upper: pd.DataFrame  # upper, units, registered, assessed, passed, recognised, rate
    standing: pd.DataFrame  # upper, status, units, share (of registered units), rate
    contents: pd.DataFrame  # content, title, failed, assessed, share (most failed first)
    criteria: pd.DataFrame  # criterion, content, title, full_title, failed, assessed, share


def cycle_results(rt: Runtime, actor: Actor, cycle_id: str) -> CycleResults:
    """One cycle's results in this person's scope, computed once per data version and scope."""
    wb = rt.workbook()
    get_cycle(wb, cycle_id)  # an unknown cycle is refused before anything is computed
    return rt.derived(
        ("results-cycle", cycle_id, _scope_key(actor)),
        lambda current: _cycle_results(
            current,
            rt.criteria,
            get_cycle(current, cycle_id),
            _visible(rt, current, actor, cycle_id),
        ),
    )


def _cycle_results(
    wb: Workbook, catalogue: dict[str, CriteriaSet], cycle: Cycle, placed: list[Placed]
) -> CycleResults:
    columns = ["upper", "units", "registered", "assessed", "passed", "recognised", "rate"]
    groups: dict[str, list[Placed]] = {}
    for p in placed:
        groups.setdefault(p.upper_id, []).append(p)
    rows = []
    for upper_id, members in groups.items():
        t = _totals(members)
        rows.append(
            {
                "upper": wb.unit_name(upper_id) if upper_id else "(chưa có đơn vị cấp trên)",
                "units": t.units,
                "registered": t.registered,
                "assessed": t.assessed,
                "passed": t.passed,
                "recognised": t.recognised,
                "rate": t.rate,
            }
        )
    rows.sort(key=lambda r: sort_key(r["upper"]))
    by_upper = pd.DataFrame(rows, columns=columns)
    contents, criteria = failing.failures(
        catalogue, cycle, [p.outcome for p in placed if p.outcome]
    )
    return CycleResults(
        cycle, _totals(placed), by_upper, _standing(wb, groups, by_upper), contents, criteria
    )


def _standing(
    wb: Workbook, groups: dict[str, list[Placed]], by_upper: pd.DataFrame
) -> pd.DataFrame:
    """Registered units of each upper unit by where they stand (recognised, passed, failed, no
    result yet), with their share of the registered units: the recognised share is the rate."""
    rate = dict(zip(by_upper["upper"], by_upper["rate"], strict=True))
    rows = []
    for upper_id, members in groups.items():
        name = wb.unit_name(upper_id) if upper_id else "(chưa có đơn vị cấp trên)"
        registered = [p for p in members if p.registered]
        for status in STATUSES[:-1]:
            count = sum(p.status == status for p in registered)
            if count:
                rows.append(
                    {
                        "upper": name,
                        "status": status,
                        "units": count,
                        "share": count / len(registered),
                        "rate": rate.get(name),
                    }
                )
    return pd.DataFrame(rows, columns=["upper", "status", "units", "share", "rate"])


# ---- across cycles ------------------------------------------------------------------------------


def trend(rt: Runtime, actor: Actor) -> pd.DataFrame:
    """Per cycle, oldest first: registered, assessed, passed, recognised and the rate, in scope,
    and whether its assessment is closed (its cut-off has passed: the figures are final).

    `closed` is judged when the data version is first computed; it can lag a cut-off until the
    data next changes, which only delays the word "đang đánh giá" on a chart."""
    return rt.derived(
        ("results-trend", _scope_key(actor)),
        lambda wb: _trend(rt, wb, actor),
    )


def _trend(rt: Runtime, wb: Workbook, actor: Actor) -> pd.DataFrame:
    rows = []
    now = rt.clock.now()
    for cycle in sorted(wb.cycles.values(), key=lambda c: (c.year, c.register_cutoff)):
        t = _totals(_visible(rt, wb, actor, cycle.id))
        rows.append(
            {
                "cycle": cycle.name,
                "year": cycle.year,
                "registered": t.registered,
                "assessed": t.assessed,
                "passed": t.passed,
                "recognised": t.recognised,
                "rate": t.rate,
                "closed": assessment_cutoff(cycle) <= now,
            }
        )
    columns = ["cycle", "year", "registered", "assessed", "passed", "recognised", "rate", "closed"]
    return pd.DataFrame(rows, columns=columns)


def trend_headline(data: pd.DataFrame) -> tuple[pd.Series | None, pd.Series | None]:
    """The cycle the trend's headline shows and the one it compares with: the newest closed
    cycle with a rate and the closed one before it; when none is closed, the newest with a rate."""
    rated = data.dropna(subset=["rate"])
    closed = rated[rated["closed"]]
    pool = closed if not closed.empty else rated
    if pool.empty:
        return None, None
    return pool.iloc[-1], (pool.iloc[-2] if len(pool) > 1 else None)


# ---- scope --------------------------------------------------------------------------------------


_PLACED: list[tuple[Workbook, str, list[Placed]]] = []
_PLACED_LOCK = threading.Lock()


def placed_in(rt: Runtime, wb: Workbook, cycle_id: str) -> list[Placed]:
    """Every unit counted in a cycle (no scope), once per parsed workbook for every scope.

    Held by workbook rather than through `rt.derived`, so a computation running on one snapshot
    never mixes in a newer one.
    """
    with _PLACED_LOCK:
        for held_wb, held_cycle, placed in _PLACED:
            if held_wb is wb and held_cycle == cycle_id:
                return placed
        placed = placed_units(wb, rt.criteria, get_cycle(wb, cycle_id))
        _PLACED.insert(0, (wb, cycle_id, placed))
        del _PLACED[16:]
        return placed


def _visible(rt: Runtime, wb: Workbook, actor: Actor, cycle_id: str) -> list[Placed]:
    """The units of a cycle this person sees: in their subtree now, or counted then under an
    upper unit in it (an upper unit keeps seeing what it assessed before a unit moved away)."""
    visible = scope(wb, actor)
    every = placed_in(rt, wb, cycle_id)
    if actor.role is Role.SECRETARY:
        return [p for p in every if p.unit_id in visible]
    return [p for p in every if p.unit_id in visible or p.upper_id in visible]


def _scope_key(actor: Actor) -> tuple[str, ...]:
    """What the results depend on: the province sees all; others their unit's subtree."""
    if actor.role is Role.PROVINCE:
        return ("province",)
    return (actor.role.value, actor.unit_id)
