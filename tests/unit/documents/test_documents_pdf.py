"""PDF through a real LibreOffice: the Vietnamese text comes out with its diacritics, in the
intended serif font embedded in the file (Liberation Serif stands in for Times New Roman)."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from services.documents import decision_doc, pdf, render, texts
from tests.support.province import Province


@pytest.fixture(scope="module")
def decision_pdf(tmp_path_factory) -> bytes:
    """One conversion for the whole module: LibreOffice starts slowly."""
    from schemas.criteria import load_catalogue
    from services.core.clock import FixedClock
    from services.core.runtime import Runtime
    from services.storage.cache import CachedStore
    from services.storage.sql import SqlStore
    from tests.support.world import NOW

    path = tmp_path_factory.mktemp("pdf") / "3cd.sqlite"
    rt = Runtime(CachedStore(SqlStore.at_path(path)), FixedClock(NOW), load_catalogue())
    p = Province(rt)
    p.cycle(2026)
    for key in ("a1", "a2"):
        p.register(2026, key)
        p.assess(2026, key)
    decision_id = p.recognise(2026, "A", ["a1", "a2"], number="12")
    mine = texts.texts_for(rt, p.actor("A"), p.id("A"), texts.DECISION)
    document = decision_doc.decision_document(rt, p.actor("A"), decision_id, mine)
    return pdf.to_pdf(render.docx_bytes(document))


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))  # table cells wrap lines


def _fonts(data: bytes) -> dict[str, bool]:
    """Base font name → whether the font program is embedded in the file."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"]).split("+")[-1]] = embedded
    return found


def test_the_pdf_keeps_the_heading_number_date_and_every_unit_with_diacritics(decision_pdf):
    text = _text(decision_pdf)
    assert decision_pdf.startswith(b"%PDF")
    for expected in (
        "ĐOÀN TNCS HỒ CHÍ MINH",
        "BCH ĐOÀN HUYỆN MẪU A",
        "Số: 12-QĐ/ĐTN",
        "Mẫu, ngày 20 tháng 11 năm 2026",
        "QUYẾT ĐỊNH",
        "Đoàn xã Mẫu A1",
        "Đoàn xã Mẫu A2",
        "Kèm theo Quyết định số 12-QĐ/ĐTN ngày 20/11/2026",
    ):
        assert expected in text, expected


def test_the_pdf_embeds_the_serif_font_in_every_style_used(decision_pdf):
    fonts = _fonts(decision_pdf)
    serif = {
        name: embedded for name, embedded in fonts.items() if "Serif" in name or "Times" in name
    }
    assert serif, fonts
    assert all(serif.values()), f"not embedded: {serif}"
    assert any("Bold" in name for name in serif) and any("Italic" in name for name in serif)
    assert not [name for name in fonts if "Sans" in name or "DejaVu" in name]  # no fallback font


def test_without_libreoffice_the_pdf_says_whom_to_ask_in_plain_words(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert pdf.converter() is None
    with pytest.raises(pdf.PdfUnavailable) as refused:
        pdf.to_pdf(b"not even a docx")
    assert "liên hệ quản trị hệ thống" in str(refused.value)
    assert "apt-get" not in str(refused.value) and "fonts-liberation2" not in str(refused.value)
