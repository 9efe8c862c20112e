"""Đơn vị: browse the unit tree; province staff and upper-unit officers add and edit units."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.contacts import phone_words
from schemas.models import EMAIL_LIMIT, PHONE_LIMIT, Unit, UnitKind
from services.people import units
from services.people.units import UnitLine

ADD, EDIT, OFFICER = "unit-add", "unit-edit", "unit-officer"
FLASH = "unit-flash"

rt = _ui.runtime()
me = _ui.actor()
st.title("Đơn vị")
_ui.require_tabs(rt, "don_vi")


def name_of(unit_id: str) -> str:
    return units.unit_name(rt, me, unit_id)


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def browse() -> None:
    """The tree within this person's scope, filtered, with counts."""
    uppers = [u.id for u in units.upper_units(rt, me)]
    parent_col, kind_col, query_col, toggle_col = st.columns(
        [3, 2, 3, 2.2], vertical_alignment="bottom"
    )
    with parent_col:
        parent_id = pick_unit("Đơn vị cấp trên", uppers, "filter-parent", empty="Tất cả")
    kind = kind_col.selectbox(
        "Loại đơn vị",
        list(UnitKind),
        index=None,
        placeholder="Tất cả",
        format_func=lambda k: k.value,
        key="filter-kind",
    )
    query = query_col.text_input(
        "Tìm theo tên",
        key="filter-query",
        placeholder="Ví dụ: doan xa thuan hung",
        help="Gõ có dấu hoặc không dấu đều tìm được.",
        max_chars=200,
    )
    inactive = toggle_col.toggle(
        "Cả đơn vị đã ngừng",
        key="filter-inactive",
        help="Hiện cả các đơn vị đã ngừng hoạt động (sáp nhập, giải thể).",
    )
    lines = units.list_units(rt, me, query, parent_id, kind, include_inactive=inactive)
    grassroots = [line.unit for line in lines if line.unit.kind.is_grassroots]
    shown, base, members, chi_doan = st.columns(4)
    shown.metric("Đơn vị", number(len(lines)))
    base.metric("Đoàn cơ sở", number(len(grassroots)))
    members.metric("Đoàn viên", number(sum(u.members or 0 for u in grassroots)))
    chi_doan.metric("Chi đoàn", number(sum(u.chi_doan or 0 for u in grassroots)))
    with st.container():  # one block, with or without matches: the tabs below keep their place
        if not lines:
            st.info(
                "Không có đơn vị nào khớp bộ lọc. Hãy bỏ bớt điều kiện lọc hoặc sửa từ khóa tìm "
                "kiếm."
            )
            return
        _ui.table(tree_table(lines), hide_index=True, width="stretch")
        st.caption(
            "Với Đoàn cấp trên, số đoàn viên và số chi đoàn là tổng của các đoàn cơ sở đang hoạt "
            "động trực thuộc."
        )


def tree_table(lines: list[UnitLine]) -> pd.DataFrame:
    top = min(line.depth for line in lines)
    rows = [
        {
            "Đơn vị": "\u2003" * (line.depth - top) + line.unit.name,
            "Loại": line.unit.kind.value,
            "Đơn vị cấp trên": line.parent_name,
            "Số đoàn viên": line.members,
            "Số chi đoàn": line.chi_doan,
            "Bí thư": line.unit.secretary,
            "Điện thoại": phone_words(line.unit.phone),
            "Email": line.unit.email,
            "Cán bộ theo dõi": line.unit.officer,
            "Hoạt động": "Đang hoạt động" if line.unit.active else "Ngừng hoạt động",
            "Mã": line.unit.id,
        }
        for line in lines
    ]
    return pd.DataFrame(rows).astype({"Số đoàn viên": "Int64", "Số chi đoàn": "Int64"})


def unit_fields(prefix: str, unit: Unit | None, parents: list[str]) -> dict[str, Any]:
    """The unit form's inputs (drawn inside an st.form), prefilled from `unit`; UnitForm data out."""

    def prefilled(widget: Any, label: str, field: str, empty: Any = "", **options: Any) -> Any:
        value = getattr(unit, field) if unit else empty
        return widget(label, value=value, key=f"{prefix}-{field}", **options)

    data = {
        "name": prefilled(
            st.text_input, "Tên đơn vị", "name", placeholder="Đoàn xã Hồng Tiến", max_chars=200
        )
    }
    is_root = unit is not None and not unit.parent_id
    kinds = [k for k in UnitKind if (k is UnitKind.TINH_DOAN) == is_root]
    data["kind"] = st.selectbox(
        "Loại đơn vị",
        kinds,
        format_func=lambda k: k.value,
        key=f"{prefix}-kind",
        index=kinds.index(unit.kind) if unit and unit.kind in kinds else None,
        placeholder="Chọn loại đơn vị",
    )
    if is_root:
        data["parent_id"] = None
        st.text("Đơn vị cấp trên: không có (đơn vị cấp cao nhất)")
    else:
        current = unit.parent_id if unit else (parents[0] if len(parents) == 1 else None)
        data["parent_id"] = pick_unit("Đơn vị cấp trên", parents, f"{prefix}-parent", current)
    left, right = st.columns(2)
    # Counts are typed as text and checked on save: a number box silently kept its previous value
    # when what was typed was invalid (a negative count), and that value was then saved.
    for column, label, field in (
        (left, "Số đoàn viên", "members"),
        (right, "Số chi đoàn", "chi_doan"),
    ):
        stored = getattr(unit, field) if unit else None
        data[field] = column.text_input(
            label,
            value="" if stored is None else str(stored),
            key=f"{prefix}-{field}",
            placeholder="Ví dụ: 1.200",
            max_chars=20,
        )
    data["secretary"] = prefilled(st.text_input, "Bí thư", "secretary", max_chars=200)
    left, right = st.columns(2)
    data["phone"] = prefilled(
        left.text_input,
        "Điện thoại",
        "phone",
        placeholder="0912 345 678",
        max_chars=PHONE_LIMIT,
        help="Được lưu thống nhất dạng 0912345678: bỏ dấu cách, dấu chấm; +84 đổi thành 0.",
    )
    data["email"] = prefilled(
        right.text_input,
        "Email",
        "email",
        placeholder="bithu@example.vn",
        max_chars=EMAIL_LIMIT,
        help="Được lưu bằng chữ thường, bỏ dấu cách ở đầu và cuối.",
    )
    st.caption("Điện thoại và email được lưu theo một dạng thống nhất (xem dấu ? cạnh mỗi ô).")
    return data


def pick_unit(
    label: str, ids: list[str], key: str, current: str | None = None, empty: str = "Chọn đơn vị"
) -> str | None:
    """A unit chooser whose value is the unit's id (stable across reloads), shown by name."""
    index = ids.index(current) if current in ids else None
    return st.selectbox(label, ids, format_func=name_of, index=index, key=key, placeholder=empty)


def saved(message: str, other_form: str | None = None) -> None:
    """After a save: drop what another form loaded of the same unit, say so, and redraw."""
    if other_form:
        _ui.form_saved(other_form)
    _ui.flash(FLASH, message)


def add_form(parents: list[str]) -> None:
    request = _ui.request_key(ADD)
    with st.form(ADD, enter_to_submit=False):
        data = unit_fields(f"{ADD}-{request[:8]}", None, parents)
        data["officer"] = st.text_input(
            "Cán bộ theo dõi",
            key=f"{ADD}-{request[:8]}-officer",
            help="Cán bộ của Đoàn cấp trên theo dõi, hướng dẫn đơn vị",
            max_chars=200,
        )
        submitted = _ui.submit("Thêm đơn vị", ADD, type="primary")
    if submitted:
        unit = _ui.attempt(lambda: units.add_unit(rt, me, data, request), ADD, "Đang thêm đơn vị…")
        if unit:
            saved(f"Đã thêm {unit.name} thuộc {name_of(unit.parent_id or '')}.")


def edit_form(editable: list[str]) -> None:
    unit_id = pick_unit("Đơn vị cần sửa", editable, "edit-unit")
    if unit_id is None:
        return
    held = _ui.loaded(EDIT, units.get_unit(rt, me, unit_id))
    request = _ui.request_key(EDIT)
    parents = [u.id for u in units.parent_choices(rt, me, moving=held.id)]
    with st.form(EDIT, enter_to_submit=False):
        prefix = f"{EDIT}-{held.id}-{request[:8]}"
        data = unit_fields(prefix, held, parents)
        data["active"] = st.checkbox("Đang hoạt động", value=held.active, key=f"{prefix}-active")
        data["officer"] = held.officer  # changed on its own tab
        submitted = _ui.submit("Lưu thay đổi", EDIT, type="primary")
    if submitted:
        unit = _ui.attempt(
            lambda: units.edit_unit(rt, me, held, data, request), EDIT, "Đang lưu thông tin đơn vị…"
        )
        if unit:
            contact = ", ".join(x for x in (phone_words(unit.phone), unit.email) if x)
            saved(
                f"Đã lưu thông tin {unit.name}."
                + (f" Liên hệ đã lưu: {contact}." if contact else ""),
                OFFICER,
            )


def officer_form(editable: list[str]) -> None:
    unit_id = pick_unit("Đơn vị", editable, "officer-unit")
    if unit_id is None:
        return
    held = _ui.loaded(OFFICER, units.get_unit(rt, me, unit_id))
    request = _ui.request_key(OFFICER)
    with st.form(OFFICER, enter_to_submit=False):
        officer = st.text_input(
            "Cán bộ theo dõi",
            value=held.officer,
            key=f"{OFFICER}-{held.id}-{request[:8]}",
            help="Cán bộ của Đoàn cấp trên theo dõi, hướng dẫn, đôn đốc đơn vị",
            max_chars=200,
        )
        submitted = _ui.submit("Phân công", OFFICER, type="primary")
    if submitted:
        unit = _ui.attempt(
            lambda: units.assign_officer(rt, me, held, officer, request),
            OFFICER,
            "Đang phân công cán bộ theo dõi…",
        )
        if unit:
            who = unit.officer or "chưa có ai"
            saved(f"Cán bộ theo dõi {unit.name}: {who}.", EDIT)


_ui.show_flash(FLASH)
browse()
parents = [u.id for u in units.parent_choices(rt, me)]
editable = [u.id for u in units.manageable_units(rt, me)]
if not parents and not editable:
    st.caption(
        "Bạn xem được các đơn vị trong phạm vi của mình. Việc thêm, sửa đơn vị do cán bộ "
        "Tỉnh đoàn hoặc Đoàn cấp trên thực hiện."
    )
else:
    tab_add, tab_edit, tab_officer = st.tabs(["Thêm đơn vị", "Sửa đơn vị", "Cán bộ theo dõi"])
    with tab_add:
        add_form(parents)
    with tab_edit:
        edit_form(editable)
    with tab_officer:
        officer_form(editable)
