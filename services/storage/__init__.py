"""One store interface, shaped from the spreadsheet side, with several engines behind it.

Data is a workbook of tabs; a tab is a header row plus rows of string cells found by field name.
Writes are a short list of one-row operations applied together (a record and its audit row), so
every engine can honour them: a SQL transaction, or one Sheets batchUpdate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class Row:
    """One stored row: where a person finds it (sheet row number, header is row 1) and its cells."""

    number: int
    cells: Mapping[str, str]


FIRST_ROW = 2  # the header is sheet row 1


@dataclass(frozen=True)
class Tail:
    """A window of sheet rows read from the end of a tab: its rows, and where the window began.

    Read on towards the start with `before=start`; the start of the tab is reached when `at_start`.
    """

    rows: list[Row]
    start: int

    @property
    def at_start(self) -> bool:
        return self.start <= FIRST_ROW


@dataclass(frozen=True)
class Append:
    """Add one row after the last row with data. `unique` names fields no other row may share."""

    tab: str
    cells: Mapping[str, str]
    unique: tuple[str, ...] = ()


@dataclass(frozen=True)
class Update:
    """Change some cells of the row with this id, if its cells still equal what the form loaded."""

    tab: str
    id: str
    expected: Mapping[str, str]
    changes: Mapping[str, str]


@dataclass(frozen=True)
class Adopt:
    """Give a row a person added without an id its id (and version 1): the only cells written.

    The row is named by its sheet row number, because it has no id yet; it is adopted only if it
    still holds exactly `expected` (every field, as the screen read it), so a row a person edited,
    moved or deleted in the meantime is a Conflict, never a write into the wrong row.
    """

    tab: str
    row: int
    expected: Mapping[str, str]
    id: str
    version: str = "1"

    def changes(self, fields: Sequence[str]) -> dict[str, str]:
        """The cells adoption writes: the id, and the version where the tab has one."""
        return {"id": self.id, **({"version": self.version} if "version" in fields else {})}


Operation = Append | Update | Adopt


class StoreError(Exception):
    """Base of every storage failure: a machine-readable `code` and the data that goes with it.

    The storage layer says what happened, not how to say it: the Vietnamese sentence a page shows
    is `services.core.messages.describe(exc)`. `str(exc)` is a neutral one-line description for
    logs and tracebacks (the code and its data), never shown to a user.
    """

    code: ClassVar[str] = "store_error"

    def __init__(self, code: str | None = None, **data: Any):
        super().__init__(code or type(self).code)
        if code is not None:
            self.code = code  # type: ignore[misc]  # an instance's own code shadows the class's
        self.data: dict[str, Any] = data

    def details(self) -> dict[str, Any]:
        """The data that goes with the code (what a message names)."""
        return dict(self.data)

    def __str__(self) -> str:
        data = ", ".join(f"{k}={v!r}" for k, v in self.details().items())
        return f"{self.code}({data})"


@dataclass
class CellChange:
    field: str
    loaded: str
    current: str


class _RecordError(StoreError):
    """A refusal about one record: its data are the dataclass fields (each subclass is one)."""

    def details(self) -> dict[str, Any]:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]  # every subclass is a dataclass
        return {f.name: getattr(self, f.name) for f in fields}


@dataclass
class Conflict(_RecordError):
    """Someone changed the row after the form loaded it; nothing was written.

    `row` names the sheet row instead of `id` when the row has no id yet (an adoption).
    """

    code: ClassVar[str] = "conflict"
    tab: str
    id: str
    changes: list[CellChange] = field(default_factory=list)
    row: int | None = None


@dataclass
class DuplicateRecord(_RecordError):
    """An append would create a second row where only one may exist; nothing was written."""

    code: ClassVar[str] = "duplicate"
    tab: str
    fields: Mapping[str, str]


@dataclass
class RecordMissing(_RecordError):
    """The record (or, for an adoption, the sheet row `row`) is not there; nothing was written."""

    code: ClassVar[str] = "record_missing"
    tab: str
    id: str
    row: int | None = None


class StoreUnavailable(StoreError):
    """The store could not be reached; the write did not happen (or is known not to have)."""

    code: ClassVar[str] = "unavailable"


@dataclass(frozen=True)
class TabLayout:
    """Where one tab is in a spreadsheet as it is now: for links to a cell and missing headers."""

    name: str
    sheet_id: int | None  # None: no tab with this title
    columns: Mapping[str, int]  # field -> 0-based column of its header in row 1
    missing: tuple[str, ...]  # app fields whose header is not in row 1
    repeated: tuple[str, ...] = ()  # app fields whose header is in row 1 twice: not read/written


@dataclass(frozen=True)
class SpreadsheetLayout:
    """What the data-health screen needs to know about a spreadsheet besides its rows."""

    key: str
    locale: str
    time_zone: str
    tabs: Mapping[str, TabLayout]


MISSING_TAB, NO_COLUMN, REPEATED_COLUMN = "missing_tab", "no_column", "repeated_column"


@dataclass(frozen=True)
class Unreadable:
    """A tab whose records cannot be read as the sheet is now, so its rows must not be counted.

    `reason`: MISSING_TAB (no tab with its title: deleted or renamed), NO_COLUMN (row 1 has no
    header for `field` — the id, or the cycle or unit a row belongs to: a title row above the
    header, a renamed header, a cleared row 1) or REPEATED_COLUMN (two columns carry `field`'s
    header, so which is the app's cannot be told).
    """

    tab: str
    reason: str
    field: str = ""


CommitListener = Callable[[dict[str, list[Row]], str], None]
"""Told `(screen tabs as they are after a write batch, change token)` by an engine that re-reads
them while writing (see `Store.on_commit`)."""

WrittenListener = Callable[[dict[str, list[Row]], dict[str, int]], None]
"""Told `(rows a write wrote, by tab, with their row numbers; each written tab's counter after
it)` by an engine that reports its writes (see `Store.on_written`)."""


class Store(Protocol):
    """What every engine offers. Every engine implements every member; where a feature does not
    apply to an engine, its member says so (see each docstring) instead of being absent."""

    coalesces: bool
    """True when concurrent `apply` calls are grouped by the engine itself (Google Sheets): callers
    must not serialise them. False: the caller serialises check-then-write (SQL)."""

    def ensure_tabs(self) -> list[str]:
        """Create whatever tab (sheet tab, SQL table) is missing; the names of those created."""

    def layout(self) -> SpreadsheetLayout | None:
        """Where each tab and app column is in the spreadsheet now (for the data-health screen);
        None for an engine that has no spreadsheet (SQL)."""

    def on_commit(self, listener: CommitListener) -> None:
        """Have `listener` told the screen tabs after every write batch that read them anyway;
        an engine whose writes read nothing (SQL) never calls it."""

    def on_written(self, listener: WrittenListener) -> None:
        """Have `listener` told, after each committed write, the rows it wrote and each written
        tab's counter, so a read cache can patch its copy; an engine whose row numbers can move
        under a write (Sheets: people sort and insert rows) never calls it."""

    def rereads(self, changed: Iterable[str]) -> set[str]:
        """The tabs to read again when these tabs changed: those tabs, and on an engine scoped to
        a unit's subtree whatever a change of them can move into or out of the scope."""

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        """Read whole tabs in one request, rows in sheet order."""

    def unreadable(self) -> dict[str, Unreadable]:
        """The tabs the latest read found unreadable (deleted, no key header in row 1, …), by
        name; {} when every tab read was fine, and always on an engine without a sheet (SQL)."""

    def apply(self, operations: Sequence[Operation]) -> None:
        """Apply all operations or none. Raises Conflict, DuplicateRecord, RecordMissing.

        An Append whose id already exists with identical cells is skipped: that is how a retried
        submission (same idempotency key = same id) is stored exactly once.
        An Adopt whose row already holds its id (and the cells it expected) is skipped likewise.
        """

    def read_tail(self, tab: str, limit: int, before: int | None = None) -> Tail:
        """Read one window of `limit` sheet rows ending just above row `before` (None: the last row).

        For tabs too long to read whole (the audit log): the window is rows
        [max(2, before - limit), before), one range read on Sheets, LIMIT on SQL. Rows come in
        sheet order; blank rows and gaps inside the window are left out, so fewer than `limit`
        rows may come back even when the tab goes on: only `Tail.at_start` says it has ended.
        """

    def change_token(self) -> str:
        """A cheap signal that changes whenever stored data may have changed."""

    def tab_versions(self) -> dict[str, int] | None:
        """A write counter per tab, so a cache re-reads only the tabs that changed; None for an
        engine that does not count writes per tab (Sheets: only `change_token` is offered)."""
