"""Chu kỳ: province staff set each year's round — criteria set, cut-offs, late policy, points."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import Cycle, LatePolicy, decimal_cell, parse_decimal
from services.core.access import Role
from services.registration import cycles
from services.registration.cycles import CycleDraft
from services.registration.deadlines import cutoff_after, cutoff_words

NEW, EDIT = "cycle-new", "cycle-edit"
FLASH = "cycle-flash"
POLICIES = list(LatePolicy)

rt = _ui.runtime()
me = _ui.actor()
st.title("Chu kỳ đăng ký")
_ui.require_tabs(rt, "chu_ky")


def criteria_label(ref: str) -> str:
    found = rt.criteria.get(ref)
    return (
        f"{found.title} (phiên bản {found.version})"
        if found
        else f"{ref} (không có trong danh mục)"
    )


def cycle_table(rows: list[Cycle]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Chu kỳ": c.name,
                "Năm thực hiện": str(c.year),
                "Bộ tiêu chí": criteria_label(c.criteria_set),
                "Hạn đăng ký": cutoff_words(c.register_cutoff),
                "Hạn báo cáo lên tỉnh": cutoff_words(c.report_cutoff),
                "Khi đăng ký trễ hạn": c.late_policy.value,
                "Hạn đánh giá": cutoff_words(cycles.assessment_cutoff(c)),
                "Chấm điểm": (
                    f"ngưỡng {decimal_cell(c.points_threshold)}"
                    if c.points_threshold is not None
                    else "theo bộ tiêu chí"
                ),
                "Mã": c.id,
            }
            for c in rows
        ]
    )


def explain_year(draft: CycleDraft) -> None:
    """What 'Năm thực hiện N' means: the plan is carried out in N, registered in October of N-1."""
    st.caption(
        f"Năm thực hiện {draft.year} là năm các đơn vị thực hiện kế hoạch; việc đăng ký diễn ra "
        f"từ năm {draft.year - 1}. Mặc định: hạn đăng ký hết ngày {draft.register_last_day:%d/%m/%Y}, "
        f"hạn Đoàn cấp trên báo cáo lên tỉnh hết ngày {draft.report_last_day:%d/%m/%Y}."
    )


def explain_cutoff() -> None:
    sample = date(2025, 10, 9)
    st.caption(
        "Mỗi hạn được lưu là thời điểm bắt đầu trễ hạn: 00:00 ngày hôm sau, giờ Việt Nam "
        f"(hết ngày {sample:%d/%m/%Y} được lưu là {cutoff_after(sample):%H:%M %d/%m/%Y}); "
        "gửi trước thời điểm đó là đúng hạn."
    )


def cycle_form(form: str, draft: CycleDraft, held: Cycle | None) -> None:
    """Create (held is None, year chosen above the form) or edit `held`, starting from `draft`."""
    request = _ui.request_key(form)
    prefix = f"{form}-{held.id if held else draft.year}-{request[:8]}"
    unknown = draft.criteria_set and draft.criteria_set not in rt.criteria
    refs = list(rt.criteria) + ([draft.criteria_set] if unknown else [])
    with st.form(form, enter_to_submit=False):
        year = draft.year
        if held is not None:
            year = st.number_input(
                "Năm thực hiện",
                min_value=2000,
                max_value=2100,
                step=1,
                value=draft.year,
                key=f"{prefix}-year",
            )
        name = st.text_input("Tên chu kỳ", value=draft.name, key=f"{prefix}-name", max_chars=200)
        criteria = st.selectbox(
            "Bộ tiêu chí",
            refs,
            format_func=criteria_label,
            key=f"{prefix}-criteria",
            index=refs.index(draft.criteria_set) if draft.criteria_set else None,
            placeholder="Chọn bộ tiêu chí",
        )
        left, right = st.columns(2)
        register = left.date_input(
            "Hạn đăng ký: hết ngày",
            value=draft.register_last_day,
            format="DD/MM/YYYY",
            key=f"{prefix}-register",
        )
        report = right.date_input(
            "Hạn báo cáo lên tỉnh: hết ngày",
            value=draft.report_last_day,
            format="DD/MM/YYYY",
            key=f"{prefix}-report",
        )
        assess = st.date_input(
            "Hạn đánh giá: hết ngày",
            value=draft.assess_last_day,
            format="DD/MM/YYYY",
            key=f"{prefix}-assess",
            help="Mặc định là hết ngày 31/12 của năm thực hiện (giả định: đánh giá vào cuối năm).",
        )
        threshold = st.text_input(
            "Ngưỡng điểm (bỏ trống: không chấm điểm, hoặc theo bộ tiêu chí)",
            value=decimal_cell(draft.points_threshold),
            key=f"{prefix}-points",
            help=(
                "Chỉ dùng khi tỉnh chọn chấm điểm và bộ tiêu chí đã khai báo điểm cho từng tiêu "
                "chí. Đơn vị đạt khi cả ba nội dung đạt và tổng điểm không thấp hơn ngưỡng."
            ),
            max_chars=200,
        )
        policy = st.radio(
            "Khi đơn vị đăng ký hoặc gửi đánh giá trễ hạn",
            POLICIES,
            index=POLICIES.index(draft.late_policy),
            format_func=lambda p: p.value,
            key=f"{prefix}-policy",
            horizontal=True,
        )
        submitted = st.form_submit_button("Lưu thay đổi" if held else "Tạo chu kỳ", type="primary")
    if not submitted:
        return
    if criteria is None or not isinstance(register, date) or not isinstance(report, date):
        st.error("Chưa lưu. Vui lòng chọn bộ tiêu chí, hạn đăng ký và hạn báo cáo lên tỉnh.")
        return
    try:
        points = parse_decimal(threshold)
    except ValueError:
        st.error("Chưa lưu. Ngưỡng điểm phải là số (ví dụ 80 hoặc 72,5), hoặc để trống.")
        return
    new = CycleDraft(
        int(year),
        name,
        criteria,
        register,
        report,
        policy,
        assess if isinstance(assess, date) else None,
        points,
    )
    cycle = _ui.attempt(lambda: cycles.save_cycle(rt, me, new, request, loaded=held), form)
    if cycle:
        verb = "Đã lưu" if held else "Đã tạo"
        _ui.flash(
            FLASH,
            f"{verb} chu kỳ {cycle.name}: hạn đăng ký {cutoff_words(cycle.register_cutoff)}.",
        )


def create() -> None:
    year = int(
        st.number_input(
            "Năm thực hiện",
            min_value=2000,
            max_value=2100,
            step=1,
            value=cycles.next_year(rt),
            key="new-year",
        )
    )
    draft = cycles.draft_for(rt, year)
    explain_year(draft)
    taken = [c.name for c in cycles.list_cycles(rt, me) if c.year == year]
    if taken:
        st.warning(
            f"Đã có chu kỳ năm {year} ({_ui.plain(taken[0])}). Hãy chọn năm khác, hoặc sửa "
            "chu kỳ đó ở thẻ Sửa chu kỳ."
        )
    if not draft.criteria_set:
        st.info(f"Chưa có bộ tiêu chí nào áp dụng cho năm {year}: hãy chọn bộ tiêu chí phù hợp.")
    cycle_form(NEW, draft, held=None)


def edit(existing: list[Cycle]) -> None:
    by_id = {c.id: c for c in existing}
    cycle_id = st.selectbox(
        "Chu kỳ cần sửa",
        list(by_id),
        format_func=lambda i: by_id[i].name,
        index=None,
        placeholder="Chọn chu kỳ",
        key="edit-cycle",
    )
    if cycle_id is None:
        return
    held = _ui.loaded(EDIT, by_id[cycle_id])
    st.caption(
        f"Đang lưu: hạn đăng ký {cutoff_words(held.register_cutoff)}, hạn báo cáo lên tỉnh "
        f"{cutoff_words(held.report_cutoff)}."
    )
    cycle_form(EDIT, cycles.draft_of(held), held)


_ui.show_flash(FLASH)
existing = cycles.list_cycles(rt, me)
if existing:
    _ui.table(cycle_table(existing), hide_index=True, width="stretch")
else:
    st.info("Chưa có chu kỳ nào. Hãy tạo chu kỳ đầu tiên bên dưới.")
explain_cutoff()
if me.role is not Role.PROVINCE:
    st.info("Chỉ cán bộ Tỉnh đoàn mới tạo hoặc sửa chu kỳ.")
    st.stop()
tab_new, tab_edit = st.tabs(["Tạo chu kỳ", "Sửa chu kỳ"])
with tab_new:
    create()
with tab_edit:
    edit(existing)
