"""Set up or change the whole unit tree from the unit list staff keep (province staff).

`preview_units` reads the list (see `list_import`) against the units as they are now and says,
row by row, what would happen: a unit added, one matched (changed or not), a merge from the
"Hình thành từ" column, a near match to confirm, an error; and which existing units the list does
not hold. Nothing is written. `apply_units` plans again on the data as it is then (a stale preview
is never applied blindly) and writes what the person accepted: merges one by one through
`unit_changes.apply_change` (each all-or-nothing, audited, reversible), then additions and updates
in all-or-nothing chunks, then the ticked deactivations. Every write's key comes from the list's
content, so a run that failed part-way is completed by running it again, without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import error_messages, iso, to_cell
from schemas.models import Unit, UnitChangeKind, UnitKind
from schemas.vntext import clean
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import InvalidInput
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx_read import Table
from services.people import list_import as li
from services.people import unit_changes as uc
from services.people.list_import import ColumnMap, Field, Line, Names, Progress

K = UnitKind
ACTION = "Nhập danh sách đơn vị"
FIELDS = (
    Field("id", "Mã đơn vị", ("ma don vi", "ma dv", "ma")),
    Field(
        "name",
        "Tên đơn vị",
        ("ten don vi", "ten dv", "don vi", "ten", "ten co so doan", "ten doan co so", "co so doan"),
        required=True,
    ),
    Field("kind", "Loại đơn vị", ("loai don vi", "loai", "loai hinh", "loai hinh don vi")),
    Field("parent", "Đơn vị cấp trên", ("don vi cap tren", "cap tren", "truc thuoc", "thuoc")),
    Field("members", "Số đoàn viên", ("so doan vien", "doan vien", "sl doan vien", "so dv")),
    Field("chi_doan", "Số chi đoàn", ("so chi doan", "chi doan", "sl chi doan")),
    Field("phone", "Điện thoại", ("dien thoai", "sdt", "so dt", "dt", "so dien thoai")),
    Field("email", "Email", ("email", "e mail", "thu dien tu", "mail")),
    Field("secretary", "Bí thư", ("bi thu", "ho ten bi thu", "ho va ten bi thu", "ten bi thu")),
    Field(
        "predecessors",
        "Hình thành từ",
        ("hinh thanh tu", "sap nhap tu", "hop nhat tu", "tien than", "don vi cu"),
    ),
)
LABELS = {f.name: f.label for f in FIELDS}
CONTACTS = ("members", "chi_doan", "secretary", "phone", "email")
# Short words a kind cell may hold, folded (header_key), and the names that tell a kind.
KIND_WORDS = {
    "xa": K.XA,
    "phuong": K.PHUONG,
    "thi tran": K.THI_TRAN,
    "doan khoi": K.DOAN_KHOI,
    "khoi": K.DOAN_KHOI,
    "huyen": K.CAP_HUYEN,
    "cap huyen": K.CAP_HUYEN,
    "thpt": K.TRUONG_THPT,
    "truong thpt": K.TRUONG_THPT,
    "dai hoc": K.TRUONG_DH_CD,
    "cao dang": K.TRUONG_DH_CD,
    "co quan": K.CO_QUAN,
    "doanh nghiep": K.DOANH_NGHIEP,
    "cong an": K.LUC_LUONG_VU_TRANG,
    "quan su": K.LUC_LUONG_VU_TRANG,
}
NAME_PREFIXES = (
    ("doan xa ", K.XA),
    ("doan phuong ", K.PHUONG),
    ("doan thi tran ", K.THI_TRAN),
    ("doan khoi ", K.DOAN_KHOI),
    ("huyen doan ", K.CAP_HUYEN),
    ("thanh doan ", K.CAP_HUYEN),
    ("thi doan ", K.CAP_HUYEN),
    ("doan truong thpt ", K.TRUONG_THPT),
    ("doan truong dai hoc ", K.TRUONG_DH_CD),
    ("doan truong cao dang ", K.TRUONG_DH_CD),
    ("doan thanh nien cong an ", K.LUC_LUONG_VU_TRANG),
    ("doan co so cong ty ", K.DOANH_NGHIEP),
)


class Action:
    ADD = "Thêm mới"
    SAME = "Khớp — không đổi"
    UPDATE = "Khớp — cập nhật"
    MERGE = "Hợp nhất"
    ERROR = "Lỗi"


# What a row can come to, in the order the preview counts them.
STATUSES = (Action.ADD, Action.MERGE, Action.UPDATE, Action.SAME, li.NEAR, Action.ERROR)


@dataclass
class UnitRow:
    """What one row of the list would do."""

    number: int
    name: str
    action: str = Action.ADD
    unit_id: str = ""  # the matched unit, or the id an added unit will get
    exists: bool = False  # unit_id is a unit stored now
    stored_name: str = ""
    kind: UnitKind | None = None
    parent_id: str = ""
    changes: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # units to merge into this one
    near: list[str] = field(default_factory=list)  # matches found only after folding
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shown: str = ""  # the changes in words

    @property
    def needs_confirming(self) -> bool:
        return bool(self.near) and not self.problems

    @property
    def status(self) -> str:
        if self.problems:
            return Action.ERROR
        return li.NEAR if self.near else self.action


@dataclass
class Absent:
    """An existing unit the list does not hold, with the users who would lose access."""

    unit: Unit
    parent_name: str
    users: list[str]
    below: list[str]  # units under it that stay: it cannot end while they do


@dataclass
class UnitPreview:
    rows: list[UnitRow]
    absent: list[Absent]
    skipped: list[li.Skipped]
    blank: int
    batch: str

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


@dataclass(frozen=True)
class Accepted:
    """What the person ticked and typed on the preview."""

    effective_on: date
    decision_number: str = ""
    confirmed: frozenset[int] = frozenset()  # row numbers of near matches they confirmed
    deactivate: frozenset[str] = frozenset()  # ids of absent units to deactivate


@dataclass
class ImportOutcome:
    merged: int = 0
    added: int = 0
    updated: int = 0
    deactivated: int = 0


# ---- reading rows --------------------------------------------------------------------------------


def parse_kind(text: str) -> UnitKind | None:
    """A kind typed the way staff write it ('Xã', 'phuong', 'Đoàn Khối', 'THPT')."""
    key = li.header_key(text)
    for kind in UnitKind:
        if li.header_key(kind.value) == key:
            return kind
    return KIND_WORDS.get(key)


def kind_from_name(name: str) -> UnitKind | None:
    """The kind a unit's name tells ('Đoàn xã …' is a xã), when the list has no kind column."""
    key = li.header_key(name) + " "
    return next((kind for prefix, kind in NAME_PREFIXES if key.startswith(prefix)), None)


def _split_names(text: str) -> list[str]:
    return [clean(n) for n in text.replace("\n", ";").split(";") if clean(n)]


# ---- the preview ---------------------------------------------------------------------------------


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


# ---- applying ------------------------------------------------------------------------------------


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
    new = () if existing else (uc.NewUnit(row.name, row.kind or K.XA, row.parent_id),)
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


def staying_below(wb: Workbook, unit_id: str, ending: set[str]) -> list[str]:
    """Units directly under this one that go on existing (so it cannot end with the list)."""
    return [
        wb.units[c].name
        for c in wb.children.get(unit_id, ())
        if c not in ending and wb.units[c].valid_until is None and wb.units[c].active
    ]
