"""Writing .xlsx files in which every text is a string-typed cell, never a formula.

openpyxl turns a value starting with '=' into a formula unless the cell is typed as a string, so
"=IMPORTXML(...)" or "+84912345678" typed by a person comes back exactly as typed.

XML cannot carry every character a text may hold: a carriage return is read back as a line feed and
control characters are refused. Such characters are written the way Excel writes them, as
`_xHHHH_` (ECMA-376 Part 1, §22.9.2.19 ST_Xstring), and a literal `_xHHHH_` typed by a person has its
underscore escaped as `_x005F_`, so `unescape_text(escape_text(s)) == s` for every string and
Excel shows the characters themselves.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell, WriteOnlyCell
from openpyxl.styles import Font

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]  # title, header row, rows

TITLE_LIMIT = 31  # Excel's limit on a sheet title
_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
# What XML 1.0 cannot carry (or would turn into a line feed), and the escape's own introducer.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_text(text: str) -> str:
    """A text as an .xlsx cell holds it (ST_Xstring): unchanged unless XML cannot carry it."""
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def unescape_text(text: str) -> str:
    """The text a cell read from an .xlsx means: `_xHHHH_` becomes the character it stands for."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def sheet_title(title: str) -> str:
    """A title Excel accepts: no \\ / ? * [ ] :, no apostrophe at either end, at most 31 chars."""
    clean = _TITLE_FORBIDDEN.sub("-", title).strip().strip("'")
    return clean[:TITLE_LIMIT].strip() or "Trang"


def workbook_bytes(sheets: Sequence[Sheet], widths: dict[str, float] | None = None) -> bytes:
    """Build an .xlsx with a bold header row per sheet; ints stay numbers, everything else text."""
    book = Workbook()
    for blank in list(book.worksheets):  # a new workbook starts with one empty sheet
        book.remove(blank)
    for title, header, rows in sheets:
        sheet = book.create_sheet(sheet_title(title))
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, int) and not isinstance(value, bool):
                    cell.value = value
                elif value is not None:
                    cell.value = escape_text(str(value))
                    cell.data_type = TYPE_STRING
                if r == 1:
                    cell.font = Font(bold=True)
        for column, width in (widths or {}).items():
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_workbook_bytes(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[str]]]],
) -> bytes:
    """Stream a large workbook of text (openpyxl write-only mode): every cell a string cell.

    Rows are written as they come, so a store of many thousand rows is never held twice in memory.
    Titles are used as given: make them valid and distinct with `sheet_title` first.
    """
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([_text_cell(sheet, h, bold) for h in header])
        for values in rows:
            sheet.append([_text_cell(sheet, v) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str, font: Font | None = None) -> Cell | None:
    if value == "":
        return None  # an empty cell, read back as ""
    cell = WriteOnlyCell(sheet, escape_text(value))
    cell.data_type = TYPE_STRING  # never a formula, a number or a date
    if font is not None:
        cell.font = font
    return cell
