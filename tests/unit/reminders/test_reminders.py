"""Reminders to the units that have not registered: the ready message, e-mail through a real SMTP
server (headers, UTF-8, recipients), the outbox after an interrupted run, scope, the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.models import Role
from services.core.errors import AccessDenied, InvalidInput
from services.people import units
from services.reminders import outbox, schedule, send
from services.reminders.mailer import SmtpMailer
from services.reminders.messages import Stage, unit_messages, upper_messages
from services.reminders.settings import ReminderSettings, Smtp
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    OFFICER_BLOC,
    OPEN,
    POLICE_1,
    POLICE_UNION,
    officer_of,
    secretary_of,
    unit_form,
)
from tests.support.smtp import SmtpServer
from tests.support.world import unit_id

URL = "https://3cd.tinhdoan.example.vn"
OFFICER_NAME = "Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2 (mẫu)"  # a user of the demo, doankhoi@…


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


def _smtp(server: SmtpServer) -> Smtp:
    return Smtp("127.0.0.1", server.port, "none", sender="Tỉnh đoàn Hưng Yên <nhacnho@mau.example>")


def _set_unit(rt, people, name: str, **changes) -> None:
    unit = rt.workbook().units[unit_id(rt, name)]
    units.edit_unit(rt, people[Role.PROVINCE], unit, unit_form(unit, **changes), f"edit-{name}")


def _message(rt, actor, name: str):
    return next(
        m for m in unit_messages(rt, actor, OPEN, Stage.REGISTER, URL) if m.unit_name == name
    )


def test_a_missing_unit_gets_a_message_with_cycle_cutoff_time_left_and_address(rt, people):
    officer = people[Role.UPPER]
    found = unit_messages(rt, officer, OPEN, Stage.REGISTER, URL)
    names = [m.unit_name for m in found]
    assert COMPANY_1 in names and COMPANY_2 not in names  # Hồng Tiến has registered
    message = _message(rt, officer, COMPANY_1)
    cycle = rt.workbook().cycles[OPEN]
    assert COMPANY_1 in message.subject and cycle.name in message.body
    assert "Hạn đăng ký: hết ngày 15/12/2026 (còn 20 ngày 14 giờ)" in message.body
    assert URL in message.body and "Đoàn Khối Doanh nghiệp Mẫu 2" in message.body
    assert message.mailto.startswith(f"mailto:{message.to}?subject=%5B3C%C4%90%5D")


def test_the_upper_unit_message_lists_its_missing_units(rt, people):
    found = upper_messages(rt, people[Role.PROVINCE], OPEN, Stage.REGISTER, URL)
    khoai_chau = next(m for m in found if m.unit_name == OFFICER_BLOC)
    assert f"- {COMPANY_1}" in khoai_chau.body and COMPANY_2 not in khoai_chau.body
    assert khoai_chau.to.endswith("@mau.example")


def test_units_without_a_valid_email_are_listed_never_skipped(rt, people):
    _set_unit(rt, people, COMPANY_1, email="")
    officer = people[Role.UPPER]
    message = _message(rt, officer, COMPANY_1)
    assert message.to == ""
    queued = outbox.queue(rt, officer, OPEN, [message], outbox.MANUAL)
    assert queued.no_email == [COMPANY_1] and not queued.queued


def test_reminders_arrive_in_utf8_to_the_secretary_with_the_officer_in_copy(rt, people, server):
    _set_unit(rt, people, COMPANY_1, officer=OFFICER_NAME)
    officer = people[Role.UPPER]
    message = _message(rt, officer, COMPANY_1)
    assert message.cc == "doankhoi@mau.example"
    outbox.queue(rt, officer, OPEN, [message], outbox.MANUAL)
    with SmtpMailer(_smtp(server)) as mailer:
        report = outbox.send_pending(rt, officer, mailer)
    assert report.sent == [message.to]
    [got] = server.inbox.to(message.to)
    assert sorted(got.rcpt_tos) == sorted([message.to, "doankhoi@mau.example"])
    assert got.message["Subject"] == message.subject  # decoded from its RFC 2047 encoding
    assert got.message["To"] == message.to and got.message["Cc"] == "doankhoi@mau.example"
    assert got.message["From"].addresses[0].display_name == "Tỉnh đoàn Hưng Yên"
    assert got.message.get_content_charset() == "utf-8"
    assert "hết ngày 15/12/2026" in got.message.get_content()
    assert outbox.sent_words(rt, OPEN, message.unit_id, "Đăng ký") == (
        "đã nhắc 1 lần, lần cuối 25/11"
    )


def test_a_second_click_the_same_day_sends_nothing_more(rt, people, server):
    officer = people[Role.UPPER]
    messages = unit_messages(rt, officer, OPEN, Stage.REGISTER, URL)
    first = outbox.queue(rt, officer, OPEN, messages, outbox.MANUAL)
    again = outbox.queue(rt, officer, OPEN, messages, outbox.MANUAL)
    assert first.queued and not again.queued and len(again.already) == len(first.queued)
    with SmtpMailer(_smtp(server)) as mailer:
        outbox.send_pending(rt, officer, mailer)
        outbox.send_pending(rt, officer, mailer)
    assert len(server.inbox.messages) == len(first.queued)


class Interrupted(Exception):
    """The server stops in the middle of a run (a crash, a restart)."""


class StopsAfter:
    def __init__(self, mailer, count: int):
        self.mailer, self.left = mailer, count

    def send(self, row):
        if not self.left:
            raise Interrupted
        self.left -= 1
        self.mailer.send(row)


def test_a_run_interrupted_part_way_never_sends_a_message_twice(rt, people, server):
    officer = people[Role.PROVINCE]
    messages = [m for m in unit_messages(rt, officer, OPEN, Stage.REGISTER, URL) if m.to]
    assert len(messages) >= 3
    outbox.queue(rt, officer, OPEN, messages, outbox.MANUAL)
    with SmtpMailer(_smtp(server)) as mailer, pytest.raises(Interrupted):
        outbox.send_pending(rt, officer, StopsAfter(mailer, 2))
    with SmtpMailer(_smtp(server)) as mailer:
        outbox.send_pending(rt, officer, mailer)
    received = [m.message["To"] for m in server.inbox.messages]
    assert len(received) == len(set(received)) == len(messages) - 1
    [stuck] = outbox.unsure(rt, officer, OPEN)  # nobody knows whether it left
    assert stuck.recipient not in received
    assert outbox.send_again(rt, officer, stuck.id)  # a person checked: it did not
    with SmtpMailer(_smtp(server)) as mailer:
        outbox.send_pending(rt, officer, mailer)
    received = [m.message["To"] for m in server.inbox.messages]
    assert sorted(received) == sorted(m.to for m in messages)


def test_a_refused_message_is_marked_and_sent_on_the_next_run(rt, people, server):
    officer = people[Role.UPPER]
    message = _message(rt, officer, COMPANY_1)
    outbox.queue(rt, officer, OPEN, [message], outbox.MANUAL)
    server.inbox.refuse.add(message.to)  # the mailbox is full, say
    with SmtpMailer(_smtp(server)) as mailer:
        report = outbox.send_pending(rt, officer, mailer)
    assert report.failed and not server.inbox.messages
    assert "550" in rt.workbook().reminders[next(iter(rt.workbook().reminders))].error
    server.inbox.refuse.clear()
    with SmtpMailer(_smtp(server)) as mailer:
        assert outbox.send_pending(rt, officer, mailer).sent == [message.to]
    assert len(server.inbox.messages) == 1


def test_nothing_is_sent_outside_the_senders_scope(rt, people, server):
    province, officer = people[Role.PROVINCE], people[Role.UPPER]
    tien_lu = [
        m
        for m in unit_messages(rt, province, OPEN, Stage.REGISTER, URL)
        if rt.workbook().units[m.unit_id].parent_id == unit_id(rt, POLICE_UNION)
    ]
    assert tien_lu
    outbox.queue(rt, province, OPEN, tien_lu, outbox.MANUAL)
    with SmtpMailer(_smtp(server)) as mailer:
        assert outbox.send_pending(rt, officer, mailer).sent == []
    assert not server.inbox.messages
    assert all(
        m.unit_name != POLICE_1 for m in unit_messages(rt, officer, OPEN, Stage.REGISTER, URL)
    )
    with pytest.raises(AccessDenied):
        outbox.queue(rt, officer, OPEN, tien_lu, outbox.MANUAL)
    with pytest.raises(AccessDenied):
        unit_messages(rt, secretary_of(rt, COMPANY_1), OPEN, Stage.REGISTER, URL)


def test_the_schedule_drafts_rounds_and_only_the_province_sets_it(rt, people, clock):
    province = people[Role.PROVINCE]
    with pytest.raises(AccessDenied):
        schedule.set_schedule(rt, people[Role.UPPER], OPEN, "7, 1", "1", False, "s0")
    with pytest.raises(InvalidInput):
        schedule.set_schedule(rt, province, OPEN, "bảy", "1", False, "s1")
    schedule.set_schedule(rt, province, OPEN, "7, 1", "1", False, "s2")
    assert schedule.due(rt, province, URL) == []  # 20 days before the cut-off
    cutoff = rt.workbook().cycles[OPEN].register_cutoff
    clock.set(cutoff - timedelta(days=3))
    [due] = schedule.due(rt, officer_of(rt, OFFICER_BLOC), URL)
    assert due.round == "Trước hạn 7 ngày" and not due.auto
    assert COMPANY_1 in [m.unit_name for m in due.messages]
    clock.set(cutoff + timedelta(hours=30))
    rounds = [d.round for d in schedule.due(rt, province, URL)]
    assert rounds == ["Sau hạn 1 ngày (Đoàn cấp trên)"]


def test_automatic_sending_is_idempotent_and_off_unless_the_province_turns_it_on(
    rt, people, clock, server
):
    province = people[Role.PROVINCE]
    settings = ReminderSettings(URL, _smtp(server))
    schedule.set_schedule(rt, province, OPEN, "7", "", False, "s1")
    clock.set(rt.workbook().cycles[OPEN].register_cutoff - timedelta(days=2))
    assert send.run(rt, settings, sleep=lambda s: None) == 0
    assert not server.inbox.messages  # automatic sending is off
    schedule.set_schedule(rt, province, OPEN, "7", "", True, "s2")
    assert send.run(rt, settings, sleep=lambda s: None) == 0
    first = len(server.inbox.messages)
    assert first > 0
    assert send.run(rt, settings, sleep=lambda s: None) == 0  # cron runs again: nothing new
    assert len(server.inbox.messages) == first
    recipients = [m.message["To"] for m in server.inbox.messages]
    assert len(recipients) == len(set(recipients))


def test_the_cron_command_sends_the_due_round_once_even_when_run_twice(rt, people, server):
    """`python -m services.reminders.send` as cron runs it: a process of its own, settings from
    the environment, twice in a row."""
    import os
    import subprocess
    import sys

    from tests.support.world import NOW

    schedule.set_schedule(rt, people[Role.PROVINCE], OPEN, "21", "", True, "auto")
    env = {
        **os.environ,
        "TCD_SQLITE_PATH": rt.store.inner.url.removeprefix("sqlite:///"),
        "TCD_NOW": NOW.isoformat(),
        "TCD_APP_URL": URL,
        "TCD_SMTP_HOST": "127.0.0.1",
        "TCD_SMTP_PORT": str(server.port),
        "TCD_SMTP_SECURITY": "none",
        "TCD_SMTP_SENDER": "Tỉnh đoàn Hưng Yên <nhacnho@mau.example>",
    }
    command = [sys.executable, "-m", "services.reminders.send"]
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    recipients = [m.message["To"] for m in server.inbox.messages]
    missing = [m for m in unit_messages(rt, people[Role.PROVINCE], OPEN, Stage.REGISTER, URL)]
    assert sorted(recipients) == sorted(m.to for m in missing if m.to)
    assert all(URL in m.message.get_content() for m in server.inbox.messages)
    assert (
        server.inbox.messages[0].message["From"].addresses[0].display_name == "Tỉnh đoàn Hưng Yên"
    )
