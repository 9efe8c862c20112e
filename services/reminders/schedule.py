"""The reminder schedule the province sets per cycle, and the reminders it makes due.

Registration: a round to the missing units N days before the cut-off (e.g. 7 and 1), and a round to
their upper units N days after it (e.g. 1). A due round is drafted on the home page of whoever may
send it; it goes out on a click, or from the cron command when the province turned automatic
sending on. A round is due from its day until the next round of the same kind (or the cut-off for
units, the roll-up cut-off for upper units).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import Cycle, ReminderSchedule, Role
from services.core import records
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration.cycles import get_cycle
from services.reminders import outbox
from services.reminders.messages import (
    NEEDS,
    Message,
    Stage,
    ensure_readable,
    unit_messages,
    upper_messages,
)

# What the due rounds are worked out from: the schedules, and every tab of a registration reminder.
NEEDS_DUE = (tabs.REMINDER_SCHEDULES.name, *NEEDS[Stage.REGISTER])


@dataclass(frozen=True)
class Due:
    round: str  # "Trước hạn 7 ngày", "Sau hạn 1 ngày (Đoàn cấp trên)"
    cycle: Cycle
    messages: list[Message]  # not yet in the outbox
    auto: bool


def parse_days(text: str, label: str) -> list[int]:
    """'7, 1' → [7, 1]: whole days, 0–60, any separator."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        days = sorted({int(p) for p in parts}, reverse=True)
    except ValueError as exc:
        raise InvalidInput(
            [f"{label}: chỉ nhập số ngày, cách nhau bởi dấu phẩy (ví dụ 7, 1)"]
        ) from exc
    if any(d < 0 or d > 60 for d in days):
        raise InvalidInput([f"{label}: mỗi số ngày từ 0 đến 60"])
    return days


def schedule_of(wb: Workbook, cycle_id: str) -> ReminderSchedule | None:
    return next((s for s in wb.reminder_schedules.values() if s.cycle_id == cycle_id), None)


def current_schedule(rt: Runtime, cycle_id: str) -> ReminderSchedule | None:
    """The cycle's reminder schedule as stored, if province staff have set one."""
    return schedule_of(rt.workbook(), cycle_id)


def set_schedule(
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    days_before: str,
    days_after_upper: str,
    auto_send: bool,
    request_key: str,
) -> ReminderSchedule:
    """Province staff set a cycle's schedule (one row per cycle, changed in place)."""
    if actor.role is not Role.PROVINCE:
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn đặt lịch nhắc nhở.")
    before = parse_days(days_before, "Nhắc đơn vị trước hạn")
    after = parse_days(days_after_upper, "Nhắc Đoàn cấp trên sau hạn")
    cells = {
        "days_before": ", ".join(map(str, before)),
        "days_after_upper": ", ".join(map(str, after)),
        "auto_send": to_cell(auto_send),
        "set_by": actor.label,
    }
    now = rt.clock.now()
    with rt.store.serialised():
        wb = rt.workbook()
        get_cycle(wb, cycle_id)
        found = schedule_of(wb, cycle_id)
        if found is not None:
            rt.store.apply(records.change(actor, now, "Đặt lịch nhắc", found, cells, request_key))
        else:
            cells |= {
                "id": records.record_id(tabs.REMINDER_SCHEDULES.name, request_key),
                "cycle_id": cycle_id,
                "version": "1",
                "updated_at": iso(now),
            }
            rt.store.apply(
                records.create(
                    actor,
                    now,
                    "Đặt lịch nhắc",
                    cells,
                    tabs.REMINDER_SCHEDULES.name,
                    request_key,
                    unique=("cycle_id",),
                )
            )
    return schedule_of(rt.workbook(), cycle_id)  # type: ignore[return-value]  # just stored


def due_rounds(cycle: Cycle, schedule: ReminderSchedule, now: datetime) -> list[tuple[str, bool]]:
    """(round, to upper units?) due now under this schedule."""
    cutoff = cycle.register_cutoff
    found = []
    starts = [(cutoff - timedelta(days=d), d) for d in parse_days(schedule.days_before, "")]
    current = [(start, d) for start, d in starts if start <= now < cutoff]
    if current:
        found.append((f"Trước hạn {max(current)[1]} ngày", False))
    after = [(cutoff + timedelta(days=d), d) for d in parse_days(schedule.days_after_upper, "")]
    late = [
        (start, d)
        for start, d in after
        if start <= now < max(cycle.report_cutoff, start + timedelta(days=1))
    ]
    if late:
        found.append((f"Sau hạn {max(late)[1]} ngày (Đoàn cấp trên)", True))
    return found


def due(rt: Runtime, actor: Actor, app_url: str) -> list[Due]:
    """The scheduled reminders due now in this person's scope that are not in the outbox yet."""
    if actor.role not in (Role.PROVINCE, Role.UPPER):
        return []
    ensure_readable(rt, NEEDS_DUE)  # else: rounds missed, or units that registered reminded
    wb = rt.workbook()
    now = rt.clock.now()
    found = []
    for schedule in wb.reminder_schedules.values():
        cycle = wb.cycles.get(schedule.cycle_id)
        if cycle is None:
            continue
        for round_, to_upper in due_rounds(cycle, schedule, now):
            build = upper_messages if to_upper else unit_messages
            messages = [
                m
                for m in build(rt, actor, cycle.id, Stage.REGISTER, app_url)
                if not m.to
                or outbox.reminder_id(cycle.id, m.unit_id, m.stage, round_, m.to)
                not in wb.reminders
            ]
            if messages:
                found.append(Due(round_, cycle, messages, schedule.auto_send))
    return found


def queue_due(rt: Runtime, actor: Actor, item: Due) -> outbox.Queued:
    """Queue one due round (a click on the home page, or the cron command)."""
    return outbox.queue(rt, actor, item.cycle.id, item.messages, item.round)


def new_key() -> str:
    return uuid.uuid4().hex
