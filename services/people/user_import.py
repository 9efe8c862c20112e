"""Give many people access at once from the list staff keep (e-mail, name, role, unit).

Province staff import anyone; an upper-unit officer imports people of the units in its own
subtree, never with a role above its own (no province staff) and never changing someone outside
its subtree. Same steps as the unit list (`unit_import`): a preview that writes nothing, near
matches of unit names confirmed by a tick, then all-or-nothing chunks whose keys come from the
list's content, so a re-run after a failure completes it without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from schemas import tabs
from schemas.cells import error_messages, iso, to_cell
from schemas.models import Role, User
from services.core import records
from services.core.access import Actor, scope
from services.core.errors import AccessDenied, InvalidInput
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.core.xlsx_read import Table
from services.people import list_import as li
from services.people import users
from services.people.list_import import ColumnMap, Field, Line, Names, Progress

ACTION = "Nhập danh sách người dùng"
FIELDS = (
    Field("email", "Email đăng nhập", ("email", "e mail", "email dang nhap", "mail"), True),
    Field("name", "Họ và tên", ("ho va ten", "ho ten", "ten", "ten can bo", "ten nguoi dung")),
    Field("role", "Vai trò", ("vai tro", "quyen", "chuc nang")),
    Field("unit", "Đơn vị", ("don vi", "ten don vi", "ten dv", "don vi cong tac", "co so doan")),
    Field("active", "Được truy cập", ("duoc truy cap", "trang thai", "kich hoat")),
)
ROLE_WORDS = {
    "tinh doan": Role.PROVINCE,
    "can bo tinh doan": Role.PROVINCE,
    "cap tren": Role.UPPER,
    "doan cap tren": Role.UPPER,
    "huyen doan": Role.UPPER,
    "doan khoi": Role.UPPER,
    "bi thu": Role.SECRETARY,
    "bi thu doan co so": Role.SECRETARY,
    "xem": Role.VIEWER,
    "nguoi xem": Role.VIEWER,
}
NO = {"khong", "khoa", "tam khoa", "no", "false", "0"}


class Action:
    ADD = "Thêm mới"
    SAME = "Khớp — không đổi"
    UPDATE = "Khớp — cập nhật"
    ERROR = "Lỗi"


STATUSES = (Action.ADD, Action.UPDATE, Action.SAME, li.NEAR, Action.ERROR)


@dataclass
class UserRow:
    number: int
    email: str
    action: str = Action.ADD
    user_id: str = ""
    unit_name: str = ""
    changes: dict[str, str] = field(default_factory=dict)
    near: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shown: str = ""  # the changes in words

    @property
    def status(self) -> str:
        if self.problems:
            return Action.ERROR
        return li.NEAR if self.near else self.action


@dataclass
class UserPreview:
    rows: list[UserRow]
    skipped: list[li.Skipped]
    blank: int
    batch: str

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def parse_role(text: str) -> Role | None:
    key = li.header_key(text)
    for role in Role:
        if li.header_key(role.value) == key:
            return role
    return ROLE_WORDS.get(key)


def _may_import(actor: Actor) -> None:
    if actor.role not in (Role.PROVINCE, Role.UPPER):
        raise AccessDenied(
            "Chỉ cán bộ Tỉnh đoàn và cán bộ Đoàn cấp trên mới được nhập danh sách người dùng."
        )


def preview_users(rt: Runtime, actor: Actor, table: Table, columns: ColumnMap) -> UserPreview:
    """What importing the list of people would do, row by row; nothing is written."""
    _may_import(actor)
    if "email" not in columns.columns:
        raise InvalidInput(["Cột Email đăng nhập: hãy chọn cột chứa email"])
    wb = rt.workbook()
    lines = li.read_lines(table, columns, FIELDS)
    batch = li.fingerprint(table, columns, actor.id)
    visible = scope(wb, actor)
    names = Names({u: wb.units[u].name for u in visible if wb.units[u].valid_until is None})
    seen: dict[str, int] = {}
    rows = []
    for line in lines.rows:
        row = UserRow(line.number, line.get("email").casefold())
        if row.email in seen:
            row.problems.append(f"Email trùng với dòng {seen[row.email]} của tệp")
        seen.setdefault(row.email, row.number)
        if not row.problems:
            _plan_row(wb, actor, names, row, line, batch)
            row.shown = li.described(wb, tabs.USERS, row.changes)
        rows.append(row)
    return UserPreview(rows, lines.skipped, lines.blank, batch)


def _plan_row(
    wb: Workbook, actor: Actor, names: Names, row: UserRow, line: Line, batch: str
) -> None:
    existing = wb.user_by_email(row.email)
    wanted = _wanted(wb, names, row, line, existing)
    if row.problems:
        return
    if existing is None:
        row.user_id = records.record_id(tabs.USERS.name, li.row_key("p", row.number, batch))
        row.changes = {"id": row.user_id, **wanted}
    else:
        row.user_id = existing.id
        row.changes = {f: v for f, v in wanted.items() if existing.cells.get(f, "") != v}
        row.action = Action.UPDATE if row.changes else Action.SAME
    row.problems += _checked(wb, actor, row, existing)


def _wanted(
    wb: Workbook, names: Names, row: UserRow, line: Line, existing: User | None
) -> dict[str, str]:
    """The cells the list asks for; an empty cell keeps what is stored."""
    wanted: dict[str, str] = {"email": row.email}
    if line.get("name"):
        wanted["name"] = line.get("name")
    if line.get("role"):
        role = parse_role(line.get("role"))
        if role is None:
            row.problems.append(f"Vai trò: không hiểu '{line.get('role')}'")
        else:
            wanted["role"] = to_cell(role)
    if line.get("unit"):
        found = names.find(line.get("unit"))
        if len(found.ids) != 1:
            why = "không tìm thấy trong phạm vi của bạn" if not found.ids else "trùng nhiều đơn vị"
            row.problems.append(f"Đơn vị: '{line.get('unit')}' {why}")
        else:
            wanted["unit_id"] = found.ids[0]
            if found.near:
                row.near.append(f"'{line.get('unit')}' ↔ '{wb.unit_name(found.ids[0])}'")
    if line.get("active"):
        wanted["active"] = to_cell(li.header_key(line.get("active")) not in NO)
    elif existing is None:
        wanted["active"] = to_cell(True)
    return wanted


def _checked(wb: Workbook, actor: Actor, row: UserRow, existing: User | None) -> list[str]:
    """The row's user as it would be stored: valid, fitting its unit, within the actor's reach."""
    cells = {**(existing.cells if existing else {}), **row.changes}
    try:
        user = User.from_cells(cells)
    except ValidationError as exc:
        return error_messages(exc, dict(tabs.USERS.columns))
    problems = []
    unit = wb.units.get(user.unit_id)
    if unit is None:
        problems.append("Đơn vị: bắt buộc với người dùng mới")
    elif not users.fits(user.role, unit):
        problems.append(f"Đơn vị: {unit.name} không phù hợp với vai trò {user.role.value}")
    if existing is not None and existing.email == actor.id and row.changes:
        problems.append("Không thể tự sửa quyền của chính mình qua danh sách")
    if actor.role is Role.UPPER:
        problems += _upper_limits(wb, actor, user, existing)
    return problems


def _upper_limits(wb: Workbook, actor: Actor, user: User, existing: User | None) -> list[str]:
    """An upper-unit officer: people of its own subtree, with no role above its own."""
    below = wb.subtree(actor.unit_id)
    problems = []
    if user.role is Role.PROVINCE:
        problems.append("Vai trò: bạn không thể cấp quyền cán bộ Tỉnh đoàn")
    if user.unit_id not in below:
        problems.append(f"Đơn vị: {wb.unit_name(user.unit_id)} ngoài phạm vi đơn vị của bạn")
    if existing is not None and (existing.unit_id not in below or existing.role is Role.PROVINCE):
        problems.append(
            f"Tài khoản {existing.email} thuộc {wb.unit_name(existing.unit_id)}, ngoài phạm vi "
            "của bạn: chỉ cán bộ Tỉnh đoàn sửa được"
        )
    return problems


def apply_users(
    rt: Runtime,
    actor: Actor,
    table: Table,
    columns: ColumnMap,
    confirmed: frozenset[int] = frozenset(),
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Write the rows without problems (near matches only when confirmed); (added, updated)."""
    with rt.store.serialised():
        preview = preview_users(rt, actor, table, columns)
        rows = [
            r
            for r in preview.rows
            if not r.problems and r.action != Action.SAME and (not r.near or r.number in confirmed)
        ]
        groups = [_row_ops(rt, actor, r, preview.batch) for r in rows]
        li.apply_in_chunks(rt, "Ghi người dùng", groups, progress)
    added = sum(1 for r in rows if r.action == Action.ADD)
    return added, len(rows) - added


def _row_ops(rt: Runtime, actor: Actor, row: UserRow, batch: str) -> li.Ops:
    now = rt.clock.now()
    if row.action == Action.ADD:
        cells = {**row.changes, "version": "1", "updated_at": iso(now)}
        key = li.row_key("p", row.number, batch)
        return records.create(actor, now, ACTION, cells, tabs.USERS.name, key)
    user = rt.workbook().users[row.user_id]
    key = li.row_key("q", row.number, li.short(batch, user.cells.get("version", "")))
    return records.change(actor, now, ACTION, user, row.changes, key)
