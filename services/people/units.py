"""The unit register: browse the tree, add and edit units, assign each unit's follow-up officer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import TINH_DOAN_AT_THE_TOP, Role, Unit, UnitForm, UnitKind, form_cells
from schemas.vntext import matches, name_key, sort_key
from services.core import records
from services.core.access import (
    Actor,
    ensure_can_add_under,
    ensure_can_manage,
    ensure_can_view,
    ensure_province,
    scope,
)
from services.core.errors import AccessDenied, InvalidInput, NotFound
from services.core.forms import validate
from services.core.runtime import Runtime
from services.core.workbook import Workbook


@dataclass(frozen=True)
class UnitLine:
    """A unit as the register lists it, with its upper unit's name and depth in the tree.

    `members` and `chi_doan` are the unit's own counts, or for an upper unit the totals of the
    active grassroots units below it.
    """

    unit: Unit
    parent_name: str
    depth: int
    members: int | None = None
    chi_doan: int | None = None


def list_units(
    rt: Runtime,
    actor: Actor,
    query: str = "",
    parent_id: str | None = None,
    kind: UnitKind | None = None,
    include_inactive: bool = True,
) -> list[UnitLine]:
    """Units this person may see, filtered, in tree order (Vietnamese alphabetical per level)."""
    wb = rt.workbook()
    visible = scope(wb, actor)
    under = wb.subtree(parent_id) - {parent_id} if parent_id else visible
    totals = rt.derived("unit_totals", _upper_totals)
    lines = []
    for unit_id in _tree_order(wb, visible):
        unit = wb.units[unit_id]
        if unit_id not in under or (kind and unit.kind is not kind):
            continue
        if (query and not matches(query, unit.name)) or (not include_inactive and not unit.active):
            continue
        parent = wb.unit_name(unit.parent_id) if unit.parent_id else ""
        members, chi_doan = totals.get(unit_id, (unit.members, unit.chi_doan))
        lines.append(UnitLine(unit, parent, len(wb.ancestors(unit_id)), members, chi_doan))
    return lines


def _upper_totals(wb: Workbook) -> dict[str, tuple[int, int]]:
    """Members and chi đoàn of every upper unit: the sums over the active grassroots units below."""
    totals: dict[str, list[int]] = {}
    for unit in wb.grassroots(wb.units):
        for upper in wb.ancestors(unit.id):
            sums = totals.setdefault(upper, [0, 0])
            sums[0] += unit.members or 0
            sums[1] += unit.chi_doan or 0
    return {unit_id: (m, c) for unit_id, (m, c) in totals.items()}


def _tree_order(wb: Workbook, visible: set[str]) -> list[str]:
    tops = [u for u in visible if wb.units[u].parent_id not in visible]
    order: list[str] = []
    stack = sorted(tops, key=lambda u: sort_key(wb.units[u].name), reverse=True)
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(reversed([c for c in wb.children.get(current, ()) if c in visible]))
    return order


def upper_units(rt: Runtime, actor: Actor) -> list[Unit]:
    """Units that can hold other units (province, district level, blocs) within this person's scope."""
    wb = rt.workbook()
    return [
        wb.units[u] for u in _tree_order(wb, scope(wb, actor)) if not wb.units[u].kind.is_grassroots
    ]


def parent_choices(rt: Runtime, actor: Actor, moving: str | None = None) -> list[Unit]:
    """Upper units this person may place a unit under (none for secretaries and viewers).

    When editing, `moving` is the unit being edited: it and its own subtree are left out (no loops).
    """
    wb = rt.workbook()
    excluded = wb.subtree(moving) if moving else set()
    return [
        u
        for u in upper_units(rt, actor)
        if u.id not in excluded and _allows(ensure_can_add_under, wb, actor, u.id)
    ]


def manageable_units(rt: Runtime, actor: Actor) -> list[Unit]:
    """Units this person may edit and give a follow-up officer, in tree order (none if read-only)."""
    wb = rt.workbook()
    return [
        wb.units[u]
        for u in _tree_order(wb, scope(wb, actor))
        if _allows(ensure_can_manage, wb, actor, u)
    ]


def _allows(
    check: Callable[[Workbook, Actor, str], None], wb: Workbook, actor: Actor, unit_id: str
) -> bool:
    try:
        check(wb, actor, unit_id)
    except AccessDenied:
        return False
    return True


def unit_name(rt: Runtime, actor: Actor, unit_id: str) -> str:
    """A unit's name as stored; names are shown to everyone signed in, like the tree above them."""
    return rt.workbook().unit_name(unit_id)


def get_unit(rt: Runtime, actor: Actor, unit_id: str) -> Unit:
    wb = rt.workbook()
    if unit_id not in wb.units:
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.")
    ensure_can_view(wb, actor, unit_id)
    return wb.units[unit_id]


def add_unit(rt: Runtime, actor: Actor, data: dict[str, Any], request_key: str) -> Unit:
    """Add a unit under an upper unit in this person's scope; its name must be new under that parent."""
    if actor.role not in (Role.PROVINCE, Role.UPPER):  # access before validation
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn và cán bộ Đoàn cấp trên mới được thêm đơn vị.")
    form = validate(UnitForm, data)
    with rt.store.serialised():
        wb = rt.workbook()
        rec_id = records.record_id(tabs.UNITS.name, request_key)
        if rec_id in wb.units:
            ensure_can_view(wb, actor, rec_id)  # a key naming another unit must not hand it out
            return wb.units[rec_id]  # the same submission twice: stored once
        _check_placement(wb, actor, form, unit_id=None)
        now = rt.clock.now()
        cells = {
            **form_cells(form, tabs.UNITS.fields),
            "id": rec_id,
            # it exists from today: a closed round never starts expecting it (Workbook.expected)
            "valid_from": to_cell(now.date()),
            "version": "1",
            "updated_at": iso(now),
        }
        rt.store.apply(
            records.create(actor, now, "Thêm đơn vị", cells, tabs.UNITS.name, request_key)
        )
    return Unit.from_cells(cells)


def edit_unit(
    rt: Runtime, actor: Actor, loaded: Unit, data: dict[str, Any], request_key: str
) -> Unit:
    """Save the edit form; refused as a Conflict if anyone changed the unit since `loaded`."""
    ensure_can_manage(rt.workbook(), actor, loaded.id)  # access before validation
    form = validate(UnitForm, data)
    with rt.store.serialised():
        wb = rt.workbook()
        ensure_can_manage(wb, actor, loaded.id)
        _check_placement(wb, actor, form, unit_id=loaded.id)
        cells = form_cells(form, tabs.UNITS.fields)
        rt.store.apply(
            records.change(actor, rt.clock.now(), "Sửa đơn vị", loaded, cells, request_key)
        )
    return rt.workbook().units[loaded.id]


def assign_officer(rt: Runtime, actor: Actor, loaded: Unit, officer: str, request_key: str) -> Unit:
    """Name the upper unit's officer who follows, guides and pushes this unit (cán bộ theo dõi)."""
    wb = rt.workbook()
    ensure_can_manage(wb, actor, loaded.id)
    cells = {"officer": " ".join(officer.split())}
    if len(cells["officer"]) > 200:
        raise InvalidInput(["Cán bộ theo dõi: quá dài (tối đa 200 ký tự)"])
    rt.store.apply(
        records.change(
            actor, rt.clock.now(), "Phân công cán bộ theo dõi", loaded, cells, request_key
        )
    )
    return rt.workbook().units[loaded.id]


def _check_placement(wb: Workbook, actor: Actor, form: UnitForm, unit_id: str | None) -> None:
    """Rules that need the tree: a real upper unit in scope, no loop, a name new under the parent."""
    if not form.parent_id:
        editing_root = unit_id is not None and unit_id in wb.root_ids()
        first_unit = unit_id is None and not wb.units
        if not (editing_root or first_unit) or form.kind is not UnitKind.TINH_DOAN:
            raise InvalidInput(["Đơn vị cấp trên: bắt buộc phải chọn"])
        ensure_province(actor, "sửa Tỉnh đoàn")
        return
    parent = wb.units.get(form.parent_id)
    if parent is None:
        raise InvalidInput([f"Đơn vị cấp trên: không tồn tại (mã {form.parent_id})"])
    ensure_can_add_under(wb, actor, parent.id)
    if form.kind is UnitKind.TINH_DOAN:  # province staff's role hangs on this kind
        raise InvalidInput([TINH_DOAN_AT_THE_TOP])
    if parent.kind.is_grassroots:
        raise InvalidInput(
            [f"Đơn vị cấp trên: {parent.name} là đoàn cơ sở, không thể có đơn vị trực thuộc"]
        )
    if unit_id and (form.parent_id == unit_id or unit_id in wb.ancestors(form.parent_id)):
        raise InvalidInput(
            ["Đơn vị cấp trên: không thể chọn chính đơn vị này hoặc một đơn vị trực thuộc nó"]
        )
    key = name_key(form.name)
    for sibling_id in wb.children.get(form.parent_id, ()):
        if sibling_id != unit_id and name_key(wb.units[sibling_id].name) == key:
            raise InvalidInput(
                [f"Tên đơn vị: đã có '{wb.units[sibling_id].name}' thuộc {parent.name}"]
            )
