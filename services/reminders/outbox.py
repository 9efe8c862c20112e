"""The outbox: reminders are queued as rows (one per unit, round and recipient), then sent one by
one, each claimed first, so a run that stops part-way never sends a message twice.

States: Chờ gửi → Đang gửi → Đã gửi, or Lỗi (the server refused: sent again on the next run).
A row left "Đang gửi" by a run that stopped mid-message is never sent again by itself: nobody can
know whether it left, so a person checks the mailbox and sends it again with one click.
Claiming is a compare-and-set on the row (the store refuses an update of a row changed since it
was read), so two servers running the command at once never both send the same row: exact on
SQL engines, and on Sheets within one process (docs/reminders.md states the window).
"""

from __future__ import annotations

import hashlib
import smtplib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from schemas import tabs
from schemas.cells import VN_TZ, iso
from schemas.models import Reminder
from services.core import records
from services.core.access import Actor, scope
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.reminders.messages import Message, ensure_may_remind
from services.storage import Conflict, DuplicateRecord, RecordMissing

PENDING, SENDING, SENT, FAILED = "Chờ gửi", "Đang gửi", "Đã gửi", "Lỗi"
MANUAL = "Gửi ngay"  # the round of a reminder sent by a click (one per unit and day)


class Mailer(Protocol):
    def send(self, row: Reminder) -> None: ...


@dataclass
class Queued:
    queued: list[str] = field(default_factory=list)  # ids of rows added now
    already: list[str] = field(default_factory=list)  # ids queued or sent before
    no_email: list[str] = field(default_factory=list)  # names of units without a valid e-mail


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)  # recipients
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error)
    taken: int = 0  # rows another run claimed first


def reminder_id(cycle_id: str, unit_id: str, stage: str, round_: str, recipient: str) -> str:
    """The same reminder always gets the same id, whoever queues it and wherever."""
    key = "|".join((cycle_id, unit_id, stage, round_, recipient.lower()))
    return "NN-" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()


def queue(
    rt: Runtime, actor: Actor, cycle_id: str, messages: Sequence[Message], round_: str
) -> Queued:
    """Put these reminders in the outbox; units without an e-mail are listed, never skipped."""
    ensure_may_remind(actor)
    wb = rt.workbook()
    visible = scope(wb, actor)
    result = Queued()
    for message in messages:
        if message.unit_id not in visible:
            raise AccessDenied(f"{message.unit_name} không thuộc phạm vi của bạn.")
        if not message.to:
            result.no_email.append(message.unit_name)
            continue
        rec_id = reminder_id(cycle_id, message.unit_id, message.stage, round_, message.to)
        if rec_id in wb.reminders:
            result.already.append(rec_id)
            continue
        now = rt.clock.now()
        cells = {
            "id": rec_id,
            "cycle_id": cycle_id,
            "unit_id": message.unit_id,
            "stage": message.stage.value,
            "round": round_,
            "recipient": message.to,
            "cc": message.cc,
            "subject": message.subject,
            "body": message.body,
            "state": PENDING,
            "created_by": actor.label,
            "created_at": iso(now),
            "version": "1",
            "updated_at": iso(now),
        }
        try:
            rt.store.apply(
                records.create(
                    actor, now, "Soạn nhắc nhở", cells, tabs.REMINDERS.name, uuid.uuid4().hex
                )
            )
        except DuplicateRecord:  # another session or server queued it a moment ago
            result.already.append(rec_id)
            continue
        result.queued.append(rec_id)
    return result


def send_pending(
    rt: Runtime,
    actor: Actor,
    mailer: Mailer,
    pause_seconds: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    cycle_id: str | None = None,
) -> SendReport:
    """Send the queued (and failed) reminders of the units in this person's scope, one at a time."""
    ensure_may_remind(actor)
    wb = rt.workbook()
    visible = scope(wb, actor)
    rows = sorted(
        (
            r
            for r in wb.reminders.values()
            if r.state in (PENDING, FAILED)
            and r.unit_id in visible
            and (cycle_id is None or r.cycle_id == cycle_id)
        ),
        key=lambda r: (r.created_at is None, r.created_at, r.id),
    )
    report = SendReport()
    for row in rows:
        claimed = _move(rt, actor, row, {"state": SENDING, "sent_by": actor.label, "error": ""})
        if claimed is None:
            report.taken += 1
            continue
        if report.sent or report.failed:
            sleep(pause_seconds)  # the mail server's sending limits
        try:
            mailer.send(claimed)
        except (smtplib.SMTPException, OSError) as exc:
            _move(rt, actor, claimed, {"state": FAILED, "error": str(exc)[:500]})
            report.failed.append((row.recipient, str(exc)))
            continue
        _move(rt, actor, claimed, {"state": SENT, "sent_at": iso(rt.clock.now())})
        report.sent.append(row.recipient)
    return report


def send_again(rt: Runtime, actor: Actor, reminder_id_: str) -> bool:
    """Put a reminder left 'Đang gửi' back in the queue, after a person checked it did not leave;
    False when someone changed it meanwhile (it is left as they left it)."""
    ensure_may_remind(actor)
    wb = rt.workbook()
    row = wb.reminders.get(reminder_id_)
    if row is None or row.unit_id not in scope(wb, actor):
        raise AccessDenied("Không tìm thấy nhắc nhở này trong phạm vi của bạn.")
    return _move(rt, actor, row, {"state": PENDING}) is not None


def _move(rt: Runtime, actor: Actor, row: Reminder, changes: dict[str, str]) -> Reminder | None:
    """Change a row's state if nobody changed it since it was read; None when someone did."""
    now = rt.clock.now()
    action = f"Nhắc nhở: {changes['state'].lower()}"
    try:
        rt.store.apply(records.change(actor, now, action, row, changes, uuid.uuid4().hex))
    except (Conflict, RecordMissing):
        return None
    return rt.workbook().reminders.get(row.id)


def sent_words(rt: Runtime, cycle_id: str, unit_id: str, stage: str) -> str:
    """'đã nhắc 2 lần, lần cuối 07/10' from the reminders sent to this unit in this cycle."""
    sent = sorted(
        r.sent_at
        for r in rt.workbook().reminders.values()
        if r.cycle_id == cycle_id
        and r.unit_id == unit_id
        and r.stage == stage
        and r.state == SENT
        and r.sent_at
    )
    if not sent:
        return ""
    return f"đã nhắc {len(sent)} lần, lần cuối {sent[-1].astimezone(VN_TZ):%d/%m}"


def unsure(rt: Runtime, actor: Actor, cycle_id: str) -> list[Reminder]:
    """Reminders left 'Đang gửi' by a run that stopped: a person decides whether to send again."""
    wb = rt.workbook()
    visible = scope(wb, actor)
    return [
        r
        for r in wb.reminders.values()
        if r.state == SENDING and r.cycle_id == cycle_id and r.unit_id in visible
    ]
