"""Reading an untrusted .xlsx: the size guards every import shares, and a sheet's cells as text.

A small file can unpack to gigabytes and a sheet can claim any size: the zip's own part sizes are
checked before openpyxl opens it, and rows are counted as they are read (blank ones too).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from services.core.errors import DomainError
from services.core.xlsx import unescape_text

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000  # rows read, blank ones included
MAX_PART_BYTES = 64 * 1024 * 1024  # one part of the .xlsx zip, uncompressed
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # every part together, uncompressed

NOT_XLSX = (
    "Không đọc được tệp: đây không phải tệp Excel (.xlsx) hợp lệ hoặc tệp đã bị hỏng. "
    "Hãy lưu lại tệp dưới dạng .xlsx (Excel Workbook) rồi chọn lại. Chưa ghi gì."
)


class FileRefused(DomainError):
    """The file cannot be read at all (not an .xlsx, too large); nothing was written."""


def thousands(n: int) -> str:
    """200000 → "200.000", as Vietnamese readers group digits."""
    return f"{n:,}".replace(",", ".")


def unpacked_sizes(data: bytes) -> list[int]:
    """The uncompressed size of every part of the .xlsx zip, read from the zip's directory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [info.file_size for info in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(NOT_XLSX) from exc


def too_big(data: bytes, max_bytes: int, max_part: int, max_unpacked: int) -> str:
    """Why a file is refused for its size ('' when it is within every limit)."""
    if len(data) > max_bytes:
        return (
            f"Tệp nặng {len(data) / 1024 / 1024:.1f} MB, vượt giới hạn "
            f"{max_bytes // 1024 // 1024} MB."
        )
    sizes = unpacked_sizes(data)
    if max(sizes, default=0) > max_part or sum(sizes) > max_unpacked:
        return (
            f"Tệp giải nén ra {sum(sizes) / 1024 / 1024:.0f} MB, vượt giới hạn "
            f"{max_unpacked // 1024 // 1024} MB (mỗi phần tối đa {max_part // 1024 // 1024} MB)."
        )
    return ""


@dataclass(frozen=True)
class Table:
    """One sheet read as text: `rows[i]` is file row i + 1, every cell a string ('' when empty)."""

    title: str
    rows: list[list[str]]


def read_tables(data: bytes, max_rows: int = MAX_ROWS) -> list[Table]:
    """Every sheet of an untrusted .xlsx as text, within the size and row limits."""
    reason = too_big(data, MAX_BYTES, MAX_PART_BYTES, MAX_UNPACKED_BYTES)
    if reason:
        raise FileRefused(f"{reason} Hãy chia nhỏ danh sách rồi nhập từng phần. Chưa ghi gì.")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open an untrusted file is the same
        raise FileRefused(NOT_XLSX) from exc
    try:
        counted = _Counter(max_rows)
        return [Table(sheet.title, list(_sheet_rows(sheet, counted))) for sheet in book.worksheets]
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken part inside the zip shows up while reading
        raise FileRefused(NOT_XLSX) from exc
    finally:
        book.close()


class _Counter:
    def __init__(self, limit: int) -> None:
        self.limit, self.seen = limit, 0

    def one(self) -> None:
        self.seen += 1
        if self.seen > self.limit:
            raise FileRefused(
                f"Tệp có hơn {thousands(self.limit)} dòng, vượt giới hạn nhập một lần. "
                "Hãy chia nhỏ danh sách rồi nhập từng phần. Chưa ghi gì."
            )


def _sheet_rows(sheet: Any, counted: _Counter) -> Iterator[list[str]]:
    sheet.reset_dimensions()  # never trust the size a file claims: read every row it has
    for cells in sheet.iter_rows(values_only=True):
        counted.one()
        yield [cell_text(v) for v in cells]


def cell_text(value: Any) -> str:
    """What a person reads in a cell: 1200 not 1200.0, a date as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == time(0) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return unescape_text(str(value)).strip()


def limit_rows(rows: list[list[str]], max_rows: int = MAX_ROWS) -> list[list[str]]:
    """Rows read from elsewhere (a Google Sheet tab) under the same row limit as a file."""
    counted = _Counter(max_rows)
    for _ in rows:
        counted.one()
    return rows
