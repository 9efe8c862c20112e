"""Ready reminders for the units still missing in a cycle, per unit and per upper unit.

A message names the unit, the cycle, the cut-off in words, the time left and how to act (the app's
address from the settings); it is copied into Zalo or SMS, opened as a mailto link, or e-mailed.
Registration: units not registered or whose plan was returned. Assessment: registered units whose
official assessment is not sent yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from schemas import tabs
from schemas.contacts import EMAIL_LIMIT
from schemas.models import Cycle, Unit
from schemas.vntext import name_key, sort_key
from services.core import readable
from services.core.access import Actor, Role, scope
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.registration import cycles, deadlines
from services.registration.cycles import get_cycle
from services.registration.status import NOT_YET, RETURNED, unit_status
from services.year_end import assessment_outcomes

QUOTE = "\u201c3 chủ động\u201d"
NO_EMAIL = "chưa có e-mail"
_ADDRESS_PART = re.compile(r"[^@\s,;<>]+")  # one class, no alternatives: cannot backtrack


class Stage(StrEnum):
    REGISTER = "Đăng ký"
    ASSESS = "Đánh giá"


@dataclass(frozen=True)
class Message:
    """One ready reminder: to a unit (its secretary) or to an upper unit (its office)."""

    unit_id: str
    unit_name: str
    stage: Stage
    to: str  # "" when the unit has no valid e-mail
    cc: str
    subject: str
    body: str
    status: str  # the unit's status, or how many units an upper unit still misses

    @property
    def mailto(self) -> str:
        query = f"subject={quote(self.subject)}&body={quote(self.body)}"
        if self.cc:
            query = f"cc={quote(self.cc)}&{query}"
        return f"mailto:{quote(self.to, safe='@')}?{query}"


def valid_email(address: str) -> bool:
    """name@host.domain with nothing that would split a mail header: a too long address is
    refused before it is read, and reading it takes linear time."""
    if len(address) > EMAIL_LIMIT + 100:  # room for spaces around it in a hand-typed cell
        return False
    local, at, domain = address.strip().partition("@")
    return (
        bool(at)
        and all(_ADDRESS_PART.fullmatch(part) for part in (local, domain))
        and "." in domain[1:-1]
    )


# The tabs a reminder is worked out from, per stage: units, what they sent, extensions of the
# cut-off, and the outbox (what was already sent). Any of them unreadable, and a reminder could go
# to units that did their part (or go twice): refused with readable.TabsUnreadable instead.
NEEDS: dict[Stage, tuple[str, ...]] = {
    Stage.REGISTER: (
        tabs.UNITS.name,
        tabs.CYCLES.name,
        tabs.REGISTRATIONS.name,
        tabs.EXTENSIONS.name,
        tabs.REMINDERS.name,
    ),
    Stage.ASSESS: (
        tabs.UNITS.name,
        tabs.CYCLES.name,
        tabs.REGISTRATIONS.name,
        tabs.ASSESSMENTS.name,
        tabs.ASSESSMENT_ITEMS.name,
        tabs.REMINDERS.name,
    ),
}


def ensure_may_remind(actor: Actor) -> None:
    if actor.role not in (Role.PROVINCE, Role.UPPER):
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn và Đoàn cấp trên gửi nhắc nhở cho đơn vị.")


def ensure_readable(rt: Runtime, names: Iterable[str]) -> None:
    """Raise readable.TabsUnreadable (worded for reminders) when any of `names` cannot be read."""
    readable.ensure(rt, names, readable.reminder_message)


def missing_units(wb: Workbook, rt: Runtime, actor: Actor, cycle: Cycle, stage: Stage):
    """(unit, status) of the units in this person's scope still missing at this stage, sorted."""
    units = wb.grassroots(scope(wb, actor))
    if stage is Stage.REGISTER:
        found = [(u, unit_status(wb, cycle, u)) for u in units]
        found = [(u, s) for u, s in found if s in (NOT_YET, RETURNED)]
    else:
        lines = assessment_outcomes.assessment_lines(rt, actor, cycle.id)
        waiting = (
            assessment_outcomes.NOT_ASSESSED,
            assessment_outcomes.DRAFT,
            assessment_outcomes.REOPENED,
        )
        found = [(line.unit, line.status) for line in lines if line.status in waiting]
    return sorted(found, key=lambda pair: sort_key(pair[0].name))


def cutoff_of(wb: Workbook, cycle: Cycle, stage: Stage, unit_id: str) -> datetime:
    if stage is Stage.REGISTER:
        return deadlines.registration_cutoff(cycle, wb.extension(cycle.id, unit_id))
    return cycles.assessment_cutoff(cycle)


def unit_messages(
    rt: Runtime, actor: Actor, cycle_id: str, stage: Stage, app_url: str
) -> list[Message]:
    """A reminder for each missing unit in this person's scope, to its secretary.

    Computed once per data version, scope and minute for everyone (the text shows the time to the
    minute): on Tổng hợp it was most of a render for province staff.
    """
    ensure_may_remind(actor)
    ensure_readable(rt, NEEDS[stage])
    return rt.per_minute(
        ("unit messages", cycle_id, stage, app_url, actor.role, actor.unit_id),
        lambda wb, now: _unit_messages(wb, rt, actor, cycle_id, stage, app_url, now),
    )


def _unit_messages(
    wb: Workbook,
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    stage: Stage,
    app_url: str,
    now: datetime,
) -> list[Message]:
    cycle = get_cycle(wb, cycle_id)
    sender = wb.unit_name(actor.unit_id)
    return [
        _unit_message(wb, cycle, stage, unit, status, now, sender, app_url)
        for unit, status in missing_units(wb, rt, actor, cycle, stage)
    ]


def upper_messages(
    rt: Runtime, actor: Actor, cycle_id: str, stage: Stage, app_url: str
) -> list[Message]:
    """A reminder for each upper unit that still misses units, listing them (once per data
    version, scope and minute, as `unit_messages`)."""
    ensure_may_remind(actor)
    ensure_readable(rt, NEEDS[stage])
    return rt.per_minute(
        ("upper messages", cycle_id, stage, app_url, actor.role, actor.unit_id),
        lambda wb, now: _upper_messages(wb, rt, actor, cycle_id, stage, app_url, now),
    )


def _upper_messages(
    wb: Workbook,
    rt: Runtime,
    actor: Actor,
    cycle_id: str,
    stage: Stage,
    app_url: str,
    now: datetime,
) -> list[Message]:
    cycle = get_cycle(wb, cycle_id)
    groups: dict[str, list[tuple[Unit, str]]] = {}
    for unit, status in missing_units(wb, rt, actor, cycle, stage):
        groups.setdefault(unit.parent_id or "", []).append((unit, status))
    out = []
    for upper_id, members in groups.items():
        if upper_id not in wb.units:
            continue
        upper = wb.units[upper_id]
        cutoff = cutoff_of(wb, cycle, stage, "")
        verb = "chưa đăng ký" if stage is Stage.REGISTER else "chưa có bản đánh giá chính thức"
        lines = "\n".join(
            f"- {u.name} ({s.lower()}; Bí thư: {u.secretary or 'chưa có tên'}"
            f"{', ' + u.phone if u.phone else ''})"
            for u, s in members
        )
        body = (
            f"Kính gửi Ban Thường vụ {upper.name},\n\n"
            f"Đến {now:%H:%M} ngày {now:%d/%m/%Y}, {len(members)} đoàn cơ sở của đơn vị {verb} "
            f"({cycle.name}, xây dựng Đoàn cơ sở {QUOTE}):\n{lines}\n\n"
            f"Hạn {stage.value.lower()}: {deadlines.cutoff_words(cutoff)} "
            f"({deadlines.countdown_words(now, cutoff).lower()}).\n"
            f"Đề nghị đơn vị đôn đốc các đoàn cơ sở; theo dõi tại {app_url}.\n\n"
            f"Trân trọng,\n{wb.unit_name(actor.unit_id)}"
        )
        out.append(
            Message(
                upper.id,
                upper.name,
                stage,
                upper.email.strip() if valid_email(upper.email) else "",
                "",
                f"[3CĐ] {len(members)} đoàn cơ sở {verb} – {upper.name}",
                body,
                f"{len(members)} đơn vị",
            )
        )
    return sorted(out, key=lambda m: sort_key(m.unit_name))


def _unit_message(
    wb: Workbook,
    cycle: Cycle,
    stage: Stage,
    unit: Unit,
    status: str,
    now: datetime,
    sender: str,
    app_url: str,
) -> Message:
    cutoff = cutoff_of(wb, cycle, stage, unit.id)
    upper = wb.unit_name(unit.parent_id or "")
    greeting = f"đồng chí {unit.secretary}, Bí thư" if unit.secretary else "đồng chí Bí thư"
    if stage is Stage.REGISTER:
        what = (
            "kế hoạch của đơn vị đã được trả lại để sửa và chưa được gửi lại"
            if status == RETURNED
            else "đơn vị chưa đăng ký xây dựng Đoàn cơ sở " + QUOTE
        )
        how = (
            f"Cách đăng ký: đăng nhập {app_url}, mở mục “Đăng ký”, nhập số và ngày kế hoạch, "
            "mục tiêu của từng nội dung rồi bấm Gửi. Nếu đơn vị đã gửi bản giấy, xin báo "
            f"{upper} để nhập thay."
        )
        subject = f"[3CĐ] Nhắc đăng ký Đoàn cơ sở {QUOTE} – {cycle.name} – {unit.name}"
    else:
        what = f"đơn vị chưa có bản đánh giá chính thức ({status.lower()})"
        how = (
            f"Đề nghị đơn vị hoàn thiện hồ sơ minh chứng và bản tự đánh giá tại {app_url} "
            f"(mục “Đánh giá”), phối hợp với {upper} để hoàn thành đánh giá."
        )
        subject = f"[3CĐ] Nhắc đánh giá Đoàn cơ sở {QUOTE} – {cycle.name} – {unit.name}"
    body = (
        f"Kính gửi {greeting} {unit.name},\n\n"
        f"Đến {now:%H:%M} ngày {now:%d/%m/%Y}, {what} ({cycle.name}).\n"
        f"Hạn {stage.value.lower()}: {deadlines.cutoff_words(cutoff)} "
        f"({deadlines.countdown_words(now, cutoff).lower()}).\n"
        f"{how}\n\nTrân trọng,\n{sender}"
    )
    return Message(
        unit.id,
        unit.name,
        stage,
        unit.email.strip() if valid_email(unit.email) else "",
        _officer_email(wb, unit),
        subject,
        body,
        status,
    )


def _officer_email(wb: Workbook, unit: Unit) -> str:
    """The follow-up officer's sign-in e-mail, when a user of the upper unit has that name."""
    if not unit.officer:
        return ""
    wanted = name_key(unit.officer)
    for user in wb.users.values():
        if user.active and name_key(user.name) == wanted and valid_email(user.email):
            return user.email
    return ""
