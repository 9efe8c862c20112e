"""Who may sign in: e-mails mapped to a role and a unit in the users tab, managed by province staff.

The acting person is looked up again on every screen run (through the shared read cache), so a
person disabled in the app loses access at their next action, and one disabled by hand in the sheet
within the cache's lifetime.
"""

from __future__ import annotations

from typing import Any

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import Role, Unit, UnitKind, User, UserForm
from schemas.vntext import matches, sort_key
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.errors import AccessDenied, InvalidInput
from services.core.forms import validate
from services.core.runtime import Runtime
from services.core.workbook import Workbook
from services.people import units


class SignInRefused(AccessDenied):
    """This e-mail may not use the app (unknown, disabled, or its unit is gone)."""


def resolve(rt: Runtime, email: str, demo: bool = False, verified: bool = True) -> Actor:
    """The acting person for a signed-in e-mail, or SignInRefused saying whom to contact.

    `demo`: chosen on the demo picker (their writes are tagged as demo writes). `verified`: False
    when the sign-in provider says the e-mail is not verified, which is always refused.
    """
    wb = rt.workbook()
    contact = _contact(wb)
    if not verified:
        raise SignInRefused(
            f"Địa chỉ email {email} chưa được nhà cung cấp đăng nhập xác minh, nên không thể dùng "
            f"để vào 3CĐ. Hãy xác minh email với nhà cung cấp rồi đăng nhập lại. {contact}"
        )
    user = wb.user_by_email(email)
    if user is None and email.strip().casefold() in rt.settings.stewards:
        # Break-glass access named in the settings, so a new deployment can add its first users
        # (or, on an empty store, import its data: there is no unit to attach the person to yet).
        root = wb.root_ids()[0] if wb.root_ids() else ""
        steward = Actor(email.strip().casefold(), email.strip(), Role.PROVINCE, root, demo=demo)
        return _within_scope(rt, wb, steward, contact)
    if user is None and rt.settings.scope:
        scope = rt.settings.scope
        unknown = (
            f"Tài khoản {email} không có trong danh sách người dùng của {wb.unit_name(scope)}."
        )
        raise SignInRefused(f"{unknown} {_scope_words(wb, scope)} {contact}")
    if user is None:
        raise SignInRefused(f"Tài khoản {email} chưa được cấp quyền dùng ứng dụng 3CĐ. {contact}")
    if not user.active:
        raise SignInRefused(f"Tài khoản {email} đang bị tạm khóa. {contact}")
    if user.unit_id not in wb.units:
        raise SignInRefused(
            f"Tài khoản {email} gắn với đơn vị không còn trong danh sách (mã {user.unit_id}). {contact}"
        )
    actor = Actor(user.email, user.name, user.role, user.unit_id, demo=demo)
    return _within_scope(rt, wb, actor, contact)


def _within_scope(rt: Runtime, wb: Workbook, actor: Actor, contact: str) -> Actor:
    """On a server scoped to one unit's subtree (`[store] scope`), only the people of that subtree
    sign in, and province staff only when the scope is a whole province: they see everything the
    server holds, which must then be their whole province and nothing less. Everyone else is
    refused and told to use the server of their own unit (docs/scaling.md)."""
    scope = rt.settings.scope
    if not scope:
        return actor
    if actor.role is Role.PROVINCE:
        allowed = not wb.ancestors(scope) and actor.unit_id in wb.subtree(scope)
    else:
        allowed = actor.unit_id in wb.subtree(scope)
    if not allowed:
        why = (
            f"Tài khoản {actor.id} là cán bộ Tỉnh đoàn, cần xem toàn tỉnh, nhưng máy chủ này chỉ "
            f"giữ dữ liệu của {wb.unit_name(scope)}."
            if actor.role is Role.PROVINCE
            else f"Tài khoản {actor.id} gắn với {wb.unit_name(actor.unit_id)}, ngoài phạm vi này."
        )
        raise SignInRefused(f"{why} {_scope_words(wb, scope)} {contact}")
    return actor


def _scope_words(wb: Workbook, scope: str) -> str:
    name = wb.unit_name(scope)
    return (
        f"Máy chủ 3CĐ này chỉ phục vụ {name} và các đơn vị trực thuộc: nếu bạn công tác ở đơn vị "
        f"khác hoặc ở cấp trên của {name}, hãy vào địa chỉ 3CĐ dành cho đơn vị của mình."
    )


def _contact(wb: Workbook) -> str:
    """Whom to ask, by unit name only: a person who may not sign in is shown no staff e-mail."""
    root = wb.unit_name(wb.root_ids()[0]) if wb.root_ids() else "Tỉnh đoàn"
    return f"Hãy liên hệ cán bộ {root} để được cấp hoặc mở lại quyền truy cập."


def demo_choices(rt: Runtime) -> dict[str, str]:
    """E-mail → "name · role" of every user, for the demo picker (the demo store only)."""
    if rt.sign_in != "demo":
        raise AccessDenied("Danh sách chọn người dùng chỉ có ở chế độ dùng thử.")
    return {u.email: f"{u.name} · {u.role.value}" for u in rt.workbook().users.values()}


def list_users(rt: Runtime, actor: Actor, query: str = "") -> list[User]:
    """Users whose name, e-mail or unit matches `query` (all if empty), by name in Vietnamese order.

    Province staff only.
    """
    ensure_province(actor, "xem danh sách người dùng")
    wb = rt.workbook()
    found = [
        u
        for u in wb.users.values()
        if not query or matches(query, f"{u.name} {u.email} {wb.unit_name(u.unit_id)}")
    ]
    return sorted(found, key=lambda u: sort_key(u.name))


def units_for_role(rt: Runtime, actor: Actor, role: Role) -> list[Unit]:
    """Active units a person with `role` may belong to, in tree order (for the user forms)."""
    ensure_province(actor, "cấp quyền người dùng")
    lines = units.list_units(rt, actor, include_inactive=False)
    return [line.unit for line in lines if fits(role, line.unit)]


def add_user(rt: Runtime, actor: Actor, data: dict[str, Any], request_key: str) -> User:
    """Give an e-mail access with a role and a unit."""
    ensure_province(actor, "thêm người dùng")
    form = validate(UserForm, data)
    with rt.store.serialised():
        wb = rt.workbook()
        rec_id = records.record_id(tabs.USERS.name, request_key)
        if rec_id in wb.users:
            return wb.users[rec_id]
        _check(wb, form, user_id=None)
        now = rt.clock.now()
        cells = {**_cells(form), "id": rec_id, "version": "1", "updated_at": iso(now)}
        rt.store.apply(
            records.create(actor, now, "Thêm người dùng", cells, tabs.USERS.name, request_key)
        )
    return User.from_cells(cells)


def edit_user(
    rt: Runtime, actor: Actor, loaded: User, data: dict[str, Any], request_key: str
) -> User:
    """Change a user's name, role, unit or access; refused as a Conflict if edited meanwhile."""
    ensure_province(actor, "sửa người dùng")
    form = validate(UserForm, data)
    if loaded.email == actor.id and (not form.active or form.role is not Role.PROVINCE):
        raise InvalidInput(["Vai trò: bạn không thể tự khóa hoặc tự hạ quyền của chính mình"])
    with rt.store.serialised():
        wb = rt.workbook()
        _check(wb, form, user_id=loaded.id)
        rt.store.apply(
            records.change(
                actor, rt.clock.now(), "Sửa người dùng", loaded, _cells(form), request_key
            )
        )
    return rt.workbook().users[loaded.id]


def _cells(form: UserForm) -> dict[str, str]:
    return {
        "email": form.email.casefold(),
        "name": form.name,
        "role": to_cell(form.role),
        "unit_id": form.unit_id,
        "active": to_cell(form.active),
    }


def _check(wb: Workbook, form: UserForm, user_id: str | None) -> None:
    """An e-mail used once; the unit exists and fits the role."""
    problems = []
    other = wb.user_by_email(form.email)
    if other is not None and other.id != user_id:
        problems.append(f"Email đăng nhập: {form.email} đã có trong danh sách ({other.name})")
    unit = wb.units.get(form.unit_id)
    if unit is None:
        problems.append(f"Đơn vị: không tồn tại (mã {form.unit_id})")
    elif not fits(form.role, unit):
        problems.append(f"Đơn vị: {unit.name} không phù hợp với vai trò {form.role.value}")
    if problems:
        raise InvalidInput(problems)


def fits(role: Role, unit: Unit) -> bool:
    if role is Role.PROVINCE:
        return unit.kind is UnitKind.TINH_DOAN
    if role is Role.UPPER:
        return not unit.kind.is_grassroots and unit.kind is not UnitKind.TINH_DOAN
    if role is Role.SECRETARY:
        return unit.kind.is_grassroots
    return True
