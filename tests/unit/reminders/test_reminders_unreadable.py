"""Reminders while a tab they need cannot be read (on Google Sheets): with a title row typed above
*Đăng ký*'s header every unit would look "not registered", so the messages, the schedule and the
cron command refuse with the reason instead of reminding units that did register."""

from __future__ import annotations

import pytest

from schemas.tabs import TABS
from services.core.readable import TabsUnreadable
from services.reminders import schedule, send
from services.reminders.messages import Stage, unit_messages, upper_messages
from services.reminders.settings import ReminderSettings, Smtp
from tests.support.sheets_health import DemoSheet
from tests.support.smtp import SmtpServer

URL = "https://3cd.tinhdoan.example.vn"
CYCLE = "CK-2027"  # the demo's open cycle: registration until 16/12/2026, 21 days after NOW
REGS = TABS["registrations"].title


class NoPace:
    """The engine's request pacing, off: sending a round writes each message's state, and the
    pace (46 writes a minute, in real time here) is not what these tests are about."""

    def take(self) -> float:
        return 0.0

    def charge(self) -> None:
        return None


@pytest.fixture
def sheet() -> DemoSheet:
    opened = DemoSheet.open()
    engine = opened.rt.store.inner
    engine._read_pace = engine._write_pace = NoPace()
    return opened


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


def title_row(sheet: DemoSheet) -> None:
    sheet.person.insert_row(REGS, 1, ["Danh sách đăng ký năm 2027"])


def test_messages_and_due_rounds_refuse_while_registrations_cannot_be_read(sheet):
    me = sheet.province()
    schedule.set_schedule(sheet.rt, me, CYCLE, "30", "", False, "lich")
    assert schedule.due(sheet.rt, me, URL)  # a round is due on the tidy sheet
    title_row(sheet)
    rt = sheet.later()
    for build in (unit_messages, upper_messages):
        with pytest.raises(TabsUnreadable) as refused:
            build(rt, me, CYCLE, Stage.REGISTER, URL)
        text = str(refused.value)
        assert text.startswith("Chưa soạn được lời nhắc vì chưa đọc được dữ liệu")
        assert "hàng 1 của bảng “Đăng ký” không có cột “Mã”" in text
        assert "không gửi lời nhắc nào" in text
    with pytest.raises(TabsUnreadable):
        schedule.due(rt, me, URL)


def test_the_cron_command_exits_non_zero_and_sends_nothing_then_sends_once_the_sheet_is_fixed(
    sheet, server, capsys
):
    me = sheet.province()
    schedule.set_schedule(sheet.rt, me, CYCLE, "30", "", True, "tu-dong")
    missing = [m.to for m in unit_messages(sheet.rt, me, CYCLE, Stage.REGISTER, URL) if m.to]
    smtp = Smtp("127.0.0.1", server.port, "none", sender="Tỉnh đoàn <nhacnho@mau.example>")
    settings = ReminderSettings(URL, smtp)
    title_row(sheet)
    code = send.run(sheet.later(), settings, sleep=lambda seconds: None)
    assert code == send.UNREADABLE != 0
    assert server.inbox.messages == []
    said = capsys.readouterr().err
    assert "Không gửi nhắc nhở nào" in said and "bảng “Đăng ký”" in said
    sheet.person.delete_row(REGS, 1)  # the title row removed: the same run reminds the right units
    assert send.run(sheet.later(), settings, sleep=lambda seconds: None) == 0
    assert sorted(m.message["To"] for m in server.inbox.messages) == sorted(missing)
