"""Writing .xlsx files in which every text is a string-typed cell, never a formula.

openpyxl turns a value starting with '=' into a formula unless the cell is typed as a string, so
"=IMPORTXML(...)" or "+84912345678" typed by a person comes back exactly as typed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]  # title, header row, rows


def workbook_bytes(sheets: Sequence[Sheet], widths: dict[str, float] | None = None) -> bytes:
    """Build an .xlsx with a bold header row per sheet; ints stay numbers, everything else text."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, int) and not isinstance(value, bool):
                    cell.value = value
                elif value is not None:
                    cell.value = str(value)
                    cell.data_type = TYPE_STRING
                if r == 1:
                    cell.font = Font(bold=True)
        for column, width in (widths or {}).items():
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
