"""Changes of the unit tree over time: merge, split, rename, move, abolish an upper unit.

Each change is planned first (`plan_change`: nothing written, every problem and every user it
touches listed), then applied all-or-nothing with its audit rows (`apply_change`), and can be
reversed by province staff while no record refers to the units it created (`reverse_change`).
A change has an effective date and the decision behind it; the units it ends keep their rows,
with the period they existed in, so past cycles keep their figures. An import of a unit list
builds the same `ChangeRequest`s and applies them one by one (`apply_changes`): each change is
its own all-or-nothing write, and a re-run after a failure skips the changes already applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import (
    TINH_DOAN_AT_THE_TOP,
    Record,
    Role,
    Unit,
    UnitChange,
    UnitChangeKind,
    UnitKind,
    User,
)
from schemas.vntext import clean, name_key
from services.core import records
from services.core.access import (
    Actor,
    ensure_can_add_under,
    ensure_can_manage,
    ensure_province,
)
from services.core.errors import AccessDenied, InvalidInput, NotAllowed, NotFound
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.storage import Append, Update

K = UnitChangeKind
PROVINCE_ONLY = (K.MERGE, K.SPLIT, K.ABOLISH)  # upper units may rename and move in their subtree


@dataclass(frozen=True)
class NewUnit:
    """A unit a merge or split forms."""

    name: str
    kind: UnitKind
    parent_id: str


@dataclass(frozen=True)
class ChangeRequest:
    """What a person asks for.

    merge: `sources` into `target_id` (an existing unit) or into `new_units[0]`;
    split: `sources[0]` into `new_units`; rename: `sources[0]` to `new_name`;
    move: `sources` under `target_id`; abolish: the upper unit `sources[0]`, its units re-parented
    under `target_id`. `move_users`: on a merge, the ended units' users move to the successor
    (otherwise, and on split or abolish, they are disabled).
    """

    kind: UnitChangeKind
    effective_on: date
    decision_number: str
    sources: tuple[str, ...]
    target_id: str = ""
    new_units: tuple[NewUnit, ...] = ()
    new_name: str = ""
    move_users: bool = True


@dataclass(frozen=True)
class UserMove:
    user: User
    action: str  # "Chuyển sang …" / "Khóa truy cập"
    changes: dict[str, str]


@dataclass
class ChangePlan:
    """What applying a request would do; `problems` non-empty means it cannot be applied."""

    request: ChangeRequest
    change_id: str
    summary: str = ""
    created: list[dict[str, str]] = field(default_factory=list)
    updates: list[tuple[Unit, dict[str, str]]] = field(default_factory=list)
    users: list[UserMove] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ended(self) -> list[Unit]:
        return [u for u, c in self.updates if c.get("valid_until")]


# ---- planning ---------------------------------------------------------------------------------


def plan_change(rt: Runtime, actor: Actor, request: ChangeRequest, request_key: str) -> ChangePlan:
    """Preview a change against the data as it is now; raises AccessDenied, never writes."""
    wb = rt.workbook()
    plan = ChangePlan(request, records.record_id(tabs.UNIT_CHANGES.name, request_key))
    _check_access(wb, actor, request)
    plan.problems += _basic_problems(wb, request)
    if plan.problems:
        return plan
    today = rt.clock.now().date()
    build = {
        K.MERGE: _plan_merge,
        K.SPLIT: _plan_split,
        K.RENAME: _plan_rename,
        K.MOVE: _plan_move,
        K.ABOLISH: _plan_abolish,
    }[request.kind]
    build(wb, plan, request_key, today)
    plan.summary = _summary(wb, plan)
    return plan


def _check_access(wb: Workbook, actor: Actor, request: ChangeRequest) -> None:
    """Who may ask at all, before anything typed is read (even a request naming no unit)."""
    if actor.role not in (Role.PROVINCE, Role.UPPER):
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn và cán bộ Đoàn cấp trên mới được thay đổi đơn vị.")
    if request.kind in PROVINCE_ONLY:
        ensure_province(actor, f"thực hiện thay đổi '{request.kind.value}'")
    for unit_id in request.sources:
        if unit_id in wb.units:
            ensure_can_manage(wb, actor, unit_id)
    if request.kind is K.MOVE and request.target_id in wb.units:
        ensure_can_add_under(wb, actor, request.target_id)


def _basic_problems(wb: Workbook, request: ChangeRequest) -> list[str]:
    problems = []
    if not clean(request.decision_number):
        problems.append("Số quyết định: bắt buộc phải nhập")
    if not request.sources:
        problems.append("Đơn vị: hãy chọn ít nhất một đơn vị")
    for unit_id in request.sources:
        unit = wb.units.get(unit_id)
        if unit is None:
            problems.append(f"Đơn vị: không tồn tại (mã {unit_id})")
        elif unit.valid_until is not None:
            problems.append(
                f"Đơn vị: {unit.name} đã ngừng hoạt động từ {unit.valid_until:%d/%m/%Y}"
            )
        elif unit.valid_from and request.effective_on <= unit.valid_from:
            problems.append(
                f"Ngày hiệu lực: phải sau ngày {unit.name} bắt đầu hoạt động "
                f"({unit.valid_from:%d/%m/%Y})"
            )
    if request.target_id and request.target_id not in wb.units:
        problems.append(f"Đơn vị nhận: không tồn tại (mã {request.target_id})")
    return problems


def _end(plan: ChangePlan, unit: Unit, today: date) -> None:
    """The unit stops existing on the effective date (kept, with its period, for the past)."""
    cells = {"valid_until": to_cell(plan.request.effective_on)}
    if plan.request.effective_on <= today:
        cells["active"] = to_cell(False)
    plan.updates.append((unit, cells))


def _new_unit_cells(
    wb: Workbook, plan: ChangePlan, new: NewUnit, n: int, sources: tuple[str, ...]
) -> dict[str, str]:
    name = clean(new.name)
    parent = wb.units.get(new.parent_id)
    if not name:
        plan.problems.append("Tên đơn vị mới: bắt buộc phải nhập")
    if new.kind is UnitKind.TINH_DOAN:  # a formed unit always has an upper unit
        plan.problems.append(f"{name or 'Đơn vị mới'} — {TINH_DOAN_AT_THE_TOP}")
    if parent is None or parent.kind.is_grassroots:
        plan.problems.append(
            f"Đơn vị cấp trên của {name or 'đơn vị mới'}: hãy chọn một đơn vị cấp trên"
        )
    elif _name_taken(wb, new.parent_id, name, set(sources)):
        plan.problems.append(f"Tên đơn vị: đã có '{name}' thuộc {parent.name}")
    return {
        "id": f"{plan.change_id.replace('TD-', 'DV-')}-{n}",
        "name": name,
        "kind": to_cell(new.kind),
        "parent_id": new.parent_id,
        "active": to_cell(True),
        "valid_from": to_cell(plan.request.effective_on),
        "predecessors": ";".join(sources),
        "version": "1",
    }


def _name_taken(wb: Workbook, parent_id: str, name: str, leaving: set[str]) -> bool:
    """Another unit still existing under the parent has this name (the ones ending don't count)."""
    key = name_key(name)
    return any(
        name_key(wb.units[s].name) == key
        for s in wb.children.get(parent_id, ())
        if s not in leaving and wb.units[s].valid_until is None
    )


def _plan_merge(wb: Workbook, plan: ChangePlan, request_key: str, today: date) -> None:
    request = plan.request
    if len(request.sources) + (1 if request.target_id else 0) < 2:
        plan.problems.append("Đơn vị: hợp nhất cần ít nhất hai đơn vị")
        return
    if request.target_id:
        target = wb.units[request.target_id]
        if request.target_id in request.sources:
            plan.problems.append("Đơn vị nhận: không được là một trong các đơn vị được hợp nhất")
            return
        joined = ";".join(dict.fromkeys((*target.predecessor_ids, *request.sources)))
        plan.updates.append((target, {"predecessors": joined}))
        successor = target.id
    elif len(request.new_units) == 1:
        plan.created.append(_new_unit_cells(wb, plan, request.new_units[0], 1, request.sources))
        successor = plan.created[0]["id"]
    else:
        plan.problems.append("Đơn vị mới: hãy chọn đơn vị nhận hoặc nhập tên đơn vị mới")
        return
    for unit_id in request.sources:
        _end(plan, wb.units[unit_id], today)
    _users_of(wb, plan, set(request.sources), successor if request.move_users else "")


def _plan_split(wb: Workbook, plan: ChangePlan, request_key: str, today: date) -> None:
    request = plan.request
    if len(request.sources) != 1 or len(request.new_units) < 2:
        plan.problems.append("Chia tách: chọn một đơn vị và nhập ít nhất hai đơn vị mới")
        return
    for n, new in enumerate(request.new_units, start=1):
        plan.created.append(_new_unit_cells(wb, plan, new, n, request.sources))
    _end(plan, wb.units[request.sources[0]], today)
    _users_of(wb, plan, set(request.sources), "")


def _plan_rename(wb: Workbook, plan: ChangePlan, request_key: str, today: date) -> None:
    request = plan.request
    name = clean(request.new_name)
    unit = wb.units[request.sources[0]]
    if len(request.sources) != 1 or not name:
        plan.problems.append("Tên mới: chọn một đơn vị và nhập tên mới")
    elif name == unit.name:
        plan.problems.append("Tên mới: trùng với tên hiện tại")
    elif unit.parent_id and _name_taken(wb, unit.parent_id, name, {unit.id}):
        plan.problems.append(f"Tên mới: đã có '{name}' thuộc {wb.unit_name(unit.parent_id)}")
    else:
        plan.updates.append((unit, {"name": name}))


def _plan_move(wb: Workbook, plan: ChangePlan, request_key: str, today: date) -> None:
    target = wb.units.get(plan.request.target_id)
    if target is None or target.kind.is_grassroots or target.valid_until is not None:
        plan.problems.append("Đơn vị cấp trên mới: hãy chọn một đơn vị cấp trên đang hoạt động")
        return
    for unit_id in plan.request.sources:
        unit = wb.units[unit_id]
        if unit_id == target.id or unit_id in wb.ancestors(target.id):
            plan.problems.append(
                f"Đơn vị cấp trên mới: không thể chuyển {unit.name} vào chính nó "
                "hoặc một đơn vị trực thuộc nó"
            )
        elif unit.parent_id != target.id:
            plan.updates.append((unit, {"parent_id": target.id}))


def _plan_abolish(wb: Workbook, plan: ChangePlan, request_key: str, today: date) -> None:
    upper = wb.units[plan.request.sources[0]]
    target = wb.units.get(plan.request.target_id)
    if upper.kind.is_grassroots or not upper.parent_id:
        plan.problems.append(f"Đơn vị: {upper.name} không phải đơn vị cấp trên có thể giải thể")
        return
    if target is None or target.kind.is_grassroots or target.id in wb.subtree(upper.id):
        plan.problems.append(
            f"Đơn vị nhận các đơn vị trực thuộc: hãy chọn một đơn vị cấp trên ngoài {upper.name}"
        )
        return
    for child in wb.children.get(upper.id, ()):
        if wb.units[child].valid_until is None:
            plan.updates.append((wb.units[child], {"parent_id": target.id}))
    _end(plan, upper, today)
    _users_of(wb, plan, {upper.id}, "")


def _users_of(wb: Workbook, plan: ChangePlan, ended: set[str], successor: str) -> None:
    """Users attached to ended units: moved to the successor, or disabled."""
    for user in wb.users.values():
        if user.unit_id not in ended or not user.active:
            continue
        if successor:
            action = f"Chuyển sang {_name(wb, plan, successor)}"
            plan.users.append(UserMove(user, action, {"unit_id": successor}))
        else:
            plan.users.append(UserMove(user, "Khóa truy cập", {"active": to_cell(False)}))


def _name(wb: Workbook, plan: ChangePlan, unit_id: str) -> str:
    made = next((c["name"] for c in plan.created if c["id"] == unit_id), None)
    return made or wb.unit_name(unit_id)


def _summary(wb: Workbook, plan: ChangePlan) -> str:
    request = plan.request
    sources = ", ".join(wb.unit_name(u) for u in request.sources)
    made = ", ".join(c["name"] for c in plan.created)
    when = f"từ {request.effective_on:%d/%m/%Y}"
    texts = {
        K.MERGE: f"Hợp nhất {sources} vào {made or wb.unit_name(request.target_id)} {when}",
        K.SPLIT: f"Chia tách {sources} thành {made} {when}",
        K.RENAME: f"Đổi tên {sources} thành {clean(request.new_name)} {when}",
        K.MOVE: f"Chuyển {sources} về {wb.unit_name(request.target_id)} {when}",
        K.ABOLISH: (
            f"Giải thể {sources}, các đơn vị trực thuộc chuyển về "
            f"{wb.unit_name(request.target_id)} {when}"
        ),
    }
    return f"{texts[request.kind]} (QĐ số {clean(request.decision_number)})"


# ---- applying ---------------------------------------------------------------------------------

ACTION = "Thay đổi đơn vị"


def apply_change(rt: Runtime, actor: Actor, request: ChangeRequest, request_key: str) -> UnitChange:
    """Apply a change all-or-nothing, planned again on the data as it is now (a preview that went
    stale is never applied blindly). The same request key twice: applied once."""
    with rt.store.serialised():
        plan = plan_change(rt, actor, request, request_key)
        wb = rt.workbook()
        if plan.change_id in wb.unit_changes:
            return wb.unit_changes[plan.change_id]
        if plan.problems:
            raise InvalidInput(plan.problems)
        now = rt.clock.now()
        ops: list[Append | Update] = []
        for n, cells in enumerate(plan.created):
            full = {**cells, "updated_at": iso(now)}
            ops += records.create(
                actor, now, ACTION, full, tabs.UNITS.name, _key(request_key, n, "u")
            )
        for n, (unit, changes) in enumerate(plan.updates):
            ops += records.change(actor, now, ACTION, unit, changes, _key(request_key, n, "c"))
        for n, move in enumerate(plan.users):
            ops += records.change(
                actor, now, ACTION, move.user, move.changes, _key(request_key, n, "n")
            )
        row = _change_row(plan, actor, now)
        rt.store.apply(
            records.create(actor, now, ACTION, row, tabs.UNIT_CHANGES.name, request_key, also=ops)
        )
    return UnitChange.from_cells(row)


def _key(request_key: str, n: int, tag: str) -> str:
    """The key of the n-th write inside a change: its first 12 characters (which name the audit
    row) differ from every other write's."""
    return f"{tag}{n:03d}{request_key}"


def _change_row(plan: ChangePlan, actor: Actor, now) -> dict[str, str]:
    detail = {
        "created": [c["id"] for c in plan.created],
        "units": {
            u.id: {f: [u.cells.get(f, ""), v] for f, v in c.items()} for u, c in plan.updates
        },
        "users": {
            m.user.id: {f: [m.user.cells.get(f, ""), v] for f, v in m.changes.items()}
            for m in plan.users
        },
    }
    return {
        "id": plan.change_id,
        "kind": to_cell(plan.request.kind),
        "effective_on": to_cell(plan.request.effective_on),
        "decision_number": clean(plan.request.decision_number),
        "summary": plan.summary,
        "plan": json.dumps(detail, ensure_ascii=False),
        "applied_by": actor.label,
        "applied_at": iso(now),
        "version": "1",
        "updated_at": iso(now),
    }


def apply_changes(
    rt: Runtime, actor: Actor, requests: list[ChangeRequest], batch_key: str
) -> list[UnitChange]:
    """Apply several changes in order, each all-or-nothing; the keys derive from `batch_key`, so
    a re-run after a failure part-way skips what was applied and goes on from there."""
    return [apply_change(rt, actor, r, f"{batch_key[:8]}{n:04d}") for n, r in enumerate(requests)]


def list_changes(rt: Runtime, actor: Actor) -> list[UnitChange]:
    """Every change of the unit tree, newest first (visible to everyone who may manage units)."""
    if actor.role not in (Role.PROVINCE, Role.UPPER):
        raise AccessDenied("Chỉ cán bộ Tỉnh đoàn và Đoàn cấp trên xem được các thay đổi đơn vị.")
    found = rt.workbook().unit_changes.values()
    return sorted(found, key=lambda c: (c.effective_on, c.applied_at or 0), reverse=True)


REVERSED = "Hoàn tác thay đổi đơn vị"

# ---- reversing --------------------------------------------------------------------------------


def blocking_records(wb: Workbook, change: UnitChange) -> list[str]:
    """Records made after the change that refer to the units it created, in words."""
    created = set(json.loads(change.plan or "{}").get("created", []))
    found = []
    for label, rows, fields in (
        ("Đăng ký", wb.registrations.values(), ("unit_id", "upper_unit_id")),
        ("Đánh giá", wb.assessments.values(), ("unit_id", "upper_unit_id", "assessor_unit_id")),
        ("Quyết định công nhận", wb.decisions.values(), ("unit_id",)),
        ("Danh sách công nhận", wb.decision_units.values(), ("unit_id", "upper_unit_id")),
        ("Báo cáo lên tỉnh", wb.upper_reports.values(), ("unit_id", "parent_unit_id")),
        ("Gia hạn", wb.extensions, ("unit_id",)),
    ):
        for row in rows:
            hit = next((getattr(row, f) for f in fields if getattr(row, f) in created), None)
            if hit:
                found.append(f"{label} {row.id} ({wb.unit_name(hit)})")
    moved_here = set(json.loads(change.plan or "{}").get("users", {}))
    for user in wb.users.values():
        if user.unit_id in created and user.id not in moved_here:
            found.append(f"Người dùng {user.email} ({wb.unit_name(user.unit_id)})")
    return found


def reverse_change(rt: Runtime, actor: Actor, change_id: str, request_key: str) -> UnitChange:
    """Undo a change (province staff): ended units exist again, moved units and users go back,
    created units get an empty period. Refused, naming them, when later records use its units."""
    ensure_province(actor, "hoàn tác thay đổi đơn vị")
    with rt.store.serialised():
        wb = rt.workbook()
        change = wb.unit_changes.get(change_id)
        if change is None:
            raise NotFound(f"Không tìm thấy thay đổi có mã {change_id}.")
        if change.reversed:
            return change
        blocking = blocking_records(wb, change)
        if blocking:
            raise NotAllowed(
                "Không thể hoàn tác vì đã có dữ liệu ghi cho đơn vị mới sau thay đổi này: "
                + "; ".join(blocking[:20])
                + ". Hãy chuyển hoặc xoá các bản ghi đó trước."
            )
        now = rt.clock.now()
        ops = _reversal_ops(wb, actor, change, request_key, now)
        closing = {"reversed_by": actor.label, "reversed_at": iso(now)}
        rt.store.apply(records.change(actor, now, REVERSED, change, closing, request_key, also=ops))
    return rt.workbook().unit_changes[change_id]


def _reversal_ops(
    wb: Workbook, actor: Actor, change: UnitChange, request_key: str, now
) -> list[Append | Update]:
    detail = json.loads(change.plan or "{}")
    ops: list[Append | Update] = []
    action = "Hoàn tác thay đổi đơn vị"
    targets: list[tuple[Mapping[str, Record], dict]] = [
        (wb.units, detail.get("units", {})),
        (wb.users, detail.get("users", {})),
    ]
    n = 0
    for table, changed in targets:
        for rec_id, fields in changed.items():
            record = table.get(rec_id)
            if record is None:
                raise NotFound(f"Không tìm thấy bản ghi {rec_id} mà thay đổi này đã sửa.")
            _ensure_unchanged_since(record, fields)
            back = {f: before for f, (before, _after) in fields.items()}
            ops += records.change(actor, now, action, record, back, _key(request_key, n, "r"))
            n += 1
    for unit_id in detail.get("created", []):
        unit = wb.units.get(unit_id)
        if unit is not None:
            empty = {
                "active": to_cell(False),
                "valid_until": to_cell(unit.valid_from),
                "predecessors": "",
            }
            ops += records.change(actor, now, action, unit, empty, _key(request_key, n, "r"))
            n += 1
    return ops


def _ensure_unchanged_since(record, fields: dict[str, list[str]]) -> None:
    """A cell the change wrote and someone edited since is not overwritten by the reversal."""
    for f, (_before, after) in fields.items():
        if f in ("active", "version"):
            continue
        if record.cells.get(f, "") != after:
            label = record.TAB.header(f)
            raise NotAllowed(
                f"Không thể hoàn tác: ô “{label}” của bản ghi {record.id} đã được sửa sau thay đổi "
                f"này (hiện là “{record.cells.get(f, '')}”). Hãy sửa lại ô đó trước."
            )
