"""Báo cáo lên tỉnh screen through AppTest: sending the roll-up, resending, the .xlsx, who may."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from services import demo
from services.core.access import Role
from services.core.errors import AccessDenied
from services.core.runtime import Runtime
from services.registration import plans, rollups
from tests.support.app import page_alone
from tests.support.world import NOW, PLAN, unit_id

PAGE = "pages/bao_cao.py"
CYCLE = "CK-2027"


def send(at, note: str = "", label: str = "Gửi báo cáo"):
    at.text_area[0].input(note)
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stored_report(rt: Runtime, unit_name: str):
    """The roll-up row as stored, read back from the store (not from the page)."""
    return rt.workbook().upper_report(CYCLE, unit_id(rt, unit_name))


def test_an_upper_officer_sends_the_rollup_and_the_store_holds_the_frozen_counts(
    open_app, app_runtime
):
    at = open_app("upper", PAGE)
    assert stored_report(app_runtime(), "Đoàn Khối Doanh nghiệp Mẫu 2") is None
    send(at, "Đã nhắc Đoàn cơ sở Công ty Mẫu 1")
    assert "Đã gửi báo cáo của Đoàn Khối Doanh nghiệp Mẫu 2" in " ".join(
        s.value for s in at.success
    )

    report = stored_report(app_runtime(), "Đoàn Khối Doanh nghiệp Mẫu 2")
    assert (report.total_units, report.registered_on_time, report.not_registered) == (5, 3, 2)
    assert report.on_time is True
    assert report.note == "Đã nhắc Đoàn cơ sở Công ty Mẫu 1"
    assert report.sent_at == NOW


def test_the_sent_report_shows_its_frozen_figures_beside_the_current_ones(open_app, app_runtime):
    at = send(open_app("upper", PAGE))
    rt = app_runtime()
    secretary = next(a for a in demo.demo_actors(rt) if a.role is Role.SECRETARY)
    plans.register_plan(rt, secretary, CYCLE, secretary.unit_id, PLAN, "later-plan")
    at.run()
    table = next(d.value for d in at.dataframe if "Đã gửi" in d.value.columns).set_index("Mục")
    assert table.loc["Chưa đăng ký", "Đã gửi"] == 2 and table.loc["Chưa đăng ký", "Hiện tại"] == 1
    assert any("Số liệu đã thay đổi" in i.value for i in at.info)


def test_sending_again_updates_the_figures_but_keeps_the_first_on_time_verdict(
    open_app, app_runtime
):
    at = send(open_app("upper", PAGE))
    rt = app_runtime()
    secretary = next(a for a in demo.demo_actors(rt) if a.role is Role.SECRETARY)
    plans.register_plan(rt, secretary, CYCLE, secretary.unit_id, PLAN, "later-plan")
    rt.clock.set(NOW + timedelta(days=40))  # well past the report cut-off (end of 20/12/2026)
    at.run()
    send(at, "Bổ sung Công ty Mẫu 1", label="Gửi lại báo cáo")

    report = stored_report(rt, "Đoàn Khối Doanh nghiệp Mẫu 2")
    assert (report.registered_on_time, report.not_registered) == (4, 1)
    assert report.on_time is True and report.sent_at == NOW
    assert report.last_sent_at == NOW + timedelta(days=40)


def test_a_first_report_after_the_cut_off_is_recorded_late(open_app, app_runtime):
    at = open_app("upper", PAGE)
    app_runtime().clock.set(NOW + timedelta(days=40))
    at.run()
    assert any("quá hạn báo cáo" in w.value for w in at.warning)
    send(at)
    assert stored_report(app_runtime(), "Đoàn Khối Doanh nghiệp Mẫu 2").on_time is False


def test_province_staff_choose_the_upper_unit_and_see_its_live_counts(open_app, app_runtime):
    at = open_app("province", PAGE)
    assert not [m for m in at.metric if m.label == "Tổng số đoàn cơ sở"]  # nothing until chosen
    police = unit_id(app_runtime(), "Đoàn Thanh niên Công an tỉnh")
    at.selectbox(key="report-unit").select(police).run()
    counts = {m.label: m.value for m in at.metric}
    assert counts["Tổng số đoàn cơ sở"] == "2"  # Đoàn cơ sở Công an Mẫu 1 and 2


def test_a_secretary_calling_send_rollup_is_refused(rt, people):
    secretary = people[Role.SECRETARY]
    khoai_chau = unit_id(rt, "Đoàn Khối Doanh nghiệp Mẫu 2")
    with pytest.raises(AccessDenied):
        rollups.send_rollup(rt, secretary, CYCLE, khoai_chau, "", "secretary-try")
    with pytest.raises(AccessDenied):
        rollups.send_rollup(rt, secretary, CYCLE, secretary.unit_id, "", "secretary-own")
    assert rt.workbook().upper_report(CYCLE, khoai_chau) is None


def test_an_upper_officer_cannot_send_another_upper_units_report(rt, people):
    police = unit_id(rt, "Đoàn Thanh niên Công an tỉnh")
    with pytest.raises(AccessDenied):
        rollups.send_rollup(rt, people[Role.UPPER], CYCLE, police, "", "not-mine")
    assert rt.workbook().upper_report(CYCLE, police) is None


def test_a_secretary_who_reaches_the_report_screen_is_told_it_is_for_upper_units(
    tmp_path, rt, people
):
    at = page_alone(PAGE, tmp_path / "3cd.sqlite", people[Role.SECRETARY])
    assert not at.exception
    assert any("dành cho cán bộ Đoàn cấp trên" in i.value for i in at.info)
    assert not at.button and not at.text_area


def test_the_report_downloads_as_xlsx_with_every_text_a_text_cell(open_app, monkeypatch):
    files: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at = send(open_app("upper", PAGE), '=HYPERLINK("http://x") +84912345678')
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert labels[0] == "Tải báo cáo (.xlsx)"
    assert labels.count("Tải văn bản (.docx)") == 2  # the report and the list, as sent
    name = next(n for n in files if n and n.startswith("bao-cao-3cd") and n.endswith(".xlsx"))

    sheet = openpyxl.load_workbook(io.BytesIO(files[name])).active
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["Đơn vị báo cáo"].value == "Đoàn Khối Doanh nghiệp Mẫu 2"
    assert cells["Ghi chú"].value == '=HYPERLINK("http://x") +84912345678'
    assert cells["Ghi chú"].data_type == "s"  # text, never a formula
    assert cells["Chưa đăng ký"].value == 2


def test_the_year_picker_shows_the_deadline_of_this_screen_the_report_to_the_province(open_app):
    at = open_app("upper", PAGE)
    box = at.selectbox(key="cycle")
    assert box.format_func(box.value) == "Năm 2027 (hạn báo cáo lên tỉnh: hết ngày 20/12/2026)"
