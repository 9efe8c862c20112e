"""Trang chủ: what needs this person's attention: the cycle open for registration now, and the
cycle being assessed at year end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from schemas.models import RegistrationState
from services.core.access import Actor, Role, scope
from services.core.runtime import Runtime
from services.registration import deadlines
from services.registration.cycles import current_cycle
from services.registration.status import NEEDS_CHECK, NOT_YET, RETURNED, unit_status
from services.year_end import decisions
from services.year_end.assessments import (
    DRAFT,
    NOT_ASSESSED,
    NOT_REGISTERED,
    REOPENED,
    assessment_cutoff,
    assessment_lines,
    cycle_to_assess,
    official_outcomes,
)


@dataclass(frozen=True)
class Todo:
    cycle_name: str
    deadline_words: str
    countdown: str
    items: list[str]


def todo(rt: Runtime, actor: Actor) -> Todo | None:
    """The open cycle's deadline and the few things this person should do next (None: no cycle)."""
    wb = rt.workbook()
    now = rt.clock.now()
    cycle = current_cycle(wb, now)
    if cycle is None:
        return None
    units = wb.grassroots(scope(wb, actor))
    items: list[str] = []
    if actor.role is Role.SECRETARY:
        status = unit_status(wb, cycle, units[0]) if units else NOT_YET
        reg = wb.registration(cycle.id, actor.unit_id)
        if status == NOT_YET:
            items.append("Đơn vị chưa đăng ký kế hoạch: vào màn hình Đăng ký để gửi.")
        elif status == RETURNED and reg:
            items.append(f"Đoàn cấp trên trả lại để sửa: {reg.return_reason}")
        elif reg:
            items.append(f"Đăng ký đã gửi, trạng thái: {reg.state.value}.")
    else:
        statuses = [unit_status(wb, cycle, u) for u in units]
        waiting = sum(
            1
            for u in units
            if (r := wb.registration(cycle.id, u.id)) and r.state is RegistrationState.SENT
        )
        items.append(f"{statuses.count(NOT_YET)} / {len(units)} đoàn cơ sở chưa đăng ký.")
        if actor.role is not Role.VIEWER and waiting:
            items.append(f"{waiting} đăng ký đang chờ tiếp nhận.")
        if statuses.count(NEEDS_CHECK):
            items.append(f"{statuses.count(NEEDS_CHECK)} đơn vị cần kiểm tra dữ liệu.")
    return Todo(
        cycle.name,
        deadlines.cutoff_words(cycle.register_cutoff),
        deadlines.countdown_words(now, cycle.register_cutoff),
        items,
    )


@dataclass(frozen=True)
class YearEnd:
    cycle_name: str
    deadline_words: str
    items: list[str]


def year_end(rt: Runtime, actor: Actor) -> YearEnd | None:
    """The cycle being assessed now (its year has begun): what is left to assess and recognise."""
    wb = rt.workbook()
    now = rt.clock.now()
    cycle = cycle_to_assess(wb, now)
    if cycle is None or cycle.year > now.year:
        return None
    lines = assessment_lines(rt, actor, cycle.id)
    count = Counter(line.status for line in lines)
    items: list[str] = []
    if actor.role is Role.SECRETARY:
        if lines:
            items.append(f"Đánh giá của Đoàn cấp trên cho đơn vị: {lines[0].status}.")
    else:
        registered = len(lines) - count[NOT_REGISTERED]
        left = count[NOT_ASSESSED] + count[DRAFT] + count[REOPENED]
        items.append(f"{left} / {registered} đơn vị đã đăng ký chưa có bản đánh giá đã gửi.")
        recognised = decisions.recognised(wb, cycle.id)
        waiting = sum(
            1
            for unit_id, outcome in official_outcomes(rt, actor, cycle.id).items()
            if outcome.passed and unit_id not in recognised
        )
        if actor.role is not Role.VIEWER and waiting:
            items.append(f"{waiting} đơn vị đạt chưa có trong quyết định công nhận.")
    return YearEnd(cycle.name, deadlines.cutoff_words(assessment_cutoff(cycle)), items)
