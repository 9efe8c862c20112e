"""Kiểm tra chỉ đạo của Đoàn cấp trên as the screens show it: the province's yearly check of each
upper unit (year_end.province_check) in a table with Vietnamese headers, on Quyết định công nhận
and Kết quả công nhận alike."""

from __future__ import annotations

import pandas as pd

from schemas.cells import day_words
from schemas.models import Role
from services.core.access import Actor
from services.core.runtime import Runtime
from services.year_end import province_check


def table(rt: Runtime, actor: Actor, cycle_id: str) -> pd.DataFrame:
    """The province's yearly check of each upper unit (an officer: their own row) as a table;
    empty for a secretary, who has no upper unit to check."""
    if actor.role is Role.SECRETARY:
        return pd.DataFrame()

    def percent(value: float | None) -> str:
        return "" if value is None else f"{value:.0%}"

    return pd.DataFrame(
        [
            {
                "Đơn vị": r.unit_name,
                "Báo cáo lên tỉnh": "Chưa gửi"
                if r.rollup_on_time is None
                else ("Đúng hạn" if r.rollup_on_time else "Trễ hạn"),
                "Tổng số đoàn cơ sở": r.total_units,
                "Đã đăng ký": r.registered,
                "Đã đánh giá": r.assessed,
                "Tỷ lệ đã đánh giá": percent(r.assessed_share),
                "Đạt": r.passed,
                "Được công nhận": r.recognised,
                "Công nhận / đăng ký": percent(r.rate_of_registered),
                "Công nhận / tổng số": percent(r.rate_of_total),
                "Quyết định": "; ".join(
                    f"số {d.number} ngày {day_words(d.signed_on)}" for d in r.decisions
                )
                or "Chưa có",
                "Lỗi dữ liệu": r.needs_check,
            }
            for r in province_check.province_check(rt, actor, cycle_id)
        ]
    )
