"""Quyết định công nhận: record the decision recognising the units assessed đạt, list and correct
decisions, download their annex; the province's yearly check of each upper unit below."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _documents, _ui
from schemas.cells import day_words
from schemas.models import Decision
from schemas.vntext import sort_key
from services.core.access import Role
from services.documents import decision_doc
from services.documents.texts import DECISION
from services.people import units
from services.presentation import province_check_table
from services.registration import cycles
from services.registration.deadlines import cutoff_words
from services.year_end import decision_lists, decisions
from services.year_end.decision_lists import DecisionView
from services.year_end.decisions import Eligible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLASH = "decision-flash"

rt = _ui.runtime()
me = _ui.actor()
st.title("Quyết định công nhận")
_ui.require_tabs(rt, "quyet_dinh")
if me.role not in (Role.PROVINCE, Role.UPPER):
    st.info(
        "Màn hình này dành cho Đoàn cấp trên và cán bộ Tỉnh đoàn: ghi quyết định công nhận "
        'Đoàn cơ sở "3 chủ động" cho các đơn vị được đánh giá đạt. Kết quả công nhận của đơn vị '
        "xem ở màn hình Kết quả công nhận."
    )
    st.stop()
cycle = _ui.cycle_picker(  # like Đánh giá: each year named with its assessment cut-off
    "decision-cycle",
    label=lambda c: f"{c.name} (hạn đánh giá: {cutoff_words(cycles.assessment_cutoff(c))})",
)
if cycle is None:
    st.stop()


def choose_issuer() -> str | None:
    """An officer records for their own unit; province staff for the province or any upper unit."""
    choices = decisions.issuing_units(rt, me)
    if not choices:
        st.info("Đơn vị của bạn không phải Đoàn cấp trên nên không ra quyết định công nhận.")
        return None
    return _ui.acting_unit(
        "Đơn vị ra quyết định",
        choices,
        key="decision-issuer",
        help="Tỉnh đoàn công nhận các đơn vị trực thuộc tỉnh; có thể ghi thay quyết định bản giấy "
        "của một Đoàn cấp trên.",
        first=True,
    )


def eligible_table(eligible: list[Eligible]) -> None:
    _ui.table(
        pd.DataFrame(
            [
                {
                    "Đơn vị": e.unit.name,
                    "Đơn vị cấp trên": e.upper_name,
                    "Kết quả đánh giá": decision_lists.result_words(e.outcome),
                }
                for e in eligible
            ],
            columns=["Đơn vị", "Đơn vị cấp trên", "Kết quả đánh giá"],
        ),
        hide_index=True,
    )


def widgets(form: str) -> str:
    """Widget keys of a form: new ones after each save, so the next form starts afresh (and a
    correction form shows the record as saved)."""
    return f"{form}-{_ui.request_key(form)[:8]}"


def decision_fields(form: str, held: Decision | None) -> dict:
    """The fields shared by the new and the correction forms (inside an st.form)."""
    left, right = st.columns(2)
    number = left.text_input(
        "Số quyết định",
        value=held.number if held else "",
        placeholder="Ví dụ: 125-QĐ/ĐTN",
        key=f"{widgets(form)}-number",
        max_chars=200,
    )
    signed_on = right.date_input(
        "Ngày ký",
        value=held.signed_on if held else None,
        format="DD/MM/YYYY",
        key=f"{widgets(form)}-signed",
    )
    signer = st.text_input(
        "Người ký",
        value=held.signer if held else "",
        placeholder="Ví dụ: Bí thư Nguyễn Văn A",
        key=f"{widgets(form)}-signer",
        max_chars=200,
    )
    note = st.text_area(
        "Ghi chú", value=held.note if held else "", key=f"{widgets(form)}-note", max_chars=2000
    )
    return {"number": number, "signed_on": signed_on, "signer": signer, "note": note}


def new_decision(issuer: str, eligible: list[Eligible]) -> None:
    form = f"decision-new-{cycle.id}-{issuer}"
    names = {e.unit.id: e.unit.name for e in eligible}
    with st.form(form, enter_to_submit=False):
        data = decision_fields(form, None)
        data["unit_ids"] = st.multiselect(
            "Danh sách đơn vị được công nhận",
            list(names),
            default=list(names),
            format_func=names.get,
            key=f"{widgets(form)}-units",
            placeholder="Chọn đơn vị",
        )
        if not _ui.submit("Ghi quyết định", form, type="primary"):
            return
    saved = _ui.attempt(
        lambda: decisions.record_decision(rt, me, cycle.id, issuer, data, _ui.request_key(form)),
        form=form,
        busy="Đang ghi quyết định…",
    )
    if saved:
        _ui.flash(FLASH, (f"Đã ghi Quyết định số {saved.number} ({len(data['unit_ids'])} đơn vị)."))


def decision_block(view: DecisionView, may_correct: bool) -> None:
    d = view.decision
    title = (
        f"Quyết định số {d.number} ngày {day_words(d.signed_on)} — {view.issuer_name} "
        f"({len(view.units)} đơn vị)"
    )
    with st.expander(_ui.plain(title)):
        st.text(f"Người ký: {d.signer}\nNgười ghi: {d.recorded_by}")
        if d.note:
            st.text(f"Ghi chú: {d.note}")
        _ui.table(
            pd.DataFrame(
                [
                    {
                        "STT": n,
                        "Tên đơn vị": u.unit_name,
                        "Đơn vị cấp trên lúc công nhận": u.upper_name,
                        "Loại đơn vị": u.kind,
                        "Kết quả đánh giá": u.result,
                    }
                    for n, u in enumerate(view.units, start=1)
                ]
            ),
            hide_index=True,
        )
        data = _ui.attempt(lambda: decision_lists.annex_xlsx(rt, me, d.id))
        if data:
            st.download_button(
                "Tải danh sách kèm theo (.xlsx)",
                data=data,
                mime=XLSX,
                icon=":material/download:",
                file_name=f"danh-sach-cong-nhan-{d.cycle_id}-{d.id}.xlsx",
                key=f"annex-{d.id}",
                on_click="ignore",
            )
        # Built only when asked: a province sees dozens of decisions on this screen.
        if st.toggle("Văn bản quyết định (.docx, PDF)", key=f"decision-doc-open-{d.id}"):
            _documents.panel(
                rt,
                me,
                DECISION,
                d.unit_id,
                lambda texts: decision_doc.decision_document(rt, me, d.id, texts),
                key=f"decision-doc-{d.id}",
            )
        if may_correct:
            correction(view)


def correction(view: DecisionView) -> None:
    form = f"decision-fix-{view.decision.id}"
    held = _ui.loaded(form, view.decision)
    listed = {u.row.unit_id: u.unit_name for u in view.units}
    more = _ui.attempt(lambda: decisions.eligible_units(rt, me, cycle.id, held.unit_id)) or []
    options = {**listed, **{e.unit.id: e.unit.name for e in more}}
    st.markdown("**Sửa quyết định** (thêm, bớt đơn vị hoặc sửa thông tin)")
    with st.form(form, enter_to_submit=False):
        data = decision_fields(form, held)
        data["unit_ids"] = st.multiselect(
            "Danh sách đơn vị được công nhận",
            sorted(options, key=lambda u: sort_key(options[u])),
            default=list(listed),
            placeholder="Chọn đơn vị",
            format_func=options.get,
            key=f"{widgets(form)}-units",
        )
        if not _ui.submit("Lưu thay đổi", form):
            return
    saved = _ui.attempt(
        lambda: decisions.correct_decision(rt, me, held, data, _ui.request_key(form)),
        form=form,
        busy="Đang lưu thay đổi của quyết định…",
    )
    if saved:
        _ui.flash(FLASH, f"Đã lưu thay đổi của Quyết định số {saved.number}.")


def draft(issuer_id: str) -> None:
    """The draft decision from the units above, to edit, sign, then record below."""
    st.markdown(
        "**Dự thảo quyết định**: tải bản dự thảo từ các đơn vị trên, chỉnh sửa, trình ký, rồi ghi "
        "số và ngày ký vào mục dưới đây."
    )
    _documents.panel(
        rt,
        me,
        DECISION,
        issuer_id,
        lambda texts: decision_doc.draft_decision(rt, me, cycle.id, issuer_id, texts),
        key=f"decision-draft-{cycle.id}",
    )


def check_table() -> None:
    table = _ui.attempt(lambda: province_check_table.table(rt, me, cycle.id))
    if table is None or table.empty:
        return
    st.subheader("Kiểm tra chỉ đạo của Đoàn cấp trên" if me.role is Role.PROVINCE else "Kết quả")
    _ui.table(table, hide_index=True)
    st.caption(
        "Đơn vị được tính theo Đoàn cấp trên lúc đăng ký; tỷ lệ đã đánh giá tính trên số đơn vị "
        "đã đăng ký (chỉ đơn vị đã đăng ký mới được đánh giá)."
    )


_ui.show_flash(FLASH)
issuer = choose_issuer()
if issuer is not None:
    eligible = _ui.attempt(lambda: decisions.eligible_units(rt, me, cycle.id, issuer))
    if eligible is not None:
        st.subheader("Đơn vị đạt, chưa được công nhận")
        if eligible:
            eligible_table(eligible)
            draft(issuer)
            new_decision(issuer, eligible)
        else:
            st.info(
                f"Trong {_ui.plain(cycle.name.lower())} chưa có đơn vị nào của "
                f"{_ui.plain(units.unit_name(rt, me, issuer))} được đánh giá đạt (bản đánh giá chính thức "
                "đã gửi) mà chưa được công nhận."
            )
views = _ui.attempt(lambda: decision_lists.decisions_of(rt, me, cycle.id))
if views:
    st.subheader("Quyết định đã ghi")
    mine = set(decisions.issuing_units(rt, me))
    for view in views:
        decision_block(view, view.decision.unit_id in mine)
check_table()
