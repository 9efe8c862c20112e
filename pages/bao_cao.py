"""Báo cáo lên tỉnh: an upper unit sends the province its units' registration counts, frozen then.

Sending again updates the figures; whether the report was on time stays as decided the first time
(`rollups.send_rollup`).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from pages import _documents, _ui
from schemas.models import UpperReport
from schemas.vntext import sort_key
from services.core.access import Role
from services.documents import rollup_doc
from services.documents.texts import ROLLUP
from services.people import units
from services.registration import deadlines, rollups
from services.registration.rollups import RollupCounts

FLASH = "rollup-sent"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = (  # label, field of RollupCounts and UpperReport
    ("Tổng số đoàn cơ sở", "total_units"),
    ("Đăng ký đúng hạn", "registered_on_time"),
    ("Đăng ký trễ hạn", "registered_late"),
    ("Trả lại để sửa", "returned"),
    ("Chưa đăng ký", "not_registered"),
    ("Đã tiếp nhận", "accepted"),
    ("Lỗi dữ liệu", "needs_check"),
)

rt = _ui.runtime()
me = _ui.actor()
st.title("Báo cáo lên tỉnh")
_ui.require_tabs(rt, "bao_cao")
if me.role not in (Role.PROVINCE, Role.UPPER):
    st.info(
        "Màn hình này dành cho cán bộ Đoàn cấp trên (huyện, thị, thành đoàn, đoàn trực thuộc) "
        "và cán bộ Tỉnh đoàn: Đoàn cấp trên gửi Tỉnh đoàn báo cáo tổng hợp đăng ký của các đơn vị. "
        "Để xem tình hình đăng ký, hãy mở màn hình Tổng hợp."
    )
    st.stop()
cycle = _ui.cycle_picker(
    label=lambda c: f"{c.name} (hạn báo cáo lên tỉnh: {deadlines.cutoff_words(c.report_cutoff)})"
)
if cycle is None:
    st.stop()


def choose_unit() -> str | None:
    """The upper unit reporting: an officer's own unit; any upper unit for province staff."""
    name = partial(units.unit_name, rt, me)
    choices = sorted(rollups.reporting_units(rt, me, cycle.id), key=lambda u: sort_key(name(u)))
    if not choices:
        st.info("Đơn vị của bạn không có đoàn cơ sở trực thuộc để báo cáo lên tỉnh.")
        return None
    return _ui.acting_unit("Đoàn cấp trên báo cáo", choices, key="report-unit")


def deadline(cycle_cutoff: datetime, sent: UpperReport | None) -> None:
    left, right = st.columns(2)
    left.metric("Hạn báo cáo lên tỉnh", deadlines.cutoff_words(cycle_cutoff))
    right.metric("Thời gian còn lại", deadlines.countdown_words(rt.clock.now(), cycle_cutoff))
    if sent is None and not deadlines.is_on_time(rt.clock.now(), cycle_cutoff):
        st.warning("Đã quá hạn báo cáo: báo cáo gửi bây giờ được ghi nhận là trễ hạn.")


def live_counts(counts: RollupCounts) -> None:
    st.markdown("**Số liệu hiện tại** (tính đến lúc này, chưa chốt)")
    for column, (label, name) in zip(st.columns(len(FIGURES)), FIGURES, strict=True):
        column.metric(label, getattr(counts, name))


def sent_report(report: UpperReport, counts: RollupCounts) -> None:
    """The figures as frozen when sent, beside today's, and the .xlsx to download."""
    st.subheader("Báo cáo đã gửi")
    verdict = "**đúng hạn**" if report.on_time else "**trễ hạn**"
    last = report.last_sent_at or report.sent_at
    st.markdown(
        f"Gửi lần đầu lúc {report.sent_at:%H:%M %d/%m/%Y} — {verdict}. "
        f"Gửi gần nhất lúc {last:%H:%M %d/%m/%Y}."
    )
    st.text(f"Người gửi: {report.sent_by}")  # st.text: an e-mail address must not become a link
    frame = pd.DataFrame(
        [
            {"Mục": label, "Đã gửi": getattr(report, name), "Hiện tại": getattr(counts, name)}
            for label, name in FIGURES
        ]
    )
    _ui.table(frame, hide_index=True, width="content")
    if report.note:
        st.text(f"Ghi chú: {report.note}")
    if any(getattr(report, name) != getattr(counts, name) for _, name in FIGURES):
        st.info(
            "Số liệu đã thay đổi từ lần gửi gần nhất. Bấm “Gửi lại báo cáo” để cập nhật số liệu "
            "cho tỉnh (đúng hạn hay trễ hạn vẫn tính theo lần gửi đầu tiên)."
        )
    data = _ui.attempt(lambda: rollups.report_xlsx(rt, me, report))
    if data:
        st.download_button(
            "Tải báo cáo (.xlsx)",
            data=data,
            mime=XLSX,
            icon=":material/download:",
            file_name=f"bao-cao-3cd-{report.cycle_id}-{report.unit_id}.xlsx",
            on_click="ignore",
        )
    st.markdown("**Văn bản báo cáo** (số liệu và danh sách đơn vị như lúc gửi)")
    _documents.panel(
        rt,
        me,
        ROLLUP,
        report.unit_id,
        lambda texts: rollup_doc.rollup_document(rt, me, report.cycle_id, report.unit_id, texts),
        key=f"rollup-doc-{report.id}",
    )
    st.markdown("**Danh sách đăng ký** (riêng danh sách, như lúc gửi)")
    _documents.panel(
        rt,
        me,
        ROLLUP,
        report.unit_id,
        lambda texts: rollup_doc.rollup_document(
            rt, me, report.cycle_id, report.unit_id, texts, listing_only=True
        ),
        key=f"rollup-list-{report.id}",
    )


def send_form(unit_id: str, report: UpperReport | None) -> None:
    form = f"rollup-{cycle.id}-{unit_id}"
    with st.form(form, enter_to_submit=False):
        note = st.text_area(
            "Ghi chú gửi Tỉnh đoàn",
            value=report.note if report else "",
            placeholder="Ví dụ: các đơn vị chưa đăng ký đã được nhắc, dự kiến gửi trước…",
            max_chars=2000,
        )
        st.caption("Khi gửi, số liệu được chốt tại thời điểm đó.")
        label = "Gửi lại báo cáo" if report else "Gửi báo cáo"
        if not _ui.submit(label, form, type="primary"):
            return
    sent = _ui.attempt(
        lambda: rollups.send_rollup(rt, me, cycle.id, unit_id, note, _ui.request_key(form)),
        form=form,
        busy="Đang gửi báo cáo lên tỉnh…",
    )
    if sent:
        _ui.flash(
            FLASH,
            f"Đã gửi báo cáo của {units.unit_name(rt, me, sent.unit_id)} lên tỉnh lúc "
            f"{(sent.last_sent_at or sent.sent_at):%H:%M %d/%m/%Y}.",
        )


_ui.show_flash(FLASH)
unit_id = choose_unit()
if unit_id is None:
    st.stop()
counts = _ui.attempt(lambda: rollups.preview(rt, me, cycle.id, unit_id))
if counts is None:
    st.stop()
report = rollups.report_of(rt, me, cycle.id, unit_id)  # same access check as preview, just passed
deadline(cycle.report_cutoff, report)
live_counts(counts)
if report is not None:
    sent_report(report, counts)
send_form(unit_id, report)
