"""A grassroots unit's registration status in a cycle, and a roll-up's: the words every screen,
roll-up and report counts by."""

from __future__ import annotations

from schemas.models import Cycle, RegistrationState, Unit
from services.core.province_settings import SuccessorRule, successor_rule
from services.core.workbook import Workbook

ON_TIME, LATE, RETURNED, NOT_YET, NEEDS_CHECK = (
    "Đúng hạn",
    "Trễ hạn",
    "Trả lại để sửa",
    "Chưa đăng ký",
    "Lỗi dữ liệu",
)
STATUSES = (ON_TIME, LATE, RETURNED, NOT_YET, NEEDS_CHECK)
REPORTED_ON_TIME, REPORTED_LATE, NOT_REPORTED = (
    "Đã báo cáo đúng hạn",
    "Đã báo cáo trễ hạn",
    "Chưa báo cáo",
)


# Worst first when all predecessors must have registered, best first when any may
RANK = {s: n for n, s in enumerate(STATUSES)}


def unit_status(wb: Workbook, cycle: Cycle, unit: Unit) -> str:
    """One grassroots unit's registration status in a cycle. A unit formed by a merger in the
    cycle, with no registration of its own, has its predecessors' (all/any, as the province set)."""
    own = _own_status(wb, cycle, unit.id)
    earlier = wb.predecessors_in(unit.id, cycle) if own == NOT_YET else []
    if not earlier:
        return own
    found = [_own_status(wb, cycle, p) for p in earlier]
    pick = max if successor_rule(wb) is SuccessorRule.ALL else min
    return pick(found, key=RANK.__getitem__)


def _own_status(wb: Workbook, cycle: Cycle, unit_id: str) -> str:
    if (cycle.id, unit_id) in wb.broken_registrations:
        return NEEDS_CHECK
    reg = wb.registration(cycle.id, unit_id)
    if reg is None:
        return NOT_YET
    if reg.state is RegistrationState.RETURNED:
        return RETURNED
    return ON_TIME if reg.on_time else LATE
