"""Chu kỳ: province staff set each year's round — criteria set, cut-offs, late policy, points."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import _ui
from schemas.models import GRASSROOTS_KINDS, Cycle, LatePolicy, decimal_cell, parse_decimal
from services.core.access import Role
from services.registration import cycles
from services.registration.cycles import CycleDraft
from services.registration.deadlines import cutoff_after, cutoff_words

NEW, EDIT = "cycle-new", "cycle-edit"
FLASH = "cycle-flash"
WARN = "cycle-warnings"  # criteria sets whose period does not cover the saved cycle's year
CREATED = "cycle-created"
POLICIES = list(LatePolicy)

rt = _ui.runtime()
me = _ui.actor()
st.title("Đợt đăng ký và thời hạn")
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
                "Đợt": c.name,
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
    late = cutoff_after(sample)
    st.caption(
        f"Hạn ghi “hết ngày {sample:%d/%m/%Y}” nghĩa là gửi trong cả ngày {sample:%d/%m/%Y} "
        f"(đến 23 giờ 59, giờ Việt Nam) vẫn đúng hạn; gửi từ {late:%H:%M} ngày "
        f"{late:%d/%m/%Y} trở đi là trễ hạn."
    )


def cycle_form(form: str, draft: CycleDraft, held: Cycle | None) -> None:
    """Create (held is None, year chosen above the form) or edit `held`, starting from `draft`."""
    request = _ui.request_key(form)
    prefix = f"{form}-{held.id if held else draft.year}-{request[:8]}"
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
        name = st.text_input("Tên đợt", value=draft.name, key=f"{prefix}-name", max_chars=200)
        criteria, kinds, kind_set = criteria_fields(prefix, draft)
        register, report, assess = cut_off_fields(prefix, draft)
        threshold, policy = scoring_fields(prefix, draft)
        submitted = _ui.submit("Lưu thay đổi" if held else "Tạo đợt", form, type="primary")
    if not submitted:
        return
    if criteria is None or not isinstance(register, date) or not isinstance(report, date):
        _ui.refuse(
            form, "Chưa lưu. Vui lòng chọn bộ tiêu chí, hạn đăng ký và hạn báo cáo lên tỉnh."
        )
        return
    try:
        points = parse_decimal(threshold)
    except ValueError:
        _ui.refuse(form, "Chưa lưu. Ngưỡng điểm phải là số (ví dụ 80 hoặc 72,5), hoặc để trống.")
        return
    if kinds and kind_set is None:
        _ui.refuse(form, "Chưa lưu. Vui lòng chọn bộ tiêu chí riêng cho các loại đơn vị đã chọn.")
        return
    kind_criteria = tuple((kind, kind_set) for kind in kinds if kind_set)
    assess_day = assess if isinstance(assess, date) else None
    new = CycleDraft(
        int(year), name, criteria, register, report, policy, assess_day, points, kind_criteria
    )
    save(form, new, request, held)


def criteria_fields(prefix: str, draft: CycleDraft) -> tuple[str | None, list[str], str | None]:
    """The criteria set, the unit kinds with a set of their own, and that set."""
    unknown = draft.criteria_set and draft.criteria_set not in rt.criteria
    refs = list(rt.criteria) + ([draft.criteria_set] if unknown else [])
    criteria = st.selectbox(
        "Bộ tiêu chí",
        refs,
        format_func=criteria_label,
        key=f"{prefix}-criteria",
        index=refs.index(draft.criteria_set) if draft.criteria_set else None,
        placeholder="Chọn bộ tiêu chí",
    )
    held_kinds = dict(draft.kind_criteria)
    kinds = st.multiselect(
        "Loại đơn vị dùng bộ tiêu chí riêng (bỏ trống: một bộ cho mọi đơn vị)",
        [k.value for k in GRASSROOTS_KINDS],
        default=list(held_kinds),
        placeholder="Chọn loại đơn vị",
        key=f"{prefix}-kinds",
    )
    own = next(iter(held_kinds.values()), None)
    kind_set = st.selectbox(
        "Bộ tiêu chí riêng cho các loại đơn vị đã chọn",
        refs,
        format_func=criteria_label,
        index=refs.index(own) if own in refs else None,
        placeholder="Chọn bộ tiêu chí",
        key=f"{prefix}-kind-set",
    )
    return criteria, kinds, kind_set


def cut_off_fields(prefix: str, draft: CycleDraft) -> tuple[object, object, object]:
    """The three last days as the date boxes hold them (None when a box was cleared)."""
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
    return register, report, assess


def scoring_fields(prefix: str, draft: CycleDraft) -> tuple[str, LatePolicy]:
    """The points threshold as typed, and what happens to a late registration or assessment."""
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
    return threshold, policy


def save(form: str, new: CycleDraft, request: str, held: Cycle | None) -> None:
    cycle = _ui.attempt(
        lambda: cycles.save_cycle(rt, me, new, request, loaded=held), form, "Đang lưu đợt…"
    )
    if cycle:
        st.session_state[WARN] = cycles.period_warnings(rt, new)
        verb = "Đã lưu" if held else "Đã tạo"
        if held is None:  # the year box then offers the next year, not the one just created
            st.session_state[CREATED] = True
        _ui.flash(
            FLASH,
            f"{verb} đợt {cycle.name}: hạn đăng ký {cutoff_words(cycle.register_cutoff)}.",
        )


def create() -> None:
    if st.session_state.pop(CREATED, False):
        st.session_state.pop("new-year", None)
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
            f"Đã có đợt năm {year} ({_ui.plain(taken[0])}). Hãy chọn năm khác, hoặc sửa "
            "đợt đó ở thẻ Sửa đợt."
        )
    if not draft.criteria_set:
        st.info(f"Chưa có bộ tiêu chí nào áp dụng cho năm {year}: hãy chọn bộ tiêu chí phù hợp.")
    cycle_form(NEW, draft, held=None)


def edit(existing: list[Cycle]) -> None:
    by_id = {c.id: c for c in existing}
    cycle_id = st.selectbox(
        "Đợt cần sửa",
        list(by_id),
        format_func=lambda i: by_id[i].name,
        index=None,
        placeholder="Chọn đợt",
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
with st.container():  # in place on every run, with or without warnings (see _ui.show_flash)
    for warning in st.session_state.pop(WARN, []):
        st.warning(_ui.plain(warning))
existing = cycles.list_cycles(rt, me)
if existing:
    _ui.table(cycle_table(existing), hide_index=True, width="stretch")
else:
    st.info("Chưa có đợt nào. Hãy tạo đợt đầu tiên bên dưới.")
explain_cutoff()
if me.role is not Role.PROVINCE:
    st.info("Chỉ cán bộ Tỉnh đoàn mới tạo hoặc sửa đợt.")
    st.stop()
tab_new, tab_edit = st.tabs(["Tạo đợt", "Sửa đợt"])
with tab_new:
    create()
with tab_edit:
    edit(existing)
