"""Apply a unit list the person confirmed on its preview (see `unit_import` for the steps): merges,
then additions and updates in all-or-nothing chunks, then the ticked deactivations."""

from __future__ import annotations

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import UnitChangeKind, UnitKind
from schemas.vntext import clean
from services.core import records
from services.core.access import Actor
from services.core.errors import InvalidInput
from services.core.runtime import Runtime
from services.core.xlsx_read import Table
from services.people import list_import as li
from services.people import unit_changes as uc
from services.people.list_import import ColumnMap, Progress
from services.people.unit_import import (
    ACTION,
    Accepted,
    Action,
    ImportOutcome,
    UnitPreview,
    UnitRow,
    staying_below,
)
from services.people.unit_import_preview import preview_units


def apply_units(
    rt: Runtime,
    actor: Actor,
    table: Table,
    columns: ColumnMap,
    accepted: Accepted,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Write what the person accepted; re-run after a failure to complete it (no duplicates)."""
    preview = preview_units(rt, actor, table, columns)
    merges = [r for r in _accepted(preview, accepted) if r.action == Action.MERGE]
    if (merges or accepted.deactivate) and not clean(accepted.decision_number):
        raise InvalidInput(["Số quyết định: bắt buộc khi có hợp nhất hoặc ngừng hoạt động"])
    outcome = ImportOutcome()
    for n, row in enumerate(merges, start=1):
        uc.apply_change(rt, actor, _merge_request(row, accepted), _merge_key(row, preview))
        outcome.merged += 1
        if progress:
            progress("Hợp nhất đơn vị", n, len(merges))
    with rt.store.serialised():
        preview = preview_units(rt, actor, table, columns)  # merged units now match their rows
        writes = [r for r in _accepted(preview, accepted) if r.action in (ADD_OR_UPDATE)]
        writes.sort(key=lambda r: r.kind is None or r.kind.is_grassroots)  # upper units first
        groups = [_row_ops(rt, actor, r, preview.batch) for r in writes]
        li.apply_in_chunks(rt, "Thêm và cập nhật đơn vị", groups, progress)
        outcome.added = sum(1 for r in writes if r.action == Action.ADD)
        outcome.updated = len(writes) - outcome.added
        outcome.deactivated = _deactivate(rt, actor, preview, accepted, progress)
    return outcome


ADD_OR_UPDATE = (Action.ADD, Action.UPDATE)


def _accepted(preview: UnitPreview, accepted: Accepted) -> list[UnitRow]:
    return [
        r for r in preview.rows if not r.problems and (not r.near or r.number in accepted.confirmed)
    ]


def _merge_request(row: UnitRow, accepted: Accepted) -> uc.ChangeRequest:
    existing = row.unit_id if row.exists else ""
    new = () if existing else (uc.NewUnit(row.name, row.kind or UnitKind.XA, row.parent_id),)
    return uc.ChangeRequest(
        UnitChangeKind.MERGE,
        accepted.effective_on,
        accepted.decision_number,
        row.sources,
        target_id=existing,
        new_units=new,
    )


def _merge_key(row: UnitRow, preview: UnitPreview) -> str:
    """The change's key: row and list first, so the change's own writes (tag, index, then this
    key) stay apart in their first 12 characters."""
    return f"{row.number:05d}{preview.batch}M"


def _row_ops(rt: Runtime, actor: Actor, row: UnitRow, batch: str) -> li.Ops:
    now = rt.clock.now()
    if row.action == Action.ADD:
        # a unit set up from the list exists from today (merges take the decision's date)
        start = to_cell(now.date())
        cells = {**row.changes, "valid_from": start, "version": "1", "updated_at": iso(now)}
        key = li.row_key("u", row.number, batch)
        return records.create(actor, now, ACTION, cells, tabs.UNITS.name, key)
    unit = rt.workbook().units[row.unit_id]
    key = li.row_key("c", row.number, li.short(batch, unit.cells.get("version", "")))
    return records.change(actor, now, ACTION, unit, row.changes, key)


def _deactivate(
    rt: Runtime, actor: Actor, preview: UnitPreview, accepted: Accepted, progress: Progress | None
) -> int:
    """The ticked units the list does not hold end on the effective date and their users are
    locked; an upper unit that still has units under it that stay is left as it is."""
    now = rt.clock.now()
    ending = {"valid_until": to_cell(accepted.effective_on)}
    if accepted.effective_on <= now.date():
        ending["active"] = to_cell(False)
    wb = rt.workbook()
    ticked = {a.unit.id for a in preview.absent if a.unit.id in accepted.deactivate}
    groups: list[li.Ops] = []
    for unit_id in sorted(ticked):
        if staying_below(wb, unit_id, ticked):
            continue
        unit = wb.units[unit_id]
        key = li.row_key("x", 0, li.short(preview.batch, unit.id, unit.cells.get("version", "")))
        ops = records.change(actor, now, ACTION, unit, ending, key)
        for user in wb.users.values():
            if user.unit_id == unit_id and user.active:
                lock_key = li.row_key("l", 0, li.short(preview.batch, user.id))
                ops += records.change(
                    actor, now, ACTION, user, {"active": to_cell(False)}, lock_key
                )
        groups.append(ops)
    return li.apply_in_chunks(rt, "Ngừng hoạt động đơn vị", groups, progress)
