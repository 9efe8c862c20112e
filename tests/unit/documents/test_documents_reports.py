"""The roll-up report as sent (counts and list frozen), the year's results report with its charts,
and the commendation list, read back from the generated .docx and .xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest
from docx import Document

from schemas.models import RegistrationState
from services.core.errors import AccessDenied, NotFound
from services.documents import commendation_doc, render, results_doc, rollup_doc, texts
from services.registration import rollups
from services.year_end.commendation import Moment, Term
from tests.support.documents import docx_texts, table_with
from tests.support.province import Province


@pytest.fixture
def province(empty_rt) -> Province:
    p = Province(empty_rt)
    p.cycle(2026)
    p.register(2026, "a1")
    p.register(2026, "a2", on_time=False)
    p.register(2026, "a3", state=RegistrationState.RETURNED)
    p.register(2026, "b1")
    return p


def _texts(p: Province, issuer: str, kind: str) -> texts.Texts:
    return texts.texts_for(p.rt, p.actor(issuer), p.id(issuer), kind)


def _send(p: Province, key: str = "A", request: str = "r1") -> None:
    rollups.send_rollup(p.rt, p.actor(key), p.cycles[2026]["id"], p.id(key), "", request)


def test_the_rollup_report_lists_every_unit_with_its_status_as_sent(province):
    p = province
    _send(p)
    doc = rollup_doc.rollup_document(
        p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p, "A", texts.ROLLUP)
    )
    data = render.docx_bytes(doc)
    lines = docx_texts(data)
    assert "BÁO CÁO" in lines and "ĐOÀN TNCS HỒ CHÍ MINH" in lines
    assert "Mẫu, ngày 25 tháng 11 năm 2026" in lines
    assert "Số: ……-BC/ĐTN" in lines
    assert "(Kèm theo Báo cáo số ……-BC/ĐTN ngày 25/11/2026 của Huyện đoàn Mẫu A)" in lines
    counts = dict(row for row in table_with(data, "Nội dung")[1:])
    assert counts["Tổng số đoàn cơ sở"] == "3"
    assert counts["Đăng ký trễ hạn"] == "1"
    listing = table_with(data, "STT")
    assert [r[1] for r in listing[1:]] == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu A2", "Đoàn xã Mẫu A3"]
    assert [r[4] for r in listing[1:]] == ["Đúng hạn", "Trễ hạn", "Trả lại để sửa"]
    assert listing[1][2] and listing[1][3]  # plan number and date


def test_the_list_stays_as_sent_when_units_register_afterwards(province):
    p = province
    _send(p)
    p.register(2026, "b2")  # another upper unit's unit: unrelated
    p.move("b2", "A")  # a unit moved under A after the report was sent
    first = rollup_doc.rollup_document(
        p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p, "A", texts.ROLLUP)
    )
    names = [r[1] for r in table_with(render.docx_bytes(first), "STT")[1:]]
    assert "Đoàn xã Mẫu B2" not in names
    _send(p, request="r2")  # sending again freezes the list of that moment
    again = rollup_doc.rollup_document(
        p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p, "A", texts.ROLLUP)
    )
    names = [r[1] for r in table_with(render.docx_bytes(again), "STT")[1:]]
    assert "Đoàn xã Mẫu B2" in names and len(names) == 4


def test_the_xlsx_holds_the_same_list(province):
    p = province
    _send(p)
    doc = rollup_doc.rollup_document(
        p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p, "A", texts.ROLLUP)
    )
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(doc)))
    rows = list(book["Danh sách đăng ký"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu A2", "Đoàn xã Mẫu A3"]
    sent = rollups.report_xlsx(
        p.rt, p.actor("A"), p.rt.workbook().upper_report(p.cycles[2026]["id"], p.id("A"))
    )
    listing = list(
        openpyxl.load_workbook(io.BytesIO(sent))["Danh sách đơn vị"].iter_rows(values_only=True)
    )
    assert len(listing) == 4


def test_a_report_sent_before_the_list_was_kept_says_so(province):
    p = province
    p.rollup(2026, "B")  # a row as an older version wrote it: counts only
    doc = rollup_doc.rollup_document(
        p.rt, p.actor("B"), p.cycles[2026]["id"], p.id("B"), _texts(p, "B", texts.ROLLUP)
    )
    assert rollup_doc.NOT_KEPT in docx_texts(render.docx_bytes(doc))


def test_no_report_no_document_and_no_report_of_another_unit(province):
    p = province
    with pytest.raises(NotFound):
        rollup_doc.rollup_document(
            p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p, "A", texts.ROLLUP)
        )
    _send(p)
    with pytest.raises(AccessDenied):
        rollup_doc.rollup_document(
            p.rt, p.actor("B"), p.cycles[2026]["id"], p.id("A"), _texts(p, "B", texts.ROLLUP)
        )


def test_the_results_report_embeds_the_charts_and_counts_per_upper_unit(province):
    p = province
    for key in ("a1", "a2", "b1"):
        p.assess(2026, key, passed=key != "a2")
    p.recognise(2026, "A", ["a1"])
    doc = results_doc.results_document(
        p.rt, p.actor("P"), p.cycles[2026]["id"], p.id("P"), _texts(p, "P", texts.RESULTS)
    )
    data = render.docx_bytes(doc)
    lines = docx_texts(data)
    assert "BCH ĐOÀN TỈNH MẪU" in lines
    assert any("1 đơn vị được công nhận" in line for line in lines)
    uppers = {r[0]: r for r in table_with(data, "Đơn vị")[1:]}
    assert uppers["Huyện đoàn Mẫu A"][5] == "1"
    pictures = Document(io.BytesIO(data)).inline_shapes
    assert len(pictures) >= 2
    assert all(s.width > 0 for s in pictures)


def test_the_results_report_of_an_upper_unit_holds_only_its_units(province):
    p = province
    doc = results_doc.results_document(
        p.rt,
        p.actor("A"),
        p.cycles[2026]["id"],
        p.id("A"),
        _texts(p, "A", texts.RESULTS),
        with_charts=False,
    )
    text = "\n".join(docx_texts(render.docx_bytes(doc)))
    assert "Huyện đoàn Mẫu A" in text and "Huyện đoàn Mẫu B" not in text


def test_the_commendation_list_gives_each_unit_its_history(empty_rt):
    p = Province(empty_rt)
    for year in (2024, 2025):
        p.cycle(year)
        p.register(year, "a1")
        p.assess(year, "a1")
        p.recognise(year, "A", ["a1"], number=f"{year - 2000}-QĐ/HĐTN")
    term = Term("Nhiệm kỳ 2024–2025", 2024, 2025)
    doc = commendation_doc.commendation_document(
        p.rt, p.actor("P"), term, Moment.END, p.id("P"), _texts(p, "P", texts.COMMENDATION)
    )
    data = render.docx_bytes(doc)
    rows = table_with(data, "STT")[1:]
    assert [r[1] for r in rows] == ["Đoàn xã Mẫu A1"]
    assert "24-QĐ/HĐTN" in rows[0][3] and "25-QĐ/HĐTN" in rows[0][3]
    assert "DANH SÁCH" in docx_texts(data)
