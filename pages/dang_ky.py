"""Đăng ký: a unit registers its plan; its upper unit accepts, returns, enters on behalf, extends."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.criteria import Content, CriteriaSet, Criterion, content_label
from schemas.models import Registration, RegistrationState, Unit
from schemas.standing import LINK_LABEL, LINK_LIMIT, ROADMAP_LIMIT, roadmap_label, status_label
from services.core.access import Actor, Role
from services.people import units
from services.registration import plans, statements
from services.registration.deadlines import countdown_words, paper_receipt_days
from services.registration.plans import Receipt
from services.registration.status import NOT_YET

FLASH = "register-flash"

rt = _ui.runtime()
me = _ui.actor()
st.title('Đăng ký xây dựng Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "dang_ky")
cycle = _ui.cycle_picker()
if cycle is None:
    st.stop()
criteria = rt.criteria.get(cycle.criteria_set)


def criteria_of(unit_id: str) -> CriteriaSet | None:
    """The set this unit is held to in the cycle (a set of its own for some kinds of unit)."""
    return statements.criteria_for(rt, cycle, unit_id)


def deadline_banner(unit: Unit) -> None:
    deadline = plans.deadline_for(rt, me, cycle.id, unit.id)
    left, right = st.columns(2)
    left.metric("Hạn đăng ký", deadline.words)
    right.metric("Thời gian còn lại", countdown_words(rt.clock.now(), deadline.cutoff))
    if deadline.extended:
        st.info(f"Đơn vị được gia hạn. Lý do: {_ui.plain(deadline.reason)}")


def show_receipt(receipt: Receipt, fresh: bool = False) -> None:
    """The receipt of a registration; `fresh` right after sending it (once, in place of the
    standing one), saying whether this sending updated the earlier registration."""
    verdict = "**đúng hạn**" if receipt.on_time else "**trễ hạn**"
    who = f"{_ui.plain(receipt.unit_name)} — {_ui.plain(receipt.cycle_name)}"
    if fresh and receipt.resent:
        head = f"Đã cập nhật đăng ký đã gửi trước đó của {who} (vẫn giữ mã và lần gửi đầu)."
    else:
        head = f"Đã nhận đăng ký của {who}."
    when = (
        f"nhận bản giấy ngày {receipt.received_on:%d/%m/%Y}"
        if receipt.received_on
        else f"gửi lần đầu lúc {receipt.sent_at:%H:%M %d/%m/%Y}"
    )
    st.success(
        f"{head}  \n"
        f"Mã tiếp nhận: **{_ui.plain(receipt.reference)}** · {when} · "
        f"{verdict} (hạn {receipt.cutoff_words}) · trạng thái: {receipt.state.value}."
    )


def plan_read_only(reg: Registration) -> None:
    """The plan as it was sent: its number, date and signed copy, the target for each content,
    and where the unit stands on each criterion with its roadmap."""
    day = f"{reg.plan_date:%d/%m/%Y}" if reg.plan_date else "(chưa ghi)"
    st.markdown(f"**Số kế hoạch:** {_ui.plain(reg.plan_number)} · **Ngày kế hoạch:** {day}")
    if reg.plan_link:  # checked as an http(s) address when sent and when read: never markup
        st.link_button("Mở kế hoạch đã ký", reg.plan_link)
        st.text(f"{LINK_LABEL}: {reg.plan_link}")
    else:
        st.caption(f"{LINK_LABEL}: (không gửi kèm)")
    titles = {c.id: c.title for c in criteria.contents} if criteria else {}
    for content_id, target in reg.targets.items():
        title = titles.get(content_id, "")
        st.markdown(f"**{content_label(content_id)}{'. ' + _ui.plain(title) if title else ''}**")
        st.text(target or "(trống)")
    st.markdown("**Tình hình từng tiêu chí và lộ trình**")
    rows = statements.statement_rows(criteria_of(reg.unit_id), reg)
    _ui.table(pd.DataFrame(rows), hide_index=True, width="stretch")


def criterion_statement(
    criterion: Criterion, source: str, existing: Registration | None
) -> dict[str, str | None]:
    """Where the unit stands on one criterion today, and its roadmap if not yet met."""
    stated = existing.standings.get(criterion.id) if existing else None
    optional = "" if criterion.required or criterion.province_choice else " (không bắt buộc)"
    st.markdown(f"**Tiêu chí {_ui.plain(criterion.id)}.** {_ui.plain(criterion.title)}{optional}")
    st.caption(f"Nguồn: {_ui.plain(source)}")
    left, right = st.columns([1, 2])
    standing = left.selectbox(
        status_label(criterion.id),
        statements.CHOICES,
        index=statements.CHOICES.index(stated.standing.value) if stated else None,
        placeholder="Chọn tình hình hiện nay",
    )
    roadmap = right.text_input(
        roadmap_label(criterion.id),
        value=stated.roadmap if stated else "",
        placeholder="Việc cần làm và thời hạn (bắt buộc nếu chưa đạt hoặc đang thực hiện)",
        max_chars=ROADMAP_LIMIT,
    )
    return {"standing": standing, "roadmap": roadmap}


def content_statements(
    held: CriteriaSet, content: Content, existing: Registration | None
) -> dict[str, dict[str, str | None]]:
    st.markdown(f"*Tình hình từng tiêu chí của {_ui.plain(content.label)}*")
    return {c.id: criterion_statement(c, held.source_words(c), existing) for c in content.criteria}


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
        )
        link = st.text_input(
            LINK_LABEL,
            value=existing.plan_link if existing else "",
            placeholder="https://…",
            help="Địa chỉ bản kế hoạch đã ký (ví dụ trên Google Drive), bắt đầu bằng https://. "
            "Không bắt buộc.",
            max_chars=LINK_LIMIT,
        )
        targets: dict[str, str] = {}
        stated: dict[str, dict[str, str | None]] = {}
        held = criteria_of(unit.id)
        for content in held.contents if held else []:
            targets[content.id] = st.text_area(
                f"{content.label}. {content.title}",
                value=existing.targets.get(content.id, "") if existing else "",
                help="Tiêu chí: " + "; ".join(f"{c.id} {c.title}" for c in content.criteria),
                placeholder="Mục tiêu, giải pháp và lộ trình thực hiện nội dung này",
                max_chars=5000,
            )
            stated |= content_statements(held, content, existing)
        received = None
        if on_behalf:
            days = paper_receipt_days(cycle, rt.clock.now())
            received = st.date_input(
                "Ngày nhận bản giấy",
                value=None,
                min_value=days[0] if days else None,
                max_value=days[1] if days else None,
                format="DD/MM/YYYY",
                help="Đúng hạn hay trễ hạn được tính theo ngày nhận này.",
            )
        label = (
            "Gửi lại đăng ký" if existing else ("Nhập thay đăng ký" if on_behalf else "Gửi đăng ký")
        )
        if not _ui.submit(label, form, type="primary"):
            return
    data = {
        "plan_number": number,
        "plan_date": plan_day,
        "targets": targets,
        "plan_link": link,
        "standings": stated,
    }
    receipt = _ui.attempt(
        lambda: plans.register_plan(
            rt, me, cycle.id, unit.id, data, _ui.request_key(form), received_on=received
        ),
        form=form,
        busy="Đang gửi đăng ký…",
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
        fresh = st.session_state.pop("receipt", None)
        show_receipt(fresh or plans.receipt_for(rt, actor, existing), fresh=fresh is not None)
        if existing.state is RegistrationState.RETURNED:
            st.warning(f"Đoàn cấp trên trả lại để sửa: {_ui.plain(existing.return_reason)}")
        if existing.state is RegistrationState.ACCEPTED:
            st.info(
                "Đăng ký đã được tiếp nhận. Muốn sửa, hãy liên hệ Đoàn cấp trên để được trả lại."
            )
            with st.expander("Kế hoạch đã gửi", expanded=True):
                plan_read_only(existing)
            return
        with st.expander("Kế hoạch đã gửi"):
            plan_read_only(existing)
    plan_form("plan-own", unit, existing, on_behalf=False)


def review(actor: Actor) -> None:
    lines = plans.review_lines(rt, actor, cycle.id)
    rows = [
        {
            "Đơn vị": line.unit.name,
            "Đơn vị cấp trên": line.upper_name,
            "Tình trạng": line.status,
            "Tiếp nhận": line.registration.state.value if line.registration else "",
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
        f"{'đúng hạn' if reg.on_time else 'trễ hạn'}"
    )
    plan_read_only(reg)
    accept_col, return_col = st.columns(2)
    with accept_col.form(f"accept-{unit.id}", border=False):
        accept = _ui.submit(
            "Tiếp nhận", form, type="primary", disabled=reg.state is not RegistrationState.SENT
        )
    if accept and _ui.attempt(
        lambda: plans.accept(rt, me, reg, _ui.request_key(form)), form, "Đang tiếp nhận…"
    ):
        _ui.flash(FLASH, f"Đã tiếp nhận kế hoạch của {unit.name}.")
    with return_col.form(f"return-{unit.id}", enter_to_submit=False):
        reason = st.text_input("Lý do trả lại", placeholder="Cần sửa gì?", max_chars=1000)
        give_back = _ui.submit("Trả lại để sửa", form)
    if give_back and _ui.attempt(
        lambda: plans.return_for_correction(rt, me, reg, reason, _ui.request_key(form)),
        form,
        "Đang trả lại kế hoạch…",
    ):
        _ui.flash(FLASH, f"Đã trả lại kế hoạch của {unit.name} để sửa. Lý do: {reason.strip()}")


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
        if not _ui.submit("Cho gia hạn", "extension"):
            return
    if unit is None or not isinstance(last_day, date):
        _ui.refuse("extension", "Chưa lưu. Vui lòng chọn đơn vị và ngày hết hạn mới.")
        return
    deadline = _ui.attempt(
        lambda: plans.grant_extension(
            rt, me, cycle.id, unit.id, last_day, reason, _ui.request_key("extension")
        ),
        "extension",
        "Đang ghi gia hạn…",
    )
    if deadline:
        _ui.flash(FLASH, f"Đã gia hạn cho {unit.name}: {deadline.words}.")


_ui.show_flash(FLASH)
receipt_slot = st.empty()  # drawn on every run, as the flash's is (see _ui.show_flash)
if me.role is not Role.SECRETARY and (receipt := st.session_state.pop("receipt", None)):
    with receipt_slot:
        show_receipt(receipt, fresh=True)
if me.role is Role.SECRETARY:
    own_unit(me)
elif me.role in (Role.PROVINCE, Role.UPPER):
    review(me)
else:
    st.info("Vai trò Người xem chỉ xem được, không đăng ký hay xử lý đăng ký.")
