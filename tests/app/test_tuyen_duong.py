"""Tuyên dương screen through AppTest: term and moment pickers, candidates with their history, the
.xlsx download, and who may open it."""

from __future__ import annotations

import io

import openpyxl
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from services.core.access import Role
from services.year_end import decisions
from services.year_end.commendation import Moment
from tests.support.app import page_alone
from tests.support.year_end import officer, passed

PAGE = "pages/tuyen_duong.py"


def recognised_in_2025(rt, name: str) -> tuple[str, str]:
    """A Khoái Châu unit assessed đạt and recognised in the demo's 2025 cycle (recorded here
    unless the demo already holds its decision): its id and the decision's number."""
    uid = passed(rt, name, cycle="CK-2025")
    if uid not in decisions.recognised(rt.workbook(), "CK-2025"):
        who = officer(rt)
        data = {
            "number": "30-QĐ/HĐKC",
            "signed_on": "15/12/2025",
            "signer": "Bí thư (mẫu)",
            "unit_ids": [uid],
        }
        decisions.record_decision(rt, who, "CK-2025", who.unit_id, data, f"{uid}-qd-2025")
    return uid, decisions.recognised(rt.workbook(), "CK-2025")[uid].decision.number


OLD_TERM = "Nhiệm kỳ 2023–2027"


def choose_term(at, name: str = OLD_TERM):
    """Pick a term by name (the default is the term covering this year that started last)."""
    box = at.selectbox(key="term")
    return box.select_index(list(box.options).index(name)).run()


def candidate_names(at) -> list[str]:
    return list(at.dataframe[0].value["Tên đơn vị"]) if at.dataframe else []


def test_mid_term_lists_the_units_recognised_in_every_cycle_so_far(open_app, app_runtime):
    at = open_app("province", PAGE)
    _, number = recognised_in_2025(app_runtime(), "Đoàn cơ sở Công ty Mẫu 1")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # NOW is in 2026: of the terms covering it, the merged province's 2025–2030 comes first
    assert at.selectbox(key="term").value.name.startswith("Nhiệm kỳ 2025–2030")
    at = choose_term(at)
    assert at.caption[0].value == "Xét giữa nhiệm kỳ: tính các năm 2023–2025."
    assert "2024, 2025." in at.caption[1].value  # mid-term of 2023–2027: the demo's 2024, 2025

    listing = at.dataframe[0].value.set_index("Tên đơn vị")
    assert listing.loc["Đoàn cơ sở Công ty Mẫu 1", "Năm 2025"] == (
        f"QĐ số {number} (Đoàn Khối Doanh nghiệp Mẫu 2)"
    )
    count = {m.label: m.value for m in at.metric}["Số đơn vị đề nghị tuyên dương"]
    assert count == str(len(listing))
    history = at.dataframe[1].value
    mine = history[history["Tên đơn vị"] == "Đoàn cơ sở Công ty Mẫu 1"]
    assert list(mine["Số quyết định"])[1] == number
    # the upper unit of each year: the old bloc before 1/7/2025, the new Đoàn Khối after
    assert list(mine["Đơn vị cấp trên lúc đó"]) == [
        "Đoàn Khối Cơ quan – Doanh nghiệp tỉnh",
        "Đoàn Khối Doanh nghiệp Mẫu 2",
    ]


def test_the_end_of_term_needs_every_cycle_of_the_term(open_app, app_runtime):
    at = open_app("province", PAGE)
    recognised_in_2025(app_runtime(), "Đoàn cơ sở Công ty Mẫu 1")
    at = choose_term(at.run())
    assert "Đoàn cơ sở Công ty Mẫu 1" in candidate_names(at)
    at.radio(key="moment").set_value(Moment.END).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.caption[0].value == "Xét cuối nhiệm kỳ: tính các năm 2023–2027."
    assert "2024, 2025, 2026" in at.caption[1].value
    assert "2027 (chưa có quyết định công nhận)." in at.caption[1].value  # not yet assessed
    # nobody is recognised in the open 2027 cycle yet, so nobody is a candidate at the end
    assert candidate_names(at) == []
    assert any("Chưa có đơn vị nào" in i.value for i in at.info)


def test_the_candidates_download_as_xlsx(open_app, app_runtime, monkeypatch):
    files: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at = open_app("province", PAGE)
    recognised_in_2025(app_runtime(), "Đoàn cơ sở Công ty Mẫu 1")
    at = choose_term(at.run())
    assert [b.label for b in at.get("download_button")] == [
        "Tải danh sách đề nghị tuyên dương (.xlsx)",
        "Tải văn bản (.docx)",
        "Tải bảng (.xlsx)",
    ]
    name = next(n for n in files if n and n.startswith("tuyen-duong-2023-2027"))
    sheet = openpyxl.load_workbook(io.BytesIO(files[name]))["Đề nghị tuyên dương"]
    names = {row[1].value: row[1].data_type for row in sheet.iter_rows(min_row=2)}
    assert names["Đoàn cơ sở Công ty Mẫu 1"] == "s"


def test_an_upper_officer_reaching_the_screen_is_told_it_is_for_province_staff(
    tmp_path, rt, people
):
    at = page_alone(PAGE, tmp_path / "3cd.sqlite", people[Role.UPPER])
    assert not at.exception
    assert any("dành cho cán bộ Tỉnh đoàn" in i.value for i in at.info)
    assert not at.dataframe and not at.get("download_button")


def test_the_end_of_term_says_which_year_has_no_decision_yet(open_app):
    at = open_app("province", PAGE)
    at.radio(key="moment").set_value(Moment.END).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Năm 2027 chưa có quyết định công nhận nào." in " ".join(i.value for i in at.info)
