"""The Google Sheets engine: one spreadsheet, one tab per `schemas.tabs.Tab`, every cell a string.

First working step. What it does:

* Columns are found by their header text in row 1, never by position: a person may reorder columns
  or add their own; those are read past and never written.
* `read` is one `values:batchGet` (formatted values) for every tab asked for.
* `apply` re-reads the tabs it touches (one batchGet), checks every operation exactly as the SQL
  engine does, then writes everything in one atomic `spreadsheets:batchUpdate`: `appendCells`
  (lands after the last row with data, whatever blank rows a person left) for appends and
  `updateCells` for only the changed cells of updated rows. Values are sent as `stringValue`, so
  nothing a user typed is converted or becomes a formula.
* Check-then-write is serialised by a process lock, so it is exact within one process. Across
  processes (or against a person typing between our re-read and our write) the Sheets API offers no
  conditional write: there the guarantee is detection, not prevention.

Retries (`sheets_retry.RetryPolicy`): every read (batchGet, the metadata fetch) is retried with
jittered exponential backoff on 429/5xx, timeouts and connection errors, up to a cap, then
StoreUnavailable. A write is never blindly repeated:

* a definite failure (Google answered 429/5xx) means nothing was applied: wait, then start the whole
  apply again (fresh read, every check again, one batchUpdate);
* an ambiguous failure (a timeout or connection error: the write may have landed) is followed by a
  look-up: the touched tabs are read fresh. If every appended row is there (same id, same cells) and
  every updated cell holds our value, the write landed and apply returns: stored exactly once. If
  none of it is there, it is retried as above. Some but not all cannot happen (batchUpdate is
  atomic); if seen (say, a person edited in between), apply refuses with StoreError.

Not yet here: coalescing of concurrent submissions and a cross-process change signal.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gspread
import requests
from gspread.utils import absolute_range_name

from schemas.tabs import ALL_TABS, TABS, Tab
from services.storage import (
    FIRST_ROW,
    Append,
    Operation,
    Row,
    StoreError,
    StoreUnavailable,
    Tail,
    Update,
)
from services.storage.rules import should_append, should_update
from services.storage.sheets_retry import (
    AMBIGUOUS,
    NOT_READ,
    NOT_STORED,
    RetryPolicy,
    classify,
)

# Seconds to wait for Google: (connect, read). gspread waits forever unless told otherwise.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)
TEXT_FORMAT = {"numberFormat": {"type": "TEXT"}}
METADATA_FIELDS = {"fields": "properties,sheets.properties"}

# Said when a write timed out and the look-up that would tell whether it landed failed too.
UNCERTAIN = (
    "Google Sheets không phản hồi nên chưa xác định được dữ liệu đã được lưu hay chưa. "
    "Vui lòng tải lại trang sau ít phút để kiểm tra trước khi gửi lại."
)
PARTIAL = (
    "Dữ liệu trên Google Sheets vừa thay đổi trong lúc lưu nên không xác định được lần lưu này; "
    "chỉ một phần dữ liệu đang có trên bảng tính. Vui lòng tải lại trang và kiểm tra."
)


def _header_key(text: str) -> str:
    """How a header cell is matched to a tab's header: NFC, surrounding spaces ignored."""
    return unicodedata.normalize("NFC", text).strip()


def _cell(value: str) -> dict[str, Any]:
    """CellData for one string: a string value (never converted), or nothing (a blank cell)."""
    return {"userEnteredValue": {"stringValue": value}} if value != "" else {}


@dataclass
class _Layout:
    """Where a tab's fields are in the sheet as it is now: field -> 0-based column index."""

    tab: Tab
    columns: dict[str, int]

    @classmethod
    def from_header(cls, tab: Tab, header: Sequence[str]) -> _Layout:
        wanted = {_header_key(h): f for f, h in tab.columns}
        columns: dict[str, int] = {}
        for index, text in enumerate(header):
            name = wanted.get(_header_key(str(text)))
            if name is not None and name not in columns:  # a repeated header: the first one wins
                columns[name] = index
        return cls(tab, columns)

    def cells(self, values: Sequence[str]) -> dict[str, str]:
        return {
            f: (
                str(values[i]) if (i := self.columns.get(f)) is not None and i < len(values) else ""
            )
            for f in self.tab.fields
        }

    def column(self, name: str) -> int:
        try:
            return self.columns[name]
        except KeyError:
            header = self.tab.header(name)
            raise StoreError(
                f"Bảng {self.tab.title} thiếu cột “{header}”; chưa lưu gì. "
                "Hãy khôi phục tiêu đề cột rồi thử lại."
            ) from None


@dataclass
class _TabState:
    """A tab as freshly read, plus what this apply will do to it."""

    layout: _Layout
    rows: list[Row]  # existing rows, then the rows this apply appends (numbered where they land)
    last: int  # sheet row number of the last row with data (1: just the header)
    appended: list[dict[str, str]] = field(default_factory=list)
    changed: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, field) -> value


class SheetsStore:
    """A store in one Google spreadsheet, reached through gspread."""

    def __init__(
        self,
        spreadsheet: gspread.Spreadsheet,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ):
        self.spreadsheet = spreadsheet
        self.retry = retry or RetryPolicy()
        if timeout is not None:
            # gspread 6 sends every request with the client's timeout (None = wait forever).
            spreadsheet.client.set_timeout(timeout)
        self._lock = threading.RLock()  # check-then-write is serialised within the process
        self._sheet_ids: dict[str, int] = {}
        self._writes = 0
        self.locale: str | None = None
        self.time_zone: str | None = None

    @classmethod
    def open(
        cls,
        client: gspread.Client,
        key: str,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> SheetsStore:
        """Open a spreadsheet by its key (no Drive API call), with an explicit HTTP timeout."""
        if timeout is not None:
            client.set_timeout(timeout)
        retry = retry or RetryPolicy()
        with _reaching_google():
            return cls(retry.run(lambda: client.open_by_key(key)), timeout, retry)

    # ------------------------------------------------------------------ set-up
    def ensure_tabs(self) -> list[str]:
        """Create every missing tab (header row, app columns as plain text); returns their names.

        One metadata read, and one batchUpdate only when a tab is missing. Also records the
        spreadsheet's `locale` and `time_zone`, which the data-health screen checks.
        """
        attempted: dict[str, None] = {}  # titles this call tried to create
        with self._lock, _reaching_google():
            for attempt in range(1, self.retry.max_attempts + 1):
                self._learn(self._metadata())
                missing = [tab for tab in ALL_TABS if tab.title not in self._sheet_ids]
                if not missing:
                    break
                attempted.update(dict.fromkeys(tab.title for tab in missing))
                requests_, ids = self._tab_requests(missing)
                try:
                    self.spreadsheet.batch_update({"requests": requests_})
                except Exception as error:
                    kind = classify(error)
                    if kind is None:
                        raise
                    if attempt == self.retry.max_attempts:
                        if kind == AMBIGUOUS:  # the tabs may have been created after all
                            self._learn(self._metadata(UNCERTAIN))
                            if all(t.title in self._sheet_ids for t in ALL_TABS):
                                break
                        raise StoreUnavailable(NOT_STORED) from error
                    self.retry.wait(attempt)
                    continue
                self._writes += 1
                self._sheet_ids.update(ids)
                break
        return [tab.name for tab in ALL_TABS if tab.title in attempted]

    def _tab_requests(self, missing: Sequence[Tab]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """The batchUpdate requests that create these tabs, and the sheet id each will have."""
        requests_: list[dict[str, Any]] = []
        ids: dict[str, int] = {}
        next_id = max(self._sheet_ids.values(), default=0) + 1
        for tab in missing:
            sheet_id, next_id = next_id, next_id + 1
            ids[tab.title] = sheet_id
            width = len(tab.headers)
            requests_ += [
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sheet_id,
                            "title": tab.title,
                            "gridProperties": {
                                "rowCount": 1000,
                                "columnCount": max(26, width),
                                "frozenRowCount": 1,
                            },
                        }
                    }
                },
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": sheet_id,
                            "startColumnIndex": 0,
                            "endColumnIndex": width,
                        },
                        "cell": {"userEnteredFormat": TEXT_FORMAT},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                        "rows": [{"values": [_cell(h) for h in tab.headers]}],
                        "fields": "userEnteredValue",
                    }
                },
            ]
        return requests_, ids

    def _metadata(self, message: str = NOT_READ) -> Mapping[str, Any]:
        """The spreadsheet's properties and its tabs' properties: one read, retried."""
        with _reaching_google():
            return self.retry.run(
                lambda: self.spreadsheet.fetch_sheet_metadata(params=METADATA_FIELDS), message
            )

    def _learn(self, meta: Mapping[str, Any]) -> None:
        props = meta.get("properties") or {}
        self.locale = props.get("locale")
        self.time_zone = props.get("timeZone")
        self._sheet_ids = {
            s["properties"]["title"]: s["properties"]["sheetId"] for s in meta.get("sheets", [])
        }

    def _sheet_id(self, tab: Tab) -> int:
        if tab.title not in self._sheet_ids:
            self._learn(self._metadata())
        try:
            return self._sheet_ids[tab.title]
        except KeyError:
            raise StoreError(f"Không tìm thấy bảng “{tab.title}” trong tệp dữ liệu.") from None

    # ------------------------------------------------------------------ reading
    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        """Whole tabs in one `values:batchGet`, rows in sheet order, blank rows included."""
        names = list(tabs)
        grids = self._batch_get(names)
        out = {}
        for name, grid in zip(names, grids, strict=True):
            out[name] = _rows(_Layout.from_header(TABS[name], grid[0] if grid else []), grid)
        return out

    def _batch_get(self, names: Sequence[str], message: str = NOT_READ) -> list[list[list[str]]]:
        if not names:
            return []
        ranges = [absolute_range_name(TABS[n].title) for n in names]
        params = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
        with _reaching_google():
            got = self.retry.run(
                lambda: self.spreadsheet.values_batch_get(ranges, params=params), message
            )
        return [vr.get("values", []) for vr in got.get("valueRanges", [])]

    def read_tail(self, tab: str, limit: int, before: int | None = None) -> Tail:
        """One window of rows ending just above `before`; header and window in one request.

        With `before=None` the last row with data is not known without reading, so the first window
        reads the whole tab (still one request); later windows read only their rows.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        spec = TABS[tab]
        if before is None:
            (grid,) = self._batch_get([tab])
            layout = _Layout.from_header(spec, grid[0] if grid else [])
            before = max(len(grid), 1) + 1
            start = max(FIRST_ROW, before - limit)
            window = [(n, grid[n - 1]) for n in range(start, before)]
        else:
            start = max(FIRST_ROW, before - limit)
            if start >= before:
                return Tail([], start)
            ranges = [
                absolute_range_name(spec.title, "1:1"),
                absolute_range_name(spec.title, f"{start}:{before - 1}"),
            ]
            params = {"valueRenderOption": "FORMATTED_VALUE"}
            with _reaching_google():
                got = self.retry.run(
                    lambda: self.spreadsheet.values_batch_get(ranges, params=params)
                )
            header, body = (vr.get("values", []) for vr in got["valueRanges"])
            layout = _Layout.from_header(spec, header[0] if header else [])
            window = [(start + i, values) for i, values in enumerate(body)]
        rows = [Row(n, layout.cells(values)) for n, values in window]
        return Tail([r for r in rows if any(v.strip() for v in r.cells.values())], start)

    def change_token(self) -> str:
        """Changes with every write made through this store object, and with nothing else.

        Sheets has no cheap change signal without the Drive API (not used). Writes by another
        process or by a person typing in the sheet are therefore not seen here: the cache's TTL
        bounds how stale they can be.
        """
        return f"local-{self._writes}"

    # ------------------------------------------------------------------ writing
    def apply(self, operations: Sequence[Operation]) -> None:
        """All or nothing: re-read the touched tabs, check every operation, one batchUpdate.

        Retried as a whole (fresh read, checks, write) after a definite failure; after an ambiguous
        one the write is first looked up, and not sent again if it landed.
        """
        if not operations:
            return
        names = list(dict.fromkeys(op.tab for op in operations))
        with self._lock:
            for attempt in range(1, self.retry.max_attempts + 1):
                requests_, expected = self._plan(names, operations)
                if not requests_:
                    return  # every operation was already stored
                try:
                    self.spreadsheet.batch_update({"requests": requests_})
                except Exception as error:
                    kind = classify(error)
                    if kind is None:
                        with _reaching_google():
                            raise
                    if kind == AMBIGUOUS and self._landed(names, expected):
                        self._writes += 1
                        return  # the write landed; its reply was lost: stored exactly once
                    if attempt == self.retry.max_attempts:
                        raise StoreUnavailable(NOT_STORED) from error
                    self.retry.wait(attempt)
                    continue
                self._writes += 1
                return

    def _plan(
        self, names: Sequence[str], operations: Sequence[Operation]
    ) -> tuple[list[dict[str, Any]], list[tuple[str, str, dict[str, str]]]]:
        """Fresh read, every check; the requests to send and what they will leave in the sheet:
        (tab, record id, cells that will hold these values)."""
        grids = self._batch_get(names)
        states: dict[str, _TabState] = {}
        for name, grid in zip(names, grids, strict=True):
            layout = _Layout.from_header(TABS[name], grid[0] if grid else [])
            states[name] = _TabState(layout, _rows(layout, grid), max(len(grid), 1))
        for op in operations:
            if isinstance(op, Append):
                _append(states[op.tab], op)
            else:
                _update(states[op.tab], op)
        expected: list[tuple[str, str, dict[str, str]]] = []
        for name, state in states.items():
            ids = {row.number: row.cells["id"] for row in state.rows}
            changed: dict[int, dict[str, str]] = {}
            for (number, field_), value in state.changed.items():
                changed.setdefault(number, {})[field_] = value
            expected += [(name, ids[number], cells) for number, cells in changed.items()]
            expected += [(name, cells["id"], dict(cells)) for cells in state.appended]
        return self._requests(states), expected

    def _landed(
        self, names: Sequence[str], expected: Sequence[tuple[str, str, dict[str, str]]]
    ) -> bool:
        """After an ambiguous failure: did that write land? One fresh read of the touched tabs."""
        if any(record_id == "" for _, record_id, _ in expected):
            raise StoreUnavailable(UNCERTAIN)  # a row without an id cannot be looked up
        grids = self._batch_get(names, UNCERTAIN)
        rows: dict[str, list[Row]] = {}
        for name, grid in zip(names, grids, strict=True):
            rows[name] = _rows(_Layout.from_header(TABS[name], grid[0] if grid else []), grid)
        found = []
        for name, record_id, cells in expected:
            row = next((r for r in rows[name] if r.cells["id"] == record_id), None)
            found.append(row is not None and all(row.cells.get(f) == v for f, v in cells.items()))
        if all(found):
            return True
        if not any(found):
            return False
        raise StoreError(PARTIAL)  # batchUpdate is atomic: only a concurrent edit can show this

    def _requests(self, states: Mapping[str, _TabState]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for state in states.values():
            layout, sheet_id = state.layout, None
            for (number, name), value in sorted(state.changed.items()):
                sheet_id = sheet_id if sheet_id is not None else self._sheet_id(layout.tab)
                out.append(
                    {
                        "updateCells": {
                            "start": {
                                "sheetId": sheet_id,
                                "rowIndex": number - 1,
                                "columnIndex": layout.column(name),
                            },
                            "rows": [{"values": [_cell(value)]}],
                            "fields": "userEnteredValue",
                        }
                    }
                )
            if state.appended:
                sheet_id = sheet_id if sheet_id is not None else self._sheet_id(layout.tab)
                rows = []
                for cells in state.appended:
                    placed = {layout.column(f): v for f, v in cells.items() if v != ""}
                    width = max(placed, default=-1) + 1
                    rows.append({"values": [_cell(placed.get(c, "")) for c in range(width)]})
                out.append(
                    {
                        "appendCells": {
                            "sheetId": sheet_id,
                            "rows": rows,
                            "fields": "userEnteredValue",
                        }
                    }
                )
        return out


def _rows(layout: _Layout, grid: Sequence[Sequence[str]]) -> list[Row]:
    return [Row(i + FIRST_ROW, layout.cells(values)) for i, values in enumerate(grid[1:])]


def _find(state: _TabState, record_id: str) -> Row | None:
    return next((row for row in state.rows if row.cells["id"] == record_id), None)


def _append(state: _TabState, op: Append) -> None:
    """Exactly the SQL engine's rule, checked against the fresh read plus earlier operations."""
    fields = state.layout.tab.fields
    cells = {f: op.cells.get(f, "") for f in fields}
    existing = _find(state, cells["id"])
    clash = lambda: any(all(r.cells[f] == cells[f] for f in op.unique) for r in state.rows)  # noqa: E731
    if not should_append(op, cells, existing.cells if existing else None, clash):
        return
    for name, value in cells.items():
        if value != "":
            state.layout.column(name)  # a missing app column refuses the whole apply
    state.last += 1
    state.rows.append(Row(state.last, cells))
    state.appended.append(cells)


def _update(state: _TabState, op: Update) -> None:
    fields = state.layout.tab.fields
    current = _find(state, op.id)
    if not should_update(op, current.cells if current else None):
        return
    unknown = [f for f in op.changes if f not in fields]
    if unknown:
        raise KeyError(f"{op.tab} has no field {unknown}")
    new = {**current.cells, **op.changes}
    index = state.rows.index(current)
    state.rows[index] = Row(current.number, new)
    pending = len(state.rows) - len(state.appended)
    if index >= pending:  # a row appended by this very apply: change what will be appended
        state.appended[index - pending] = new
        return
    for name, value in op.changes.items():
        if value != current.cells[name]:
            state.layout.column(name)
            state.changed[(current.number, name)] = value


class _reaching_google:
    """Turns transport and API failures into StoreUnavailable (a Vietnamese message)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, trace) -> bool:
        if error is None or isinstance(error, StoreError):
            return False
        if isinstance(error, gspread.exceptions.APIError):
            raise StoreUnavailable(
                f"Google Sheets từ chối yêu cầu ({error.code}); chưa chắc đã lưu. Hãy thử lại sau."
            ) from error
        if isinstance(error, gspread.exceptions.SpreadsheetNotFound):
            raise StoreUnavailable("Không mở được tệp dữ liệu trên Google Sheets.") from error
        if isinstance(error, requests.exceptions.RequestException):
            raise StoreUnavailable(
                "Không kết nối được Google Sheets (quá thời gian chờ hoặc lỗi mạng); "
                "có thể chưa lưu. Hãy thử lại sau."
            ) from error
        return False
