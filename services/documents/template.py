"""The default template: the Đoàn's header, title, body marker, signature and recipients blocks.

A province replaces it by putting its own `van_ban.docx` (or `<kind>.docx`, e.g.
`quyet_dinh_cong_nhan.docx`) in the template folder of the settings; the app fills the named
fields `{{name}}` wherever they are, and puts the body at the paragraph `{{noi_dung}}` and the
annex at `{{phu_luc}}`. `python -m services.documents.template` writes the default file again.
Format: docs/documents.md (HD 29-HD/TWĐTN-VP, 2013).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FOLDER = Path(__file__).with_name("templates")
DEFAULT = "van_ban.docx"
FONT = "Times New Roman"
FIELDS = (
    "parent_body",
    "issuing_body",
    "number_line",
    "place_date",
    "type_name",
    "subject",
    "recipients",
    "authority",
    "signer_title",
    "signer_name",
)
BODY, ANNEX = "{{noi_dung}}", "{{phu_luc}}"


def set_font(style, size: float) -> None:
    """Times New Roman for every script (Vietnamese letters fall under 'hAnsi' and 'cs')."""
    style.font.name = FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _line(cell_or_doc, text: str, bold=False, italic=False, underline=False, size=None, align=None):
    para = cell_or_doc.add_paragraph()
    para.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    return para


def build() -> DocxDocument:
    """A4 portrait, margins 20/20/30/20 mm, Times New Roman 14 (docs/documents.md)."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    set_font(doc.styles["Normal"], 14)
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left._element.remove(left.paragraphs[0]._p)
    right._element.remove(right.paragraphs[0]._p)
    _line(left, "{{parent_body}}")
    _line(left, "{{issuing_body}}", bold=True)
    _line(left, "***")
    _line(left, "{{number_line}}")
    _line(right, "ĐOÀN TNCS HỒ CHÍ MINH", bold=True, underline=True, size=15)
    _line(right, "")
    _line(right, "{{place_date}}", italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _line(doc, "")
    _line(doc, "{{type_name}}", bold=True, size=15)
    _line(doc, "{{subject}}", bold=True)
    _line(doc, "-----")
    doc.add_paragraph(BODY)
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left._element.remove(left.paragraphs[0]._p)
    right._element.remove(right.paragraphs[0]._p)
    _line(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "{{recipients}}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, "{{authority}}", bold=True)
    _line(right, "{{signer_title}}", bold=True)
    for _ in range(4):
        _line(right, "")
    _line(right, "{{signer_name}}", bold=True)
    doc.add_paragraph(ANNEX)
    return doc


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.documents.template",
        description="Ghi lại tệp mẫu văn bản mặc định (thể thức văn bản của Đoàn).",
    )
    parser.add_argument(
        "target", nargs="?", type=Path, default=FOLDER / DEFAULT, help="tệp .docx sẽ ghi"
    )
    target = parser.parse_args(argv).target
    target.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(target))
    print(f"Đã ghi mẫu văn bản: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
