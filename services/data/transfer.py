"""Moving data: the whole store as one .xlsx workbook, and such a workbook into an empty store.

Export: one sheet per tab (the tab's Vietnamese title), the Vietnamese headers in row 1, every
value a string cell (`services.core.xlsx`), so export → import gives back every cell as it was.

Import, in two steps that never mix:

1. `read_workbook` reads the file (size and row limits first) and validates *everything* with the
   schemas the app uses (`Workbook.parse`, plus the model of every other tab, duplicate and missing
   ids, references to units and cycles). Each problem names the sheet, the row, the column and what
   to fix. Nothing is written while any blocking problem remains.
2. `import_workbook` re-reads the store and writes the rows in chunks, each chunk one all-or-nothing
   `store.apply` carrying one audit row (`records.imported`). Ids are kept, so a run interrupted
   half-way is resumed by running it again with the same file: a store that holds only rows of
   that file, identical cell for cell (plus the import's own audit rows), counts as "being filled
   by this file" and only the missing rows are written. Any other row makes the store non-empty
   and the import is refused.

The copy command (`services/data/copy_to_sheets.py`) uses the same validation and writer with another
store as the source. See docs/moving-data.md.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import error_messages
from schemas.models import MODELS
from schemas.tabs import ALL_TABS, TABS, Tab
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import DomainError
from services.core.workbook import Workbook
from services.core.xlsx import sheet_title, text_workbook_bytes, unescape_text
from services.core.xlsx_read import (  # the limits every import shares (unit lists too)
    MAX_BYTES,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
)
from services.storage import Row, Store

CHUNK = 500  # rows per write: one transaction on SQLite, one batchUpdate on Sheets
# Fields that name a unit or a cycle; every tab but the audit log must point at existing ones.
REFERENCES = {
    "unit_id": tabs.UNITS.name,
    "parent_id": tabs.UNITS.name,
    "upper_unit_id": tabs.UNITS.name,
    "parent_unit_id": tabs.UNITS.name,
    "assessor_unit_id": tabs.UNITS.name,
    "cycle_id": tabs.CYCLES.name,
}
# References `Workbook.parse` already reports in its own words.
CHECKED_BY_WORKBOOK = {
    ("units", "parent_id"),
    ("registrations", "unit_id"),
    ("registrations", "cycle_id"),
}
# The audit log first, so its history stays ahead of the audit rows this import adds.
ORDER: tuple[Tab, ...] = (tabs.AUDIT_LOG, *(t for t in ALL_TABS if t is not tabs.AUDIT_LOG))

Progress = Callable[[str, int, int], None]  # (tab title, rows done, rows in that tab)


class ImportRefused(DomainError):
    """The file cannot be imported as a whole (not an .xlsx, too large, store not empty...)."""


@dataclass(frozen=True)
class FileProblem:
    """One thing found in the file: where (sheet, row, column) and what. Blocking unless a note."""

    sheet: str
    row: int  # 0: the whole sheet or file
    column: str
    message: str
    blocking: bool = True


@dataclass
class Upload:
    """A workbook read and checked: the rows of each tab (file row numbers) and every problem."""

    source: str
    rows: dict[str, list[Row]]
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def blocking(self) -> list[FileProblem]:
        return [p for p in self.problems if p.blocking]

    @property
    def notes(self) -> list[FileProblem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def counts(self) -> dict[str, int]:
        """Rows per tab, by the tab's Vietnamese title."""
        return {TABS[name].title: len(rows) for name, rows in self.rows.items()}

    @property
    def key(self) -> str:
        """A fingerprint of the content: the same rows give the same key, whatever the file name."""
        digest = hashlib.sha256()
        for tab in ALL_TABS:
            for row in self.rows.get(tab.name, []):
                digest.update(repr((tab.name, [row.cells.get(f, "") for f in tab.fields])).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class ImportPlan:
    """What an import will write: rows not yet stored per tab, and how many already are."""

    upload: Upload
    pending: dict[str, list[Row]]
    stored: int  # rows of this file already in the store (a resumed import)

    @property
    def to_write(self) -> int:
        return sum(len(rows) for rows in self.pending.values())


@dataclass(frozen=True)
class ImportResult:
    written: int
    already: int
    chunks: int


# ---- export ------------------------------------------------------------------------------------


def sheet_titles() -> dict[str, str]:
    """Tab name -> the sheet title it gets in an .xlsx (valid for Excel, distinct)."""
    titles: dict[str, str] = {}
    for tab in ALL_TABS:
        title, n = sheet_title(tab.title), 2
        while _key(title) in {_key(t) for t in titles.values()}:
            title, n = f"{sheet_title(tab.title)[:27]} ({n})", n + 1
        titles[tab.name] = title
    return titles


def export_xlsx(store: Store, actor: Actor) -> bytes:
    """Every tab, the audit log included, as one workbook; province staff only."""
    ensure_province(actor, "xuất toàn bộ dữ liệu")
    data = store.read([tab.name for tab in ALL_TABS])
    titles = sheet_titles()
    return text_workbook_bytes(
        (titles[tab.name], tab.headers, _values(tab, data[tab.name])) for tab in ALL_TABS
    )


def _values(tab: Tab, rows: Iterable[Row]) -> Iterable[list[str]]:
    for row in rows:
        if not blank(row.cells):
            yield [row.cells.get(f, "") for f in tab.fields]


def export_file_name(day: date) -> str:
    return f"3cd-du-lieu-{day.isoformat()}.xlsx"


# ---- reading and checking a file ---------------------------------------------------------------


def read_workbook(data: bytes, source: str = "") -> Upload:
    """Read an .xlsx export and check every row; raises ImportRefused if it cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"Tệp nặng {len(data) / 1024 / 1024:.1f} MB, vượt giới hạn "
            f"{MAX_BYTES // 1024 // 1024} MB. Hãy chia nhỏ dữ liệu hoặc dùng lệnh sao chép "
            "(xem hướng dẫn chuyển dữ liệu)."
        )
    _check_unpacked_size(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure to open an untrusted file is the same
        raise ImportRefused(_NOT_XLSX) from exc
    try:
        upload = _read_sheets(book, source)
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken part inside the zip shows up while reading
        raise ImportRefused(_NOT_XLSX) from exc
    finally:
        book.close()
    upload.problems += validate(upload.rows, sheet_titles())
    return upload


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a file whose parts unpack to more than the limits (a small file can unpack to
    gigabytes). The zip's own sizes bound what is read: Python never unpacks more than a part
    declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = [info.file_size for info in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportRefused(_NOT_XLSX) from exc
    if max(sizes, default=0) > MAX_PART_BYTES or sum(sizes) > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            f"Tệp giải nén ra {sum(sizes) / 1024 / 1024:.0f} MB, vượt giới hạn "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB (mỗi phần tối đa "
            f"{MAX_PART_BYTES // 1024 // 1024} MB). Hãy dùng tệp .xlsx xuất từ màn hình này, hoặc "
            "lệnh sao chép dữ liệu (xem hướng dẫn chuyển dữ liệu). Chưa ghi gì."
        )


_NOT_XLSX = (
    "Không đọc được tệp: đây không phải tệp Excel (.xlsx) hợp lệ hoặc tệp đã bị hỏng. "
    "Hãy chọn tệp .xlsx đã xuất từ màn hình này. Chưa ghi gì."
)


def _read_sheets(book: Any, source: str) -> Upload:
    titles = sheet_titles()
    wanted: dict[str, Tab] = {}
    for tab in ALL_TABS:
        wanted.setdefault(_key(titles[tab.name]), tab)
        wanted.setdefault(_key(tab.title), tab)
    upload = Upload(source, {tab.name: [] for tab in ALL_TABS})
    seen: set[str] = set()
    total = 0
    for sheet in book.worksheets:
        found = wanted.get(_key(sheet.title))
        if found is None or found.name in seen:
            upload.problems.append(
                FileProblem(sheet.title, 0, "", "Trang này không thuộc dữ liệu 3CĐ; bỏ qua.", False)
            )
            continue
        seen.add(found.name)
        total = _read_sheet(sheet, found, upload, total)
    for tab in ALL_TABS:
        if tab.name not in seen:
            upload.problems.append(
                FileProblem(
                    titles[tab.name],
                    0,
                    "",
                    "Tệp không có trang này: bảng sẽ được để trống.",
                    False,
                )
            )
    return upload


def _read_sheet(sheet: Any, tab: Tab, upload: Upload, total: int) -> int:
    """Read one sheet's rows into `upload.rows[tab]`; returns the running count of rows."""
    sheet.reset_dimensions()  # never trust the size a file claims: read every row it has
    lines = sheet.iter_rows()
    header = next(lines, ())
    columns, problems = _columns(tab, sheet.title, header)
    headed = {i for i, cell in enumerate(header) if str(cell.value or "").strip()}
    upload.problems += problems
    if any(p.blocking for p in problems):
        return total  # without its headers the rows cannot be read
    stray: set[int] = set()
    for number, cells in enumerate(lines, start=2):
        values, cell_problems = _row_values(tab, cells, columns, headed, stray)
        for name, problem in cell_problems.items():
            upload.problems.append(FileProblem(sheet.title, number, tab.header(name), problem))
        total += 1  # every row read counts, blank ones too
        if total > MAX_ROWS:
            raise ImportRefused(
                f"Tệp có hơn {thousands(MAX_ROWS)} dòng dữ liệu, vượt giới hạn nhập một lần. "
                "Hãy dùng lệnh sao chép dữ liệu (xem hướng dẫn chuyển dữ liệu). Chưa ghi gì."
            )
        if not blank(values):
            upload.rows[tab.name].append(Row(number, values))
    for index in sorted(stray):
        upload.problems.append(
            FileProblem(
                sheet.title,
                0,
                _letter(index),
                "Cột có dữ liệu nhưng không có tiêu đề của 3CĐ; bỏ qua (không nhập).",
                False,
            )
        )
    return total


def _columns(
    tab: Tab, sheet: str, header: Sequence[Any]
) -> tuple[dict[int, str], list[FileProblem]]:
    """Field of each column by its header text; unknown headers are notes, missing ones may block."""
    by_header = {_key(h): f for f, h in tab.columns}
    columns: dict[int, str] = {}
    problems: list[FileProblem] = []
    for index, cell in enumerate(header):
        text = "" if cell.value is None else unescape_text(str(cell.value))
        if not text.strip():
            continue
        name = by_header.get(_key(text))
        if name is None:
            problems.append(
                FileProblem(sheet, 1, text, "Cột không thuộc bảng này; bỏ qua (không nhập).", False)
            )
        elif name in columns.values():
            problems.append(
                FileProblem(sheet, 1, text, "Tiêu đề cột bị lặp lại; hãy xoá một trong hai cột.")
            )
        else:
            columns[index] = name
    model = MODELS.get(tab.name)
    for name, head in tab.columns:
        if name in columns.values():
            continue
        required = name == "id" or (
            model is not None
            and name in model.model_fields
            and model.model_fields[name].is_required()
        )
        problems.append(
            FileProblem(
                sheet,
                1,
                head,
                "Thiếu cột bắt buộc; hãy thêm lại cột với đúng tiêu đề này."
                if required
                else "Không có cột này: các ô sẽ được để trống.",
                required,
            )
        )
    return columns, problems


def _row_values(
    tab: Tab, cells: Iterable[Any], columns: Mapping[int, str], headed: set[int], stray: set[int]
) -> tuple[dict[str, str], dict[str, str]]:
    """One row's text by field, and the problems of its cells by field; a cell with data under no
    header at all goes into `stray` (a header that is not the app's is noted elsewhere)."""
    values: dict[str, str] = {f: "" for f in tab.fields}
    problems: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if cell.value is None:
            continue
        name = columns.get(index)
        if name is None:
            if index not in headed:
                stray.add(index)
            continue
        values[name], problem = _cell_text(cell)
        if problem:
            problems[name] = problem
    return values, problems


def _cell_text(cell: Any) -> tuple[str, str]:
    """A cell as the text the store holds, and a problem when it cannot be one."""
    value, kind = cell.value, cell.data_type
    if kind == "f":
        return "", "Ô chứa công thức; hãy thay bằng giá trị (dán dạng giá trị) rồi nhập lại."
    if kind == "e":
        return "", f"Ô báo lỗi {value}; hãy sửa ô này rồi nhập lại."
    if isinstance(value, str):
        return unescape_text(value), ""
    if isinstance(value, bool):
        return ("Có" if value else "Không"), ""
    if isinstance(value, int):
        return str(value), ""
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else str(value)), ""
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat(), ""
        return value.isoformat(), ""
    if isinstance(value, (date, time)):
        return value.isoformat(), ""
    return str(value), ""


def validate(rows: Mapping[str, list[Row]], titles: Mapping[str, str]) -> list[FileProblem]:
    """Every problem the app's schemas find in these rows, named by sheet title and row.

    A row that points at a row which is itself broken is not reported again: fixing the broken
    row fixes both, and one unit with a typo must not bury the list under its whole subtree.
    """
    wb = Workbook.parse(dict(rows))
    known = {
        name: {r.cells.get("id", "").strip() for r in rows.get(name, [])}
        for name in set(REFERENCES.values())
    }
    found = [
        _located(p.tab, p.row, p.column, p.message, titles)
        for p in wb.problems
        if not _follows_a_broken_row(p, rows, wb, known)
    ]
    parsed_by_workbook = {f.name for f in fields(Workbook)}
    for tab in ALL_TABS:
        if tab.name not in parsed_by_workbook:
            found += _model_problems(tab, rows.get(tab.name, []), titles)
    for tab in ALL_TABS:
        if tab is tabs.AUDIT_LOG:
            continue  # history may name what no longer exists
        checked = [
            f for f in tab.fields if f in REFERENCES and (tab.name, f) not in CHECKED_BY_WORKBOOK
        ]
        for row in rows.get(tab.name, []) if checked else ():
            for name in checked:
                value = row.cells.get(name, "").strip()
                if value and value not in known[REFERENCES[name]]:
                    what = "đơn vị" if REFERENCES[name] == tabs.UNITS.name else "chu kỳ"
                    found.append(
                        _located(
                            tab.name,
                            row.number,
                            tab.header(name),
                            f"Trỏ tới {what} không có trong tệp (mã {value}).",
                            titles,
                        )
                    )
    return found


def _follows_a_broken_row(
    problem: Any, rows: Mapping[str, list[Row]], wb: Workbook, known: Mapping[str, set[str]]
) -> bool:
    """A reference `Workbook.parse` reports only because the row it names did not parse."""
    if (problem.tab, problem.column) not in {
        (t, TABS[t].header(f)) for t, f in CHECKED_BY_WORKBOOK
    }:
        return False
    cells = next((r.cells for r in rows.get(problem.tab, []) if r.number == problem.row), None)
    if cells is None:
        return False
    names = [f for t, f in CHECKED_BY_WORKBOOK if t == problem.tab]
    pointed = {f: cells.get(f, "").strip() for f in names}
    parsed: dict[str, Mapping[str, Any]] = {tabs.UNITS.name: wb.units, tabs.CYCLES.name: wb.cycles}
    in_file = all(v in known[REFERENCES[f]] for f, v in pointed.items() if v)
    all_parsed = all(v in parsed[REFERENCES[f]] for f, v in pointed.items() if v)
    return in_file and not all_parsed


def _model_problems(tab: Tab, rows: Sequence[Row], titles: Mapping[str, str]) -> list[FileProblem]:
    """For tabs the Workbook does not parse (the audit log): ids, duplicates and the model."""
    model = MODELS.get(tab.name)
    out: list[FileProblem] = []
    first: dict[str, int] = {}
    headers = dict(tab.columns)
    for row in rows:
        record_id = row.cells.get("id", "").strip()
        if not record_id:
            out.append(_located(tab.name, row.number, headers["id"], "Hàng chưa có mã.", titles))
            continue
        if record_id in first:
            message = f"Mã {record_id} trùng với hàng {first[record_id]}."
            out.append(_located(tab.name, row.number, headers["id"], message, titles))
            continue
        first[record_id] = row.number
        if model is None:
            continue
        try:
            model.from_cells(dict(row.cells))
        except ValidationError as exc:
            for err, text in zip(exc.errors(), error_messages(exc, {}), strict=True):
                column = headers.get(str(err["loc"][0]), "") if err["loc"] else ""
                out.append(_located(tab.name, row.number, column, text.split(": ", 1)[-1], titles))
    return out


def _located(
    tab: str, row: int, column: str, message: str, titles: Mapping[str, str]
) -> FileProblem:
    return FileProblem(titles.get(tab, tab), row, column, message)


# ---- writing -------------------------------------------------------------------------------------


def plan_import(store: Store, actor: Actor, upload: Upload) -> ImportPlan:
    """What importing this file into the store would write; refuses unless the store is empty
    (or holds only rows of this very file: an interrupted import of it, to be completed)."""
    ensure_province(actor, "nhập dữ liệu")
    if upload.blocking:
        raise ImportRefused(
            f"Tệp còn {len(upload.blocking)} lỗi cần sửa (xem danh sách); chưa ghi gì."
        )
    current = store.read([tab.name for tab in ALL_TABS])
    pending: dict[str, list[Row]] = {}
    foreign: dict[str, int] = {}
    stored = 0
    for tab in ALL_TABS:
        incoming = {r.cells["id"].strip(): r for r in upload.rows.get(tab.name, [])}
        done: set[str] = set()
        for row in current.get(tab.name, []):
            if blank(row.cells):
                continue
            record_id = row.cells.get("id", "").strip()
            mine = incoming.get(record_id)
            if mine is not None and _same(tab, mine.cells, row.cells):
                done.add(record_id)
            elif not (tab is tabs.AUDIT_LOG and record_id.startswith(records.IMPORT_AUDIT)):
                foreign[tab.title] = foreign.get(tab.title, 0) + 1
        stored += len(done)
        pending[tab.name] = [
            r for r in upload.rows.get(tab.name, []) if r.cells["id"].strip() not in done
        ]
    if foreign:
        listing = ", ".join(f"{title}: {n} dòng" for title, n in foreign.items())
        raise ImportRefused(
            f"Kho dữ liệu đang có dữ liệu ({listing}). Chỉ nhập được vào kho trống, để không "
            "trộn lẫn hay ghi đè dữ liệu đang có. Hãy nhập vào một kho mới (xem hướng dẫn chuyển "
            "dữ liệu). Chưa ghi gì."
        )
    return ImportPlan(upload, pending, stored)


def import_workbook(
    store: Store,
    actor: Actor,
    upload: Upload,
    at: datetime,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> ImportResult:
    """Write the file's rows into an empty store, a chunk per all-or-nothing write, with progress.

    Running it again after a failure part-way completes the import without duplicates.
    """
    plan = plan_import(store, actor, upload)
    key = upload.key
    chunks = 0
    for tab in ORDER:
        total = len(upload.rows.get(tab.name, []))
        rows = plan.pending[tab.name]
        done = total - len(rows)
        if progress:
            progress(tab.title, done, total)
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            store.apply(
                records.imported(
                    actor, at, tab.name, [r.cells for r in part], key, part[0].number, upload.source
                )
            )
            chunks += 1
            done += len(part)
            if progress:
                progress(tab.title, done, total)
    return ImportResult(plan.to_write, plan.stored, chunks)


# ---- helpers -----------------------------------------------------------------------------------


def _key(text: str) -> str:
    """How sheet titles and headers are matched: NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def thousands(n: int) -> str:
    """A count the Vietnamese way: 200000 -> "200.000"."""
    return f"{n:,}".replace(",", ".")


def blank(cells: Mapping[str, str]) -> bool:
    """A row with nothing in it (a blank row a person left): never exported or imported."""
    return not any(str(v).strip() for v in cells.values())


def _same(tab: Tab, a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    return all(a.get(f, "") == b.get(f, "") for f in tab.fields)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
