"""Reading generated documents back: every paragraph's text (tables included) of a .docx."""

from __future__ import annotations

import io

from docx import Document


def docx_texts(data: bytes) -> list[str]:
    """Paragraph texts in document order, table cells included (nested tables too)."""
    doc = Document(io.BytesIO(data))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return [
        "".join(t.text or "" for t in p.iter(f"{ns}t")) for p in doc.element.body.iter(f"{ns}p")
    ]


def docx_tables(data: bytes) -> list[list[list[str]]]:
    """Every table of the body (outside the header/signature layout tables) as rows of texts."""
    doc = Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def table_with(data: bytes, header: str) -> list[list[str]]:
    """The body table whose first row starts with this header cell (the last such one)."""
    found = [t for t in docx_tables(data) if t and t[0] and t[0][0] == header]
    assert found, f"no table headed {header!r}"
    return found[-1]
