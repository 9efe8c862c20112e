"""A tab made unreadable by hand (deleted, a title row typed above its header): every screen that
needs it says so in Vietnamese instead of showing counts; the others keep working.

The screens run alone on the Sheets engine over the fake API (the router is tested elsewhere).
"""

from __future__ import annotations

import pytest

from schemas.tabs import TABS
from tests.support.sheets_health import DemoSheet

REGS = TABS["registrations"].title  # "Đăng ký"
READING_REGISTRATIONS = [
    "pages/tong_hop.py",
    "pages/trang_chu.py",
    "pages/dang_ky.py",
    "pages/bao_cao.py",
    "pages/danh_gia.py",
]


@pytest.fixture
def sheet() -> DemoSheet:
    return DemoSheet.open()


def said(at) -> str:
    return " ".join(e.value for e in at.error)


def test_the_dashboard_shows_its_counts_while_the_sheet_is_tidy(sheet, monkeypatch):
    at = sheet.screen(monkeypatch, "pages/tong_hop.py")
    assert not at.exception and not at.error
    assert {m.label for m in at.metric} >= {"Đúng hạn", "Chưa đăng ký"}


def test_a_title_row_above_the_header_stops_the_dashboard_instead_of_every_unit_unregistered(
    sheet, monkeypatch
):
    sheet.person.insert_row(REGS, 1, ["Danh sách đăng ký năm 2026"])
    at = sheet.screen(monkeypatch, "pages/tong_hop.py")
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.metric) == [] and list(at.dataframe) == []  # no count at all
    text = said(at)
    assert "Chưa đọc được dữ liệu trang này cần" in text
    assert "hàng 1 của bảng “Đăng ký” không có cột “Mã”" in text
    assert "dòng tiêu đề phía trên hàng tiêu đề" in text and "Dữ liệu" in text


@pytest.mark.parametrize("page", READING_REGISTRATIONS)
def test_a_deleted_registrations_tab_is_said_plainly_on_every_screen_that_reads_it(
    sheet, monkeypatch, page
):
    sheet.person.delete_tab(REGS)
    at = sheet.screen(monkeypatch, page)
    assert not at.exception, [e.value for e in at.exception]
    assert "không tìm thấy bảng “Đăng ký” trong bảng tính" in said(at)
    assert list(at.metric) == [] and list(at.dataframe) == []


def test_screens_that_do_not_need_the_tab_keep_working_and_the_board_returns_once_fixed(
    sheet, monkeypatch
):
    sheet.person.rename_tab(REGS, "Đăng ký (cũ)")
    units = sheet.screen(monkeypatch, "pages/don_vi.py")
    assert not units.exception and not units.error and list(units.dataframe)
    sheet.person.rename_tab("Đăng ký (cũ)", REGS)
    at = sheet.screen(monkeypatch, "pages/tong_hop.py")
    assert not at.error and sum(int(m.value) for m in at.metric) > 0


def test_reminders_say_why_they_are_not_drafted_while_the_outbox_tab_cannot_be_read(
    sheet, monkeypatch
):
    """*Tổng hợp*'s counts need only the registration tabs; its reminders also need *Nhắc nhở*
    (what was already sent): without it they could go twice, so they say why they are not shown."""
    tidy = sheet.screen(monkeypatch, "pages/tong_hop.py")
    assert any(s.value.startswith("Nhắc nhở đơn vị") for s in tidy.subheader) and not tidy.error
    sheet.person.insert_row(TABS["reminders"].title, 1, ["Nhật ký nhắc nhở"])
    at = sheet.screen(monkeypatch, "pages/tong_hop.py")
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label for m in at.metric} >= {"Đúng hạn", "Chưa đăng ký"}  # the board still shows
    text = said(at)
    assert "Chưa soạn được lời nhắc" in text and "bảng “Nhắc nhở”" in text
    assert not [b for b in at.button if b.label.startswith("Gửi e-mail nhắc")]


@pytest.mark.parametrize("page", ["pages/nhap_danh_sach.py", "pages/thay_doi_don_vi.py"])
def test_screens_that_write_units_stop_while_the_unit_tab_cannot_be_read(sheet, monkeypatch, page):
    sheet.person.rename_header(TABS["units"].title, "Mã", "Mã đơn vị")
    at = sheet.screen(monkeypatch, page)
    assert not at.exception, [e.value for e in at.exception]
    assert "hàng 1 của bảng “Đơn vị” không có cột “Mã”" in said(at)
    assert list(at.button) == [] and list(at.radio) == [] and list(at.dataframe) == []
