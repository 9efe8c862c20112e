"""Đánh giá: the upper unit assesses each registered unit against the cycle's criteria set; a
secretary may fill a self-assessment of their own unit. Results are computed, never typed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _reminders, _ui
from schemas.criteria import Criterion, content_label
from schemas.models import AssessmentItem, AssessmentState, Cycle
from services.core.access import Role
from services.registration import cycles, deadlines
from services.reminders.messages import Stage
from services.year_end import assessments
from services.year_end.assessments import AssessmentLine, AssessmentView
from services.year_end.scoring import Result

FLASH = "assess-flash"
DAT_CHOICES = ["", "Đạt", "Không đạt"]

rt = _ui.runtime()
me = _ui.actor()
st.title('Đánh giá Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "danh_gia")


def pick_cycle() -> Cycle | None:
    """Opens on the person's cycle (`_ui.cycle_picker`); each named with its assessment cut-off."""
    return _ui.cycle_picker(
        "assess-cycle",
        label=lambda c: (
            f"{c.name} (hạn đánh giá: {deadlines.cutoff_words(cycles.assessment_cutoff(c))})"
        ),
    )


def overview(lines: list[AssessmentLine]) -> None:
    counts = pd.Series([line.status for line in lines]).value_counts()
    shown = [s for s in assessments.STATUSES if counts.get(s, 0)]
    for column, status in zip(st.columns(max(len(shown), 1)), shown, strict=False):
        column.metric(status, int(counts[status]))
    rows = [
        {
            "Đơn vị": line.unit.name,
            "Đơn vị cấp trên": line.upper_name,
            "Tình trạng": line.status,
            "Tự đánh giá": own_words(line),
        }
        for line in lines
    ]
    _ui.table(pd.DataFrame(rows), hide_index=True, width="stretch")


def own_words(line: AssessmentLine) -> str:
    found = line.self_assessment
    if found is None or found.assessment.state is AssessmentState.DRAFT:
        return ""
    result = found.result
    return f"{found.assessment.state.value} — {result.verdict.value}" if result else "Lỗi dữ liệu"


def result_panel(title: str, result: Result | None) -> None:
    """The computed results: each content and the whole, plus points when they are on."""
    if result is None:
        st.warning("Không tính được kết quả: bộ tiêu chí của bản đánh giá không có trong danh mục.")
        return
    st.markdown(f"**{_ui.plain(title)}** (tính tự động từ các tiêu chí)")
    columns = st.columns(5 if result.points is not None else 4)
    for column, (content_id, passed) in zip(columns, result.contents.items(), strict=False):
        column.metric(content_label(content_id), "Đạt" if passed else "Không đạt")
    columns[3].metric("Kết quả chung", result.verdict.value)
    if result.points is not None:
        columns[4].metric(
            "Tổng điểm", f"{result.points_cell} / ngưỡng {_num(result.threshold)}".strip()
        )
    if result.failed:
        st.caption("Tiêu chí chưa đạt: " + ", ".join(result.failed))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def criterion_input(form_prefix: str, criterion: Criterion, value: str, source: str) -> str:
    label = f"{criterion.id}. {criterion.title}" + (
        "" if criterion.required else " (không bắt buộc)"
    )
    help_text = "  \n".join(
        x
        for x in (criterion.help, f"Minh chứng cần có: {criterion.evidence}", f"Nguồn: {source}")
        if x.strip()
    )
    key = f"{form_prefix}-value-{criterion.id}"
    if criterion.kind == "dat":
        choices = DAT_CHOICES if value in DAT_CHOICES else [*DAT_CHOICES, value]
        return st.radio(
            label,
            choices,
            index=choices.index(value),
            format_func=lambda v: v or "Chưa đánh giá",
            horizontal=True,
            key=key,
            help=help_text,
        )
    hint = (
        f"Số lượng, tối thiểu {_num(criterion.minimum)} để đạt"
        if criterion.kind == "count"
        else f"Điểm từ 0 đến {_num(criterion.maximum)}"
    )
    return st.text_input(f"{label} — {hint}", value=value, key=key, help=help_text, max_chars=200)


def assessment_form(form: str, view: AssessmentView, beside: AssessmentView | None) -> None:
    """One input per criterion, grouped by content, with an evidence note each."""
    held = _ui.loaded(form, view.assessment)  # None stays the baseline of a form opened empty
    items = held_items(form, held, view.items)
    request = _ui.request_key(form)
    prefix = f"{form}-{request[:8]}"  # a new key after each save: the widgets reload what is stored
    other = beside.items if beside and beside.found else {}
    values: dict[str, str] = {}
    evidence: dict[str, str] = {}
    with st.form(form, enter_to_submit=False):
        for content in view.criteria.contents:
            st.subheader(f"{_ui.plain(content.label)}. {_ui.plain(content.title)}")
            for criterion in content.criteria:
                stored = items.get(criterion.id)
                source = view.criteria.source_words(criterion)
                values[criterion.id] = criterion_input(
                    prefix, criterion, stored.value if stored else "", source
                )
                st.caption(f"Nguồn: {_ui.plain(source)}")
                evidence[criterion.id] = st.text_input(
                    f"Minh chứng {criterion.id}",
                    value=stored.evidence if stored else "",
                    key=f"{prefix}-evidence-{criterion.id}",
                    placeholder=criterion.evidence,
                    max_chars=2000,
                )
                if criterion.id in other:
                    seen = other[criterion.id]
                    st.caption(
                        f"Đơn vị tự đánh giá: {_ui.plain(seen.value or '(trống)')}"
                        + (f" — {_ui.plain(seen.evidence)}" if seen.evidence else "")
                    )
        note = st.text_area(
            "Nhận xét chung",
            value=held.note if held else "",
            key=f"{prefix}-note",
            max_chars=2000,
        )
        save_col, send_col = st.columns(2)
        with save_col:
            save = _ui.submit("Lưu nháp", form)
        with send_col:
            send = _ui.submit("Gửi đánh giá", form, type="primary")
    if not (save or send):
        return
    data = {"values": values, "evidence": evidence, "note": note}
    action = assessments.submit if send else assessments.save_draft
    saved = _ui.attempt(
        lambda: action(
            rt, me, view.cycle.id, view.unit.id, data, request, loaded=held, loaded_items=items
        ),
        form,
        "Đang gửi đánh giá…" if send else "Đang lưu nháp…",
    )
    if saved:
        verdict = saved.result.verdict.value if saved.result else ""
        _ui.flash(
            FLASH,
            (
                f"Đã gửi đánh giá {saved.unit.name}: {verdict}. Bản đánh giá đã khoá."
                if send
                else f"Đã lưu nháp đánh giá {saved.unit.name} (kết quả tạm tính: {verdict})."
            ),
        )


def held_items(form: str, held, current: dict[str, AssessmentItem]) -> dict[str, AssessmentItem]:
    """The criterion rows as the form first loaded them, kept with the loaded record."""
    key = f"{form}-items"
    stamp = (held.id, held.version) if held else None
    kept = st.session_state.get(key)
    if kept is None or kept[0] != stamp:
        st.session_state[key] = (stamp, dict(current))
    return st.session_state[key][1]


def read_only(view: AssessmentView) -> None:
    """A sent (or someone else's) assessment: values and evidence per criterion."""
    rows = []
    for content in view.criteria.contents if view.criteria else []:
        for criterion in content.criteria:
            item = view.items.get(criterion.id)
            rows.append(
                {
                    "Nội dung": content.label,
                    "Tiêu chí": f"{criterion.id}. {criterion.title}",
                    "Nguồn": view.criteria.source_words(criterion),
                    "Giá trị": item.value if item else "",
                    "Đạt": "Có"
                    if view.result and view.result.criteria.get(criterion.id)
                    else "Không",
                    "Minh chứng": item.evidence if item else "",
                }
            )
    _ui.table(pd.DataFrame(rows), hide_index=True, width="stretch")
    if view.assessment and view.assessment.note:
        st.markdown(f"**Nhận xét:** {_ui.plain(view.assessment.note)}")


def state_words(view: AssessmentView) -> str:
    a = view.assessment
    if a is None:
        return "Chưa có bản đánh giá."
    words = f"Trạng thái: **{a.state.value}**"
    if a.submitted_at:
        late = "" if a.on_time is not False else " (trễ hạn)"
        words += f" · gửi lúc {a.submitted_at:%H:%M %d/%m/%Y}{late} bởi {_ui.plain(a.submitted_by)}"
    if a.reopen_reason:
        words += f" · mở lại bởi {_ui.plain(a.reopened_by)}: {_ui.plain(a.reopen_reason)}"
    return words


def reopen_form(view: AssessmentView) -> None:
    form = f"reopen-{view.assessment.id}"
    held = _ui.loaded(form, view.assessment)
    with st.form(form, enter_to_submit=False):
        reason = st.text_input(
            "Lý do mở lại", placeholder="Cần sửa gì, theo đề nghị của ai?", max_chars=2000
        )
        clicked = _ui.submit("Mở lại", form)
    if clicked and _ui.attempt(
        lambda: assessments.reopen(rt, me, held, reason, _ui.request_key(form)),
        form,
        "Đang mở lại bản đánh giá…",
    ):
        _ui.flash(FLASH, f"Đã mở lại bản đánh giá {view.unit.name}.")


def show_problems(view: AssessmentView) -> None:
    if view.problems:
        st.warning(
            "Bản đánh giá này trong bảng tính có lỗi, cần sửa:\n\n"
            + "\n".join(f"- {_ui.plain(p.message)}" for p in view.problems)
        )


def one_unit(line: AssessmentLine) -> None:
    st.subheader(f"{_ui.plain(line.unit.name)} — {line.status}")
    if line.status == assessments.NOT_REGISTERED:
        st.info(
            'Đơn vị chưa đăng ký xây dựng Đoàn cơ sở "3 chủ động" trong năm này nên không '
            "được đánh giá (không tính là không đạt)."
        )
        return
    view = _ui.attempt(lambda: assessments.open_assessment(rt, me, cycle.id, line.unit.id))
    if view is None:
        return
    if view.criteria is None:
        st.error(f"Không có bộ tiêu chí {_ui.plain(cycle.criteria_set)} trong danh mục.")
        return
    other = assessments.open_assessment(rt, me, cycle.id, line.unit.id, not view.official)
    kind = "Đánh giá của Đoàn cấp trên" if view.official else "Đơn vị tự đánh giá"
    st.caption(
        f"{kind} · {_ui.plain(view.criteria.label)} · hạn đánh giá {view.cutoff_words}. "
        "Kết quả từng nội dung và kết quả chung được tính từ các tiêu chí; đơn vị đạt khi cả ba "
        "nội dung cùng đạt."
    )
    st.markdown(state_words(view))
    with st.container():  # comes with the first draft: what is below (an open expander) stays
        show_problems(view)
        if view.found:
            result_panel("Kết quả", view.result)
    if other.found:
        other_assessment(view, other)
    if view.editable:
        assessment_form(f"assess-{cycle.id}-{line.unit.id}", view, other if view.official else None)
    elif view.found:
        locked_assessment(view)
    elif view.official and me.role is Role.SECRETARY:
        st.info("Đoàn cấp trên chưa gửi bản đánh giá chính thức của đơn vị.")


def other_assessment(view: AssessmentView, other: AssessmentView) -> None:
    """The other side's assessment, read-only: the self-assessment beside the official one."""
    with st.expander(
        "Bản tự đánh giá của đơn vị" if view.official else "Bản đánh giá của Đoàn cấp trên",
        expanded=not view.official,
    ):
        st.markdown(state_words(other))
        result_panel("Kết quả", other.result)
        read_only(other)


def locked_assessment(view: AssessmentView) -> None:
    """An assessment this person cannot edit: shown read-only, with the way to reopen it."""
    read_only(view)
    if view.can_reopen:
        reopen_form(view)
    elif view.assessment.locked:
        hint = assessments.reopen_hint(rt, me, view.assessment)
        st.info(f"Bản đánh giá đã gửi nên đã khoá. {_ui.plain(hint)}")


_ui.show_flash(FLASH)
cycle = pick_cycle()
if cycle is None:
    st.stop()
if cycle.year > rt.clock.now().year:
    st.info(
        f"{_ui.plain(cycle.name)} chưa bắt đầu nên chưa có gì để đánh giá: Đoàn cấp trên đánh giá vào cuối "
        f"năm {cycle.year}. Chọn năm khác ở trên để xem hoặc đánh giá."
    )
lines = _ui.attempt(lambda: assessments.assessment_lines(rt, me, cycle.id)) or []
if not lines:
    st.info("Không có đoàn cơ sở nào trong phạm vi của bạn.")
    st.stop()
if me.role is not Role.SECRETARY:
    overview(lines)
    with st.expander("Nhắc nhở đơn vị chưa có đánh giá chính thức"):
        _reminders.section(rt, me, cycle, Stage.ASSESS)
by_id = {line.unit.id: line for line in lines}
# Options named by the unit alone: Streamlit keeps a selectbox's choice by its shown text, so a
# status in it ("— Nháp" after a save) would drop the choice on the next click, and with it the
# form being sent ("Gửi đánh giá" after "Lưu nháp" did nothing). The status is in the table above.
chosen = st.selectbox(
    "Đơn vị",
    list(by_id),
    format_func=lambda uid: by_id[uid].unit.name,
    index=0 if len(by_id) == 1 else None,
    placeholder="Chọn đơn vị cần đánh giá",
    key="assess-unit",
)
if chosen is not None:
    one_unit(by_id[chosen])
