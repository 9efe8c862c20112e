"""The Google Sheets engine: one spreadsheet, one tab per `schemas.tabs.Tab`, every cell a string.

First working step. What it does:

* Columns are found by their header text in row 1, never by position: a person may reorder columns
  or add their own; those are read past and never written.
* `read` is one `values:batchGet` (formatted values) for every tab asked for.
* `apply` calls that arrive together are coalesced (`coalesce.Coalescer`, group commit): one leader
  re-reads the touched tabs (one batchGet), checks each caller's operations exactly as the SQL
  engine does — against that read plus the earlier callers of the same batch, so one caller's
  Conflict fails only that caller — then writes every accepted record with its audit row in one
  atomic `spreadsheets:batchUpdate`: `appendCells` (lands after the last row with data, whatever
  blank rows a person left) for appends and `updateCells` for only the changed cells of updated
  rows. Values are sent as `stringValue`, so nothing a user typed is converted or becomes a formula.
* Batches run one at a time, so check-then-write is exact within one process. Across processes
  (or against a person typing between our re-read and our write) the Sheets API offers no
  conditional write: there the guarantee is detection, not prevention (docs/sheets-engine.md).
* Every request goes through a pacer per kind (`coalesce.Pacer`): at most 58 reads and 58 writes
  in any minute, under Google's 60 per user. While the leader waits, more callers join its batch.

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

A quota refusal (429) is retried until a whole quota window has passed (`RetryPolicy.gives_up`).
Not here: a cross-process change signal (Sheets has none without the Drive API).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import gspread
import requests
from gspread.utils import absolute_range_name

from schemas.cells import clean_id, is_id_field, iso
from schemas.tabs import ALL_TABS, AUDIT_LOG, SCREEN_TABS, TABS, Tab
from services.storage import (
    FIRST_ROW,
    MISSING_TAB,
    NO_COLUMN,
    REPEATED_COLUMN,
    Adopt,
    Append,
    Operation,
    RecordMissing,
    Row,
    SpreadsheetLayout,
    StoreError,
    StoreUnavailable,
    TabLayout,
    Tail,
    Unreadable,
    Update,
    WrittenListener,
    sheets_setup,
)
from services.storage.coalesce import Coalescer, Pacer, RealWaits, Submission, Waits
from services.storage.rules import check_sizes, should_adopt, should_append, should_update
from services.storage.sheets_retry import (
    AMBIGUOUS,
    NOT_READ,
    NOT_STORED,
    RetryPolicy,
    classify,
    status_of,
)
from services.storage.sheets_verify import (
    MAX_ROUNDS,
    Leftover,
    Repair,
    Target,
    fail_unrepaired,
    landed,
    misdirected,
    plan_repair,
    readdress,
    rows_by_number,
    unrepaired,
)

T = TypeVar("T")

# Requests of each kind (read, write) per minute on average, and at once after a quiet spell:
# 46 + 12 = 58 in any 60 s, under Google's 60 per minute per user
# (https://developers.google.com/sheets/api/limits).
PACE_PER_MINUTE = 46.0
PACE_BURST = 12
# Seconds to wait for Google: (connect, read). gspread waits forever unless told otherwise.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)
TEXT_FORMAT = {"numberFormat": {"type": "TEXT"}}
METADATA_FIELDS: dict[str, Any] = {"fields": "properties,sheets.properties"}
# set-up also needs each tab's protected ranges: whether it is set up (sheets_setup.MARK)
SETUP_FIELDS: dict[str, Any] = {"fields": "properties,sheets(properties,protectedRanges)"}
KEY_FIELDS = ("id", "cycle_id", "unit_id")  # without these a tab's rows cannot be read as records

# StoreError codes of this engine (worded in services.core.messages)
UNCERTAIN = "uncertain"  # a write timed out and the look-up that would tell failed too
PARTIAL = "partial"  # the look-up after a timeout found only part of a submission


class _Unpaced:
    """No pacing (tests of the retry policy against a small quota)."""

    def take(self) -> float:
        return 0.0

    def charge(self) -> None:
        return None


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
    repeated: tuple[str, ...] = ()  # app fields whose header is in row 1 more than once

    @classmethod
    def from_header(cls, tab: Tab, header: Sequence[str]) -> _Layout:
        """A field whose header appears twice (a person's own column named like the app's) is
        neither read nor written until one of them is renamed: which one is the app's cannot be
        told, and guessing would read or overwrite the person's column."""
        wanted = {_header_key(h): f for f, h in tab.columns}
        columns: dict[str, int] = {}
        repeated: list[str] = []
        for index, text in enumerate(header):
            name = wanted.get(_header_key(str(text)))
            if name is not None and name in columns:
                repeated.append(name)
            elif name is not None:
                columns[name] = index
        for name in repeated:
            columns.pop(name, None)
        return cls(tab, columns, tuple(dict.fromkeys(repeated)))

    def unreadable(self) -> Unreadable | None:
        """Why this tab's records cannot be read as the header is now (None: they can). A row
        without its id, cycle or unit cannot be told apart or attributed: counting such rows would
        show registered units as "not registered"."""
        for name in KEY_FIELDS:
            if name in self.repeated:
                return Unreadable(self.tab.name, REPEATED_COLUMN, name)
            if name in self.tab.fields and name not in self.columns:
                return Unreadable(self.tab.name, NO_COLUMN, name)
        return None

    def __post_init__(self) -> None:
        # (field, column or -1), worked out once: `cells` runs for every row of every read.
        self._where = [(f, self.columns.get(f, -1)) for f in self.tab.fields]

    def cells(self, values: Sequence[str]) -> dict[str, str]:
        n = len(values)
        return {f: str(values[i]) if 0 <= i < n else "" for f, i in self._where}

    def column(self, name: str) -> int:
        try:
            return self.columns[name]
        except KeyError:
            code = "repeated_column" if name in self.repeated else "missing_column"
            raise StoreError(code, tab=self.tab.name, field=name) from None


@dataclass
class _TabState:
    """A tab as freshly read, plus what this apply will do to it."""

    layout: _Layout
    rows: list[Row]  # existing rows, then the rows this apply appends (numbered where they land)
    last: int  # sheet row number of the last row with data (1: just the header)
    appended: list[dict[str, str]] = field(default_factory=list)
    changed: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, field) -> value
    targets: list[Target] = field(default_factory=list)  # rows written in place, to check
    owner: Any = None  # the submission whose operations are being planned
    width: int = 0  # columns with data in any row: app columns missing are added after them
    added: list[str] = field(default_factory=list)  # app fields this write adds as new columns

    def __post_init__(self) -> None:
        self.read = list(self.rows)  # the rows as read: what a misdirected write is undone from


class SheetsStore:
    """A store in one Google spreadsheet, reached through gspread."""

    coalesces = True  # concurrent apply calls are grouped: callers need not serialise them

    def __init__(
        self,
        spreadsheet: gspread.Spreadsheet,
        timeout: float | tuple[float, float] | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        waits: Waits | None = None,
        pace: bool = True,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.spreadsheet = spreadsheet
        self._now = now
        self.leftovers: list[Leftover] = []  # cells a repair could not put back (Dữ liệu shows)
        self.repairs = 0  # saves whose write went astray and was repaired, for tests and benchmarks
        self.retry = retry or RetryPolicy()
        if timeout is not None:
            # gspread 6 sends every request with the client's timeout (None = wait forever).
            spreadsheet.client.set_timeout(timeout)
        self.waits = waits or RealWaits()
        self._read_pace = Pacer(self.waits, PACE_PER_MINUTE, PACE_BURST) if pace else _Unpaced()
        self._write_pace = Pacer(self.waits, PACE_PER_MINUTE, PACE_BURST) if pace else _Unpaced()
        self._coalescer = Coalescer(self._commit, self.waits)
        self._listeners: list[Callable[[dict[str, list[Row]], str], None]] = []
        self._known: dict[str, tuple[tuple, dict[tuple, Row]]] = {}  # rows as last read, per tab
        self._lock = threading.RLock()  # set-up (creating tabs) is serialised within the process
        self._sheet_ids: dict[str, int] = {}
        self._unreadable: dict[str, Unreadable] = {}
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
        waits: Waits | None = None,
        pace: bool = True,
    ) -> SheetsStore:
        """Open a spreadsheet by its key (no Drive API call), with an explicit HTTP timeout."""
        if timeout is not None:
            client.set_timeout(timeout)
        retry = retry or RetryPolicy()
        with _reaching_google():
            return cls(retry.run(lambda: client.open_by_key(key)), timeout, retry, waits, pace)

    # ------------------------------------------------------------------ set-up
    def ensure_tabs(self) -> list[str]:
        """Create every missing tab (header row, app columns as plain text); returns their names.

        One metadata read, and one batchUpdate only when a tab is missing. Also records the
        spreadsheet's `locale` and `time_zone`, which the data-health screen checks.
        """
        attempted: dict[str, None] = {}  # titles this call tried to create
        with self._lock, _reaching_google():
            for attempt in range(1, self.retry.max_attempts + 1):
                meta = self._metadata(fields=SETUP_FIELDS)
                self._learn(meta)
                missing = [tab for tab in ALL_TABS if tab.title not in self._sheet_ids]
                attempted.update(dict.fromkeys(tab.title for tab in missing))
                requests_, ids = self._setup_requests(meta, missing)
                if not requests_:
                    break
                try:
                    self._write_pace.take()
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

    def _setup_requests(
        self, meta: Mapping[str, Any], missing: Sequence[Tab]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Every request of the set-up (`sheets_setup`): missing tabs created, tabs not yet set up
        (or set up by an older version) given frozen header, protection, validation and widths,
        the guide tab; and the sheet id each new tab will have. [] when all is in place."""
        requests_, ids = self._tab_requests(missing)
        for tab in missing:
            columns = {name: index for index, name in enumerate(tab.fields)}
            requests_ += sheets_setup.tab_requests(ids[tab.title], tab, columns, {})
        sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
        stale = [
            t for t in ALL_TABS if t.title in sheets and not sheets_setup.is_set_up(sheets[t.title])
        ]
        for tab, header in zip(stale, self._headers(stale), strict=True):
            columns = _Layout.from_header(tab, header).columns
            sheet_id = self._sheet_ids[tab.title]
            requests_ += sheets_setup.tab_requests(sheet_id, tab, columns, sheets[tab.title])
        guide = sheets.get(sheets_setup.GUIDE_TITLE)
        if guide is None or not sheets_setup.is_set_up(guide):
            taken = [*self._sheet_ids.values(), *ids.values()]
            sheet_id = guide["properties"]["sheetId"] if guide else max(taken, default=0) + 1
            requests_ += sheets_setup.guide_requests(sheet_id, guide is not None, guide or {})
        return requests_, ids

    def _headers(self, tabs: Sequence[Tab]) -> list[list[str]]:
        """Row 1 of each tab, in one request (none when there is no tab to ask about)."""
        if not tabs:
            return []
        ranges = [absolute_range_name(tab.title, "1:1") for tab in tabs]
        params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE"}
        got = self.retry.run(
            self._paced(lambda: self.spreadsheet.values_batch_get(ranges, params=params))
        )
        rows = [vr.get("values", []) for vr in got.get("valueRanges", [])]
        return [r[0] if r else [] for r in rows]

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

    def _metadata(
        self, code: str = NOT_READ, fields: Mapping[str, Any] = METADATA_FIELDS
    ) -> Mapping[str, Any]:
        """The spreadsheet's properties and its tabs' properties: one read, retried."""
        params: dict[str, Any] = dict(fields)
        with _reaching_google():
            return self.retry.run(
                self._paced(lambda: self.spreadsheet.fetch_sheet_metadata(params=params)),
                code,
            )

    def _paced(self, request: Callable[[], T]) -> Callable[[], T]:
        """`request`, made to wait for its turn in the read pace on every attempt."""

        def paced() -> T:
            self._read_pace.take()
            return request()

        return paced

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
            raise StoreError("missing_tab", tab=tab.name) from None

    # ------------------------------------------------------------------ reading
    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        """Whole tabs in one `values:batchGet`, rows in sheet order, blank rows included."""
        names = list(tabs)
        grids = self._batch_get(names)
        out = {}
        for name, grid in zip(names, grids, strict=True):
            out[name] = self._rows(
                name, _Layout.from_header(TABS[name], grid[0] if grid else []), grid
            )
        return out

    def _batch_get(self, names: Sequence[str], code: str = NOT_READ) -> list[list[list[str]]]:
        """Every tab's values, in one request. A tab a person renamed or deleted reads as empty
        (Google refuses the whole request with 400 "Unable to parse range"): the pages keep
        working and the data-health screen names the missing tab."""
        if not names:
            return []
        with _reaching_google():
            try:
                return self._values(names, code)
            except gspread.exceptions.APIError as error:
                if status_of(error) != 400:
                    raise
                self._learn(self._metadata(code))
                present = [n for n in names if TABS[n].title in self._sheet_ids]
                if len(present) == len(names):
                    raise
                got = dict(zip(present, self._values(present, code), strict=True))
                return [got.get(n, []) for n in names]

    def _values(self, names: Sequence[str], code: str) -> list[list[list[str]]]:
        if not names:
            return []
        ranges = [absolute_range_name(TABS[n].title) for n in names]
        params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
        got = self.retry.run(
            self._paced(lambda: self.spreadsheet.values_batch_get(ranges, params=params)),
            code,
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
            params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE"}
            with _reaching_google():
                got = self.retry.run(
                    self._paced(lambda: self.spreadsheet.values_batch_get(ranges, params=params))
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

    def tab_versions(self) -> None:
        """Sheets keeps no write counter per tab: the cache re-reads every screen tab."""
        return None

    # ------------------------------------------------------------------ layout, for data health
    def layout(self) -> SpreadsheetLayout:
        """Locale, time zone, and where each tab and app column is now. Two reads, no write.

        For the data-health screen: a link to a cell needs the tab's sheet id and the column of
        its header; an app header a person renamed or deleted is listed in `missing` (a header
        the app does not know is fine: people may add their own columns).
        """
        meta = self._metadata()
        props = meta.get("properties") or {}
        ids = {s["properties"]["title"]: s["properties"]["sheetId"] for s in meta.get("sheets", [])}
        present = [tab for tab in ALL_TABS if tab.title in ids]
        headers: dict[str, list[str]] = {}
        if present:
            ranges = [absolute_range_name(tab.title, "1:1") for tab in present]
            params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE"}
            with _reaching_google():
                got = self.retry.run(
                    self._paced(lambda: self.spreadsheet.values_batch_get(ranges, params=params))
                )
            for tab, value_range in zip(present, got.get("valueRanges", []), strict=True):
                rows = value_range.get("values", [])
                headers[tab.name] = rows[0] if rows else []
        tabs: dict[str, TabLayout] = {}
        for tab in ALL_TABS:
            if tab.name not in headers:
                tabs[tab.name] = TabLayout(tab.name, None, {}, tab.fields)
                continue
            placed = _Layout.from_header(tab, headers[tab.name])
            columns, repeated = placed.columns, placed.repeated
            missing = tuple(f for f in tab.fields if f not in columns and f not in repeated)
            tabs[tab.name] = TabLayout(tab.name, ids[tab.title], dict(columns), missing, repeated)
        return SpreadsheetLayout(
            self.spreadsheet.id, props.get("locale", ""), props.get("timeZone", ""), tabs
        )

    # ------------------------------------------------------------------ writing
    def apply(self, operations: Sequence[Operation]) -> None:
        """All or nothing for this caller, coalesced with whatever other callers send meanwhile.

        The operations join the group commit (`coalesce.Coalescer`): one leader re-reads the touched
        tabs, checks each caller's operations on their own (a Conflict fails only its caller), and
        writes every accepted record with its audit row in one `spreadsheets:batchUpdate`.
        """
        if operations:
            self._coalescer.submit(list(operations))

    def on_written(self, listener: WrittenListener) -> None:
        """Never calls back: a person may sort or insert rows at any moment, so the row numbers a
        write used say nothing certain about the sheet afterwards (the cache takes `on_commit`'s
        state instead)."""

    def rereads(self, changed: Iterable[str]) -> set[str]:
        """Exactly the tabs that changed: a spreadsheet is one province, never scoped."""
        return set(changed)

    def on_commit(self, listener: Callable[[dict[str, list[Row]], str], None]) -> None:
        """Call `listener(screen tabs as they are now, change token)` after every batch.

        Each batch re-reads the screen tabs anyway (one batchGet, whatever the number of tabs): the
        read cache takes that state, plus what the batch wrote, instead of reading again.
        """
        self._listeners.append(listener)

    def _commit(self, batch: list[Submission]) -> None:
        """One batch: fresh read, each submission checked on its own, one batchUpdate, retried.

        A definite failure (429/5xx) wrote nothing: wait, then read and check again. After an
        ambiguous one (a timeout) the batch is looked up with a fresh read first and sent again only
        if none of it landed.
        """
        pending = [s for s in batch if s.operations]
        touched = dict.fromkeys(op.tab for s in pending for op in s.operations)
        extra = SCREEN_TABS if self._listeners else ()
        names = list(dict.fromkeys([*touched, *extra, AUDIT_LOG.name]))  # a repair audits
        attempt, waited, relearned = 0, 0.0, False
        with _reaching_google():
            while pending:
                attempt += 1
                self._write_pace.take()  # wait for the turn before reading: the window stays short
                states = self._states(names)
                for name in touched:
                    _add_columns(states[name], TABS[name].title in self._sheet_ids)
                pending = _check(states, pending)
                requests_ = self._requests(states)
                if not requests_:
                    self._tell(states)  # every accepted operation was already stored
                    return
                try:
                    reply = self._send(requests_, _in_place(states.values()), paced=False)
                except Exception as error:
                    kind = classify(error)
                    if kind is None and _grid_gone(error) and not relearned:
                        relearned = True  # a tab replaced by a copy: same title, new sheet id
                        self._learn(self._metadata())
                        continue
                    if kind is None:
                        raise
                    if kind == AMBIGUOUS:
                        pending = self._look_up(names, pending, states)
                        if not pending:
                            return  # it landed; its reply was lost: stored exactly once
                    if self.retry.gives_up(attempt, error, waited):
                        raise StoreUnavailable(NOT_STORED) from error
                    waited += self.retry.wait(attempt)
                    continue
                self._tell(self._settle(states, self._after(reply, names, states)))
                return

    def _states(self, names: Sequence[str], code: str = NOT_READ) -> dict[str, _TabState]:
        """The tabs as they are now (one batchGet), ready to take this batch's operations."""
        states: dict[str, _TabState] = {}
        for name, grid in zip(names, self._batch_get(names, code), strict=True):
            layout = _Layout.from_header(TABS[name], grid[0] if grid else [])
            state = _TabState(layout, self._rows(name, layout, grid), max(len(grid), 1))
            state.width = max((len(row) for row in grid), default=0)
            states[name] = state
        return states

    def _rows(self, name: str, layout: _Layout, grid: Sequence[Sequence[str]]) -> list[Row]:
        """The rows of a tab as read; a row unchanged since the last read (same place, same
        values, same header) is the same `Row` object, so reads, the cache's comparison and the
        workbook's parse cost little for the rows that did not change."""
        self._note_readable(name, layout, grid)
        where = tuple(layout._where)
        known_where, known = self._known.get(name, ((), {}))
        if known_where != where:
            known = {}
        rows, seen = [], {}
        for number, values in enumerate(grid[1:], FIRST_ROW):
            key = (number, tuple(values))
            row = known.get(key)
            if row is None:
                row = Row(number, layout.cells(values))
            seen[key] = row
            rows.append(row)
        self._known[name] = (where, seen)
        return rows

    def _note_readable(self, name: str, layout: _Layout, grid: Sequence[Sequence[str]]) -> None:
        """Remember whether this tab, as just read, can be read as records (`unreadable`)."""
        found = layout.unreadable()
        if not grid and TABS[name].title not in self._sheet_ids:
            found = Unreadable(name, MISSING_TAB)
        if found is None:
            self._unreadable.pop(name, None)
        else:
            self._unreadable[name] = found

    def unreadable(self) -> dict[str, Unreadable]:
        """The tabs the latest read of each found unreadable: deleted or renamed, or without the
        header of the id, cycle or unit in row 1 (a title row above it, a renamed or repeated
        header). Their rows are not records; the screens that need them say so."""
        return dict(self._unreadable)

    def _send(
        self, requests_: list[dict[str, Any]], checked: Sequence[str], paced: bool = True
    ) -> Mapping[str, Any]:
        """One batchUpdate; its reply holds the `checked` tabs (those written in place) as this
        very request left them. A batch of appends only asks for nothing more."""
        body: dict[str, Any] = {"requests": requests_}
        ranges = [
            absolute_range_name(TABS[n].title) for n in checked if TABS[n].title in self._sheet_ids
        ]
        if ranges:
            body.update(
                includeSpreadsheetInResponse=True,
                responseRanges=ranges,
                responseIncludeGridData=True,
            )
        if paced:
            self._write_pace.take()
        reply = self.spreadsheet.batch_update(body)
        self._writes += 1
        return reply

    def _after(
        self, reply: Mapping[str, Any], names: Sequence[str], planned: Mapping[str, _TabState]
    ) -> dict[str, _TabState]:
        """The tabs as the write left them, from its reply (the planned state if it has none)."""
        grids = _grids(reply)
        out = {}
        for name in names:
            grid = grids.get(TABS[name].title)
            if grid is None:
                out[name] = planned[name]
                continue
            layout = _Layout.from_header(TABS[name], grid[0] if grid else [])
            out[name] = _TabState(layout, self._rows(name, layout, grid), max(len(grid), 1))
        return out

    def _settle(
        self, states: Mapping[str, _TabState], after: dict[str, _TabState]
    ) -> dict[str, _TabState]:
        """Check every row written in place; repair in this same save what went astray."""
        targets = [t for state in states.values() for t in state.targets]
        snapshot = {name: state.read for name, state in states.items()}
        for round_ in range(MAX_ROUNDS + 1):
            view = rows_by_number({name: state.rows for name, state in after.items()})
            missed = misdirected(targets, view)
            if not missed:
                return after
            if round_ == 0:
                self.repairs += 1
            if round_ == MAX_ROUNDS:
                break
            repair = plan_repair(missed, targets, snapshot, view, iso(self._now()))
            self.leftovers += repair.leftovers
            sent = self._repair(repair, after)
            if sent is None:
                break
            before, after, repair = sent
            snapshot = {name: state.rows for name, state in before.items()}
            targets = repair.targets
        fail_unrepaired(missed, _fail)
        return after

    def _repair(
        self, repair: Repair, after: dict[str, _TabState]
    ) -> tuple[dict[str, _TabState], dict[str, _TabState], Repair] | None:
        """Send a repair, retried as every write: (the tabs it was planned on, the tabs as it left
        them, the repair as sent). None when it could not be sent: the records it was to put back
        are then audited as cells to fix by hand (`sheets_verify.unrepaired`)."""
        names = list(after)
        self._write_pace.charge()  # sent at once, never waiting for the pace: a wait would widen
        attempt, waited, before = 0, 0.0, after  # the window
        while True:
            attempt += 1
            try:
                return before, self._send_repair(repair, before), repair
            except Exception as error:  # noqa: BLE001 - sorted below; nothing may escape the save
                failed, kind = error, classify(error)
            try:
                if kind == AMBIGUOUS:  # it may have landed: look before writing again
                    fresh = self._states(names, UNCERTAIN)
                    if landed(repair, _view(fresh), _ids(fresh[AUDIT_LOG.name])):
                        return self._landed(repair, fresh)
                if kind is None or self.retry.gives_up(attempt, failed, waited):
                    self._unrepaired(repair, after)
                    return None
                waited += self.retry.wait(attempt)
                before = self._states(names)  # rows may have moved during the wait
            except StoreError:
                self._unrepaired(repair, after)
                return None
            repair = readdress(repair, _view(before), iso(self._now()))
            self.leftovers += repair.leftovers
            self._write_pace.charge()

    def _landed(
        self, repair: Repair, fresh: dict[str, _TabState]
    ) -> tuple[dict[str, _TabState], dict[str, _TabState], Repair] | None:
        """A repair whose reply was lost but whose audit rows are in the sheet: done, if every
        record it wrote holds its cells; otherwise where it went cannot be told from here."""
        view = _view(fresh)
        if all(landed(Repair(targets=[t]), view, set()) for t in repair.targets):
            self._writes += 1
            return fresh, fresh, Repair()
        self._unrepaired(repair, fresh)
        return None

    def _unrepaired(self, repair: Repair, after: Mapping[str, _TabState]) -> None:
        """One audit row per record whose stray cells stay (Dữ liệu lists them to fix by hand):
        appends only, so position-independent; retried, looked up after a timeout."""
        report = unrepaired(repair, iso(self._now()))
        self.leftovers += report.leftovers
        if not report.audit or AUDIT_LOG.name not in after:
            return
        audit = after[AUDIT_LOG.name]
        state = _TabState(audit.layout, [], audit.last)
        state.appended = [{f: row.get(f, "") for f in AUDIT_LOG.fields} for row in report.audit]
        wanted = {clean_id(row["id"]) for row in report.audit}
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                self._write_pace.charge()
                self._send(self._requests({AUDIT_LOG.name: state}), [], paced=False)
                return
            except Exception as error:  # noqa: BLE001 - the save fails anyway; this is its record
                kind = classify(error)
                if kind is None or attempt == self.retry.max_attempts:
                    return
                if kind == AMBIGUOUS and self._audited(wanted):
                    return
                self.retry.wait(attempt)

    def _audited(self, wanted: set[str]) -> bool:
        try:
            rows = self._states([AUDIT_LOG.name], UNCERTAIN)[AUDIT_LOG.name]
        except StoreError:
            return False
        return wanted <= _ids(rows)

    def _send_repair(self, repair: Repair, after: Mapping[str, _TabState]) -> dict[str, _TabState]:
        """One batchUpdate with the repair's cells and its audit rows; the tabs as it left them."""
        names = list(after)
        states = {name: _TabState(s.layout, list(s.rows), s.last) for name, s in after.items()}
        for (tab, number), cells in repair.cells.items():
            for name, value in cells.items():
                states[tab].changed[(number, name)] = value
        if AUDIT_LOG.name in states:
            states[AUDIT_LOG.name].appended += [
                {f: row.get(f, "") for f in AUDIT_LOG.fields} for row in repair.audit
            ]
        requests_ = self._requests(states)
        if not requests_:
            return dict(after)
        checked = list(dict.fromkeys(t.tab for t in repair.targets))
        return self._after(self._send(requests_, checked, paced=False), names, states)

    def _tell(self, states: Mapping[str, _TabState]) -> None:
        if self._listeners and all(name in states for name in SCREEN_TABS):
            tabs = {name: list(states[name].rows) for name in SCREEN_TABS}
            for listener in self._listeners:
                listener(tabs, self.change_token())

    def _look_up(
        self,
        names: Sequence[str],
        pending: list[Submission],
        planned: Mapping[str, _TabState],
    ) -> list[Submission]:
        """After an ambiguous failure: which submissions of the batch are stored? A fresh read.

        Returns the submissions to send again: all of them when none of the write is there, none
        when all of it is. Some but not all cannot happen (batchUpdate is atomic); if seen (a
        person edited in between), each submission not found is refused with PARTIAL.
        """
        wanted = {id(s): _expectations(s, planned) for s in pending}
        if any(rid == "" for marks in wanted.values() for _, rid, _ in marks):
            raise StoreUnavailable(UNCERTAIN)  # a row without an id cannot be looked up
        states = self._states(names, UNCERTAIN)
        found = {key: all(_holds(states, *mark) for mark in marks) for key, marks in wanted.items()}
        if not any(found[id(s)] for s in pending if wanted[id(s)]):
            return pending
        for submission in pending:
            if not found[id(submission)]:
                submission.error = StoreError(PARTIAL)
        self._writes += 1
        self._tell(states)
        return []

    def _requests(self, states: Mapping[str, _TabState]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for state in states.values():
            layout, sheet_id = state.layout, None
            if state.added:
                out += _column_requests(self._sheet_id(layout.tab), state)
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


def _add_columns(state: _TabState, exists: bool) -> None:
    """App columns missing from an older sheet (or whose header a person changed) get new columns
    right after the last column with data: no person's column moves, nothing is refused.

    Never a key column (id, cycle, unit), and nothing while the tab cannot be read as records: a
    new "Mã" column beside the one a person renamed would make every existing row id-less (and
    offered for adoption under a new id). Such a write is refused instead (`_refuse_unreadable`).
    """
    layout = state.layout
    missing = [
        f
        for f in layout.tab.fields
        if f not in layout.columns and f not in layout.repeated and f not in KEY_FIELDS
    ]
    if not exists or not missing or state.last < 1 or layout.unreadable() is not None:
        return
    for offset, name in enumerate(missing):
        layout.columns[name] = state.width + offset
    layout.__post_init__()
    state.added = missing


def _column_requests(sheet_id: int, state: _TabState) -> list[dict[str, Any]]:
    """Insert the new columns after the data, give them their headers, keep them plain text."""
    start, end = state.width, state.width + len(state.added)
    span = {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": end}
    headers = [_cell(state.layout.tab.header(f)) for f in state.added]
    return [
        {"insertDimension": {"range": span, "inheritFromBefore": False}},
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startColumnIndex": start, "endColumnIndex": end},
                "cell": {"userEnteredFormat": TEXT_FORMAT},
                "fields": "userEnteredFormat.numberFormat",
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": start},
                "rows": [{"values": headers}],
                "fields": "userEnteredValue",
            }
        },
    ]


def _view(states: Mapping[str, _TabState]) -> dict[str, dict[int, Row]]:
    return rows_by_number({name: state.rows for name, state in states.items()})


def _ids(state: _TabState) -> set[str]:
    return {clean_id(row.cells.get("id", "")) for row in state.rows}


def _grid_gone(error: BaseException) -> bool:
    """Google's answer to a request naming a sheet id that no longer exists (a tab deleted, or
    replaced by a copy of itself under the same title): 400 "No grid with id"."""
    return status_of(error) == 400 and "No grid with id" in str(error)


def _in_place(states: Iterable[_TabState]) -> list[str]:
    """The tabs with rows written in place: the ones a write's reply must show for the check."""
    return list(dict.fromkeys(t.tab for state in states for t in state.targets))


def _fail(submission: Submission, error: StoreError) -> None:
    submission.error = error


def _grids(reply: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    """Each tab's shown values in a batchUpdate reply's `updatedSpreadsheet` (GridData rowData),
    rows without trailing blanks, trailing blank rows left out: what a values read returns."""
    out = {}
    for sheet in (reply.get("updatedSpreadsheet") or {}).get("sheets", []):
        rows: list[list[str]] = []
        for data in sheet.get("data", [])[:1]:
            for row in data.get("rowData", []):
                values = [str(v.get("formattedValue", "")) for v in row.get("values", [])]
                while values and values[-1] == "":
                    values.pop()
                rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        out[sheet["properties"]["title"]] = rows
    return out


def _check(states: Mapping[str, _TabState], pending: list[Submission]) -> list[Submission]:
    """Apply each submission's operations to the planned states, in arrival order, on its own.

    A submission that is refused (Conflict, DuplicateRecord, a missing column, …) gets its error
    and leaves the states exactly as they were; its batch-mates go on. Returns the accepted ones,
    each with the cells it writes noted in `meta["marks"]` (tab, id, fields) for a later look-up.
    """
    accepted = []
    for submission in pending:
        tabs = dict.fromkeys(op.tab for op in submission.operations)
        saved = {name: _saved(states[name]) for name in tabs}
        marks: list[tuple[str, str, tuple[str, ...]]] = []
        try:
            check_sizes(submission.operations)  # refused before sending: fails only itself
            for op in submission.operations:
                state = states[op.tab]
                _refuse_unreadable(state.layout)
                state.owner = submission
                if isinstance(op, Append):
                    before = len(state.appended)
                    _append(state, op)
                    if len(state.appended) > before:
                        marks.append((op.tab, state.appended[-1]["id"], state.layout.tab.fields))
                elif isinstance(op, Adopt):
                    _adopt(state, op)
                    marks.append((op.tab, op.id, ("id",)))
                else:
                    _update(state, op)
                    marks.append((op.tab, op.id, tuple(op.changes)))
        except Exception as error:  # noqa: BLE001 - this submission's own failure, raised in its thread
            for name, copy in saved.items():
                _restore(states[name], copy)
            submission.error = error
            continue
        submission.meta["marks"] = marks
        accepted.append(submission)
    return accepted


def _refuse_unreadable(layout: _Layout) -> None:
    """A write into a tab whose rows cannot be read as records (its id, cycle or unit header
    renamed, repeated or below a title row) is refused naming that column: nothing is written."""
    found = layout.unreadable()
    if found is not None:
        code = "repeated_column" if found.reason == REPEATED_COLUMN else "missing_column"
        raise StoreError(code, tab=found.tab, field=found.field)


def _saved(state: _TabState) -> tuple[list[Row], int, list[dict[str, str]], dict, list[Target]]:
    return (
        list(state.rows),
        state.last,
        list(state.appended),
        dict(state.changed),
        list(state.targets),
    )


def _restore(
    state: _TabState, saved: tuple[list[Row], int, list[dict[str, str]], dict, list[Target]]
) -> None:
    state.rows, state.last, state.appended, state.changed, state.targets = saved


def _expectations(
    submission: Submission, planned: Mapping[str, _TabState]
) -> list[tuple[str, str, dict[str, str]]]:
    """What the sheet holds once this submission's part of the batch landed: (tab, id, cells)."""
    out = []
    for tab, record_id, fields in submission.meta.get("marks", []):
        row = _find(planned[tab], record_id)
        cells = row.cells if row is not None else {}
        out.append((tab, record_id, {f: cells.get(f, "") for f in fields}))
    return out


def _holds(states: Mapping[str, _TabState], tab: str, record_id: str, cells: dict) -> bool:
    row = _find(states[tab], record_id)
    return row is not None and all(row.cells.get(f) == v for f, v in cells.items())


def _find(state: _TabState, record_id: str) -> Row | None:
    wanted = clean_id(record_id)  # a person may have retyped the id with a trailing space
    return next((row for row in state.rows if clean_id(row.cells["id"]) == wanted), None)


def _same(stored: str, value: str, name: str) -> bool:
    """Equal as the unique check sees it: ids (and references) after `clean_id`."""
    return clean_id(stored) == clean_id(value) if is_id_field(name) else stored == value


def _append(state: _TabState, op: Append) -> None:
    """Exactly the SQL engine's rule, checked against the fresh read plus earlier operations."""
    fields = state.layout.tab.fields
    cells = {f: op.cells.get(f, "") for f in fields}
    existing = _find(state, cells["id"])
    clash = lambda: any(all(_same(r.cells[f], cells[f], f) for f in op.unique) for r in state.rows)  # noqa: E731
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
    if current is None:
        raise RecordMissing(op.tab, op.id)
    if not should_update(op, current.cells):
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
    written = {name: v for name, v in op.changes.items() if v != current.cells[name]}
    for name, value in written.items():
        state.layout.column(name)
        state.changed[(current.number, name)] = value
    if written:
        state.targets.append(
            Target(op.tab, current.number, current.cells, written, state.owner, op)
        )


def _adopt(state: _TabState, op: Adopt) -> None:
    """A row a person added without an id gets id and version in that row only (`updateCells`),
    if the fresh read shows it still holds exactly what the screen read (rules.should_adopt)."""
    index = next((i for i, r in enumerate(state.rows) if r.number == op.row), None)
    current = state.rows[index] if index is not None else None
    taken = lambda: _find(state, op.id) is not None  # noqa: E731
    if not should_adopt(op, current.cells if current else None, taken):
        return
    assert current is not None and index is not None
    changes = op.changes(state.layout.tab.fields)
    for name in changes:
        state.layout.column(name)  # the id or version header is missing: refuse, write nothing
    state.rows[index] = Row(current.number, {**current.cells, **changes})
    for name, value in changes.items():
        state.changed[(current.number, name)] = value
    state.targets.append(Target(op.tab, current.number, current.cells, changes, state.owner, op))


class _reaching_google:
    """Turns transport and API failures into StoreUnavailable with a code saying which."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, trace) -> None:
        if error is None or isinstance(error, StoreError):
            return
        if isinstance(error, gspread.exceptions.APIError):
            status = status_of(error)
            if status is not None and 400 <= status < 500 and status != 429:
                # Google refused the request itself (its content, or access): nothing was applied,
                # and asking again gets the same answer: never "maybe stored".
                raise StoreError("refused", status=status) from error
            raise StoreUnavailable("rejected", status=error.code) from error
        if isinstance(error, gspread.exceptions.SpreadsheetNotFound):
            raise StoreUnavailable("spreadsheet_unavailable") from error
        if isinstance(error, requests.exceptions.RequestException):
            raise StoreUnavailable("unreachable") from error
