"""Import measures what a file unpacks to and counts every row it reads.

Before, a 1 MB .xlsx whose sheet unpacked to a huge XML of blank rows used 2 GB of memory: the
size check looked only at the file, and blank rows were not counted.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from schemas.tabs import TABS
from services.data import transfer


def workbook_with_rows(rows: int, value: str = " ") -> bytes:
    """An .xlsx with the units sheet: its headers, then `rows` rows holding `value`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = transfer.sheet_titles()["units"]
    sheet.append(list(TABS["units"].headers))
    for _ in range(rows):
        sheet.append([value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_blank_rows_count_towards_the_row_limit(monkeypatch):
    monkeypatch.setattr(transfer, "MAX_ROWS", 100)
    with pytest.raises(transfer.ImportRefused, match="dòng"):
        transfer.read_workbook(workbook_with_rows(150), "trong.xlsx")


def test_a_file_that_unpacks_to_more_than_the_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(transfer, "MAX_PART_BYTES", 1024 * 1024)
    data = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_with_rows(1, "x"))) as small,
        zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in small.infolist():
            body = small.read(info)
            if info.filename.endswith("sheet1.xml"):  # 2 MB of blank rows, a few KB packed
                rows = "".join(f'<row r="{n}"/>' for n in range(3, 150_000))
                body = body.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            bomb.writestr(info, body)
    packed = data.getvalue()
    assert len(packed) < 1024 * 1024
    with pytest.raises(transfer.ImportRefused, match="giải nén"):
        transfer.read_workbook(packed, "bom.xlsx")


def test_an_export_still_imports(rt, people):
    from services.core.access import Role

    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    assert transfer.read_workbook(data, "du-lieu.xlsx").blocking == []
