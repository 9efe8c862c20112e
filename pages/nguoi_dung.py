"""Người dùng: province staff decide who may sign in, with which role and for which unit."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import Role, User
from services.people import units, users

ADD, EDIT = "user-add", "user-edit"
FLASH = "user-flash"
ROLES = list(Role)

rt = _ui.runtime()
me = _ui.actor()
st.title("Người dùng")
_ui.require_tabs(rt, "nguoi_dung")


def name_of(unit_id: str) -> str:
    return units.unit_name(rt, me, unit_id)


def user_table(rows: list[User]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Họ và tên": u.name,
                "Email đăng nhập": u.email,
                "Vai trò": u.role.value,
                "Đơn vị": name_of(u.unit_id),
                "Được truy cập": "Có" if u.active else "Không",
            }
            for u in rows
        ],
        columns=["Họ và tên", "Email đăng nhập", "Vai trò", "Đơn vị", "Được truy cập"],
    )


def browse() -> None:
    query = st.text_input(
        "Tìm người dùng",
        key="user-query",
        placeholder="Tên, email hoặc đơn vị; gõ có dấu hoặc không dấu",
        max_chars=200,
    )
    rows = users.list_users(rt, me, query)
    with st.container():  # one block, with or without matches: the tabs below keep their place
        if not rows:
            st.info("Không có người dùng nào khớp từ khóa. Hãy sửa hoặc xóa từ khóa tìm kiếm.")
            return
        _ui.table(user_table(rows), hide_index=True, width="stretch")
        st.caption(
            "Người bị tắt quyền truy cập ở màn hình này mất quyền ngay ở lần bấm tiếp theo. "
            'Nếu tắt quyền bằng cách sửa trực tiếp trong bảng tính (cột "Được truy cập" ghi '
            '"Không"), người đó mất quyền trong vòng 60 giây, là thời gian dữ liệu đọc được làm '
            "mới."
        )


def pick_role(key: str, current: Role | None = None) -> Role | None:
    """The role chooser; drawn outside the form so the unit list follows the chosen role."""
    return st.selectbox(
        "Vai trò",
        ROLES,
        index=ROLES.index(current) if current else None,
        format_func=lambda r: r.value,
        key=key,
        placeholder="Chọn vai trò",
    )


def pick_unit(key: str, role: Role | None, current: str | None = None) -> str | None:
    """Units that fit the role (the Tỉnh đoàn, an upper unit, a grassroots unit, or any)."""
    ids = [u.id for u in users.units_for_role(rt, me, role)] if role else []
    if current and current not in ids and role is not None:
        ids.append(current)  # keep a unit that is now inactive, so the form shows the truth
    if current not in ids:
        current = ids[0] if len(ids) == 1 else None
    return st.selectbox(
        "Đơn vị",
        ids,
        index=ids.index(current) if current else None,
        format_func=name_of,
        key=f"{key}-{role.name if role else 'none'}",  # a new list of units for each role
        placeholder="Chọn đơn vị" if role else "Chọn vai trò trước",
        disabled=role is None,
    )


def saved(message: str) -> None:
    """After a save: say so above the list, and redraw it with the change."""
    _ui.flash(FLASH, message)


def add_form() -> None:
    request = _ui.request_key(ADD)
    prefix = f"{ADD}-{request[:8]}"
    role = pick_role(f"{prefix}-role")
    with st.form(ADD, enter_to_submit=False):
        data: dict[str, Any] = {
            "email": st.text_input(
                "Email đăng nhập",
                key=f"{prefix}-email",
                placeholder="bithu@example.vn",
                max_chars=200,
            ),
            "name": st.text_input("Họ và tên", key=f"{prefix}-name", max_chars=200),
            "role": role,
            "unit_id": pick_unit(f"{prefix}-unit", role),
        }
        submitted = _ui.submit("Thêm người dùng", ADD, type="primary")
    if submitted:
        data = {k: "" if v is None else v for k, v in data.items()}
        user = _ui.attempt(
            lambda: users.add_user(rt, me, data, request), ADD, "Đang cấp quyền người dùng…"
        )
        if user:
            saved(f"Đã cấp quyền cho {user.name} ({user.email}) — {user.role.value}.")


def edit_form(rows: list[User]) -> None:
    by_id = {u.id: u for u in rows}
    user_id = st.selectbox(
        "Người dùng cần sửa",
        list(by_id),
        index=None,
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].email}",
        key="edit-user",
        placeholder="Chọn người dùng",
    )
    if user_id is None:
        return
    held = _ui.loaded(EDIT, by_id[user_id])
    request = _ui.request_key(EDIT)
    prefix = f"{EDIT}-{held.id}-{request[:8]}"
    st.text(f"Email đăng nhập: {held.email}")
    role = pick_role(f"{prefix}-role", held.role)
    with st.form(EDIT, enter_to_submit=False):
        data: dict[str, Any] = {
            "email": held.email,
            "name": st.text_input(
                "Họ và tên", value=held.name, key=f"{prefix}-name", max_chars=200
            ),
            "role": role,
            "unit_id": pick_unit(f"{prefix}-unit", role, held.unit_id),
            "active": st.checkbox(
                "Được truy cập",
                value=held.active,
                key=f"{prefix}-active",
                help="Bỏ chọn để khóa: người này mất quyền ngay ở lần bấm tiếp theo.",
            ),
        }
        submitted = _ui.submit("Lưu thay đổi", EDIT, type="primary")
    if submitted:
        data = {k: "" if v is None else v for k, v in data.items()}
        user = _ui.attempt(
            lambda: users.edit_user(rt, me, held, data, request), EDIT, "Đang lưu người dùng…"
        )
        if user:
            access = "được truy cập" if user.active else "đã bị khóa"
            saved(f"Đã lưu {user.name} ({user.email}): {user.role.value}, {access}.")


everyone = _ui.attempt(lambda: users.list_users(rt, me))
if everyone is None:  # the service refused (not province staff); the reason is already shown
    st.info("Việc cấp, sửa hoặc khóa quyền truy cập do cán bộ Tỉnh đoàn thực hiện.")
    st.stop()
_ui.show_flash(FLASH)
browse()
tab_add, tab_edit = st.tabs(["Thêm người dùng", "Sửa người dùng"])
with tab_add:
    add_form()
with tab_edit:
    edit_form(everyone)
