"""One grassroots unit's record across cycles: registration, official result with the criteria
it failed, the decision recognising it, and the upper unit it had in each cycle.

The drill-down of the Kết quả công nhận screen. It reads the same per-cycle placement as the
dashboard (`services.year_end.results.placed_in`), so a unit that moved keeps, in each past cycle, the
upper unit it had then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.cells import day_words
from schemas.models import Cycle, Unit
from services.core.access import Actor, ensure_can_view, scope
from services.core.errors import NotFound
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.year_end.failing import short_title
from services.year_end.results import (
    ABSENT,
    FAILED_STATUS,
    PASSED_WAITING,
    RECOGNISED,
    STATUSES,
    WAITING,
    Placed,
    placed_in,
)

PASSED, FAILED, NOT_ASSESSED = "Đạt", "Không đạt", "Chưa có kết quả đánh giá chính thức"
NOT_REGISTERED = "Không đánh giá (chưa đăng ký)"
__all__ = [  # the one-word statuses are shared with the dashboard (services.year_end.results)
    "ABSENT",
    "FAILED_STATUS",
    "PASSED_WAITING",
    "RECOGNISED",
    "STATUSES",
    "WAITING",
    "HistoryLine",
    "UnitHistory",
    "history_choices",
    "unit_history",
]


@dataclass(frozen=True)
class HistoryLine:
    """What happened to one unit in one cycle."""

    cycle_id: str
    cycle_name: str
    year: int
    unit_name: str  # the unit itself, or the predecessor the year comes from
    upper_name: str  # the upper unit it had then
    registration: str  # Đúng hạn / Trễ hạn / Trả lại để sửa / Chưa đăng ký / Lỗi dữ liệu
    result: str  # Đạt / Không đạt / Chưa có kết quả đánh giá chính thức / Không đăng ký
    failed: str  # "1.6 Rà soát, lập danh sách…; 3.3 …"
    decision: str  # "Số 15-QĐ/HĐ ngày 20/12/2025 của Huyện đoàn …" or ""
    decision_signed_on: date | None
    status: str  # one of STATUSES

    @property
    def recognised(self) -> bool:
        return bool(self.decision)


@dataclass(frozen=True)
class UnitHistory:
    unit: Unit
    current_upper: str
    lines: tuple[HistoryLine, ...]  # newest cycle first

    @property
    def cycles(self) -> int:
        """Cycles with a line (a cycle before a merger has one per predecessor)."""
        return len({line.cycle_id for line in self.lines})

    @property
    def recognised_cycles(self) -> int:
        """Cycles in which the unit, or every predecessor it stands for, was recognised."""
        by_cycle: dict[str, list[bool]] = {}
        for line in self.lines:
            by_cycle.setdefault(line.cycle_id, []).append(line.recognised)
        return sum(all(flags) for flags in by_cycle.values())


def history_choices(rt: Runtime, actor: Actor) -> dict[str, str]:
    """Grassroots units whose history this person may open: id -> 'name — current upper unit',
    in Vietnamese order."""
    wb = rt.workbook()
    found = wb.grassroots(scope(wb, actor), active_only=False)
    return {
        u.id: f"{u.name} — {wb.unit_name(u.parent_id)}" if u.parent_id else u.name for u in found
    }


def unit_history(rt: Runtime, actor: Actor, unit_id: str) -> UnitHistory:
    """One unit's record in every cycle, newest first: registration, official result with the
    criteria it failed, the decision recognising it, and the upper unit it had then. For the
    cycles before it was formed, its predecessors' years, each saying which unit it comes from."""
    wb = rt.workbook()
    ensure_can_view(wb, actor, unit_id)
    unit = wb.units.get(unit_id)
    if unit is None or not unit.kind.is_grassroots:
        raise NotFound(f"Không tìm thấy đoàn cơ sở có mã {unit_id}.")
    lines = []
    for cycle in wb.cycles_newest_first():
        placed = {p.unit_id: p for p in placed_in(rt, wb, cycle.id)}
        for source in _standing_for(wb, unit_id, placed):
            lines.append(_line(rt, wb, cycle, placed[source], _named(wb, unit_id, source)))
    return UnitHistory(unit, wb.unit_name(unit.parent_id or ""), tuple(lines))


def _standing_for(wb: Workbook, unit_id: str, placed: dict[str, Placed]) -> list[str]:
    """The unit itself when a cycle counts it; otherwise the nearest predecessors it counts
    (predecessors of predecessors too, for a unit merged twice)."""
    seen, current = {unit_id}, [unit_id]
    while current:
        found = [u for u in current if u in placed]
        if found:
            return found
        earlier = [p for u in current if u in wb.units for p in wb.units[u].predecessor_ids]
        current = [p for p in dict.fromkeys(earlier) if p not in seen]
        seen.update(current)
    return []


def _named(wb: Workbook, unit_id: str, source: str) -> str:
    if source == unit_id:
        return wb.unit_name(unit_id)
    return f"{wb.unit_name(source)} (đơn vị tiền thân)"


def _line(rt: Runtime, wb: Workbook, cycle: Cycle, placed: Placed, name: str) -> HistoryLine:
    outcome, taken = placed.outcome, placed.recognition
    criteria = rt.criteria.get(outcome.criteria_ref) if outcome else None
    if outcome is not None:
        result = PASSED if outcome.passed else FAILED
        if outcome.needs_check:
            result += " (dữ liệu lỗi)"
    else:
        result = NOT_ASSESSED if placed.registered else NOT_REGISTERED
    failed = "; ".join(
        f"{cid} {short_title(criteria.criteria[cid].title)}"
        if criteria and cid in criteria.criteria
        else cid
        for cid in (outcome.failed_criteria if outcome else ())
    )
    decision = ""
    if taken is not None:
        d = taken.decision
        decision = f"Số {d.number} ngày {day_words(d.signed_on)} của {wb.unit_name(d.unit_id)}"
    return HistoryLine(
        cycle_id=cycle.id,
        cycle_name=cycle.name,
        year=cycle.year,
        unit_name=name,
        upper_name=wb.unit_name(placed.upper_id) if placed.upper_id else "",
        registration=placed.registration_status,
        result=result,
        failed=failed,
        decision=decision,
        decision_signed_on=taken.decision.signed_on if taken else None,
        status=placed.status,
    )
