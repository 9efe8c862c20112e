"""Xuất / nhập dữ liệu through AppTest: the download, a bad file, a refused and a completed import."""

from __future__ import annotations

import io

import openpyxl
from streamlit.testing.v1 import AppTest

from schemas.tabs import ALL_TABS, TABS
from services.core.access import Actor, Role
from services.data import transfer
from services.storage import Append
from services.storage.sql import SqlStore
from tests.support.app import page_alone
from tests.support.world import NOW

PAGE = "pages/chuyen_du_lieu.py"
NAMES = [t.name for t in ALL_TABS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STEWARD = Actor("quanly@mau.example", "Quản lý dữ liệu", Role.PROVINCE, "")


def rows(store) -> dict[str, list[dict[str, str]]]:
    return {n: [dict(r.cells) for r in got] for n, got in store.read(NAMES).items()}


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def on_empty_store(tmp_path) -> AppTest:
    """The page alone on an empty store that is not the demo (sign-in configured, so no seeding)."""
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    clock = {"now": NOW.isoformat(), "training": True}  # a frozen clock needs this with [auth]
    at = page_alone(PAGE, tmp_path / "new.sqlite", STEWARD, auth=auth, clock=clock)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_province_staff_see_the_download_named_with_the_date(open_app):
    at = open_app("province", PAGE)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Tải toàn bộ dữ liệu (.xlsx)"]
    assert transfer.export_file_name(NOW.date()) == "3cd-du-lieu-2026-11-25.xlsx"
    assert at.file_uploader
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "liên hệ quản trị hệ thống" in shown and "tối đa 20 MB" in shown
    assert "make " not in shown and "secrets.toml" not in shown and "README" not in shown


def test_a_file_that_is_not_xlsx_shows_a_clear_error(open_app):
    at = open_app("province", PAGE)
    upload(at, "du-lieu.xlsx", b"Ma,Ten\nDV-1,Doan xa\n")
    click(at, "Kiểm tra tệp")
    assert any("không phải tệp Excel" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Nhập dữ liệu"]


def test_the_demo_store_is_not_empty_so_the_import_is_refused(open_app, app_runtime, tmp_path):
    other = SqlStore.at_path(tmp_path / "other.sqlite")
    fields = TABS["units"].fields
    root = {"id": "DV-KHAC", "name": "Tỉnh đoàn khác", "kind": "Tỉnh đoàn", "active": "Có"}
    other.apply([Append("units", {f: root.get(f, "") for f in fields})])
    data = transfer.export_xlsx(other, STEWARD)
    at = open_app("province", PAGE)
    before = rows(app_runtime().store)
    upload(at, "khac.xlsx", data)
    click(at, "Kiểm tra tệp")
    assert any("Kho dữ liệu đang có dữ liệu" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert not [b for b in at.button if b.label == "Nhập dữ liệu"]
    assert rows(app_runtime().store) == before


def test_a_file_with_problems_lists_them_and_offers_no_import(tmp_path, rt, people):
    book = openpyxl.load_workbook(io.BytesIO(transfer.export_xlsx(rt.store, people[Role.PROVINCE])))
    units = book[transfer.sheet_titles()["units"]]
    units["E3"] = "nhiều"  # Số đoàn viên
    data = io.BytesIO()
    book.save(data)

    at = on_empty_store(tmp_path)
    upload(at, "loi.xlsx", data.getvalue())
    click(at, "Kiểm tra tệp")
    assert any("1 lỗi cần sửa" in e.value for e in at.error), [e.value for e in at.error]
    table = at.dataframe[1].value
    assert table.iloc[0].to_dict() == {
        "Trang": TABS["units"].title,
        "Dòng": "3",
        "Cột": "Số đoàn viên",
        "Vấn đề": "phải là số nguyên (ví dụ 1200 hoặc 1.200)",
    }
    assert not [b for b in at.button if b.label == "Nhập dữ liệu"]
    assert rows(SqlStore.at_path(tmp_path / "new.sqlite"))["units"] == []


def test_a_good_file_is_imported_into_an_empty_store_with_progress(tmp_path, rt, people):
    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    at = on_empty_store(tmp_path)
    rows_in_file = sum(len(tab) for tab in transfer.read_workbook(data).rows.values())
    upload(at, "3cd-du-lieu-2026-11-25.xlsx", data)
    click(at, "Kiểm tra tệp")
    assert any(f"Sẵn sàng nhập {rows_in_file} dòng" in s.value for s in at.success)
    click(at, "Nhập dữ liệu")
    assert any(f"Đã nhập {rows_in_file} dòng" in s.value for s in at.success)

    stored = rows(SqlStore.at_path(tmp_path / "new.sqlite"))
    stored["audit_log"] = [c for c in stored["audit_log"] if not c["id"].startswith("NK-NHAP-")]
    assert stored == rows(rt.store)


def test_other_roles_are_told_the_screen_is_for_province_staff(tmp_path, rt, people):
    at = on_empty_store(tmp_path)
    at.session_state["actor"] = people[Role.UPPER]
    at.run()
    assert any("dành cho cán bộ Tỉnh đoàn" in i.value for i in at.info)
    assert not at.file_uploader and not at.get("download_button")
