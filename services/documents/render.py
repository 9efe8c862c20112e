"""Filling a template (.docx) with a `Document`, and the same tables as .xlsx.

Named fields `{{name}}` are replaced wherever they stand (body, tables, headers and footers); a
value of several lines becomes one paragraph per line in the paragraph's own format. The body is
put at the paragraph `{{noi_dung}}`, the annex at `{{phu_luc}}` (after a page break).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from services.core.xlsx import workbook_bytes
from services.documents.model import Block, Document, Image, Para, Table
from services.documents.template import ANNEX, BODY, DEFAULT, FOLDER

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OPTIONAL = {"parent_body"}
_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_ALIGN = {
    "": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "heading": WD_ALIGN_PARAGRAPH.CENTER,
    "article": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "note": WD_ALIGN_PARAGRAPH.CENTER,
}


def template_path(kind: str, folder: Path | None = None) -> Path:
    """The province's template for this kind, else its generic one, else the app's default."""
    for base in ([folder] if folder else []) + [FOLDER]:
        for name in (f"{kind}.docx", DEFAULT):
            if (base / name).is_file():
                return base / name
    raise FileNotFoundError(FOLDER / DEFAULT)


def docx_bytes(document: Document, folder: Path | None = None) -> bytes:
    """The document as an editable .docx made from its template."""
    doc = open_docx(str(template_path(document.kind, folder)))
    for para in list(_paragraphs(doc)):
        text = para.text.strip()
        if text == BODY:
            _insert(doc, para, document.body)
        elif text == ANNEX:
            _insert(doc, para, [_PAGE_BREAK, *document.annex] if document.annex else [])
        elif "{{" in para.text:
            _fill(para, document.fields)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes(document: Document) -> bytes:
    """The document's tables as .xlsx (every text a text cell)."""
    return workbook_bytes(document.sheets, widths={"A": 8, "B": 40, "C": 24, "D": 20, "E": 20})


def _paragraphs(doc):
    """Every paragraph: body, table cells (nested too), headers and footers."""
    roots = [doc.element.body]
    for section in doc.sections:
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    for root in roots:
        yield from (Paragraph(p, doc) for p in root.iter(f"{_W}p"))


def _fill(para: Paragraph, fields: dict[str, str]) -> None:
    """Replace the named fields; keep the first run's format when a field spans several runs.

    A paragraph holding only an optional field left empty (no parent body) is removed."""
    alone = _FIELD.fullmatch(para.text.strip())
    if alone and alone.group(1) in OPTIONAL and not fields.get(alone.group(1)):
        para._p.getparent().remove(para._p)
        return
    text = _FIELD.sub(lambda m: fields.get(m.group(1), ""), para.text)
    lines = text.split("\n")
    runs = para.runs
    if runs:
        runs[0].text = lines[0]
        for run in runs[1:]:
            run._r.getparent().remove(run._r)
    for line in reversed(lines[1:]):
        twin = copy.deepcopy(para._p)
        para._p.addnext(twin)
        twin_para = Paragraph(twin, para._parent)
        if twin_para.runs:
            twin_para.runs[0].text = line


_PAGE_BREAK = Para("\f")


def _insert(doc, marker: Paragraph, blocks: Sequence[Block]) -> None:
    """Put the blocks where the marker paragraph stands, then remove the marker."""
    for block in blocks:
        element = _build(doc, block)
        marker._p.addprevious(element)
    marker._p.getparent().remove(marker._p)


def _build(doc, block: Block):
    if isinstance(block, Table):
        return _table(doc, block)._tbl
    para = doc.add_paragraph()
    if isinstance(block, Image):
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run().add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        if block.caption:
            para.add_run("\n" + block.caption).italic = True
        return para._p
    if block is _PAGE_BREAK:
        para.add_run().add_break(WD_BREAK.PAGE)
        return para._p
    para.alignment = _ALIGN.get(block.style, WD_ALIGN_PARAGRAPH.JUSTIFY)
    if block.style in ("", "article"):
        para.paragraph_format.first_line_indent = Cm(1)
    if block.style == "article" and ". " in block.text:
        head, rest = block.text.split(". ", 1)
        para.add_run(head + ". ").bold = True
        run = para.add_run(rest)
    else:
        run = para.add_run(block.text)
    run.bold = block.bold or block.style == "heading"
    run.italic = block.italic or block.style == "note"
    return para._p


def _table(doc, block: Table):
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, block.header, strict=True):
        _cell(cell, str(title), bold=True)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _cell(cell, "" if value is None else str(value))
    if block.widths_cm:
        table.autofit = False
    for i, width in enumerate(block.widths_cm):
        table.columns[i].width = Cm(width)  # the grid LibreOffice lays out by
        for row in table.rows:
            row.cells[i].width = Cm(width)
    return table


def _cell(cell, text: str, bold: bool = False) -> None:
    para = cell.paragraphs[0]
    para.paragraph_format.space_after = Pt(0)
    para.paragraph_format.first_line_indent = None
    run = para.add_run(text)
    run.bold = bold
    run.font.size = Pt(12)
