"""The fixed moment and the sample plan every test shares, and finding a demo unit by name."""

from __future__ import annotations

from datetime import date, datetime

from schemas.cells import VN_TZ
from services.core.runtime import Runtime

# The demo is seeded relative to "now": the open cycle's registration cut-off is 20 days later.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
# A complete registration form, as a secretary would fill it in before NOW.
PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": date(2026, 11, 20),
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}


def unit_id(rt: Runtime, name: str) -> str:
    """The id of the unit with exactly this name in the store."""
    return next(u.id for u in rt.workbook().units.values() if u.name == name)
