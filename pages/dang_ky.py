"""Đăng ký: a unit registers its plan; its upper unit accepts, returns, enters on behalf, extends."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import Registration, RegistrationState, Unit
from services.core.access import Actor, Role
from services.people import units
from services.registration import plans
from services.registration.deadlines import countdown_words
from services.registration.plans import Receipt
from services.registration.status import NOT_YET

rt = _ui.runtime()
me = _ui.actor()
st.title('Đăng ký xây dựng Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "dang_ky")
cycle = _ui.cycle_picker()
if cycle is None:
    st.stop()
criteria = rt.criteria.get(cycle.criteria_set)


def deadline_banner(unit: Unit) -> None:
    deadline = plans.deadline_for(rt, me, cycle.id, unit.id)
    left, right = st.columns(2)
    left.metric("Hạn đăng ký", deadline.words)
    right.metric("Thời gian còn lại", countdown_words(rt.clock.now(), deadline.cutoff))
    if deadline.extended:
        st.info(f"Đơn vị được gia hạn. Lý do: {_ui.plain(deadline.reason)}")


def show_receipt(receipt: Receipt) -> None:
    verdict = "**đúng hạn**" if receipt.on_time else "**trễ hạn**"
    st.success(
        f"Đã nhận đăng ký của {_ui.plain(receipt.unit_name)} — {_ui.plain(receipt.cycle_name)}.  \n"
        f"Mã tiếp nhận: `{receipt.reference}` · gửi lần đầu lúc {receipt.sent_at:%H:%M %d/%m/%Y} · "
        f"{verdict} (hạn {receipt.cutoff_words}) · trạng thái: {receipt.state.value}."
    )


def plan_form(form: str, unit: Unit, existing: Registration | None, on_behalf: bool) -> None:
    """The registration form generated from the cycle's criteria set: one target per content."""
    with st.form(form, enter_to_submit=False):
        number = st.text_input(
            "Số kế hoạch",
            value=existing.plan_number if existing else "",
            placeholder="Ví dụ: 05-KH/ĐTN",
            max_chars=200,
        )
        plan_day = st.date_input(
            "Ngày kế hoạch",
            value=existing.plan_date if existing else None,
            format="DD/MM/YYYY",
            max_value=rt.clock.now().date(),
        )
        targets = {}
        for content in criteria.contents if criteria else []:
            targets[content.id] = st.text_area(
                f"{content.id}. {content.title}",
                value=existing.targets.get(content.id, "") if existing else "",
                help="Tiêu chí: " + "; ".join(f"{c.id} {c.title}" for c in content.criteria),
                placeholder="Mục tiêu, giải pháp và lộ trình thực hiện nội dung này",
                max_chars=5000,
            )
        received = None
        if on_behalf:
            received = st.date_input(
                "Ngày nhận bản giấy",
                value=None,
                format="DD/MM/YYYY",
                max_value=rt.clock.now().date(),
                help="Đúng hạn hay trễ hạn được tính theo ngày nhận này.",
            )
        label = (
            "Gửi lại đăng ký" if existing else ("Nhập thay đăng ký" if on_behalf else "Gửi đăng ký")
        )
        if not st.form_submit_button(label, type="primary"):
            return
    data = {"plan_number": number, "plan_date": plan_day, "targets": targets}
    receipt = _ui.attempt(
        lambda: plans.register_plan(
            rt, me, cycle.id, unit.id, data, _ui.request_key(form), received_on=received
        ),
        form=form,
    )
    if receipt:
        st.session_state["receipt"] = receipt
        st.rerun()


def own_unit(actor: Actor) -> None:
    unit = units.get_unit(rt, actor, actor.unit_id)
    st.subheader(_ui.plain(unit.name))
    deadline_banner(unit)
    existing = plans.registration_of(rt, actor, cycle.id, unit.id)
    if existing is not None:
        show_receipt(plans.receipt_for(rt, actor, existing))
        if existing.state is RegistrationState.RETURNED:
            st.warning(f"Đoàn cấp trên trả lại để sửa: {_ui.plain(existing.return_reason)}")
        if existing.state is RegistrationState.ACCEPTED:
            st.info(
                "Đăng ký đã được tiếp nhận. Muốn sửa, hãy liên hệ Đoàn cấp trên để được trả lại."
            )
            return
    plan_form("plan-own", unit, existing, on_behalf=False)


def review(actor: Actor) -> None:
    lines = plans.review_lines(rt, actor, cycle.id)
    rows = [
        {
            "Đơn vị": line.unit.name,
            "Đơn vị cấp trên": line.upper_name,
            "Tình trạng": line.status,
            "Trạng thái": line.registration.state.value if line.registration else "",
            "Gửi lần đầu": f"{line.registration.submitted_at:%d/%m/%Y %H:%M}"
            if line.registration
            else "",
            "Mã tiếp nhận": line.registration.id if line.registration else "",
        }
        for line in lines
    ]
    _ui.table(pd.DataFrame(rows), hide_index=True, width="stretch")
    tab_review, tab_behalf, tab_extend = st.tabs(
        ["Tiếp nhận / trả lại", "Nhập thay bản giấy", "Gia hạn"]
    )
    with tab_review:
        sent = [line.unit for line in lines if line.registration]
        unit = st.selectbox(
            "Đơn vị",
            sent,
            format_func=lambda u: u.name,
            key="review-unit",
            index=None,
            placeholder="Chọn đơn vị đã gửi đăng ký",
        )
        if unit is not None:
            review_one(unit)
    with tab_behalf:
        waiting = [line.unit for line in lines if line.status == NOT_YET]
        unit = st.selectbox(
            "Đơn vị chưa đăng ký",
            waiting,
            format_func=lambda u: u.name,
            key="behalf-unit",
            index=None,
            placeholder="Chọn đơn vị",
        )
        if unit is not None:
            deadline_banner(unit)
            plan_form("plan-behalf", unit, None, on_behalf=True)
    with tab_extend:
        extension_form([line.unit for line in lines])


def review_one(unit: Unit) -> None:
    form = f"review-{unit.id}"
    reg = _ui.loaded(form, plans.registration_of(rt, me, cycle.id, unit.id))
    st.markdown(
        f"**{_ui.plain(unit.name)}** — {reg.state.value}, "
        f"{'đúng hạn' if reg.on_time else 'trễ hạn'}, số kế hoạch {_ui.plain(reg.plan_number)}"
    )
    for content_id, target in reg.targets.items():
        st.text(f"{content_id}: {target}")
    accept_col, return_col = st.columns(2)
    if accept_col.button(
        "Tiếp nhận",
        type="primary",
        key=f"accept-{unit.id}",
        disabled=reg.state is not RegistrationState.SENT,
    ):
        if _ui.attempt(lambda: plans.accept(rt, me, reg, _ui.request_key(form)), form):
            st.rerun()
    with return_col.form(f"return-{unit.id}", enter_to_submit=False):
        reason = st.text_input("Lý do trả lại", placeholder="Cần sửa gì?", max_chars=1000)
        if st.form_submit_button("Trả lại để sửa"):
            if _ui.attempt(
                lambda: plans.return_for_correction(rt, me, reg, reason, _ui.request_key(form)),
                form,
            ):
                st.rerun()


def extension_form(in_scope: list[Unit]) -> None:
    with st.form("extension", enter_to_submit=False):
        unit = st.selectbox(
            "Đơn vị",
            in_scope,
            format_func=lambda u: u.name,
            index=None,
            placeholder="Chọn đơn vị được gia hạn",
        )
        last_day = st.date_input("Hạn mới: hết ngày", value=None, format="DD/MM/YYYY")
        reason = st.text_input("Lý do gia hạn", max_chars=1000)
        if not st.form_submit_button("Cho gia hạn"):
            return
    if unit is None or not isinstance(last_day, date):
        st.error("Chưa lưu. Vui lòng chọn đơn vị và ngày hết hạn mới.")
        return
    deadline = _ui.attempt(
        lambda: plans.grant_extension(
            rt, me, cycle.id, unit.id, last_day, reason, _ui.request_key("extension")
        ),
        "extension",
    )
    if deadline:
        st.success(f"Đã gia hạn cho {_ui.plain(unit.name)}: {deadline.words}.")


if receipt := st.session_state.pop("receipt", None):
    show_receipt(receipt)
if me.role is Role.SECRETARY:
    own_unit(me)
elif me.role in (Role.PROVINCE, Role.UPPER):
    review(me)
else:
    st.info("Vai trò Người xem chỉ xem được, không đăng ký hay xử lý đăng ký.")
