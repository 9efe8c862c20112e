"""Reminders on the screens: the ready message to copy on Tổng hợp, one click to e-mail the
missing units through a real SMTP server, and the due round drafted on the home page."""

from __future__ import annotations

import pytest

from services.core.access import Role
from services.demo import demo_actors
from services.reminders import schedule
from tests.support.app import place_of
from tests.support.smtp import SmtpServer

URL = "https://3cd.tinhdoan.example.vn"
TONG_HOP = "pages/tong_hop.py"


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


def _with_settings(at, server=None):
    at.secrets["app"] = {"url": URL}
    if server is not None:
        at.secrets["smtp"] = {
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "sender": "Tỉnh đoàn <nhacnho@mau.example>",
            "pause_seconds": 0,
        }
    return at.run()


def message_tabs(at):
    return next(t for t in at.tabs if t.label == "Lời nhắc từng đơn vị")


def test_tong_hop_offers_the_message_to_copy_with_the_apps_address(open_app):
    at = _with_settings(open_app("upper", TONG_HOP))
    assert not at.exception
    assert any("chưa được cài đặt máy chủ thư" in i.value for i in at.info)
    codes = [c.value for c in at.code]
    assert any(
        "Đoàn cơ sở Công ty Mẫu 1" in c and URL in c and "hết ngày 15/12/2026" in c for c in codes
    )
    table = at.dataframe[-1].value
    row = table[table["Đơn vị"] == "Đoàn cơ sở Công ty Mẫu 1"].iloc[0]
    assert row["Đã nhắc"] == "chưa nhắc"


def test_one_click_emails_the_missing_units_and_the_row_says_so(open_app, server):
    at = _with_settings(open_app("upper", TONG_HOP), server)
    [send] = [b for b in at.button if b.label.startswith("Gửi e-mail nhắc")]
    send.click().run()
    assert not at.exception
    assert sorted(m.message["To"] for m in server.inbox.messages) == [
        "bithu098@mau.example",
        "bithu102@mau.example",
    ]  # Công ty Mẫu 1 and 5, the two not registered
    assert any("Đoàn cơ sở Công ty Mẫu 1" in m.message["Subject"] for m in server.inbox.messages)
    assert any("Đã gửi 2 e-mail nhắc nhở" in s.value for s in at.success)
    with_report = place_of(message_tabs(at), at.main)
    at.run()
    # The report is gone and nothing below moved: the message tabs are the same tabs.
    assert not any("Đã gửi 2 e-mail" in s.value for s in at.success)
    assert place_of(message_tabs(at), at.main) == with_report
    table = at.dataframe[-1].value
    row = table[table["Đơn vị"] == "Đoàn cơ sở Công ty Mẫu 1"].iloc[0]
    assert row["Đã nhắc"] == "đã nhắc 1 lần, lần cuối 25/11"


def test_a_due_round_is_drafted_on_the_home_page_and_not_sent_without_a_click(
    open_app, app_runtime, server
):
    at = open_app("upper", "pages/trang_chu.py")
    rt = app_runtime()
    province = next(a for a in demo_actors(rt) if a.role is Role.PROVINCE)
    schedule.set_schedule(rt, province, "CK-2027", "21", "", False, "lich")
    at = _with_settings(at, server)
    assert any("Nhắc nhở đến hạn — Trước hạn 21 ngày" in s.value for s in at.subheader)
    assert not server.inbox.messages
    [send] = [b for b in at.button if b.label.startswith("Gửi ") and "e-mail" in b.label]
    send.click().run()
    assert len(server.inbox.messages) == 2
