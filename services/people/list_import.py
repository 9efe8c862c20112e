"""Reading a list staff keep (units, users) from a messy sheet, shared by the unit and user imports.

Real lists have title rows and merged title cells above the header, headers worded each office's
own way ("Tên ĐV", "Đơn vị", "Tên đơn vị"), blank rows, a totals row, and names typed without
diacritics or in capitals. This module finds the header, suggests which column holds which field
(the person may change it), reads the rows, matches names the way officers type them, and writes
an accepted preview in all-or-nothing chunks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from schemas.tabs import Tab
from schemas.vntext import clean, name_key, search_key
from services.core import records
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx_read import Table
from services.storage import Append, Update

HEADER_SEARCH_ROWS = 30  # the header is looked for in the first rows only
CHUNK = 200  # records per all-or-nothing write (each with its audit row)
NEAR = "Gần giống — cần xác nhận"
_NOT_WORD = re.compile(r"[^0-9a-z]+")

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class Field:
    """A field of 3CĐ a column can hold, with the header words that suggest it."""

    name: str
    label: str
    words: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class ColumnMap:
    """Where the header is (file row number) and which column (0-based) holds each field."""

    header_row: int
    columns: dict[str, int]

    def key(self) -> str:
        return f"{self.header_row}:" + ",".join(f"{f}={c}" for f, c in sorted(self.columns.items()))


@dataclass(frozen=True)
class Line:
    """One data row of the list: its file row number and the text of each mapped field."""

    number: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        return clean(self.cells.get(name, ""))


@dataclass
class Skipped:
    number: int
    reason: str


@dataclass
class Lines:
    rows: list[Line] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    blank: int = 0


def header_key(text: str) -> str:
    """A header or short value folded for comparison: no diacritics, no case, words only."""
    return " ".join(_NOT_WORD.sub(" ", search_key(text)).split())


def column_label(table: Table, header_row: int, index: int) -> str:
    """How a column is shown: its letter and its header text."""
    header = table.rows[header_row - 1] if 0 < header_row <= len(table.rows) else []
    text = header[index] if index < len(header) else ""
    return f"Cột {_letter(index)}" + (f" — {text}" if text else "")


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def width(table: Table) -> int:
    return max((len(r) for r in table.rows), default=0)


def field_of(text: str, fields: Sequence[Field]) -> str | None:
    """The field a header names: an exact wording first, then a wording inside it."""
    key = header_key(text)
    if not key:
        return None
    for f in fields:
        if key in f.words:
            return f.name
    padded = f" {key} "
    for f in fields:
        if any(f" {w} " in padded for w in f.words):
            return f.name
    return None


def _mapped(row: Sequence[str], fields: Sequence[Field]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(row):
        name = field_of(text, fields)
        if name is not None and name not in columns:
            columns[name] = index
    return columns


def suggest(table: Table, fields: Sequence[Field]) -> ColumnMap:
    """The header row (the first with the required fields and the most known headers) and the
    column of each field; title rows above it are skipped. Row 0 when none is found."""
    required = {f.name for f in fields if f.required}
    best = ColumnMap(0, {})
    for number, row in enumerate(table.rows[:HEADER_SEARCH_ROWS], start=1):
        columns = _mapped(row, fields)
        if required <= set(columns) and len(columns) > len(best.columns):
            best = ColumnMap(number, columns)
    return best


def _is_totals(row: Sequence[str]) -> bool:
    for text in row:
        key = header_key(text)
        if key in {"tong", "cong", "tong so", "tong cong"} or key.startswith("tong cong"):
            return True
    return False


def read_lines(table: Table, columns: ColumnMap, fields: Sequence[Field]) -> Lines:
    """The data rows below the header: blank rows counted, a totals row or a repeated header
    skipped with the reason, every other row kept with the text of each mapped field."""
    found = Lines()
    header = table.rows[columns.header_row - 1] if columns.header_row else []
    for number, row in enumerate(table.rows[columns.header_row :], start=columns.header_row + 1):
        if not any(text.strip() for text in row):
            found.blank += 1
            continue
        if _is_totals(row):
            found.skipped.append(Skipped(number, "Dòng tổng cộng — bỏ qua"))
            continue
        if header and [header_key(t) for t in row] == [header_key(t) for t in header]:
            found.skipped.append(Skipped(number, "Dòng tiêu đề lặp lại — bỏ qua"))
            continue
        cells = {f: row[i].strip() if i < len(row) else "" for f, i in columns.columns.items()}
        found.rows.append(Line(number, cells))
    return found


def fingerprint(table: Table, columns: ColumnMap, *extra: str) -> str:
    """A key of the list's content and mapping: the same file gives the same record ids, so a
    run interrupted part-way is completed by running it again, without duplicates."""
    digest = hashlib.sha256(columns.key().encode())
    for row in table.rows:
        digest.update(repr(row).encode())
    for text in extra:
        digest.update(text.encode())
    return digest.hexdigest()[:6].upper()


def short(*parts: str) -> str:
    """Six characters that tell these parts apart (a list's key with a record's version)."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:6].upper()


def row_key(tag: str, number: int, batch: str) -> str:
    """The request key of one row's write: its first 12 characters name the record and its audit
    row, so they differ for every row of every list."""
    return f"{tag}{number:05d}{batch}"


# ---- names as officers type them ----------------------------------------------------------------


def folded(name: str) -> str:
    """A name with diacritics, case, spacing and a leading 'Đoàn' folded away: 'Xa Tan Hung',
    'xã tân hưng' and 'Đoàn xã Tân Hưng' fold alike."""
    key = header_key(name)
    key = key.removeprefix("doan ") if key.startswith("doan ") else key
    return key.replace(" ", "")


@dataclass(frozen=True)
class Found:
    ids: tuple[str, ...]
    near: bool  # found only after folding: a person confirms it


class Names:
    """Unit names → ids, exactly (the same name: case, spacing, tone placement ignored) or
    nearly (diacritics and the word 'Đoàn' ignored too)."""

    def __init__(self, named: dict[str, str]) -> None:
        self.exact: dict[str, list[str]] = {}
        self.near: dict[str, list[str]] = {}
        for unit_id, name in named.items():
            self.add(unit_id, name)

    def add(self, unit_id: str, name: str) -> None:
        self.exact.setdefault(name_key(name), []).append(unit_id)
        self.near.setdefault(folded(name), []).append(unit_id)

    def find(self, name: str, leaving_out: Sequence[str] = ()) -> Found:
        exact = [i for i in self.exact.get(name_key(name), []) if i not in leaving_out]
        if exact:
            return Found(tuple(exact), False)
        near = [i for i in self.near.get(folded(name), []) if i not in leaving_out]
        return Found(tuple(near), bool(near))


def plain_name(name: str) -> bool:
    """Typed without any diacritic, or all in capitals: stored as typed, so worth a note."""
    return search_key(name) == name.casefold() or (name.upper() == name and name.lower() != name)


def described(wb: Workbook, tab: Tab, changes: dict[str, str]) -> str:
    """A row's changes as an officer reads them: column headers, unit names instead of ids."""
    shown = []
    for name, value in changes.items():
        if name == "id":
            continue
        text = wb.unit_name(value) if name in ("parent_id", "unit_id") and value else value
        shown.append(f"{tab.header(name)}: {text}")
    return "; ".join(shown)


# ---- writing -------------------------------------------------------------------------------------

Ops = list[Append | Update]


def apply_in_chunks(rt: Runtime, what: str, groups: list[Ops], progress: Progress | None) -> int:
    """Write each record's operations (record and audit row), CHUNK records per all-or-nothing
    write. A failure leaves earlier chunks written: the caller's keys make a re-run skip them."""
    done = 0
    if progress:
        progress(what, 0, len(groups))
    for start in range(0, len(groups), CHUNK):
        chunk = groups[start : start + CHUNK]
        rt.store.apply(records.batch(chunk))
        done += len(chunk)
        if progress:
            progress(what, done, len(groups))
    return done
