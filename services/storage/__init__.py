"""One store interface, shaped from the spreadsheet side, with several engines behind it.

Data is a workbook of tabs; a tab is a header row plus rows of string cells found by field name.
Writes are a short list of one-row operations applied together (a record and its audit row), so
every engine can honour them: a SQL transaction, or one Sheets batchUpdate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


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
    """Base of every storage failure; carries a Vietnamese message a page can show as it is."""


@dataclass
class CellChange:
    field: str
    loaded: str
    current: str


@dataclass
class Conflict(StoreError):
    """Someone changed the row after the form loaded it; nothing was written."""

    tab: str
    id: str
    changes: list[CellChange] = field(default_factory=list)

    def __str__(self) -> str:
        return f"Bản ghi {self.id} đã bị người khác sửa sau khi bạn mở biểu mẫu; chưa lưu gì."


@dataclass
class DuplicateRecord(StoreError):
    """An append would create a second row where only one may exist; nothing was written."""

    tab: str
    fields: Mapping[str, str]

    def __str__(self) -> str:
        from schemas.tabs import TABS  # the headers a person reads in the sheet

        tab = TABS.get(self.tab)
        label = (lambda f: tab.header(f) if f in tab.fields else f) if tab else str
        same = ", ".join(f"{label(f)}: {v}" for f, v in self.fields.items())
        where = f"“{tab.title}”" if tab else self.tab
        return (
            f"Bảng {where} đã có một bản ghi như vậy ({same}); chưa lưu gì. "
            "Hãy tải lại trang để xem bản ghi đã có."
        )


@dataclass
class RecordMissing(StoreError):
    tab: str
    id: str

    def __str__(self) -> str:
        return f"Không tìm thấy bản ghi {self.id} trong bảng {self.tab} (có thể đã bị xoá)."


class StoreUnavailable(StoreError):
    """The store could not be reached; the write did not happen (or is known not to have)."""


@dataclass(frozen=True)
class TabLayout:
    """Where one tab is in a spreadsheet as it is now: for links to a cell and missing headers."""

    name: str
    sheet_id: int | None  # None: no tab with this title
    columns: Mapping[str, int]  # field -> 0-based column of its header in row 1
    missing: tuple[str, ...]  # app fields whose header is not in row 1


@dataclass(frozen=True)
class SpreadsheetLayout:
    """What the data-health screen needs to know about a spreadsheet besides its rows."""

    key: str
    locale: str
    time_zone: str
    tabs: Mapping[str, TabLayout]


class Store(Protocol):
    """What every engine offers."""

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        """Read whole tabs in one request, rows in sheet order."""

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
