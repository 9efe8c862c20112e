"""The fake's spreadsheets: tabs as grids of immutable cells, grid operations, and a person's edits.

Rows are lists of `Cell` that may be shorter than the grid (missing cells are empty, automatic
format). Because cells are immutable, a snapshot is a cheap copy of the row lists: that is how a
batchUpdate is all-or-nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.sheets_cells import EMPTY, Cell, col_index, convert, parse_cells, shown


class GridError(ValueError):
    """A request that Sheets would refuse with 400 INVALID_ARGUMENT."""


@dataclass
class Sheet:
    sheet_id: int
    title: str
    row_count: int = 1000
    col_count: int = 26
    rows: list[list[Cell]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # other sheet properties, kept as given
    # ProtectedRange resources (https://developers.google.com/sheets/api/reference/rest/v4/
    # spreadsheets/sheets#ProtectedRange), data validation rules as {"range", "rule"} and column
    # widths in pixels: each follows its columns when columns are inserted, deleted or moved
    protected: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        while len(self.rows) < self.row_count:
            self.rows.append([])

    # --- cells
    def cell(self, r: int, c: int) -> Cell:
        row = self.rows[r]
        return row[c] if c < len(row) else EMPTY

    def put(self, r: int, c: int, cell: Cell) -> None:
        if r >= self.row_count or c >= self.col_count:
            raise GridError(
                f"Range ('{self.title}'!R{r + 1}C{c + 1}) exceeds grid limits. "
                f"Max rows: {self.row_count}, max columns: {self.col_count}"
            )
        row = self.rows[r]
        if c >= len(row):
            if cell == EMPTY:
                return
            row.extend([EMPTY] * (c + 1 - len(row)))
        row[c] = cell

    def grow(self, rows: int | None = None, cols: int | None = None) -> None:
        """Make the grid at least this big; new rows copy the cell formats of the last row."""
        if cols is not None and cols > self.col_count:
            self.col_count = cols
        if rows is not None and rows > self.row_count:
            template = _formats(self.rows[-1]) if self.rows else []
            for _ in range(rows - self.row_count):
                self.rows.append(list(template))
            self.row_count = rows

    def last_data_row(self, c0: int = 0, c1: int | None = None) -> int:
        """0-based index of the last row with a value in columns [c0, c1); -1 when none."""
        for r in range(len(self.rows) - 1, -1, -1):
            if not _blank(self.rows[r][c0:c1]):
                return r
        return -1

    def last_data_col(self) -> int:
        return max(
            (i for row in self.rows for i, cell in enumerate(row) if not cell.empty), default=-1
        )

    # --- dimensions
    def insert_rows(self, start: int, end: int, inherit_before: bool = False) -> None:
        if not 0 <= start <= self.row_count or end <= start:
            raise GridError(f"invalid row range [{start}, {end})")
        if inherit_before and start > 0:
            template = _formats(self.rows[start - 1])
        elif start < self.row_count:
            template = _formats(self.rows[start])
        else:
            template = []
        self.rows[start:start] = [list(template) for _ in range(end - start)]
        self.row_count += end - start

    def delete_rows(self, start: int, end: int) -> None:
        if not 0 <= start < end <= self.row_count:
            raise GridError(f"invalid row range [{start}, {end})")
        if end - start >= self.row_count:
            raise GridError("You can't delete all the rows on the sheet.")
        del self.rows[start:end]
        self.row_count -= end - start

    def insert_cols(self, start: int, end: int, inherit_before: bool = False) -> None:
        if not 0 <= start <= self.col_count or end <= start:
            raise GridError(f"invalid column range [{start}, {end})")
        for row in self.rows:
            if start < len(row):
                src = row[start - 1] if inherit_before and start > 0 else row[start]
                row[start:start] = [EMPTY.with_format(src.text)] * (end - start)
        self.col_count += end - start
        self.remap_columns(lambda c: c if c < start else c + end - start)

    def delete_cols(self, start: int, end: int) -> None:
        if not 0 <= start < end <= self.col_count:
            raise GridError(f"invalid column range [{start}, {end})")
        if end - start >= self.col_count:
            raise GridError("You can't delete all the columns on the sheet.")
        for row in self.rows:
            del row[start:end]
        self.col_count -= end - start
        self.remap_columns(lambda c: c if c < start else None if c < end else c - (end - start))

    def move_col(self, source: int, dest: int) -> None:
        """Move one column so that it ends up at index `dest` (as dragging a column does)."""
        order = list(range(self.col_count))
        order.insert(dest, order.pop(source))
        self.remap_columns(order.index)
        for row in self.rows:
            if len(row) < self.col_count:
                row.extend([EMPTY] * (self.col_count - len(row)))
            cell = row.pop(source)
            row.insert(dest, cell)
            while row and row[-1] == EMPTY:
                row.pop()

    def sort_rows(self, start: int, end: int, col: int, descending: bool, locale: str) -> None:
        """Sort rows [start, end) by one column: numbers before text, blanks always last."""
        block = self.rows[start:end]

        def key(row: list[Cell]) -> tuple[int, Any]:
            cell = row[col] if col < len(row) else EMPTY
            if cell.kind in ("number", "date", "datetime"):
                return (0, cell.value)
            if cell.kind == "bool":
                return (2, cell.value)
            return (1, shown(cell, locale).lower())

        filled = [r for r in block if col < len(r) and not r[col].empty]
        blanks = [r for r in block if not (col < len(r) and not r[col].empty)]
        filled.sort(key=key, reverse=descending)
        self.rows[start:end] = filled + blanks

    # --- properties
    def properties(self, index: int) -> dict[str, Any]:
        props = copy.deepcopy(self.extra)
        props.update(
            {
                "sheetId": self.sheet_id,
                "title": self.title,
                "index": index,
                "sheetType": "GRID",
            }
        )
        grid = props.setdefault("gridProperties", {})
        grid.update({"rowCount": self.row_count, "columnCount": self.col_count})
        return props

    def snapshot(self) -> Sheet:
        return Sheet(
            self.sheet_id,
            self.title,
            self.row_count,
            self.col_count,
            [list(r) for r in self.rows],
            copy.deepcopy(self.extra),
            copy.deepcopy(self.protected),
            copy.deepcopy(self.validations),
            dict(self.widths),
        )

    def remap_columns(self, where: Callable[[int], int | None]) -> None:
        """Protected ranges, validation rules and widths follow their column to `where(old)`;
        a range whose column was deleted (None) goes with it."""
        kept: dict[str, list[dict[str, Any]]] = {"protected": [], "validations": []}
        for name in kept:
            for entry in getattr(self, name):
                rng = entry["range"]
                if "startColumnIndex" in rng and "endColumnIndex" in rng:
                    first = where(rng["startColumnIndex"])
                    last = where(rng["endColumnIndex"] - 1)
                    if first is None or last is None:
                        continue
                    rng["startColumnIndex"], rng["endColumnIndex"] = first, last + 1
                kept[name].append(entry)
            setattr(self, name, kept[name])
        moved = {where(c): w for c, w in self.widths.items()}
        self.widths = {c: w for c, w in moved.items() if c is not None}


def _blank(cells: list[Cell]) -> bool:
    """No value in these cells. Fast for the usual blank row, where every cell is one same
    (formatted, empty) cell object: `count` compares identities in C."""
    if not cells:
        return True
    first = cells[0]
    if first.empty and cells.count(first) == len(cells):
        return True
    return all(cell.empty for cell in cells)


def _formats(row: list[Cell]) -> list[Cell]:
    out = [Cell(text=c.text, style=c.style) for c in row]
    while out and out[-1] == EMPTY:
        out.pop()
    return out


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "vi_VN"
    time_zone: str = "Asia/Ho_Chi_Minh"
    sheets: list[Sheet] = field(default_factory=list)
    next_sheet_id: int = 1
    next_protected_id: int = 1

    def sheet(self, title: str | None) -> Sheet:
        if title is None:
            return self.sheets[0]
        for s in self.sheets:
            if s.title == title:
                return s
        raise GridError(f"Unable to parse range: {title}")

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise GridError(f"No grid with id: {sheet_id}")

    def properties(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "locale": self.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": self.time_zone,
            "defaultFormat": {"numberFormat": {}},
        }

    def snapshot(self) -> Spreadsheet:
        return Spreadsheet(
            self.spreadsheet_id,
            self.title,
            self.locale,
            self.time_zone,
            [s.snapshot() for s in self.sheets],
            self.next_sheet_id,
            self.next_protected_id,
        )

    def restore(self, saved: Spreadsheet) -> None:
        self.title, self.locale, self.time_zone = saved.title, saved.locale, saved.time_zone
        self.sheets, self.next_sheet_id = saved.sheets, saved.next_sheet_id
        self.next_protected_id = saved.next_protected_id


def _column(sheet: Sheet, column: int | str, locale: str) -> int:
    """A column given as a 1-based number, letters ("C") or the header text in row 1."""
    if isinstance(column, int):
        return column - 1
    headers = [shown(c, locale) for c in sheet.rows[0]] if sheet.rows else []
    if column in headers:
        return headers.index(column)
    if column.isalpha() and len(column) <= 3:
        return col_index(column)
    raise GridError(f"no column {column!r} in {sheet.title}")


class Person:
    """Someone editing the spreadsheet in a browser: no API call, no quota, changes at once."""

    def __init__(self, book: Spreadsheet):
        self.book = book

    def _sheet(self, tab: str) -> Sheet:
        return self.book.sheet(tab)

    def type(self, tab: str, cell: str, text: str) -> None:
        """Type `text` into one cell ("B5"), converted as Sheets converts what people type."""
        box = parse_cells(cell)
        sheet = self._sheet(tab)
        current = sheet.cell(box.r0, box.c0)
        new = current.cleared() if text == "" else convert(text, self.book.locale, current.text)
        sheet.put(box.r0, box.c0, replace(new, style=current.style))

    def type_row(self, tab: str, row: int, texts: Iterable[str]) -> None:
        from tests.fakes.sheets_cells import col_letter

        for i, text in enumerate(texts):
            self.type(tab, f"{col_letter(i)}{row}", text)

    def insert_rows(self, tab: str, row: int, count: int = 1) -> None:
        """Insert blank rows so that the first new one is sheet row `row` (rows below move down)."""
        self._sheet(tab).insert_rows(row - 1, row - 1 + count, inherit_before=row > 1)

    def insert_row(self, tab: str, row: int, texts: Iterable[str] = ()) -> None:
        self.insert_rows(tab, row)
        self.type_row(tab, row, texts)

    def delete_row(self, tab: str, row: int) -> None:
        self._sheet(tab).delete_rows(row - 1, row)

    def clear_row(self, tab: str, row: int) -> None:
        """Delete the contents of a row, leaving a blank row where it was."""
        sheet = self._sheet(tab)
        sheet.rows[row - 1] = _formats(sheet.rows[row - 1])

    def leave_blank_rows(self, tab: str, count: int, after: int | None = None) -> None:
        """Insert `count` blank rows after sheet row `after` (default: after the last data row)."""
        sheet = self._sheet(tab)
        row = (sheet.last_data_row() + 1 if after is None else after) + 1
        if row > sheet.row_count:
            sheet.grow(rows=row - 1 + count)
        else:
            self.insert_rows(tab, row, count)

    def sort(
        self, tab: str, column: int | str, descending: bool = False, header_rows: int = 1
    ) -> None:
        """Sort the rows under the header by one column (header text, letters or 1-based)."""
        sheet = self._sheet(tab)
        col = _column(sheet, column, self.book.locale)
        end = sheet.last_data_row() + 1
        sheet.sort_rows(header_rows, end, col, descending, self.book.locale)

    def filter(self, tab: str, column: int | str, keep: Iterable[str]) -> list[int]:
        """Turn on the tab's filter showing only rows whose cell in `column` is one of `keep`;
        the sheet row numbers hidden. Hiding changes no value and no row's place: the values API
        still returns hidden rows (https://developers.google.com/sheets/api/reference/rest/v4/
        spreadsheets/sheets#BasicFilter)."""
        sheet = self._sheet(tab)
        col = _column(sheet, column, self.book.locale)
        kept = set(keep)
        hidden = [
            r + 1
            for r in range(1, sheet.last_data_row() + 1)
            if shown(sheet.cell(r, col), self.book.locale) not in kept
        ]
        sheet.extra["basicFilter"] = {"range": {"sheetId": sheet.sheet_id}, "hidden": hidden}
        return hidden

    def move_column(self, tab: str, column: int | str, to: int) -> None:
        """Drag a column so that it becomes column number `to` (1-based)."""
        sheet = self._sheet(tab)
        sheet.move_col(_column(sheet, column, self.book.locale), to - 1)

    def rename_header(self, tab: str, old: str, new: str) -> None:
        sheet = self._sheet(tab)
        col = _column(sheet, old, self.book.locale)
        sheet.put(0, col, convert(new, self.book.locale, sheet.cell(0, col).text))

    def replace_with_copy(self, tab: str, sheet_id: int) -> None:
        """Duplicate a tab, delete the original and give the copy its name: the same rows under
        the same title, with a new sheet id (what Sheets' "Duplicate" gives the copy)."""
        old = self._sheet(tab)
        copy_ = old.snapshot()
        copy_.sheet_id = sheet_id
        self.book.sheets[self.book.sheets.index(old)] = copy_

    def delete_tab(self, tab: str) -> None:
        self.book.sheets.remove(self._sheet(tab))

    def rename_tab(self, tab: str, title: str) -> None:
        self._sheet(tab).title = title

    def values(self, tab: str) -> list[list[str]]:
        """What a person sees: shown strings, trailing blanks left out (like the API)."""
        sheet = self._sheet(tab)
        out = [[shown(c, self.book.locale) for c in row] for row in sheet.rows]
        for row in out:
            while row and row[-1] == "":
                row.pop()
        while out and not out[-1]:
            out.pop()
        return out
