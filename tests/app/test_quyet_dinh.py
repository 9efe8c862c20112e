"""Quyết định công nhận screen through AppTest: recording a decision, a refused date that keeps the
input, the annex download, a correction, and the province's check table."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from services.core.runtime import Runtime
from services.overview import tasks
from services.registration.cycles import assessment_cutoff
from services.registration.deadlines import cutoff_words
from services.year_end import decisions
from tests.support.world import unit_id
from tests.support.year_end import CYCLE, officer, passed

PAGE = "pages/quyet_dinh.py"


def khoai_chau_decisions(rt: Runtime) -> list:
    """The decisions of this cycle issued by Khoái Châu (the demo may hold others)."""
    issuer = unit_id(rt, "Đoàn Khối Doanh nghiệp Mẫu 2")
    return [
        d for d in rt.workbook().decisions.values() if (d.cycle_id, d.unit_id) == (CYCLE, issuer)
    ]


def shown(elements) -> str:
    """The text of messages as a person reads them (markdown escapes removed)."""
    return " ".join(e.value for e in elements).replace("\\", "")


def open_cycle(at):
    options = at.selectbox(key="decision-cycle").options
    at.selectbox(key="decision-cycle").select_index(
        next(i for i, label in enumerate(options) if label.startswith("Năm 2026"))
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(elements, form: str, name: str):
    """The widget of a form by its name (its key also holds the form's request key)."""
    return next(w for w in elements if w.key.startswith(f"{form}-") and w.key.endswith(name))


def fill(at, form: str, number: str, signed_on: date | None, signer: str = "Bí thư (mẫu)"):
    widget(at.text_input, form, "-number").input(number)
    widget(at.date_input, form, "-signed").set_value(signed_on)
    widget(at.text_input, form, "-signer").input(signer)
    next(b for b in at.button if b.label == "Ghi quyết định").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def ready(open_app, app_runtime):
    """The Khoái Châu officer's screen on CK-2026, with both of its units assessed đạt."""
    at = open_app("upper", PAGE)
    rt = app_runtime()
    units = [passed(rt, "Đoàn cơ sở Công ty Mẫu 2"), passed(rt, "Đoàn cơ sở Công ty Mẫu 1")]
    at.run()
    open_cycle(at)
    return at, rt, units, f"decision-new-{CYCLE}-{officer(rt).unit_id}"


def test_an_upper_officer_records_a_decision_for_the_passed_units(ready, stored):
    at, rt, units, form = ready
    table = next(d.value for d in at.dataframe if "Kết quả đánh giá" in d.value.columns)
    assert {"Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"} <= set(table["Đơn vị"])

    fill(at, form, "15-QĐ/HĐKC", date(2026, 11, 20))

    assert "Đã ghi Quyết định số 15-QĐ/HĐKC" in shown(at.success)
    saved = stored().workbook()
    decision = next(d for d in saved.decisions.values() if d.number == "15-QĐ/HĐKC")
    assert (decision.cycle_id, decision.signed_on) == (CYCLE, date(2026, 11, 20))
    assert set(units) <= set(decisions.recognised(saved, CYCLE))
    assert any("Quyết định số 15" in e.label for e in at.expander)


def test_a_decision_without_its_signing_date_is_refused_and_the_input_is_kept(ready, stored):
    at, rt, units, form = ready
    fill(at, form, "16-QĐ/HĐKC", None)

    assert "Ngày ký: bắt buộc phải nhập" in shown(at.error)
    assert not khoai_chau_decisions(stored())
    assert widget(at.text_input, form, "-number").value == "16-QĐ/HĐKC"
    # the signing date is picked like every other date of the app
    assert widget(at.date_input, form, "-signed").value is None
    widget(at.date_input, form, "-signed").set_value(date(2026, 11, 21))
    next(b for b in at.button if b.label == "Ghi quyết định").click().run()
    assert [d.number for d in khoai_chau_decisions(stored())] == ["16-QĐ/HĐKC"]


def test_the_annex_downloads_as_xlsx(ready, monkeypatch):
    files: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at, rt, units, form = ready
    fill(at, form, "=17+1", date(2026, 11, 20))
    assert "Tải danh sách kèm theo (.xlsx)" in [b.label for b in at.get("download_button")]
    name = next(n for n in files if n and n.startswith("danh-sach-cong-nhan"))
    book = openpyxl.load_workbook(io.BytesIO(files[name]))
    listed = [r[1].value for r in book["Danh sách công nhận"].iter_rows(min_row=2)]
    assert {"Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"} <= set(listed)
    number = next(r for r in book["Quyết định"].iter_rows() if r[0].value == "Số quyết định")[1]
    assert (number.value, number.data_type) == ("=17+1", "s")


def test_a_correction_takes_a_unit_off_the_list(ready, stored):
    at, rt, units, form = ready
    fill(at, form, "18-QĐ/HĐKC", date(2026, 11, 20))
    decision = next(d for d in khoai_chau_decisions(stored()) if d.number == "18-QĐ/HĐKC")
    fix = f"decision-fix-{decision.id}"
    widget(at.multiselect, fix, "-units").unselect(units[1])
    next(b for b in at.button if b.label == "Lưu thay đổi").click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert "Đã lưu thay đổi của Quyết định số 18-QĐ/HĐKC" in shown(at.success)
    now = decisions.recognised(stored().workbook(), CYCLE)
    assert units[0] in now and units[1] not in now


def test_province_staff_see_the_check_of_each_upper_unit(open_app, app_runtime):
    at = open_app("province", PAGE)
    passed(app_runtime(), "Đoàn cơ sở Công ty Mẫu 2")
    at.run()
    open_cycle(at)
    check = next(d.value for d in at.dataframe if "Báo cáo lên tỉnh" in d.value.columns)
    row = check.set_index("Đơn vị").loc["Đoàn Khối Doanh nghiệp Mẫu 2"]
    assert row["Tổng số đoàn cơ sở"] == 5
    assert row["Đã đánh giá"] >= 1 and row["Quyết định"] == "Chưa có"


def test_the_draft_decision_downloads_as_docx_with_the_passed_units(ready, monkeypatch):
    from tests.support.documents import docx_texts

    files: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at, rt, units, form = ready
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    name = next(n for n in files if n and n.startswith("du-thao-quyet-dinh-"))
    lines = docx_texts(files[name])
    assert "BCH ĐOÀN KHỐI DOANH NGHIỆP MẪU 2" in lines and "Số: ……-QĐ/ĐTN" in lines
    assert "Hưng Yên, ngày …… tháng …… năm ……" in lines
    assert {"Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"} <= set(lines)


def test_the_decision_screen_opens_on_the_same_year_as_danh_gia_named_with_its_cut_off(
    open_app, app_runtime
):
    at = open_app("upper", PAGE)
    rt = app_runtime()
    year = tasks.next_task_cycle(rt, officer(rt))  # the year of the officer's next task
    opened = at.selectbox(key="decision-cycle")
    assert opened.value == year
    assert opened.format_func(opened.value) == (
        f"{year.name} (hạn đánh giá: {cutoff_words(assessment_cutoff(year))})"
    )
    at.switch_page("pages/danh_gia.py").run()
    assert at.selectbox(key="assess-cycle").value == year
