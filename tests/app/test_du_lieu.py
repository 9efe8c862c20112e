"""Dữ liệu screen through AppTest: problems made by hand are listed, and a row without id adopted."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from pages._ui import plain
from services.core import records
from services.storage import Append
from services.storage.sql import SqlStore
from tests.support.app import ROOT, app_sqlite, place_of

PAGE = "pages/du_lieu.py"
HAND_ROW = {"id": "", "name": "Đoàn xã Mẫu Tay", "kind": "Xã", "active": "Có"}
BAD_KIND = {"id": "DV-TAY-1", "name": "Đoàn xã Mẫu Thôn", "kind": "Thôn", "active": "Có"}


def by_hand(tmp_path) -> SqlStore:
    """The app's SQLite file opened by someone else (no service rules, no read cache)."""
    return SqlStore.at_path(app_sqlite(tmp_path))


def problems_table(at) -> list[dict[str, str]]:
    return at.dataframe[1].value.to_dict("records")


def text(at) -> str:
    return " ".join(e.value for e in [*at.success, *at.error, *at.info, *at.warning])


def test_a_clean_store_says_there_is_nothing_to_fix(open_app):
    at = open_app("province", PAGE)
    assert not at.exception
    assert "Không có vấn đề nào" in text(at)
    assert "Không có hàng nào" in " ".join(c.value for c in at.caption)


def test_problems_made_by_hand_are_listed_with_tab_row_column_and_reason(
    open_app, app_runtime, tmp_path
):
    at = open_app("province", PAGE)
    app_runtime().store.apply([Append("units", BAD_KIND), Append("units", HAND_ROW)])
    at.run()
    assert not at.exception
    rows = [r.number for r in by_hand(tmp_path).read(["units"])["units"][-2:]]
    counts = at.dataframe[0].value.to_dict("records")
    assert counts == [
        {"Loại vấn đề": "Chưa có mã", "Số lượng": 1},
        {"Loại vấn đề": "Giá trị không đọc được", "Số lượng": 1},
    ]
    listed = problems_table(at)
    assert [(r["Loại"], r["Bảng"], r["Hàng"], r["Cột"]) for r in listed] == [
        ("Giá trị không đọc được", "Đơn vị", str(rows[0]), "Loại đơn vị"),
        ("Chưa có mã", "Đơn vị", str(rows[1]), "Mã"),
    ]
    assert "chưa có mã" in listed[1]["Vấn đề"]
    assert "Mở ô" not in listed[0]  # no Google Sheet behind the embedded store


def test_the_list_filters_by_kind(open_app, app_runtime):
    at = open_app("province", PAGE)
    app_runtime().store.apply([Append("units", BAD_KIND), Append("units", HAND_ROW)])
    at.run()
    at.selectbox(key="health_kind").select("Chưa có mã").run()
    assert [r["Loại"] for r in problems_table(at)] == ["Chưa có mã"]
    assert "Đang hiện 1 / 2 vấn đề." in [c.value for c in at.caption]


def test_province_staff_adopt_a_row_without_id(open_app, app_runtime, tmp_path):
    at = open_app("province", PAGE)
    app_runtime().store.apply([Append("units", HAND_ROW)])
    at.run()
    choice = at.selectbox(key="adopt_choice")
    (label,) = choice.options
    number = by_hand(tmp_path).read(["units"])["units"][-1].number
    assert label.startswith(f"Bảng Đơn vị · hàng {number} · Tên đơn vị: Đoàn xã Mẫu Tay")
    at.button(key="adopt_button").click().run()
    assert not at.exception and not at.error
    stored = by_hand(tmp_path).read(["units", "audit_log"])
    row = next(r for r in stored["units"] if r.number == number)
    assert row.cells["id"].startswith("DV-") and row.cells["version"] == "1"
    said = (
        f"Đã cấp mã {row.cells['id']} cho hàng {number} của bảng Đơn vị; "
        "từ nay ứng dụng dùng hàng này."
    )
    assert plain(said) in text(at)
    assert {**row.cells, "id": "", "version": ""} == {f: HAND_ROW.get(f, "") for f in row.cells}
    (audit,) = [a for a in stored["audit_log"] if a.cells["record_id"] == row.cells["id"]]
    assert audit.cells["action"] == records.ADOPTED
    assert "Không có vấn đề nào" in text(at)  # the adopted row is a record now


def test_what_adopting_says_comes_without_moving_the_filters(open_app, app_runtime):
    """The message shows on the run after the click only; drawn in a place kept on every run, it
    does not move the filters below it (a box drawn at a new place is drawn anew in the browser,
    which can lose what was just chosen in it)."""
    at = open_app("province", PAGE)
    app_runtime().store.apply([Append("units", BAD_KIND), Append("units", HAND_ROW)])
    at.run()
    before = place_of(at.selectbox(key="health_kind"), at.main)
    at.button(key="adopt_button").click().run()
    assert "Đã cấp mã" in text(at)
    assert place_of(at.selectbox(key="health_kind"), at.main) == before


def test_a_row_changed_after_the_screen_read_it_is_not_adopted_and_both_values_show(
    open_app, app_runtime, tmp_path
):
    at = open_app("province", PAGE)
    app_runtime().store.apply([Append("units", HAND_ROW)])
    at.run()
    store = by_hand(tmp_path)
    table = store.tables["units"]
    with store.engine.begin() as conn:  # a person fixes the name while the screen is open
        conn.execute(table.update().where(table.c.id == "").values(name="Đoàn xã Mẫu Tay Mới"))
    at.button(key="adopt_button").click().run()
    assert not at.exception
    assert "đã thay đổi trong bảng tính" in text(at)
    changed = at.dataframe[0].value.to_dict("records")
    assert changed == [
        {
            "Cột": "Tên đơn vị",
            "Khi bạn mở biểu mẫu": "Đoàn xã Mẫu Tay",
            "Hiện tại": "Đoàn xã Mẫu Tay Mới",
        }
    ]
    with store.engine.connect() as conn:
        ids = conn.execute(sa.select(table.c.id).where(table.c.name.like("%Mẫu Tay%"))).all()
    assert ids == [("",)]


def test_the_screen_is_not_offered_to_an_upper_unit_officer(open_app):
    at = open_app("upper", PAGE)
    assert not at.dataframe
    assert "không dành cho vai trò của bạn" in " ".join(w.value for w in at.warning)


def test_on_google_sheets_each_problem_links_to_its_cell(monkeypatch):
    """The screen alone on the Sheets engine over the fake API (the router is tested above)."""
    from pages import _ui
    from schemas.tabs import TABS
    from tests.support.sheets_health import DemoSheet

    sheet = DemoSheet.open(locale="en_US")
    me = sheet.province()
    last = len(sheet.values("units"))
    sheet.person.type_row(TABS["units"].title, last + 1, ["", "Đoàn xã Mẫu Tay", "Xã"])
    monkeypatch.setattr(_ui, "runtime", lambda: sheet.later())
    monkeypatch.setattr(_ui, "actor", lambda: me)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    listed = problems_table(at)
    assert [(r["Loại"], r["Hàng"]) for r in listed] == [
        ("Cài đặt bảng tính", ""),
        ("Chưa có mã", str(last + 1)),
    ]
    assert listed[1]["Mở ô"] == sheet.link("units", f"A{last + 1}")
    assert listed[0]["Mở ô"].endswith("/edit") and "“en_US”" in listed[0]["Vấn đề"]
    at.button(key="adopt_button").click().run()
    assert not at.exception and not at.error
    row = sheet.values("units")[last]
    assert row[0].startswith("DV-") and row[1:3] == ["Đoàn xã Mẫu Tay", "Xã"]
