"""Reminders on Tổng hợp, Đánh giá and Trang chủ: the ready message per unit and per upper unit to
copy (Zalo, SMS) or open as e-mail, and — with [smtp] — one click to e-mail every missing unit."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import Cycle
from services.core.access import Actor, Role
from services.core.runtime import Runtime
from services.people.units import unit_name
from services.reminders import outbox, schedule
from services.reminders.mailer import SmtpMailer
from services.reminders.messages import NO_EMAIL, Message, Stage, unit_messages, upper_messages
from services.reminders.settings import ReminderSettings, reminder_settings

NO_SMTP = (
    "Ứng dụng chưa được cài đặt máy chủ thư (liên hệ quản trị hệ thống) nên chưa tự gửi "
    "e-mail: hãy sao chép lời nhắc dưới đây hoặc mở thư bằng ứng dụng thư của bạn."
)


def settings() -> ReminderSettings:
    return reminder_settings(_ui._secrets(), os.environ)


def section(rt: Runtime, me: Actor, cycle: Cycle, stage: Stage) -> None:
    """The reminders of the units still missing in this cycle at this stage."""
    if me.role not in (Role.PROVINCE, Role.UPPER):
        return
    config = settings()
    verb = "chưa đăng ký" if stage is Stage.REGISTER else "chưa có đánh giá chính thức"
    st.subheader(f"Nhắc nhở đơn vị {verb}")
    units = _ui.attempt(lambda: unit_messages(rt, me, cycle.id, stage, config.app_url))
    if not units:
        if units is not None:
            st.success("Không còn đơn vị nào cần nhắc.")
        return
    # Built once per data version, scope and minute, like the messages it lists.
    scope = (cycle.id, stage, config.app_url, me.role, me.unit_id)
    listed = rt.per_minute(
        ("reminders table", *scope), lambda _wb, _now: _listing(rt, cycle, stage, units)
    )
    _ui.table(listed, hide_index=True, width="stretch")
    with st.container():  # what a sending says comes and goes: in one place (see _ui.show_flash)
        _send_all(rt, me, cycle, units, config, f"remind-{stage.name}-{cycle.id}")
        _unsure(rt, me, cycle)
    uppers = _ui.attempt(lambda: upper_messages(rt, me, cycle.id, stage, config.app_url)) or []
    tabs = st.tabs(["Lời nhắc từng đơn vị", "Lời nhắc từng Đoàn cấp trên"])
    with tabs[0]:
        _one(rt, units, f"remind-unit-{stage.name}", scope)
    with tabs[1]:
        _one(rt, uppers, f"remind-upper-{stage.name}", scope)


def _listing(rt: Runtime, cycle: Cycle, stage: Stage, units: list[Message]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Đơn vị": m.unit_name,
                "Tình trạng": m.status,
                "E-mail": m.to or NO_EMAIL,
                "Đã nhắc": outbox.sent_words(rt, cycle.id, m.unit_id, stage.value) or "chưa nhắc",
            }
            for m in units
        ]
    )


def _one(rt: Runtime, messages: list[Message], key: str, scope: tuple) -> None:
    if not messages:
        st.caption("Không có lời nhắc nào.")
        return
    # A thousand choices for province staff: indexed and labelled once per minute, like the list.
    by_id, labels = rt.per_minute(("reminder choices", key, *scope), lambda *_: _choices(messages))
    chosen = st.selectbox("Chọn đơn vị", list(by_id), format_func=labels.__getitem__, key=key)
    message = by_id[chosen]
    st.caption("Bấm biểu tượng sao chép ở góc khung để dán vào Zalo hoặc tin nhắn.")
    st.code(f"{message.subject}\n\n{message.body}", language=None, wrap_lines=True)
    if message.to:
        st.link_button("Mở thư bằng ứng dụng e-mail", message.mailto, icon=":material/mail:")
    else:
        st.warning(f"{_ui.plain(message.unit_name)} {NO_EMAIL}: hãy bổ sung ở màn hình Đơn vị.")


def _choices(messages: list[Message]) -> tuple[dict[str, Message], dict[str, str]]:
    by_id = {m.unit_id: m for m in messages}
    return by_id, {u: f"{m.unit_name} ({m.to or NO_EMAIL})" for u, m in by_id.items()}


def _send_all(
    rt: Runtime, me: Actor, cycle: Cycle, units: list[Message], config: ReminderSettings, key: str
) -> None:
    if config.smtp is None:
        st.info(NO_SMTP)
        return
    with_email = sum(1 for m in units if m.to)
    if not st.button(
        f"Gửi e-mail nhắc {with_email} đơn vị (đồng gửi cán bộ theo dõi)",
        type="primary",
        icon=":material/send:",
        key=key,
    ):
        return
    queued = _ui.attempt(lambda: outbox.queue(rt, me, cycle.id, units, outbox.MANUAL))
    if queued is None:
        return
    _deliver(rt, me, cycle.id, config, queued)


def _deliver(
    rt: Runtime, me: Actor, cycle_id: str, config: ReminderSettings, queued: outbox.Queued
) -> None:
    try:
        with st.spinner("Đang gửi e-mail…"), SmtpMailer(config.smtp) as mailer:
            report = _ui.attempt(
                lambda: outbox.send_pending(
                    rt, me, mailer, config.smtp.pause_seconds, cycle_id=cycle_id
                )
            )
    except OSError as exc:
        st.error(
            f"Không kết nối được máy chủ thư ({_ui.plain(str(exc))}). Thư vẫn nằm trong hàng chờ; "
            "thử lại sau."
        )
        return
    if report is None:
        return
    st.success(f"Đã gửi {len(report.sent)} e-mail nhắc nhở.")
    for recipient, error in report.failed:
        st.error(
            f"Chưa gửi được tới {_ui.plain(recipient)}: {_ui.plain(error)}. Lần gửi sau sẽ thử lại."
        )
    if queued.no_email:
        st.warning(f"Chưa có e-mail, chưa nhắc được: {_ui.plain(', '.join(queued.no_email))}.")
    if queued.already:
        st.caption(f"{len(queued.already)} lời nhắc hôm nay đã có trong hàng chờ hoặc đã gửi.")


def _unsure(rt: Runtime, me: Actor, cycle: Cycle) -> None:
    for row in outbox.unsure(rt, me, cycle.id):
        st.warning(
            f"Thư nhắc tới {_ui.plain(row.recipient)} "
            f"({_ui.plain(unit_name(rt, me, row.unit_id))}) bị ngắt giữa "
            "chừng, chưa rõ đã đi chưa. Kiểm tra hộp thư đã gửi; nếu chưa có, bấm “Gửi lại”."
        )
        if (
            st.button("Gửi lại", key=f"again-{row.id}")
            and _ui.attempt(lambda row=row: outbox.send_again(rt, me, row.id)) is not None
        ):
            st.rerun()  # back in the queue, or moved by someone meanwhile; a refusal stays shown


def schedule_form(rt: Runtime, me: Actor, cycle: Cycle) -> None:
    """Province staff set when the cycle's reminders are drafted, and automatic sending."""
    if me.role is not Role.PROVINCE:
        return
    current = schedule.current_schedule(rt, cycle.id)
    form = f"reminder-schedule-{cycle.id}"
    with st.expander("Lịch nhắc nhở của năm này"), st.form(form, enter_to_submit=False):
        before = st.text_input(
            "Nhắc đơn vị chưa đăng ký trước hạn (số ngày)",
            value=current.days_before if current else "7, 1",
            max_chars=50,
        )
        after = st.text_input(
            "Nhắc Đoàn cấp trên sau hạn (số ngày)",
            value=current.days_after_upper if current else "1",
            max_chars=50,
        )
        auto = st.checkbox(
            "Tự động gửi e-mail theo lịch (cần quản trị hệ thống bật trên máy chủ)",
            value=bool(current and current.auto_send),
        )
        if not st.form_submit_button("Lưu lịch nhắc"):
            return
    saved = _ui.attempt(
        lambda: schedule.set_schedule(rt, me, cycle.id, before, after, auto, _ui.request_key(form)),
        form=form,
    )
    if saved is not None:
        st.success("Đã lưu lịch nhắc nhở.")


def home(rt: Runtime, me: Actor) -> None:
    """The scheduled reminders due now for this person, on the home page: nothing leaves unclicked."""
    config = settings()
    due = _ui.attempt(lambda: schedule.due(rt, me, config.app_url)) or []
    for item in due:
        with_email = sum(1 for m in item.messages if m.to)
        st.subheader(f"Nhắc nhở đến hạn — {_ui.plain(item.round)}")
        st.markdown(
            f"{len(item.messages)} lời nhắc ({_ui.plain(item.cycle.name)}) đã soạn sẵn"
            + (", sẽ được gửi tự động." if item.auto else ".")
        )
        for m in item.messages:
            st.markdown(f"- {_ui.plain(m.unit_name)} ({_ui.plain(m.to or NO_EMAIL)})")
        if config.smtp is None:
            st.info(NO_SMTP + " Lời nhắc có ở màn hình Tổng hợp.")
            continue
        if st.button(f"Gửi {with_email} e-mail", key=f"due-{item.cycle.id}-{item.round}"):
            queued = _ui.attempt(lambda item=item: schedule.queue_due(rt, me, item))
            if queued is not None:
                _deliver(rt, me, item.cycle.id, config, queued)
