"""Thay đổi đơn vị: merge, split, rename, move units and abolish an upper unit, previewed before
they are applied; the list of changes made, and their reversal (province staff)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import GRASSROOTS_KINDS, UPPER_KINDS, UnitChangeKind, UnitKind
from services.core.access import Role
from services.core.province_settings import SuccessorRule, current_rule, save_successor_rule
from services.people import unit_changes, units
from services.people.unit_changes import ChangePlan, ChangeRequest, NewUnit

K = UnitChangeKind
FORM = "unit-change"

rt = _ui.runtime()
me = _ui.actor()
st.title("Thay đổi đơn vị")
if me.role not in (Role.PROVINCE, Role.UPPER):
    st.info(
        "Màn hình này dành cho cán bộ Tỉnh đoàn và Đoàn cấp trên: hợp nhất, chia tách, đổi tên, "
        "chuyển đơn vị và giải thể đơn vị cấp trên theo quyết định."
    )
    st.stop()
_ui.require_tabs(rt, "thay_doi_don_vi")
province = me.role is Role.PROVINCE
kinds = list(K) if province else [K.RENAME, K.MOVE]
st.caption(
    "Mỗi thay đổi có ngày hiệu lực và số quyết định; xem trước rồi mới áp dụng. Đơn vị ngừng "
    "hoạt động vẫn được giữ cùng lịch sử, nên số liệu các năm trước không thay đổi."
    + ("" if province else " Đoàn cấp trên được đổi tên và chuyển đơn vị trong phạm vi của mình.")
)
manageable = [u for u in units.manageable_units(rt, me) if u.valid_until is None]
uppers = [u for u in units.parent_choices(rt, me) if u.valid_until is None]
name_of = partial(units.unit_name, rt, me)


def pick_many(label: str, choices: list, key: str) -> tuple[str, ...]:
    ids = [u.id for u in choices]
    return tuple(
        st.multiselect(label, ids, format_func=name_of, placeholder="Chọn đơn vị", key=key)
    )


def pick_one(label: str, choices: list, key: str) -> str:
    found = st.selectbox(
        label,
        [u.id for u in choices],
        format_func=name_of,
        index=None,
        placeholder="Chọn đơn vị",
        key=key,
    )
    return found or ""


def new_units_form(kind: K) -> tuple[NewUnit, ...]:
    """The new unit(s) a merge or split forms: names, kind, upper unit."""
    label = "Tên các đơn vị mới (mỗi dòng một tên)" if kind is K.SPLIT else "Tên đơn vị mới"
    names = st.text_area(label, key=f"{FORM}-new-names", height=80, max_chars=4000)
    left, right = st.columns(2)
    unit_kind = left.selectbox(
        "Loại đơn vị mới", GRASSROOTS_KINDS, format_func=lambda k: k.value, key=f"{FORM}-new-kind"
    )
    parent = right.selectbox(
        "Đơn vị cấp trên của đơn vị mới",
        [u.id for u in uppers],
        format_func=name_of,
        index=None,
        placeholder="Chọn đơn vị",
        key=f"{FORM}-new-parent",
    )
    lines = [n.strip() for n in names.splitlines() if n.strip()]
    return tuple(NewUnit(n, UnitKind(unit_kind), parent or "") for n in lines)


def request_form() -> ChangeRequest:
    """The change as the person fills it in (kept in the session: nothing typed is lost)."""
    kind = st.radio(
        "Loại thay đổi", kinds, format_func=lambda k: k.value, horizontal=True, key=f"{FORM}-kind"
    )
    left, right = st.columns(2)
    effective = left.date_input("Ngày hiệu lực", format="DD/MM/YYYY", key=f"{FORM}-effective")
    number = right.text_input("Số quyết định", key=f"{FORM}-number", max_chars=100)
    sources: tuple[str, ...] = ()
    target, new_name, new_units, move_users = "", "", (), True
    grassroots = [u for u in manageable if u.kind.is_grassroots]
    upper_units = [u for u in manageable if u.kind in UPPER_KINDS]
    if kind is K.MERGE:
        sources = pick_many("Các đơn vị được hợp nhất", grassroots, f"{FORM}-merge-sources")
        into_existing = st.radio(
            "Hợp nhất vào",
            ["Một đơn vị mới", "Một đơn vị đã có"],
            horizontal=True,
            key=f"{FORM}-merge-into",
        )
        if into_existing == "Một đơn vị đã có":
            target = pick_one("Đơn vị nhận", grassroots, f"{FORM}-merge-target")
        else:
            new_units = new_units_form(kind)[:1]
        move_users = st.checkbox(
            "Chuyển người dùng của các đơn vị được hợp nhất sang đơn vị sau hợp nhất "
            "(bỏ chọn: khóa truy cập)",
            value=True,
            key=f"{FORM}-move-users",
        )
    elif kind is K.SPLIT:
        sources = (pick_one("Đơn vị được chia tách", grassroots, f"{FORM}-split-source"),)
        new_units = new_units_form(kind)
    elif kind is K.RENAME:
        sources = (pick_one("Đơn vị đổi tên", manageable, f"{FORM}-rename-source"),)
        new_name = st.text_input("Tên mới", key=f"{FORM}-new-name", max_chars=200)
    elif kind is K.MOVE:
        sources = pick_many("Các đơn vị chuyển", manageable, f"{FORM}-move-sources")
        target = pick_one("Đơn vị cấp trên mới", uppers, f"{FORM}-move-target")
    else:
        sources = (pick_one("Đơn vị cấp trên giải thể", upper_units, f"{FORM}-abolish-source"),)
        target = pick_one("Đơn vị nhận các đơn vị trực thuộc", uppers, f"{FORM}-abolish-target")
    return ChangeRequest(
        kind,
        effective,
        number,
        tuple(s for s in sources if s),
        target,
        new_units,
        new_name,
        move_users,
    )


def show_plan(plan: ChangePlan) -> None:
    if plan.problems:
        st.error(
            "Chưa thể áp dụng. Vui lòng sửa:\n\n"
            + "\n".join(f"- {_ui.plain(p)}" for p in plan.problems)
        )
        return
    st.success(_ui.plain(plan.summary))
    if plan.created:
        st.markdown("**Đơn vị mới**")
        _ui.table(
            pd.DataFrame(
                [
                    {
                        "Tên đơn vị": c["name"],
                        "Loại": c["kind"],
                        "Cấp trên": name_of(c["parent_id"]),
                    }
                    for c in plan.created
                ]
            ),
            hide_index=True,
        )
    if plan.updates:
        st.markdown("**Đơn vị thay đổi**")
        _ui.table(
            pd.DataFrame(
                [{"Đơn vị": u.name, "Thay đổi": _changes_words(c)} for u, c in plan.updates]
            ),
            hide_index=True,
        )
    st.markdown("**Người dùng bị ảnh hưởng**")
    if plan.users:
        _ui.table(
            pd.DataFrame(
                [
                    {"Email": m.user.email, "Họ và tên": m.user.name, "Xử lý": m.action}
                    for m in plan.users
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption("Không có người dùng nào gắn với đơn vị ngừng hoạt động.")


def _changes_words(changes: dict[str, str]) -> str:
    words = []
    if "valid_until" in changes:
        words.append(f"ngừng hoạt động từ {changes['valid_until']}")
    if "parent_id" in changes:
        words.append(f"chuyển về {name_of(changes['parent_id'])}")
    if "name" in changes:
        words.append(f"đổi tên thành {changes['name']}")
    if "predecessors" in changes:
        words.append("nhận thêm đơn vị hợp nhất")
    return "; ".join(words)


tab_new, tab_done = st.tabs(["Thay đổi mới", "Các thay đổi đã thực hiện"])
with tab_new:
    request = request_form()
    key = _ui.request_key(FORM)
    if st.button("Xem trước", key=f"{FORM}-preview"):
        plan = _ui.attempt(lambda: unit_changes.plan_change(rt, me, request, key))
        st.session_state[f"{FORM}-plan"] = (request, plan) if plan else None
    held = st.session_state.get(f"{FORM}-plan")
    if held and held[0] == request and held[1] is not None:
        show_plan(held[1])
        if not held[1].problems and st.button(
            "Áp dụng thay đổi", type="primary", key=f"{FORM}-apply"
        ):
            done = _ui.attempt(lambda: unit_changes.apply_change(rt, me, request, key), FORM)
            if done is not None:
                st.session_state[f"{FORM}-plan"] = None
                st.success(f"Đã áp dụng: {_ui.plain(done.summary)}")
    elif held:
        st.info("Biểu mẫu đã thay đổi sau lần xem trước: hãy bấm Xem trước lại.")

with tab_done:
    changes = _ui.attempt(lambda: unit_changes.list_changes(rt, me)) or []
    _ui.table(
        pd.DataFrame(
            [
                {
                    "Ngày hiệu lực": f"{c.effective_on:%d/%m/%Y}",
                    "Loại": c.kind.value,
                    "Nội dung": c.summary,
                    "Số quyết định": c.decision_number,
                    "Người thực hiện": c.applied_by,
                    "Trạng thái": "Đã hoàn tác" if c.reversed else "Đang áp dụng",
                }
                for c in changes
            ],
            columns=[
                "Ngày hiệu lực",
                "Loại",
                "Nội dung",
                "Số quyết định",
                "Người thực hiện",
                "Trạng thái",
            ],
        ),
        hide_index=True,
    )
    reversible = [c for c in changes if not c.reversed]
    with st.container():  # what undoing says comes and goes: the setting below stays put
        if province and reversible:
            chosen = st.selectbox(
                "Hoàn tác thay đổi",
                [c.id for c in reversible],
                format_func=lambda cid: next(c.summary for c in reversible if c.id == cid),
                index=None,
                placeholder="Chọn thay đổi",
                key="undo-change",
            )
            undo_key = _ui.request_key("undo-change")
            if chosen and st.button("Hoàn tác", key="undo-button"):
                undone = _ui.attempt(
                    lambda: unit_changes.reverse_change(rt, me, chosen, undo_key), "undo-change"
                )
                if undone is not None:
                    st.success(f"Đã hoàn tác: {_ui.plain(undone.summary)}")
    if province:
        st.subheader("Đơn vị hợp nhất khi xét tuyên dương")
        current, words = current_rule(rt)
        rule = st.radio(
            "Một năm trước khi hợp nhất được tính là đạt khi",
            list(SuccessorRule),
            index=list(SuccessorRule).index(current),
            format_func=lambda r: r.value,
            key="successor-rule",
        )
        st.caption(_ui.plain(words))
        rule_key = _ui.request_key("successor-rule")
        if rule is not current and st.button("Lưu cách tính", key="save-rule"):
            saved = _ui.attempt(
                lambda: save_successor_rule(rt, me, rule, rule_key) or True, "successor-rule"
            )
            if saved:
                st.rerun()
