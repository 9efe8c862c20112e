"""A grassroots unit's registration status in a cycle, and a roll-up's: the words every screen,
roll-up and report counts by."""

from __future__ import annotations

from schemas.models import Cycle, RegistrationState, Unit
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


def unit_status(wb: Workbook, cycle: Cycle, unit: Unit) -> str:
    """One grassroots unit's registration status in a cycle."""
    if (cycle.id, unit.id) in wb.broken_registrations:
        return NEEDS_CHECK
    reg = wb.registration(cycle.id, unit.id)
    if reg is None:
        return NOT_YET
    if reg.state is RegistrationState.RETURNED:
        return RETURNED
    return ON_TIME if reg.on_time else LATE
