"""The write rules every engine applies, so SQLite and Sheets decide the same way.

Each engine finds the current row itself (a SQL query, or a fresh sheet read) and asks these
functions whether to write, skip (already stored) or refuse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

from schemas.cells import clean_id, is_id_field
from schemas.tabs import AUDIT_LOG, TABS
from services.storage import (
    Adopt,
    Append,
    CellChange,
    Conflict,
    DuplicateRecord,
    Operation,
    RecordMissing,
    StoreError,
    Update,
)

# Google Sheets refuses a cell holding more than 50,000 characters
# (https://support.google.com/docs/answer/37603). Every engine refuses it before sending, so a
# store moved from one engine to the other keeps fitting.
MAX_CELL = 50_000


def check_sizes(operations: Sequence[Operation]) -> None:
    """Raise StoreError("cell_too_long", tab, field, length) for the first cell over MAX_CELL."""
    for op in operations:
        if isinstance(op, Append):
            cells: Mapping[str, str] = op.cells
        elif isinstance(op, Update):
            cells = op.changes
        else:
            cells = {"id": op.id}
        for name, value in cells.items():
            if len(value) > MAX_CELL:
                raise _too_long(op, name, value)


def _too_long(op: Operation, name: str, value: str) -> StoreError:
    """The refusal of one cell over MAX_CELL, naming what the person typed.

    An audit row's before/after cell is JSON, where quotes, backslashes and line breaks take two
    characters: a field that fits its own cell can make that cell too long. The message then names
    the record's longest field and its tab — the thing to shorten — not the audit log's column.
    """
    if isinstance(op, Append) and op.tab == AUDIT_LOG.name and name in ("before", "after"):
        tab = op.cells.get("tab", "")
        try:
            changed = json.loads(value)
        except ValueError:
            changed = None
        if tab in TABS and isinstance(changed, dict):
            fields = [f for f in changed if f in TABS[tab].fields]
            if fields:
                longest = max(fields, key=lambda f: len(str(changed[f])))
                return StoreError(
                    "cell_too_long", tab=tab, field=longest, length=len(value), audited=True
                )
    return StoreError("cell_too_long", tab=op.tab, field=name, length=len(value))


def should_append(
    op: Append,
    cells: Mapping[str, str],
    existing: Mapping[str, str] | None,
    unique_clash: Callable[[], bool],
) -> bool:
    """True to write the row; False when this very row is already stored (a retried submission).

    Raises DuplicateRecord when the id holds other cells, or another row shares the `unique` fields.
    """
    if existing is not None:
        if _tidy(existing) == _tidy(cells):
            return False
        raise DuplicateRecord(op.tab, {"id": cells["id"]})
    if op.unique and unique_clash():
        raise DuplicateRecord(op.tab, {f: cells[f] for f in op.unique})
    return True


def _tidy(cells: Mapping[str, str]) -> dict[str, str]:
    """Cells as compared: ids and references after `clean_id` (a retyped "DV-0052 " is DV-0052)."""
    return {f: clean_id(v) if is_id_field(f) else v for f, v in cells.items()}


def should_update(op: Update, current: Mapping[str, str] | None) -> bool:
    """True to write the changes; False when they already landed (a retry after a lost reply).

    Raises RecordMissing, or Conflict listing every cell someone changed since the form loaded it.
    """
    if current is None:
        raise RecordMissing(op.tab, op.id)
    tidy = _tidy(current)
    differences = [
        CellChange(f, loaded, current[f])
        for f, loaded in _tidy(op.expected).items()
        if f in current and tidy[f] != loaded
    ]
    if not differences:
        return True
    if all(current.get(f) == v for f, v in op.changes.items()):
        return False
    raise Conflict(op.tab, op.id, differences)


def should_adopt(
    op: Adopt, current: Mapping[str, str] | None, id_taken: Callable[[], bool]
) -> bool:
    """True to write id and version into the row; False when this adoption already landed.

    The row must still hold exactly the cells the screen read (no id among them): any difference —
    a person typed in it, moved another row there, or someone adopted it first — is a Conflict
    listing the cells, and RecordMissing when the row is gone. An id another row already has is a
    DuplicateRecord.
    """
    if current is None:
        raise RecordMissing(op.tab, "", row=op.row)
    written = op.changes(list(current))
    if all(current.get(f) == v for f, v in written.items()) and all(
        current.get(f, "") == v for f, v in op.expected.items() if f not in written
    ):
        return False  # a retry after a lost reply: the row already holds its id
    differences = [
        CellChange(f, op.expected.get(f, ""), current.get(f, ""))
        for f in dict.fromkeys([*op.expected, "id"])
        if current.get(f, "") != op.expected.get(f, "")
    ]
    if differences:
        raise Conflict(op.tab, "", differences, row=op.row)
    if id_taken():
        raise DuplicateRecord(op.tab, {"id": op.id})
    return True
