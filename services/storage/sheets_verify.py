"""Every in-place write is checked where it landed, and repaired in the same save if it went astray.

Google Sheets has no conditional write: `updateCells` addresses a row by its index, and a person may
sort, insert or delete rows between the engine's read and Google applying the write. So every
`spreadsheets:batchUpdate` asks for the spreadsheet as that very request left it
(`includeSpreadsheetInResponse`, `responseRanges`, `responseIncludeGridData`: no extra request),
and each written row is checked to still be the row it was written for (`Target.holds`): the same
id, or, for a row without one (an adoption), the same cells apart from those written.

A row that is not (`misdirected`) is repaired from the snapshot the write was planned from:

* the cells written into another record's row get back what that record held in the snapshot —
  but only a cell that still holds exactly what the misdirected write put there; a cell that
  holds anything else was changed by a person and is never overwritten: it is a `Leftover` the
  Dữ liệu screen shows;
* the intended record is found again (by id; a row to adopt by its exact cells) and written where
  it is now, after the same checks as the first time (a person who changed or deleted it in the
  meantime makes the submission a Conflict or RecordMissing: its user is told it was not saved,
  and its other cells that did land are restored too);
* the repair is itself such a write, checked in its own reply, at most `MAX_ROUNDS` times. A
  submission whose write is still not where it should be after that fails with the code
  "misdirected": its user is never told it was saved.

Each repair appends audit rows (action `RESTORED`, `REPLACED`, `WITHDRAWN`, `LEFT`) so the audit
log and the Dữ liệu screen say what happened.

A repair write that Google refuses (429/5xx) or that times out is retried like any write of the
engine: after a timeout the sheet is looked up first (`landed`); before a resend it is read fresh and
the repair planned again where the records are now (`readdress`), since rows may have moved during
the wait. A repair still not sent at the end leaves one `UNREPAIRED` audit row per record whose
cells stay wrong (`unrepaired`): what they hold and what they should hold, for a person to fix.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.cells import clean_id
from services.storage import Adopt, Conflict, Row, StoreError, Update
from services.storage.repairs import ACTOR, LEFT, REPLACED, RESTORED, UNREPAIRED, WITHDRAWN
from services.storage.rules import should_update

MAX_ROUNDS = 3  # repair writes per save, each checked in its own reply


@dataclass(eq=False)
class Target:
    """One row an update wrote into: where, what it expected to find there, what it wrote, for whom.

    `base` is the row as planned from (the snapshot): the row that must still be at `row` when
    the write lands. `owner` is the submission the write belongs to (None for a restore) and
    `op` the operation (None for a restore).
    """

    tab: str
    row: int
    base: Mapping[str, str]
    written: dict[str, str]
    owner: Any = None
    op: Update | Adopt | None = None
    was: Mapping[str, str] = field(default_factory=dict)  # a restore: what the cells held

    def holds(self, rows: Mapping[int, Row]) -> bool:
        """Did the write land in the row it was meant for?"""
        found = rows.get(self.row)
        if found is None:
            return False
        record_id = self.base.get("id", "")
        if record_id and "id" not in self.written:
            return clean_id(found.cells.get("id", "")) == clean_id(record_id)
        return all(
            found.cells.get(f, "") == v for f, v in self.base.items() if f not in self.written
        )


@dataclass
class Leftover:
    """A cell the engine wrote into the wrong record's row and could not put back."""

    tab: str
    row: int
    record: str  # the id of the record whose row it is ("" when it has none)
    field: str
    written: str  # what the misdirected write put there
    should_be: str  # what the record held before
    now: str  # what the cell holds now (a person's edit)


@dataclass
class Repair:
    """The cells a repair writes, and what the next round must check and tell."""

    cells: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    audit: list[dict[str, str]] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)

    def put(self, target: Target) -> None:
        self.cells.setdefault((target.tab, target.row), {}).update(target.written)
        self.targets.append(target)


def misdirected(targets: Sequence[Target], after: Mapping[str, Mapping[int, Row]]) -> list[Target]:
    """The targets whose write is not in the row it was meant for."""
    return [t for t in targets if not t.holds(after.get(t.tab, {}))]


def plan_repair(
    missed: Sequence[Target],
    targets: Sequence[Target],
    snapshot: Mapping[str, Sequence[Row]],
    after: Mapping[str, Mapping[int, Row]],
    now: str,
) -> Repair:
    """What to write so that every missed write is undone, then redone where its record is now.

    Restores come first, and the intended records are looked for in the sheet as the restores
    leave it; a submission that cannot be redone has its landed writes restored as well.
    """
    repair = Repair()
    for target in missed:
        _restore(target, snapshot, after, repair, now)
    view = _with(after, repair.cells)
    failed = _replace(missed, view, repair, now)
    owners_failed = {id(t.owner) for t in failed}
    for target in targets:
        landed = all(target is not t for t in missed)
        if landed and target.owner is not None and id(target.owner) in owners_failed:
            _restore(target, snapshot, after, repair, now)
    return repair


def _with(
    after: Mapping[str, Mapping[int, Row]], cells: Mapping[tuple[str, int], Mapping[str, str]]
) -> dict[str, dict[int, Row]]:
    """The rows as they will be once `cells` are written."""
    view = {name: dict(rows) for name, rows in after.items()}
    for (tab, number), changes in cells.items():
        row = view[tab][number]
        view[tab][number] = Row(number, {**row.cells, **changes})
    return view


def _replace(
    missed: Sequence[Target],
    view: Mapping[str, Mapping[int, Row]],
    repair: Repair,
    now: str,
) -> list[Target]:
    """Write each missed operation where its record is now; the targets that could not be."""
    failed = []
    for target in missed:
        if target.op is None:
            _again(target, view.get(target.tab, {}), repair, now)
            continue
        try:
            placed = _place(target, view.get(target.tab, {}))
        except StoreError as error:
            target.owner.error = error
            failed.append(target)
            repair.audit.append(_audit(now, WITHDRAWN, target.tab, _id(target), {}, {}))
            continue
        if placed is not None:
            repair.put(placed)
            repair.audit.append(
                _audit(now, REPLACED, target.tab, _id(target), {}, placed.written, placed.row)
            )
    return failed


def _again(target: Target, rows: Mapping[int, Row], repair: Repair, now: str) -> None:
    """A restore that went astray, written again into its record's row as it is now: only the
    cells that still hold what the restore was to replace."""
    record_id = target.base.get("id", "")
    found = next((r for r in rows.values() if record_id and _same_id(r, record_id)), None)
    if found is None:
        return
    back = {}
    for name, value in target.written.items():
        held = found.cells.get(name, "")
        if held == target.was.get(name):
            back[name] = value
        elif held != value:  # a person changed it since: theirs stays, and is shown
            was = target.was.get(name, "")
            left = Leftover(target.tab, found.number, record_id, name, was, value, held)
            repair.leftovers.append(left)
            before, after = {name: was}, {name: held}
            repair.audit.append(_audit(now, LEFT, target.tab, record_id, before, after, left.row))
    if back:
        repair.put(Target(target.tab, found.number, found.cells, back, was=target.was))


def _place(target: Target, rows: Mapping[int, Row]) -> Target | None:
    """The intended write, addressed to where its record is in `rows`; None: already there."""
    op = target.op
    if isinstance(op, Update):
        found = next((r for r in rows.values() if _same_id(r, op.id)), None)
        if not should_update(op, found.cells if found else None):
            return None
        assert found is not None
        return Target(target.tab, found.number, found.cells, dict(op.changes), target.owner, op)
    assert isinstance(op, Adopt)
    wanted = {f: op.expected.get(f, "") for f in target.base}
    same = [r for r in rows.values() if {f: r.cells.get(f, "") for f in wanted} == wanted]
    if len(same) != 1:
        raise Conflict(op.tab, "", [], row=op.row)
    return Target(target.tab, same[0].number, same[0].cells, target.written, target.owner, op)


def _restore(
    target: Target,
    snapshot: Mapping[str, Sequence[Row]],
    after: Mapping[str, Mapping[int, Row]],
    repair: Repair,
    now: str,
) -> None:
    """Put back what `target`'s write overwrote in the row it landed in, cell by cell, unless a
    person changed the cell since (a Leftover)."""
    landed = after.get(target.tab, {}).get(target.row)
    if landed is None:
        return  # the row is gone: nothing of ours is left in it
    before = _original(target, landed, snapshot.get(target.tab, ()))
    back, left = {}, []
    for name, value in target.written.items():
        should_be = before.get(name) if before is not None else None
        if landed.cells.get(name, "") != value or should_be is None:
            left.append(_leftover(target, landed, name, value, should_be))
        elif should_be != value:
            back[name] = should_be
    record = landed.cells.get("id", "")
    if back:
        was = {f: landed.cells.get(f, "") for f in back}
        repair.put(Target(target.tab, landed.number, landed.cells, back, was=was))
        written = {f: target.written[f] for f in back}
        repair.audit.append(_audit(now, RESTORED, target.tab, record, written, back, landed.number))
    for leftover in left:
        repair.leftovers.append(leftover)
        before_, after_ = {leftover.field: leftover.written}, {leftover.field: leftover.now}
        repair.audit.append(_audit(now, LEFT, target.tab, record, before_, after_, landed.number))


def _original(target: Target, landed: Row, snapshot: Sequence[Row]) -> Mapping[str, str] | None:
    """The snapshot's cells of the row the write landed in: by id when the write did not set the
    id, otherwise the one row equal to it in every unwritten cell (None: not known)."""
    record_id = landed.cells.get("id", "")
    if record_id and "id" not in target.written:
        found = [r for r in snapshot if _same_id(r, record_id)]
    else:
        unwritten = {f: v for f, v in landed.cells.items() if f not in target.written}
        found = [r for r in snapshot if all(r.cells.get(f, "") == v for f, v in unwritten.items())]
    return found[0].cells if len(found) == 1 else None


def _leftover(
    target: Target, landed: Row, name: str, value: str, should_be: str | None
) -> Leftover:
    now = landed.cells.get(name, "")
    record = landed.cells.get("id", "")
    return Leftover(target.tab, landed.number, record, name, value, should_be or "", now)


def _same_id(row: Row, record_id: str) -> bool:
    return clean_id(row.cells.get("id", "")) == clean_id(record_id)


def _id(target: Target) -> str:
    op = target.op
    return op.id if op is not None else target.base.get("id", "")


def _audit(
    now: str,
    action: str,
    tab: str,
    record: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
    row: int | None = None,
) -> dict[str, str]:
    """An audit row of the engine's own repair (its request key says which sheet row)."""
    return {
        "id": f"NK-SUA-{uuid.uuid4().hex[:12].upper()}",
        "at": now,
        "actor": ACTOR,
        "action": action,
        "tab": tab,
        "record_id": record,
        "before": json.dumps(dict(before), ensure_ascii=False),
        "after": json.dumps(dict(after), ensure_ascii=False),
        "request_key": f"hang-{row}" if row is not None else "",
    }


def readdress(repair: Repair, rows: Mapping[str, Mapping[int, Row]], now: str) -> Repair:
    """A repair Google did not apply, planned again on the sheet as it is now (`rows`): each
    restore into its record's row wherever it is, only for cells still holding the stray value;
    each intended write where its record is now, after the same checks as the first time."""
    again = Repair()
    for target in repair.targets:
        if target.op is not None:
            _replace([target], rows, again, now)
            continue
        record_id = target.base.get("id", "")
        if not record_id or not any(
            _same_id(r, record_id) for r in rows.get(target.tab, {}).values()
        ):
            _report(again, target, now)  # cannot be found again: left for a person
            continue
        put = len(again.targets)
        _again(target, rows.get(target.tab, {}), again, now)
        for back in again.targets[put:]:
            was = {f: back.was.get(f, "") for f in back.written}
            again.audit.append(
                _audit(now, RESTORED, back.tab, record_id, was, back.written, back.row)
            )
    return again


def landed(repair: Repair, rows: Mapping[str, Mapping[int, Row]], audit_ids: set[str]) -> bool:
    """After a repair write timed out: is it in the sheet? Its audit rows are (batchUpdate is
    atomic), or — a repair without one — every record it wrote holds its cells."""
    if repair.audit:
        return all(clean_id(row["id"]) in audit_ids for row in repair.audit)
    return all(_held(target, rows.get(target.tab, {})) for target in repair.targets)


def _held(target: Target, rows: Mapping[int, Row]) -> bool:
    record_id = target.written.get("id") or target.base.get("id", "")
    found = [r for r in rows.values() if record_id and _same_id(r, record_id)]
    return len(found) == 1 and all(found[0].cells.get(f) == v for f, v in target.written.items())


def unrepaired(repair: Repair, now: str) -> Repair:
    """The audit rows (and leftovers) of a repair Google never applied: for each record whose
    cells the stray write changed, what they hold now and what they should hold."""
    report = Repair()
    for target in repair.targets:
        if target.op is None:
            _report(report, target, now)
    return report


def _report(report: Repair, target: Target, now: str) -> None:
    record = target.base.get("id", "")
    held = {f: target.was.get(f, "") for f in target.written}
    report.audit.append(
        _audit(now, UNREPAIRED, target.tab, record, held, target.written, target.row)
    )
    for name, value in target.written.items():
        was = held[name]
        report.leftovers.append(Leftover(target.tab, target.row, record, name, was, value, was))


def fail_unrepaired(missed: Sequence[Target], fail: Callable[[Any, StoreError], None]) -> None:
    """After the last round: each submission whose write is still astray is told so."""
    for target in missed:
        if target.owner is not None:
            fail(target.owner, StoreError("misdirected", tab=target.tab, id=_id(target)))


def rows_by_number(grids: Mapping[str, Sequence[Row]]) -> dict[str, dict[int, Row]]:
    return {name: {r.number: r for r in rows} for name, rows in grids.items()}
