"""Quyết định công nhận as a .docx: the Đoàn's header, number, date in words, articles, the annex
with its reference to the decision and every listed unit; the draft from the units that passed."""

from __future__ import annotations

import io

import pytest
from docx import Document

from services.core.errors import AccessDenied
from services.documents import decision_doc, render, texts
from tests.support.documents import docx_tables, docx_texts
from tests.support.province import Province


@pytest.fixture
def province(empty_rt) -> Province:
    p = Province(empty_rt)
    p.cycle(2026)
    for key in ("a1", "a2", "a3"):
        p.register(2026, key)
        p.assess(2026, key, passed=key != "a3")
    return p


def _texts(p: Province, issuer: str = "A") -> texts.Texts:
    return texts.texts_for(p.rt, p.actor(issuer), p.id(issuer), texts.DECISION)


def test_a_recorded_decision_reads_back_with_the_dong_format(province):
    p = province
    decision_id = p.recognise(2026, "A", ["a1", "a2"], number="12")
    doc = decision_doc.decision_document(p.rt, p.actor("A"), decision_id, _texts(p))
    lines = docx_texts(render.docx_bytes(doc))
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in lines
    assert lines.index("BCH ĐOÀN TỈNH MẪU") < lines.index("BCH ĐOÀN HUYỆN MẪU A")  # parent first
    assert "***" in lines
    assert "Số: 12-QĐ/ĐTN" in lines
    assert "Mẫu, ngày 20 tháng 11 năm 2026" in lines  # place from the province's name
    assert "QUYẾT ĐỊNH" in lines
    assert any(line.startswith("Điều 1. Công nhận 2 đoàn cơ sở") for line in lines)
    assert "TM. BAN THƯỜNG VỤ" in lines
    assert "Bí thư Huyện đoàn Mẫu A" in lines  # the signer recorded with the decision
    assert (
        "(Kèm theo Quyết định số 12-QĐ/ĐTN ngày 20/11/2026 của Ban Thường vụ Huyện đoàn Mẫu A)"
        in lines
    )
    annex = docx_tables(render.docx_bytes(doc))[-1]
    assert annex[0][:2] == ["STT", "Tên đơn vị"]
    assert [row[1] for row in annex[1:]] == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu A2"]


def test_the_document_is_a4_with_the_dong_margins_in_times_new_roman(province):
    p = province
    decision_id = p.recognise(2026, "A", ["a1"], number="5-QĐ/HĐTN")
    data = render.docx_bytes(
        decision_doc.decision_document(p.rt, p.actor("A"), decision_id, _texts(p))
    )
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 20]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert "Số: 5-QĐ/HĐTN" in docx_texts(data)  # a number typed with its symbol stays as typed


def test_the_draft_lists_the_units_that_passed_and_leaves_number_and_day_blank(province):
    p = province
    doc = decision_doc.draft_decision(
        p.rt, p.actor("A"), p.cycles[2026]["id"], p.id("A"), _texts(p)
    )
    data = render.docx_bytes(doc)
    lines = docx_texts(data)
    assert "Số: ……-QĐ/ĐTN" in lines
    assert "Mẫu, ngày …… tháng …… năm ……" in lines
    rows = docx_tables(data)[-1][1:]
    assert [r[1] for r in rows] == ["Đoàn xã Mẫu A1", "Đoàn xã Mẫu A2"]  # A3 did not pass


def test_another_upper_unit_cannot_draft_a_decision_for_a(province):
    p = province
    with pytest.raises(AccessDenied):
        decision_doc.draft_decision(
            p.rt, p.actor("B"), p.cycles[2026]["id"], p.id("A"), _texts(p, "B")
        )


def test_saved_texts_are_offered_again_to_the_same_issuing_unit_only(province):
    p = province
    mine = texts.Texts(
        place="Khoái Châu",
        symbol="QĐ/HĐTN-TCKT",
        grounds="Căn cứ Điều lệ Đoàn;",
        recipients="- Như Điều 3;\n- Lưu VP.",
        authority="TM. BAN THƯỜNG VỤ",
        signer_title="PHÓ BÍ THƯ",
        signer_name="Nguyễn Văn Mẫu",
    )
    texts.save_texts(p.rt, p.actor("A"), p.id("A"), texts.DECISION, mine, "k1")
    assert _texts(p) == mine
    assert texts.texts_for(p.rt, p.actor("B"), p.id("B"), texts.DECISION).signer_title == "BÍ THƯ"
    changed = texts.Texts(**{**mine.__dict__, "signer_title": "BÍ THƯ"})
    texts.save_texts(p.rt, p.actor("A"), p.id("A"), texts.DECISION, changed, "k2")
    assert _texts(p).signer_title == "BÍ THƯ"
    assert len(p.rt.workbook().document_texts) == 1
    with pytest.raises(AccessDenied):
        texts.save_texts(p.rt, p.actor("B"), p.id("A"), texts.DECISION, mine, "k3")
