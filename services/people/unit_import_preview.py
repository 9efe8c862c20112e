"""Preview a unit list: what importing it would do, row by row, against the units as they are
now (see `unit_import` for the steps). Nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import error_messages, to_cell
from schemas.models import Unit, UnitKind
from schemas.vntext import clean
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import InvalidInput
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx_read import Table
from services.people import list_import as li
from services.people.list_import import ColumnMap, Line, Names
from services.people.unit_import import (
    CONTACTS,
    FIELDS,
    Absent,
    Action,
    UnitPreview,
    UnitRow,
    kind_from_name,
    parse_kind,
    staying_below,
)


def _split_names(text: str) -> list[str]:
    return [clean(n) for n in text.replace("\n", ";").split(";") if clean(n)]


@dataclass
class _Context:
    wb: Workbook
    batch: str
    root: str
    current: Names  # units that exist now
    everyone: Names  # every unit ever, for the "Hình thành từ" column
    uppers: Names  # upper units that exist now, and those the list adds
    seen: dict[str, int] = field(default_factory=dict)  # name key -> first row with that name


def preview_units(rt: Runtime, actor: Actor, table: Table, columns: ColumnMap) -> UnitPreview:
    """What importing the list would do, row by row, against the units as they are now."""
    ensure_province(actor, "nhập danh sách đơn vị")
    if "name" not in columns.columns:
        raise InvalidInput(["Cột Tên đơn vị: hãy chọn cột chứa tên đơn vị"])
    wb = rt.workbook()
    lines = li.read_lines(table, columns, FIELDS)
    ctx = _context(wb, li.fingerprint(table, columns))
    rows = [_first_pass(ctx, line) for line in lines.rows]
    for row, line in zip(rows, lines.rows, strict=True):
        if not row.problems:
            _second_pass(ctx, row, line)
    absent = _absent(wb, rows, lines.rows, ctx)
    for row in rows:
        row.shown = li.described(wb, tabs.UNITS, row.changes)
    return UnitPreview(rows, absent, lines.skipped, lines.blank, ctx.batch)


def _context(wb: Workbook, batch: str) -> _Context:
    now = {u.id: u.name for u in wb.units.values() if u.valid_until is None and u.active}
    uppers = {i: n for i, n in now.items() if not wb.units[i].kind.is_grassroots}
    roots = wb.root_ids()
    return _Context(
        wb,
        batch,
        roots[0] if roots else "",
        Names(now),
        Names({u.id: u.name for u in wb.units.values()}),
        Names(uppers),
    )


def _first_pass(ctx: _Context, line: Line) -> UnitRow:
    """The row's own unit: matched by id or name (its predecessors left out), or a new id."""
    row = UnitRow(line.number, line.get("name"))
    if not row.name:
        row.problems.append("Tên đơn vị: ô trống — hãy nhập tên đơn vị hoặc xoá dòng này")
        return row
    key = li.folded(row.name)
    if key in ctx.seen:
        row.problems.append(f"Trùng tên với dòng {ctx.seen[key]} của tệp")
        return row
    ctx.seen[key] = row.number
    sources = _predecessors(ctx, row, line)
    _match(ctx, row, line, sources)
    row.kind = parse_kind(line.get("kind")) if line.get("kind") else None
    if line.get("kind") and row.kind is None:
        row.problems.append(f"Loại đơn vị: không hiểu '{line.get('kind')}'")
    row.kind = row.kind or _kind_of(ctx, row)
    if row.action == Action.ADD and row.kind is not None and not row.kind.is_grassroots:
        ctx.uppers.add(row.unit_id, row.name)
    return row


def _kind_of(ctx: _Context, row: UnitRow) -> UnitKind | None:
    if row.exists:
        return ctx.wb.units[row.unit_id].kind
    return kind_from_name(row.name)


def _match(ctx: _Context, row: UnitRow, line: Line, sources: tuple[str, ...]) -> None:
    given = line.get("id")
    if given and given in ctx.wb.units:
        row.unit_id, row.action = given, Action.SAME
    else:
        found = ctx.current.find(row.name, leaving_out=sources)
        if len(found.ids) > 1:
            names = ", ".join(_where(ctx.wb, i) for i in found.ids)
            row.problems.append(f"Tên đơn vị: trùng với nhiều đơn vị ({names}); hãy ghi rõ hơn")
            return
        if found.ids:
            row.unit_id, row.action = found.ids[0], Action.SAME
            if found.near:
                row.near.append(f"'{row.name}' ↔ '{ctx.wb.unit_name(found.ids[0])}'")
    if row.action == Action.SAME:
        row.exists = True
        row.stored_name = ctx.wb.unit_name(row.unit_id)
        if given and row.name != row.stored_name:
            row.changes["name"] = row.name  # matched by its id: the list renames it
    else:
        row.unit_id = records.record_id(tabs.UNITS.name, li.row_key("u", row.number, ctx.batch))
    done = set(ctx.wb.units[row.unit_id].predecessor_ids) if row.exists else set()
    row.sources = tuple(s for s in sources if s not in done)
    if row.sources:
        row.action = Action.MERGE


def _where(wb: Workbook, unit_id: str) -> str:
    unit = wb.units[unit_id]
    return f"{unit.name} thuộc {wb.unit_name(unit.parent_id)}" if unit.parent_id else unit.name


def _predecessors(ctx: _Context, row: UnitRow, line: Line) -> tuple[str, ...]:
    """The units of the "Hình thành từ" cell, each found once (an error row otherwise)."""
    found: list[str] = []
    for name in _split_names(line.get("predecessors")):
        hit = ctx.current.find(name)
        if not hit.ids:
            hit = ctx.everyone.find(name)
        if len(hit.ids) != 1:
            why = "không tìm thấy" if not hit.ids else "trùng với nhiều đơn vị"
            row.problems.append(f"Hình thành từ: '{name}' {why} trong danh sách đơn vị")
            continue
        if hit.near:
            row.near.append(f"'{name}' ↔ '{ctx.wb.unit_name(hit.ids[0])}'")
        found.append(hit.ids[0])
    return tuple(dict.fromkeys(found))


def _second_pass(ctx: _Context, row: UnitRow, line: Line) -> None:
    """The upper unit, kind and contacts, once every unit of the list has its id."""
    _parent(ctx, row, line)
    if row.kind is None:
        row.problems.append(
            "Loại đơn vị: chưa xác định — thêm cột Loại đơn vị (Xã, Phường, Đoàn Khối…) "
            "hoặc ghi tên đầy đủ như 'Đoàn xã …'"
        )
        return
    _sources_usable(ctx, row)
    if row.exists:
        _changes(ctx, row, line)
    else:
        _new_cells(ctx, row, line)
    if row.action == Action.ADD and li.plain_name(row.name):
        row.notes.append("Tên không dấu hoặc viết hoa toàn bộ: sẽ lưu đúng như trong tệp")


def _parent(ctx: _Context, row: UnitRow, line: Line) -> None:
    text = line.get("parent")
    if not text:
        existing = ctx.wb.units.get(row.unit_id) if row.exists else None
        row.parent_id = (existing.parent_id or "") if existing else ctx.root
        return
    found = ctx.uppers.find(text, leaving_out=(row.unit_id,))
    if len(found.ids) != 1:
        why = "không tìm thấy đơn vị cấp trên" if not found.ids else "trùng với nhiều đơn vị"
        row.problems.append(f"Đơn vị cấp trên: '{text}' — {why} đang hoạt động")
        return
    if found.near:
        row.near.append(f"'{text}' ↔ '{_upper_name(ctx, found.ids[0])}'")
    row.parent_id = found.ids[0]


def _upper_name(ctx: _Context, unit_id: str) -> str:
    names = ctx.uppers.exact
    return ctx.wb.unit_name(unit_id) if unit_id in ctx.wb.units else _name_in(names, unit_id)


def _name_in(names: dict[str, list[str]], unit_id: str) -> str:
    return next((k for k, ids in names.items() if unit_id in ids), unit_id)


def _sources_usable(ctx: _Context, row: UnitRow) -> None:
    for source in row.sources:
        unit = ctx.wb.units[source]
        if unit.valid_until is not None:
            row.problems.append(
                f"Hình thành từ: {unit.name} đã ngừng hoạt động từ {unit.valid_until:%d/%m/%Y}"
            )
        elif source == row.parent_id:
            row.problems.append(f"Hình thành từ: {unit.name} là đơn vị cấp trên của dòng này")


def _changes(ctx: _Context, row: UnitRow, line: Line) -> None:
    unit = ctx.wb.units[row.unit_id]
    wanted = {**_contact_cells(line), "kind": to_cell(row.kind), "parent_id": row.parent_id}
    wanted.update(row.changes)
    row.changes = {f: v for f, v in wanted.items() if unit.cells.get(f, "") != v}
    row.problems += _invalid({**unit.cells, **row.changes})
    if row.changes and row.action == Action.SAME:
        row.action = Action.UPDATE


def _contact_cells(line: Line) -> dict[str, str]:
    """The contacts the list gives (an empty cell never blanks what is stored)."""
    return {
        f: line.get(f).replace(".", "") if f in ("members", "chi_doan") else line.get(f)
        for f in CONTACTS
        if line.get(f)
    }


def _new_cells(ctx: _Context, row: UnitRow, line: Line) -> None:
    row.changes = {
        "id": row.unit_id,
        "name": row.name,
        "kind": to_cell(row.kind),
        "parent_id": row.parent_id,
        "active": to_cell(True),
        **_contact_cells(line),
    }
    row.problems += _invalid(row.changes)


def _invalid(cells: dict[str, str]) -> list[str]:
    try:
        Unit.from_cells(cells)
    except ValidationError as exc:
        return error_messages(exc, {f: h for f, h in tabs.UNITS.columns})
    return []


def _absent(wb: Workbook, rows: list[UnitRow], lines: list[Line], ctx: _Context) -> list[Absent]:
    """Units that exist now and that the list neither holds, merges, nor places others under."""
    used = {r.unit_id for r in rows} | {s for r in rows for s in r.sources}
    used |= {r.parent_id for r in rows} | {ctx.root}
    leaving = {s for r in rows for s in r.sources} | {
        r.unit_id for r in rows if r.changes.get("parent_id") and r.exists
    }
    found: list[Absent] = []
    for unit in wb.units.values():
        if unit.id in used or unit.valid_until is not None or not unit.active:
            continue
        people = [u.email for u in wb.users.values() if u.unit_id == unit.id and u.active]
        below = staying_below(wb, unit.id, leaving | {a.unit.id for a in found})
        found.append(Absent(unit, wb.unit_name(unit.parent_id or ""), people, below))
    return sorted(found, key=lambda a: (a.parent_name, a.unit.name))
