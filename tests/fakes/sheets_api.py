"""An in-process fake of the Google Sheets REST API v4, served through a `requests` transport adapter.

    fake = FakeSheets(clock)
    key = fake.create_spreadsheet("3CĐ", tabs=["Sheet1"])
    client = gspread.Client(auth=None, session=fake.session())
    book = client.open_by_key(key)          # one GET spreadsheets/{id}: no Drive API

Served (everything else answers 404 NOT_FOUND, Drive URLs 403 PERMISSION_DENIED):

    GET  /v4/spreadsheets/{id}                       metadata; `fields` filters top-level keys,
                                                     includeGridData=true adds `data`
    GET  /v4/spreadsheets/{id}/values/{range}        majorDimension, valueRenderOption
    GET  /v4/spreadsheets/{id}/values:batchGet       ranges=..., same options
    PUT  /v4/spreadsheets/{id}/values/{range}        valueInputOption RAW | USER_ENTERED
    POST /v4/spreadsheets/{id}/values/{range}:append valueInputOption, insertDataOption
    POST /v4/spreadsheets/{id}/values/{range}:clear
    POST /v4/spreadsheets/{id}/values:batchUpdate    all-or-nothing
    POST /v4/spreadsheets/{id}/values:batchClear
    POST /v4/spreadsheets/{id}:batchUpdate           all-or-nothing; requests: addSheet, deleteSheet,
        updateSheetProperties, updateSpreadsheetProperties, appendCells, updateCells, repeatCell,
        insertDimension, deleteDimension, moveDimension, sortRange, addProtectedRange,
        deleteProtectedRange, setDataValidation, updateDimensionProperties;
        includeSpreadsheetInResponse + responseRanges + responseIncludeGridData: the reply's
        `updatedSpreadsheet` is the spreadsheet as that very request left it

"A person edits" operations (`Person`) can be scheduled to happen inside an app's save: with
`fake.before_next_write(edit)` the edit runs just before Google applies the next write request,
i.e. after the engine's read and before its batchUpdate lands: the window no API can close.

GET requests are reads, the rest writes, for quotas and counters. See `sheets_cells` for exactly
which typed values are converted.

This is test support: tests use it, and so may the benchmarks (`benchmarks/deadline_rush.py` runs
its rush against it). Nothing in `services/` or `pages/` may import it.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter

from services.core.clock import VN_TZ, FixedClock
from tests.fakes.sheets_cells import (
    EMPTY,
    Box,
    a1,
    enter,
    from_cell_data,
    is_text_format,
    parse_cells,
    rendered,
    split_range,
)
from tests.fakes.sheets_grid import GridError, Person, Sheet, Spreadsheet

BASE = "https://sheets.googleapis.com/"
PREFIX = "/v4/spreadsheets/"


class ApiError(Exception):
    def __init__(self, code: int, status: str, message: str):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message

    def payload(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def bad(message: str) -> ApiError:
    return ApiError(400, "INVALID_ARGUMENT", message)


@dataclass
class Quota:
    """Requests allowed in any 60 seconds of the clock, per user and per project."""

    read_per_user: int = 60
    write_per_user: int = 60
    read_per_project: int = 300
    write_per_project: int = 300


@dataclass
class Call:
    """One request as the fake saw it. `outcome`: ok, error, quota, failure, timeout, lost-reply."""

    at: datetime
    user: str
    kind: str  # read | write | drive
    method: str
    path: str
    status: int | None
    outcome: str
    params: dict[str, list[str]] = field(default_factory=dict)
    body: Any = None


@dataclass
class _Fault:
    count: int
    kind: str | None  # read | write | None (any)
    status: int = 503
    timeout: str | None = None  # "before": not applied | "after": applied, reply lost


class FakeSheets:
    """The fake service: spreadsheets, quotas, scripted faults, latency and a log of calls."""

    def __init__(
        self,
        clock: Any = None,
        *,
        quota: Quota | None = None,
        latency: tuple[float, float] | None = None,
        seed: int = 0,
    ):
        self.clock = clock or FixedClock(datetime(2026, 1, 1, 8, 0, tzinfo=VN_TZ))
        self.quota = quota or Quota()
        self.latency = latency
        self.rng = random.Random(seed)
        self.books: dict[str, Spreadsheet] = {}
        self.calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._before_write: list[list[Any]] = []  # a person's edits, one list per coming write
        self._windows: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ set-up and inspection
    def create_spreadsheet(
        self,
        title: str = "3CĐ",
        *,
        locale: str = "vi_VN",
        time_zone: str = "Asia/Ho_Chi_Minh",
        tabs: Iterable[str] = ("Sheet1",),
        spreadsheet_id: str | None = None,
    ) -> str:
        key = spreadsheet_id or f"fake-{len(self.books) + 1:04d}-{self.rng.getrandbits(40):010x}"
        book = Spreadsheet(key, title, locale, time_zone)
        for tab in tabs:
            book.sheets.append(Sheet(self._new_sheet_id(book) if book.sheets else 0, tab))
        self.books[key] = book
        return key

    def _new_sheet_id(self, book: Spreadsheet) -> int:
        used = {s.sheet_id for s in book.sheets}
        while True:
            candidate = self.rng.randrange(1, 2**31 - 1)
            if candidate not in used:
                return candidate

    def book(self, spreadsheet_id: str) -> Spreadsheet:
        return self.books[spreadsheet_id]

    def person(self, spreadsheet_id: str) -> Person:
        """Someone editing the sheet in a browser (no API call, no quota)."""
        return Person(self.books[spreadsheet_id])

    def session(self, user: str = "service-account") -> requests.Session:
        """A requests session whose Sheets (and Drive) traffic goes to this fake, as `user`."""
        session = requests.Session()
        session.mount(BASE, SheetsAdapter(self, user))
        session.mount("https://www.googleapis.com/", SheetsAdapter(self, user, drive=True))
        return session

    def client(self, user: str = "service-account") -> Any:
        """A gspread client whose traffic goes to this fake (for code outside tests/, such as the
        benchmarks, which may not import gspread itself)."""
        import gspread

        return gspread.Client(auth=None, session=self.session(user))

    def before_next_write(self, *edits: Any) -> None:
        """Run `edits` (callables, such as a `Person`'s sort) just before a write request is
        applied: inside the save's read→write window, as a person working in the browser can. The
        first call's edits go before the next write, a second call's before the one after it."""
        with self._lock:
            self._before_write.append(list(edits))

    def fail_next(self, count: int = 1, status: int = 503, kind: str | None = None) -> None:
        """The next `count` requests (of `kind` read/write, or any) answer `status` unapplied."""
        self._faults.append(_Fault(count, kind, status=status))

    def timeout_next(
        self, count: int = 1, *, applied: bool = False, kind: str | None = None
    ) -> None:
        """The next `count` requests time out: before anything happens (ConnectTimeout), or,
        with `applied=True`, after the change was made (ReadTimeout: the reply is lost)."""
        self._faults.append(_Fault(count, kind, timeout="after" if applied else "before"))

    def counts(self, kind: str | None = None, outcome: str | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if (kind is None or c.kind == kind) and (outcome is None or c.outcome == outcome)
        )

    def per_minute(self) -> dict[datetime, Counter[str]]:
        """Requests per clock minute: counters of 'read', 'write', and 'rejected' (429)."""
        out: dict[datetime, Counter[str]] = {}
        for c in self.calls:
            minute = c.at.replace(second=0, microsecond=0)
            bucket = out.setdefault(minute, Counter())
            bucket["rejected" if c.outcome == "quota" else c.kind] += 1
        return out

    # ------------------------------------------------------------------ one request
    def handle(
        self, method: str, url: str, body: bytes | str | None, user: str, timeout: Any = None
    ) -> tuple[int, dict[str, Any]]:
        """One request. On a `SimClock` (many threads in simulated time) the latency and a
        timeout's wait are the calling thread's own sleeps, outside the lock, so requests overlap
        as they do at Google; on a `FixedClock` they move the clock, one request after another."""
        if not self.threaded:
            with self._lock:
                return self._handle(method, url, body, user, timeout)
        with self._lock:
            delay = self.rng.uniform(*self.latency) if self.latency else 0.0
        self.clock.sleep(delay)
        try:
            with self._lock:
                return self._handle(method, url, body, user, None)
        except requests.exceptions.Timeout:
            self.clock.sleep(_seconds(timeout))
            raise

    @property
    def threaded(self) -> bool:
        return hasattr(self.clock, "event")

    def _handle(
        self, method: str, url: str, body: bytes | str | None, user: str, timeout: Any
    ) -> tuple[int, dict[str, Any]]:
        """The request itself, under the lock (the latency, if any, is on a FixedClock)."""
        parts = urlsplit(url)
        params = parse_qs(parts.query, keep_blank_values=True)
        kind = "read" if method.upper() == "GET" else "write"
        payload = json.loads(body) if body else {}
        call = Call(
            self.clock.now(),
            user,
            kind,
            method.upper(),
            parts.path,
            None,
            "ok",
            params,
            payload,
        )
        self.calls.append(call)
        if self.latency and not self.threaded:
            self.clock.advance(seconds=self.rng.uniform(*self.latency))
        fault = self._take_fault(kind)
        if fault and fault.timeout == "before":
            call.outcome = "timeout"
            self._wait(timeout)
            raise requests.exceptions.ConnectTimeout(f"fake timeout for {method} {url}")
        try:
            self._charge(user, kind)
        except ApiError as e:
            call.status, call.outcome = e.code, "quota"
            return e.code, e.payload()
        if fault and fault.status and not fault.timeout:
            call.status, call.outcome = fault.status, "failure"
            status = "UNAVAILABLE" if fault.status == 503 else "INTERNAL"
            return fault.status, ApiError(fault.status, status, "fake failure").payload()
        if kind == "write" and self._before_write:
            for edit in self._before_write.pop(0):
                edit()
        try:
            result = self._route(method.upper(), parts.path, params, payload)
        except ApiError as e:
            call.status, call.outcome = e.code, "error"
            return e.code, e.payload()
        call.status = 200
        if fault and fault.timeout == "after":
            call.outcome = "lost-reply"
            self._wait(timeout)
            raise requests.exceptions.ReadTimeout(f"fake lost reply for {method} {url}")
        return 200, result

    def _wait(self, timeout: Any) -> None:
        if _seconds(timeout):
            self.clock.advance(seconds=_seconds(timeout))

    def _take_fault(self, kind: str) -> _Fault | None:
        for fault in self._faults:
            if fault.kind in (None, kind):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _charge(self, user: str, kind: str) -> None:
        now = self.clock.now()
        limits = {
            ("user:" + user, kind): getattr(self.quota, f"{kind}_per_user"),
            ("project", kind): getattr(self.quota, f"{kind}_per_project"),
        }
        for key, limit in limits.items():
            window = self._windows.setdefault(key, deque())
            while window and now - window[0] >= timedelta(seconds=60):
                window.popleft()
            if len(window) >= limit:
                scope = " per user" if key[0].startswith("user:") else ""
                metric = "Read requests" if kind == "read" else "Write requests"
                raise ApiError(
                    429,
                    "RESOURCE_EXHAUSTED",
                    f"Quota exceeded for quota metric '{metric}' and limit "
                    f"'{metric} per minute{scope}' of service "
                    "'sheets.googleapis.com' for consumer 'project_number:0'.",
                )
        for key in limits:
            self._windows[key].append(now)

    def _route(self, method: str, path: str, params: dict[str, list[str]], body: Any) -> Any:
        book, scope, verb, rng = self._endpoint(path)
        handler = ROUTES.get((method, scope, verb))
        if handler is None:
            raise ApiError(404, "NOT_FOUND", f"The fake serves no {method} {path}")
        try:
            return handler(self, book, rng, params, body)
        except GridError as e:
            raise bad(str(e)) from e

    def _endpoint(self, path: str) -> tuple[Any, str, str, str]:
        """`(book, scope, verb, range)` of a v4 path: scope "" for the spreadsheet itself
        (`/{id}`, `/{id}:batchUpdate`), "values:" for `/{id}/values:{verb}`, "values/" for
        `/{id}/values/{range}[:verb]`."""
        if not path.startswith(PREFIX):
            raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
        key, sep, tail = path[len(PREFIX) :].partition("/")
        key, _, action = key.partition(":")
        book = self.books.get(unquote(key))
        if book is None:
            raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
        if not sep:
            return book, "", action, ""
        if tail.startswith("values:"):
            return book, "values:", tail[len("values:") :], ""
        if tail.startswith("values/"):
            quoted, _, verb = tail[len("values/") :].partition(":")
            return book, "values/", verb, unquote(quoted)
        return book, tail, "", ""


# (method, scope, verb) -> handler(api, book, range, params, body); writes run atomically.
ROUTES: dict[tuple[str, str, str], Callable[..., Any]] = {
    ("GET", "", ""): lambda api, book, rng, params, body: metadata(book, params),
    ("POST", "", "batchUpdate"): lambda api, book, rng, params, body: atomic(
        book, lambda: batch_update(api, book, body)
    ),
    ("GET", "values:", "batchGet"): lambda api, book, rng, params, body: values_batch_get(
        book, params
    ),
    ("POST", "values:", "batchUpdate"): lambda api, book, rng, params, body: atomic(
        book, lambda: values_batch_update(book, body)
    ),
    ("POST", "values:", "batchClear"): lambda api, book, rng, params, body: atomic(
        book, lambda: values_batch_clear(book, body)
    ),
    ("GET", "values/", ""): lambda api, book, rng, params, body: values_get(book, rng, params),
    ("PUT", "values/", ""): lambda api, book, rng, params, body: atomic(
        book, lambda: values_update(book, rng, params, body)
    ),
    ("POST", "values/", "append"): lambda api, book, rng, params, body: atomic(
        book, lambda: values_append(book, rng, params, body)
    ),
    ("POST", "values/", "clear"): lambda api, book, rng, params, body: atomic(
        book, lambda: values_clear(book, rng)
    ),
}


def _seconds(timeout: Any) -> float:
    """How long a client waits for a reply: requests' timeout, or its (connect, read) pair."""
    if isinstance(timeout, tuple):
        timeout = timeout[-1]
    return float(timeout) if timeout else 0.0


class SheetsAdapter(BaseAdapter):
    """A transport adapter that answers from a FakeSheets instead of the network."""

    def __init__(self, fake: FakeSheets, user: str, drive: bool = False):
        super().__init__()
        self.fake, self.user, self.drive = fake, user, drive

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if self.drive:
            with self.fake._lock:
                self.fake.calls.append(
                    Call(
                        self.fake.clock.now(),
                        self.user,
                        "drive",
                        request.method,
                        request.url,
                        403,
                        "error",
                    )
                )
            status, payload = (
                403,
                ApiError(403, "PERMISSION_DENIED", "The fake serves no Drive API.").payload(),
            )
        else:
            status, payload = self.fake.handle(
                request.method, request.url, request.body, self.user, timeout
            )
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        response.reason = "OK" if status == 200 else "Error"
        return response

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------- endpoints


def atomic(book: Spreadsheet, apply: Any) -> Any:
    saved = book.snapshot()
    try:
        return apply()
    except (ApiError, GridError, ValueError, KeyError, TypeError) as e:
        book.restore(saved)
        if isinstance(e, ApiError):
            raise
        raise bad(str(e)) from e


def _one(params: dict[str, list[str]], name: str, default: str) -> str:
    return params.get(name, [default])[0] or default


def resolve(book: Spreadsheet, text: str) -> tuple[Sheet, Box]:
    try:
        title, cells = split_range(text)
        box = parse_cells(cells)
    except ValueError as e:
        raise bad(f"Unable to parse range: {text}") from e
    try:
        return book.sheet(title), box
    except GridError as e:
        raise bad(f"Unable to parse range: {text}") from e


def read_range(book: Spreadsheet, text: str, params: dict[str, list[str]]) -> dict[str, Any]:
    sheet, box = resolve(book, text)
    render = _one(params, "valueRenderOption", "FORMATTED_VALUE")
    major = _one(params, "majorDimension", "ROWS")
    r1 = min(box.r1 or sheet.row_count, sheet.row_count)
    c1 = min(box.c1 or sheet.col_count, sheet.col_count)
    # Only stored cells are visited (a row list ends at its last stored cell): the same values as
    # visiting the whole box, since the missing cells are blank and trailing blanks are trimmed.
    rows = [
        [
            "" if cell.empty else rendered(cell, render, book.locale)
            for cell in sheet.rows[r][box.c0 : c1]
        ]
        for r in range(box.r0, min(r1, sheet.last_data_row(box.c0, c1) + 1))
    ]
    if major == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[r[c] if c < len(r) else "" for r in rows] for c in range(width)]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    out: dict[str, Any] = {
        "range": a1(sheet.title, box.r0, r1, box.c0, c1),
        "majorDimension": major,
    }
    if rows:
        out["values"] = rows
    return out


def values_get(book: Spreadsheet, text: str, params: dict[str, list[str]]) -> dict[str, Any]:
    return read_range(book, text, params)


def values_batch_get(book: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    ranges = params.get("ranges", [])
    return {
        "spreadsheetId": book.spreadsheet_id,
        "valueRanges": [read_range(book, r, params) for r in ranges],
    }


def _rows(body: dict[str, Any]) -> list[list[Any]]:
    values = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(c) for c in values), default=0)
        values = [[c[r] if r < len(c) else None for c in values] for r in range(height)]
    return values


def write_block(
    book: Spreadsheet, sheet: Sheet, r0: int, c0: int, rows: list[list[Any]], mode: str
) -> dict[str, Any]:
    if mode not in ("RAW", "USER_ENTERED"):
        raise bad(f"Invalid valueInputOption: {mode!r}")
    width = max((len(r) for r in rows), default=0)
    sheet.grow(rows=r0 + len(rows), cols=c0 + width)
    cells = 0
    for i, row in enumerate(rows):
        for j, raw in enumerate(row):
            new = enter(sheet.cell(r0 + i, c0 + j), raw, mode, book.locale)
            if new is not None:
                sheet.put(r0 + i, c0 + j, new)
                cells += 1
    return {
        "spreadsheetId": book.spreadsheet_id,
        "updatedRange": a1(sheet.title, r0, r0 + len(rows), c0, c0 + width),
        "updatedRows": len(rows),
        "updatedColumns": width,
        "updatedCells": cells,
    }


def _mode(params: dict[str, list[str]] | dict[str, Any], name: str = "valueInputOption") -> str:
    value = params.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        raise bad("'valueInputOption' is required but not specified")
    return value


def _update(book: Spreadsheet, text: str, mode: str, body: dict[str, Any]) -> dict[str, Any]:
    sheet, box = resolve(book, text)
    rows = _rows(body)
    if ":" not in (split_range(text)[1] or ":"):  # one cell: only where the block starts
        box = Box(box.r0, None, box.c0, None)
    if box.r1 is not None and box.r0 + len(rows) > box.r1:
        raise bad(
            f"Requested writing within range [{text}], but tried writing to row [{box.r0 + len(rows)}]"
        )
    width = max((len(r) for r in rows), default=0)
    if box.c1 is not None and box.c0 + width > box.c1:
        raise bad(
            f"Requested writing within range [{text}], but tried writing to column "
            f"[{box.c0 + width}]"
        )
    return write_block(book, sheet, box.r0, box.c0, rows, mode)


def values_update(book, text, params, body):
    return _update(book, text, _mode(params), body or {})


def values_batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    mode = _mode(body)
    responses = [_update(book, d["range"], mode, d) for d in body.get("data", [])]
    return {
        "spreadsheetId": book.spreadsheet_id,
        "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
        "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
        "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
        "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in responses}),
        "responses": responses,
    }


def values_append(book, text, params, body):
    """Rows go after the last row with data in the range's columns, from its first column."""
    sheet, box = resolve(book, text)
    mode = _mode(params)
    insert = _one(params, "insertDataOption", "OVERWRITE")
    if insert not in ("OVERWRITE", "INSERT_ROWS"):
        raise bad(f"Invalid insertDataOption: {insert!r}")
    rows = _rows(body or {})
    last = _table_end(sheet, box)
    start = last + 1
    if insert == "INSERT_ROWS" and start < sheet.row_count and rows:
        sheet.insert_rows(start, start + len(rows), inherit_before=start > 0)
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if last >= box.r0:
        first = next(
            r
            for r in range(box.r0, last + 1)
            if any(not c.empty for c in sheet.rows[r][box.c0 : box.c1])
        )
        out["tableRange"] = a1(sheet.title, first, last + 1, box.c0, sheet.last_data_col() + 1)
    out["updates"] = write_block(book, sheet, start, box.c0, rows, mode)
    return out


def _table_end(sheet: Sheet, box: Box) -> int:
    """The last row of the table an append goes after (-1: none; writing starts at box.r0).

    A range open downwards ('Tab', 'Tab!A:Z', 'Tab!A1:Z'): the last row with data in its columns.
    A bounded range ('Tab!A1', 'Tab!A3:D3'): the rows with data running down from its first row
    without a gap (an empty first row means: write right there, as gspread's insert_row expects).
    """
    if box.r1 is None:
        return max(sheet.last_data_row(box.c0, box.c1), box.r0 - 1)
    r = box.r0
    while r < sheet.row_count and any(not c.empty for c in sheet.rows[r][box.c0 : box.c1]):
        r += 1
    return r - 1


def values_clear(book: Spreadsheet, text: str) -> dict[str, Any]:
    sheet, box = resolve(book, text)
    r1 = min(box.r1 or sheet.row_count, sheet.row_count)
    c1 = min(box.c1 or sheet.col_count, sheet.col_count)
    for r in range(box.r0, r1):
        for c in range(box.c0, min(c1, len(sheet.rows[r]))):
            sheet.rows[r][c] = sheet.rows[r][c].cleared()
    return {
        "spreadsheetId": book.spreadsheet_id,
        "clearedRange": a1(sheet.title, box.r0, r1, box.c0, c1),
    }


def values_batch_clear(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    cleared = [values_clear(book, r)["clearedRange"] for r in body.get("ranges", [])]
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}


def metadata(book: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "spreadsheetId": book.spreadsheet_id,
        "properties": book.properties(),
        "sheets": [_sheet_resource(s, i) for i, s in enumerate(book.sheets)],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
    }
    if _one(params, "includeGridData", "false").lower() == "true":
        for entry, sheet in zip(out["sheets"], book.sheets, strict=True):
            entry["data"] = [{"startRow": 0, "startColumn": 0, "rowData": grid_data(book, sheet)}]
    fields = _one(params, "fields", "")
    if fields:
        wanted = {_top(f) for f in _split_fields(fields)}
        out = {k: v for k, v in out.items() if k in wanted}
        parts = _sheet_parts(fields)
        if parts and "sheets" in out:
            out["sheets"] = [{k: v for k, v in s.items() if k in parts} for s in out["sheets"]]
    return out


def _sheet_parts(fields: str) -> set[str]:
    """The parts of each Sheet a field mask names ("sheets.properties",
    "sheets(properties,protectedRanges)"); empty: the whole Sheet."""
    parts: set[str] = set()
    for f in (f.strip() for f in _split_fields(fields)):
        if not f.startswith("sheets"):
            continue
        rest = f[len("sheets") :]
        if not rest:
            return set()
        inner = rest[1:-1] if rest.startswith("(") else rest[1:]
        parts.update(_top(p) for p in _split_fields(inner))
    return parts


def _sheet_resource(sheet: Sheet, index: int) -> dict[str, Any]:
    """A Sheet resource: properties, and its protected ranges when it has any (as Google, which
    leaves an empty list out)."""
    out: dict[str, Any] = {"properties": sheet.properties(index)}
    if sheet.protected:
        out["protectedRanges"] = copy.deepcopy(sheet.protected)
    return out


def grid_data(book: Spreadsheet, sheet: Sheet) -> list[dict[str, Any]]:
    rows = []
    for row in sheet.rows[: sheet.last_data_row() + 1]:
        values = []
        for cell in row:
            data: dict[str, Any] = {}
            if not cell.empty:
                data["formattedValue"] = rendered(cell, "FORMATTED_VALUE", book.locale)
            fmt: dict[str, Any] = {k: json.loads(v) for k, v in cell.style}
            if cell.text:
                fmt["numberFormat"] = {"type": "TEXT"}
            if fmt:
                data["userEnteredFormat"] = fmt
            values.append(data)
        rows.append({"values": values})
    return rows


def _split_fields(fields: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in fields:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def _top(field_path: str) -> str:
    for sep in "(./":
        field_path = field_path.split(sep)[0]
    return field_path.strip()


# ---------------------------------------------------------------------- spreadsheets:batchUpdate


def batch_update(fake: FakeSheets, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    requests_ = body.get("requests")
    if not isinstance(requests_, list) or not requests_:
        raise bad("Must specify at least one request.")
    replies = []
    for i, request in enumerate(requests_):
        if not isinstance(request, dict) or len(request) != 1:
            raise bad(f"Invalid requests[{i}]: exactly one kind of request per entry")
        ((name, args),) = request.items()
        handler = REQUESTS.get(name)
        if handler is None:
            raise bad(
                f"Invalid JSON payload received. Unknown name \"{name}\" at 'requests[{i}]': "
                "Cannot find field."
            )
        try:
            replies.append(handler(fake, book, args))
        except (GridError, ValueError, KeyError, TypeError) as e:
            raise bad(f"Invalid requests[{i}].{name}: {e}") from e
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = updated_spreadsheet(book, body)
    return out


def updated_spreadsheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """The spreadsheet resource in a batchUpdate reply, as the request left it (BatchUpdate-
    SpreadsheetRequest: includeSpreadsheetInResponse, responseRanges limit it, grid data only with
    responseIncludeGridData; https://developers.google.com/sheets/api/reference/rest/v4/
    spreadsheets/batchUpdate). The fake takes whole-tab ranges (a title) and A1 ranges of a tab."""
    grid = "true" if body.get("responseIncludeGridData") else "false"
    out = metadata(book, {"includeGridData": [grid]})
    ranges = body.get("responseRanges") or []
    if ranges:
        titles = set()
        for text in ranges:
            title, _ = split_range(text)
            titles.add(book.sheet(title).title)
        out["sheets"] = [s for s in out["sheets"] if s["properties"]["title"] in titles]
    return out


def _needs_fields(args: dict[str, Any]) -> str:
    fields = args.get("fields")
    if not fields:
        raise GridError("At least one field must be specified in 'fields'.")
    return fields


STYLES = ("textFormat", "backgroundColor", "wrapStrategy", "verticalAlignment")


@functools.lru_cache(maxsize=256)
def _touches(fields: str) -> tuple[bool, bool, tuple[str, ...]]:
    """(value, number format, the other userEnteredFormat parts) named by a `fields` mask:
    "userEnteredFormat" alone names all of it; "userEnteredFormat(textFormat,backgroundColor)"
    or "userEnteredFormat.textFormat" only those parts."""
    if fields.strip() == "*":
        return True, True, STYLES
    value, fmt, styles = False, False, set()
    for part in (p.strip() for p in _split_fields(fields)):
        value = value or part.startswith("userEnteredValue")
        if not part.startswith("userEnteredFormat"):
            continue
        inner = part[len("userEnteredFormat") :].strip("().")
        named = [n.strip().split(".")[0] for n in inner.split(",")] if inner else []
        fmt = fmt or not named or "numberFormat" in named
        styles.update(STYLES if not named else (n for n in named if n in STYLES))
    return value, fmt, tuple(sorted(styles))


def _apply(cell, data: dict[str, Any], fields: str, locale: str):
    value, fmt, styles = _touches(fields)
    if fmt:
        cell = cell.with_format(is_text_format(data))
    if styles:
        given = data.get("userEnteredFormat") or {}
        kept = {k: v for k, v in cell.style if k not in styles}
        kept.update({k: json.dumps(given[k], sort_keys=True) for k in styles if k in given})
        cell = replace(cell, style=tuple(sorted(kept.items())))
    if value:
        cell = replace(from_cell_data(data, cell, locale), style=cell.style)
    return cell


def _grid(sheet: Sheet, rng: dict[str, Any]) -> tuple[int, int, int, int]:
    r0, c0 = rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0)
    r1, c1 = rng.get("endRowIndex", sheet.row_count), rng.get("endColumnIndex", sheet.col_count)
    if r1 > sheet.row_count or c1 > sheet.col_count or r0 < 0 or c0 < 0 or r0 > r1 or c0 > c1:
        raise GridError(
            f"Range ({sheet.title}!R{r0 + 1}C{c0 + 1}:R{r1}C{c1}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    return r0, r1, c0, c1


def add_sheet(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    props = dict(args.get("properties") or {})
    title = props.pop("title", None) or f"Sheet{len(book.sheets) + 1}"
    if any(s.title == title for s in book.sheets):
        raise GridError(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = props.pop("sheetId", None)
    if sheet_id is None:
        sheet_id = fake._new_sheet_id(book)
    elif any(s.sheet_id == sheet_id for s in book.sheets):
        raise GridError(f"A sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    index = props.pop("index", len(book.sheets))
    props.pop("sheetType", None)
    sheet = Sheet(
        sheet_id, title, grid.get("rowCount", 1000), grid.get("columnCount", 26), extra=props
    )
    book.sheets.insert(index, sheet)
    return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}


def delete_sheet(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = book.sheet_by_id(args["sheetId"])
    if len(book.sheets) == 1:
        raise GridError("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    return {}


def update_sheet_properties(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict:
    props, fields = args["properties"], _needs_fields(args)
    sheet = book.sheet_by_id(props["sheetId"])
    for f in _split_fields(fields):
        f = f.strip()
        if f == "title":
            if any(s.title == props["title"] and s is not sheet for s in book.sheets):
                raise GridError(f'A sheet with the name "{props["title"]}" already exists.')
            sheet.title = props["title"]
        elif f == "gridProperties.rowCount" or f == "gridProperties/rowCount":
            new = props["gridProperties"]["rowCount"]
            if new < sheet.row_count:
                sheet.delete_rows(new, sheet.row_count)
            sheet.grow(rows=new)
        elif f in ("gridProperties.columnCount", "gridProperties/columnCount"):
            new = props["gridProperties"]["columnCount"]
            if new < sheet.col_count:
                sheet.delete_cols(new, sheet.col_count)
            sheet.grow(cols=new)
        elif f == "index":
            book.sheets.remove(sheet)
            book.sheets.insert(props["index"], sheet)
        elif f.startswith(("gridProperties.", "gridProperties/")):  # e.g. frozenRowCount
            name = f.split(".", 1)[-1].split("/", 1)[-1]
            grid = sheet.extra.setdefault("gridProperties", {})
            grid[name] = (props.get("gridProperties") or {}).get(name)
        else:
            sheet.extra[_top(f)] = props.get(_top(f))
    return {}


def update_spreadsheet_properties(
    fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]
) -> dict:
    props, fields = args["properties"], _needs_fields(args)
    names = {"title": "title", "locale": "locale", "timeZone": "time_zone"}
    wanted = list(names) if fields.strip() == "*" else [f.strip() for f in _split_fields(fields)]
    for f in wanted:
        if f not in names:
            raise GridError(f"the fake cannot update spreadsheet property {f!r}")
        if f in props:
            setattr(book, names[f], props[f])
    return {}


def append_cells(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    """After the last row with data in the sheet (any column), from column A; grows the grid."""
    sheet = book.sheet_by_id(args["sheetId"])
    fields = _needs_fields(args)
    rows = args.get("rows") or []
    start = sheet.last_data_row() + 1
    width = max((len(r.get("values") or []) for r in rows), default=0)
    sheet.grow(rows=start + len(rows), cols=width)
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            sheet.put(start + i, j, _apply(sheet.cell(start + i, j), data, fields, book.locale))
    return {}


def update_cells(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    fields = _needs_fields(args)
    rows = args.get("rows") or []
    if "start" in args:
        start = args["start"]
        sheet = book.sheet_by_id(start["sheetId"])
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        for i, row in enumerate(rows):
            for j, data in enumerate(row.get("values") or []):
                sheet.put(
                    r0 + i, c0 + j, _apply(sheet.cell(r0 + i, c0 + j), data, fields, book.locale)
                )
    elif "range" in args:
        sheet = book.sheet_by_id(args["range"]["sheetId"])
        r0, r1, c0, c1 = _grid(sheet, args["range"])
        for r in range(r0, r1):
            given = rows[r - r0].get("values") or [] if r - r0 < len(rows) else []
            for c in range(c0, c1):
                data = given[c - c0] if c - c0 < len(given) else {}
                new = _apply(sheet.cell(r, c), data, fields, book.locale)
                if new != EMPTY or c < len(sheet.rows[r]):
                    sheet.put(r, c, new)
    else:
        raise GridError("updateCells needs 'start' or 'range'")
    return {}


def repeat_cell(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = book.sheet_by_id(args["range"]["sheetId"])
    r0, r1, c0, c1 = _grid(sheet, args["range"])
    fields, data = _needs_fields(args), args.get("cell") or {}
    applied: dict[Any, Any] = {}  # cells are immutable: each distinct cell is worked out once
    for r in range(r0, r1):
        for c in range(c0, c1):
            old = sheet.cell(r, c)
            if old not in applied:
                applied[old] = _apply(old, data, fields, book.locale)
            new = applied[old]
            if new != EMPTY or c < len(sheet.rows[r]):
                sheet.put(r, c, new)
    return {}


def _dimension(book: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = book.sheet_by_id(rng["sheetId"])
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise GridError(f"invalid dimension {dim!r}")
    return sheet, dim, rng["startIndex"], rng["endIndex"]


def insert_dimension(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet, dim, start, end = _dimension(book, args["range"])
    before = bool(args.get("inheritFromBefore"))
    if dim == "ROWS":
        sheet.insert_rows(start, end, before)
    else:
        sheet.insert_cols(start, end, before)
    return {}


def delete_dimension(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet, dim, start, end = _dimension(book, args["range"])
    if dim == "ROWS":
        sheet.delete_rows(start, end)
    else:
        sheet.delete_cols(start, end)
    return {}


def move_dimension(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet, dim, start, end = _dimension(book, args["source"])
    dest = args["destinationIndex"]
    if dim == "ROWS":
        block = sheet.rows[start:end]
        del sheet.rows[start:end]
        at = dest if dest <= start else dest - (end - start)
        sheet.rows[at:at] = block
    else:
        for k in range(end - start):
            src, to = (start + k, dest + k) if dest <= start else (start, dest - 1)
            sheet.move_col(src, to)
    return {}


def sort_range(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = book.sheet_by_id(args["range"]["sheetId"])
    r0, r1, _, _ = _grid(sheet, args["range"])
    specs = args.get("sortSpecs") or []
    for spec in reversed(specs):  # stable sorts, last key first
        descending = spec.get("sortOrder") == "DESCENDING"
        sheet.sort_rows(r0, r1, spec["dimensionIndex"], descending, book.locale)
    return {}


# ---- protected ranges, data validation, column widths (what the app sets up for staff)


def add_protected_range(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict:
    """AddProtectedRangeRequest: the range gets a new protectedRangeId, which the reply returns
    (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#AddProtectedRangeRequest).
    `editors` cannot go with `warningOnly` (ProtectedRange: "Editors are not supported with
    warning_only protection")."""
    given = copy.deepcopy(args["protectedRange"])
    if "protectedRangeId" in given:
        raise GridError("protectedRangeId is read-only")
    if given.get("warningOnly") and given.get("editors"):
        raise GridError("Editors are not supported with warning_only protection.")
    rng = given.get("range")
    if rng is None:
        raise GridError("A protected range needs a range")
    sheet = book.sheet_by_id(rng.get("sheetId", 0))
    _grid(sheet, rng)  # inside the grid
    given["protectedRangeId"] = book.next_protected_id
    given.setdefault("requestingUserCanEdit", True)
    book.next_protected_id += 1
    sheet.protected.append(given)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(given)}}


def delete_protected_range(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict:
    wanted = args["protectedRangeId"]
    for sheet in book.sheets:
        for entry in sheet.protected:
            if entry["protectedRangeId"] == wanted:
                sheet.protected.remove(entry)
                return {}
    raise GridError(f"No protected range with id: {wanted}")


# BooleanCondition types the app uses, and how many ConditionValues each takes
# (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/other#ConditionType)
CONDITION_VALUES = {
    "ONE_OF_LIST": (1, 500),
    "NUMBER_GREATER_THAN_EQ": (1, 1),
    "CUSTOM_FORMULA": (1, 1),
}


def _check_rule(rule: dict[str, Any]) -> None:
    condition = rule.get("condition") or {}
    kind, values = condition.get("type"), condition.get("values") or []
    if kind not in CONDITION_VALUES:
        raise GridError(f"the fake does not model condition type {kind!r}")
    low, high = CONDITION_VALUES[kind]
    if not low <= len(values) <= high:
        raise GridError(f"{kind} takes {low}..{high} values, got {len(values)}")
    texts = [v.get("userEnteredValue") for v in values]
    if any(not isinstance(t, str) or t == "" for t in texts):
        raise GridError("every ConditionValue needs a userEnteredValue")
    if kind == "CUSTOM_FORMULA" and not texts[0].startswith("="):
        raise GridError("A custom formula must start with '='")
    if kind == "NUMBER_GREATER_THAN_EQ":
        float(texts[0])
    for name in ("strict", "showCustomUi"):
        if name in rule and not isinstance(rule[name], bool):
            raise GridError(f"{name} must be a boolean")


def set_data_validation(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict:
    """SetDataValidationRequest: the rule replaces whatever rule the cells of the range had (a
    second identical request leaves one rule, not two); no rule clears them
    (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#SetDataValidationRequest).
    Rules are kept per range; the fake takes ranges that cover whole columns of rows, or
    exactly the same cells as an earlier rule."""
    rng = copy.deepcopy(args["range"])
    sheet = book.sheet_by_id(rng.get("sheetId", 0))
    _grid(sheet, rng)
    rule = args.get("rule")
    if rule is not None:
        _check_rule(rule)
    sheet.validations = [v for v in sheet.validations if not _covers(rng, v["range"])]
    if rule is not None:
        sheet.validations.append({"range": rng, "rule": copy.deepcopy(rule)})
    return {}


def _covers(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    big = 10**9
    return (
        outer.get("startRowIndex", 0) <= inner.get("startRowIndex", 0)
        and outer.get("endRowIndex", big) >= inner.get("endRowIndex", big)
        and outer.get("startColumnIndex", 0) <= inner.get("startColumnIndex", 0)
        and outer.get("endColumnIndex", big) >= inner.get("endColumnIndex", big)
    )


def update_dimension_properties(fake: FakeSheets, book: Spreadsheet, args: dict[str, Any]) -> dict:
    """UpdateDimensionPropertiesRequest: the fake keeps `pixelSize` of columns."""
    fields = _needs_fields(args)
    sheet, dim, start, end = _dimension(book, args["range"])
    props = args.get("properties") or {}
    if [f.strip() for f in _split_fields(fields)] != ["pixelSize"]:
        raise GridError(f"the fake only models pixelSize, not {fields!r}")
    size = props.get("pixelSize")
    if not isinstance(size, int) or size < 0:
        raise GridError("pixelSize must be a non-negative integer")
    if end > (sheet.col_count if dim == "COLUMNS" else sheet.row_count) or start >= end:
        raise GridError(f"invalid {dim.lower()} range [{start}, {end})")
    if dim == "COLUMNS":
        sheet.widths.update(dict.fromkeys(range(start, end), size))
    return {}


REQUESTS = {
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setDataValidation": set_data_validation,
    "updateDimensionProperties": update_dimension_properties,
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendCells": append_cells,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "moveDimension": move_dimension,
    "sortRange": sort_range,
}
