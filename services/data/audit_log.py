"""Nhật ký: the audit log read a page at a time from its newest end, within the person's scope.

The log grows forever and is not in the cached snapshot: it is read in windows of `CHUNK` sheet
rows from the end (one range read each on Sheets) until a page is filled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import VN_TZ
from schemas.models import AuditEntry, Unit
from schemas.vntext import matches, sort_key
from services.core import records
from services.core.access import Actor, Role
from services.core.errors import AccessDenied, InvalidInput, NotFound
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.storage import Row

CHUNK = 200  # sheet rows per read of the log: one range read on Sheets
MAX_PAGE_SIZE = 500
EMPTY = "(trống)"
ALL_TABS_TITLE = "Toàn bộ dữ liệu"  # the demo seeding writes one audit row for every tab ("*")
ALL_TABS_FIELDS = {"rows": "Số dòng đã ghi"}  # what that row's cells are named on screen


@dataclass(frozen=True)
class FieldChange:
    """One changed cell of an audited write, named by the tab's Vietnamese header."""

    column: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    """One audit row as the Nhật ký screen shows it."""

    entry: AuditEntry
    row: int  # sheet row of the audit log, for a person who wants to find it there
    tab_title: str
    unit_name: str
    changes: tuple[FieldChange, ...]
    imported: bool = False  # arrived through an import (written elsewhere, not in this store)

    @property
    def changes_text(self) -> str:
        """'Cột: trước → sau; …' with long values shortened, for a table cell."""
        return "; ".join(
            f"{c.column}: {_short(c.before) or EMPTY} → {_short(c.after) or EMPTY}"
            for c in self.changes
        )


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and whether older (next) or newer (previous) pages exist."""

    lines: list[AuditLine]
    page: int
    page_size: int
    has_next: bool
    unreadable: list[int]  # sheet rows of the log read for this page that could not be parsed
    rows_read: int  # log rows fetched from the store to build this page (for tests, benchmarks)

    @property
    def has_previous(self) -> bool:
        return self.page > 0


def entries(
    rt: Runtime,
    actor: Actor,
    unit_id: str | None = None,
    person: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 0,
    page_size: int = 50,
    chunk: int = CHUNK,
) -> AuditPage:
    """Page `page` (0 = newest) of the audit entries this person may see that match the filters.

    Province staff see everything; an upper-unit officer sees entries of units in its subtree
    (entries naming no unit, such as cycles, are province-only); anyone else is refused.
    Filters: `unit_id` (that unit's subtree), `person` (words of the actor's name or e-mail,
    diacritics folded), `since`/`until` (Vietnam calendar days, both included).

    Cost: windows of `chunk` rows are read from the newest end until page+1 pages of matches (and
    one more match, to know whether a next page exists) are found. With no filter the first page
    costs one read; a selective filter (a small unit, a rare person, a date long ago) may read the
    whole log, ⌈log rows / chunk⌉ reads. The date range does not stop the scan early, because a
    person may have sorted or edited the sheet by hand: sheet order is not a promise of time order.
    """
    wb = rt.workbook()
    visible = _scope(wb, actor, unit_id)
    if since and until and since > until:
        raise InvalidInput(["Từ ngày phải trước hoặc bằng Đến ngày"])
    page = max(page, 0)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    wanted = _filter(visible, (person or "").strip(), since, until)
    scan = _Scan(wb, wanted, to_skip=page * page_size, wanted_lines=page_size + 1)
    before: int | None = None
    while not scan.full():
        tail = rt.store.read_tail(tabs.AUDIT_LOG.name, chunk, before)
        scan.read(tail.rows)
        if tail.at_start:
            break
        before = tail.start
    return AuditPage(
        lines=scan.found[:page_size],
        page=page,
        page_size=page_size,
        has_next=len(scan.found) > page_size,
        # Which rows are broken says nothing about a unit, but only province staff can fix the log.
        unreadable=scan.unreadable if actor.role is Role.PROVINCE else [],
        rows_read=scan.rows_read,
    )


def _scope(wb: Workbook, actor: Actor, unit_id: str | None) -> set[str] | None:
    """The units whose entries this search may show (None: every unit)."""
    visible = _visible_units(wb, actor)
    if not unit_id:
        return visible
    if unit_id not in wb.units:
        raise NotFound(f"Không tìm thấy đơn vị mã {unit_id}. Hãy chọn lại đơn vị.")
    if visible is not None and unit_id not in visible:
        raise AccessDenied(f"Bạn không có quyền xem nhật ký của {wb.unit_name(unit_id)}.")
    return wb.subtree(unit_id)


def _filter(
    visible: set[str] | None, query: str, since: date | None, until: date | None
) -> Callable[[AuditEntry], bool]:
    def wanted(entry: AuditEntry) -> bool:
        if visible is not None and (entry.unit_id not in visible or entry.tab == tabs.USERS.name):
            return False  # who may sign in, with which role, is for province staff only
        if query and not matches(query, entry.actor):
            return False
        day = entry.at.astimezone(VN_TZ).date()
        return (since is None or day >= since) and (until is None or day <= until)

    return wanted


class _Scan:
    """The log read from its newest end, window by window, keeping the entries a page needs."""

    def __init__(
        self, wb: Workbook, wanted: Callable[[AuditEntry], bool], to_skip: int, wanted_lines: int
    ) -> None:
        self.wb, self.wanted, self.to_skip, self.wanted_lines = wb, wanted, to_skip, wanted_lines
        self.found: list[AuditLine] = []
        self.unreadable: list[int] = []  # sheet rows of the log that could not be parsed
        self.rows_read = 0
        self.imported_left = 0  # rows just above an import's audit row for the log are imported

    def full(self) -> bool:
        return len(self.found) >= self.wanted_lines

    def read(self, rows: Sequence[Row]) -> None:
        self.rows_read += len(rows)
        for row in reversed(rows):  # newest first
            if self.full():
                return
            if not any(v.strip() for v in row.cells.values()):
                continue  # a blank row a person left
            imported = self.imported_left > 0
            self.imported_left = max(self.imported_left - 1, _imported_above(row.cells))
            self._take(row, imported)

    def _take(self, row: Row, imported: bool) -> None:
        try:
            entry = AuditEntry.from_cells(dict(row.cells))
        except ValidationError:
            self.unreadable.append(row.number)
            return
        if not self.wanted(entry):
            return
        if self.to_skip:
            self.to_skip -= 1
            return
        self.found.append(_line(self.wb, entry, row.number, imported))


def unit_choices(rt: Runtime, actor: Actor) -> list[Unit]:
    """The units this person may filter the log by: their own unit first, then by name."""
    wb = rt.workbook()
    visible = _visible_units(wb, actor)
    ids = set(wb.units) if visible is None else visible
    return sorted(
        (wb.units[u] for u in ids), key=lambda u: (u.id != actor.unit_id, sort_key(u.name))
    )


def _visible_units(wb: Workbook, actor: Actor) -> set[str] | None:
    """Units whose entries this person sees; None means every entry, with or without a unit."""
    if actor.role is Role.PROVINCE:
        return None
    if actor.role is Role.UPPER:
        return wb.subtree(actor.unit_id)
    raise AccessDenied(
        "Nhật ký chỉ dành cho cán bộ Tỉnh đoàn và cán bộ Đoàn cấp trên. "
        "Nếu cần biết ai đã sửa dữ liệu của đơn vị, hãy liên hệ Đoàn cấp trên của đơn vị."
    )


def _imported_above(cells: Mapping[str, str]) -> int:
    """How many log rows just above this one an import brought in (its audit row for the log
    says how many it appended, right before itself); 0 for any other row."""
    if not (
        cells.get("id", "").startswith(records.IMPORT_AUDIT)
        and cells.get("action") == records.IMPORTED
        and cells.get("tab") == tabs.AUDIT_LOG.name
    ):
        return 0
    count = (_cells(cells.get("after", "")) or {}).get("Số dòng", "0")
    return int(count) if count.isdigit() else 0


def _line(wb: Workbook, entry: AuditEntry, row: int, imported: bool = False) -> AuditLine:
    tab = tabs.TABS.get(entry.tab)
    title = tab.title if tab else (ALL_TABS_TITLE if entry.tab == "*" else entry.tab)
    return AuditLine(
        entry=entry,
        row=row,
        tab_title=title,
        unit_name=wb.unit_name(entry.unit_id) if entry.unit_id else "",
        changes=changes(entry),
        imported=imported,
    )


def changes(entry: AuditEntry) -> tuple[FieldChange, ...]:
    """The changed cells before → after, named by the tab's headers, in the tab's column order.

    A before/after cell that is not the JSON the app writes (edited by hand) is shown as it is.
    """
    before, after = _cells(entry.before), _cells(entry.after)
    if before is None or after is None:
        return (FieldChange("Trước → sau", entry.before, entry.after),)
    tab = tabs.TABS.get(entry.tab)
    headers = dict(tab.columns) if tab else (ALL_TABS_FIELDS if entry.tab == "*" else {})
    order = {f: i for i, f in enumerate(headers)}
    fields = sorted(set(before) | set(after), key=lambda f: (order.get(f, len(order)), f))
    return tuple(
        FieldChange(headers.get(f, f), before.get(f, ""), after.get(f, "")) for f in fields
    )


def _cells(text: str) -> dict[str, str] | None:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _short(text: str, limit: int = 80) -> str:
    """One line, at most `limit` characters: a table cell, not the full text."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
