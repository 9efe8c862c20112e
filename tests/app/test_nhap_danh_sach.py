"""Nhập danh sách through AppTest: the messy unit list previewed, confirmed and written; the
users list for an upper unit; a Google Sheet tab named without being shared."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from services import bootstrap
from services.core.xlsx_read import read_tables
from tests.support.app import place_of
from tests.support.unit_lists import NEW_COMMUNES, messy_unit_list, user_list

PAGE = "pages/nhap_danh_sach.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, data: bytes) -> AppTest:
    at.file_uploader[0].set_value(("danh-sach.xlsx", data, XLSX)).run()
    return ok(at)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_province_staff_preview_the_messy_list_and_nothing_is_written(open_app, stored):
    at = upload(open_app("province", PAGE), messy_unit_list())
    suggested = {s.label: s.value for s in at.selectbox}
    assert suggested["Tên đơn vị (bắt buộc)"] == 1 and suggested["Hình thành từ"] == 7
    assert metric(at, "Thêm mới") == "4"
    assert metric(at, "Hợp nhất") == "1"
    assert metric(at, "Gần giống — cần xác nhận") == "2"  # Tiên Lữ, and the Cơ quan unit
    assert metric(at, "Lỗi") == "1"  # the commune listed twice
    assert any("Dòng tổng cộng" in c.value for c in at.caption)
    names = {u.name for u in stored().workbook().units.values()}
    assert not set(NEW_COMMUNES) & names


def test_confirming_writes_the_list_with_its_decision(open_app, stored):
    at = upload(open_app("province", PAGE), messy_unit_list())
    at.text_input(key="list-decision").input("27-QĐ/TĐTN").run()
    next(b for b in at.button if b.label == "Xác nhận và ghi").click().run()
    ok(at)
    assert any("4 đơn vị thêm mới, 1 hợp nhất" in s.value for s in at.success)
    wb = stored().workbook()
    assert set(NEW_COMMUNES) <= {u.name for u in wb.units.values()}
    assert any(c.decision_number == "27-QĐ/TĐTN" for c in wb.unit_changes.values())


def test_a_merge_without_a_decision_number_is_refused_and_nothing_is_written(open_app, stored):
    at = upload(open_app("province", PAGE), messy_unit_list())
    next(b for b in at.button if b.label == "Xác nhận và ghi").click().run()
    assert any("Số quyết định" in e.value for e in at.error)
    assert "Đoàn xã Hợp Nhất Mẫu" not in {u.name for u in stored().workbook().units.values()}


def test_an_upper_unit_imports_people_of_its_own_units_only(open_app, stored):
    rows = [
        ("Lê Văn Mẫu", "bithu.mau3@mau.example", "Bí thư", "Đoàn cơ sở Công ty Mẫu 3"),
        ("Phạm Thị Mẫu", "tinh.mau@mau.example", "Cán bộ Tỉnh đoàn", "Tỉnh đoàn Hưng Yên"),
    ]
    at = open_app("upper", PAGE)
    assert [r.value for r in at.radio if r.key == "list-kind"] == ["Danh sách người dùng"]
    upload(at, user_list(rows))
    assert metric(at, "Thêm mới") == "1"
    assert metric(at, "Lỗi") == "1"
    next(b for b in at.button if b.label == "Xác nhận và ghi").click().run()
    ok(at)
    emails = {u.email for u in stored().workbook().users.values()}
    assert "bithu.mau3@mau.example" in emails and "tinh.mau@mau.example" not in emails


def test_the_google_sheet_source_names_the_account_to_share_with(open_app):
    at = open_app("province", PAGE)
    at.radio(key="list-src").set_value("Trang của Google Sheet").run()
    ok(at)
    assert any("chia sẻ" in i.value for i in at.info)
    at.text_input(key="list-link").input("https://example.com/khong-phai-sheet").run()
    next(b for b in at.button if b.label == "Đọc trang").click().run()
    assert any("không phải địa chỉ một Google Sheet" in e.value for e in at.error)


def test_the_read_button_goes_without_moving_the_columns_to_check(open_app, monkeypatch):
    """The "Đọc trang" button is there until the page is read and gone on the run after; the fields
    below stay the same widgets (drawn at a new place the browser draws them anew, which can
    lose the first column someone corrects). Reading the sheet itself is tested against the
    fake Sheets API in tests/unit/people/test_unit_import.py; here it returns the messy list."""
    table = read_tables(messy_unit_list())[0]
    monkeypatch.setattr(bootstrap, "read_sheet_tab", lambda *_: table)
    at = open_app("province", PAGE)
    at.radio(key="list-src").set_value("Trang của Google Sheet").run()
    at.text_input(key="list-link").input("https://docs.google.com/spreadsheets/d/abc").run()
    ok(next(b for b in at.button if b.label == "Đọc trang").click().run())
    header = next(n for n in at.number_input if n.key.startswith("list-header-"))
    with_button = place_of(header, at.main)
    ok(at.run())
    assert not [b for b in at.button if b.label == "Đọc trang"]
    header = next(n for n in at.number_input if n.key.startswith("list-header-"))
    assert place_of(header, at.main) == with_button


def test_secretaries_and_viewers_are_shown_whom_the_screen_is_for(open_app):
    at = open_app("secretary", PAGE)
    assert not at.file_uploader
