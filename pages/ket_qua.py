"""Kết quả công nhận: recognition per upper unit, what fails most, the trend, one unit's history.

Every figure comes from `services.year_end.results` (and `services.year_end.unit_history` for the drill-down),
computed once per data version for everybody who watches; this page only draws it: for each
section a headline figure, then a chart, then the table. A secretary sees their own unit's history.
The charts are drawn by services/presentation/result_charts.py (the results report prints the same).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _documents, _ui
from schemas.criteria import content_label
from schemas.models import Cycle
from services.core.access import Role
from services.documents import results_doc
from services.documents.texts import RESULTS
from services.presentation import province_check_table
from services.presentation import result_charts as charts
from services.registration.cycles import assessment_cutoff
from services.registration.deadlines import cutoff_words
from services.year_end import results, unit_history
from services.year_end.results import LABELS, CycleResults

rt = _ui.runtime()
me = _ui.actor()
st.title('Kết quả công nhận Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "ket_qua")


def percent(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def table(frame: pd.DataFrame, columns: list[str], percents: tuple[str, ...] = ()) -> None:
    """A frame of the results service as a table with Vietnamese headers, rates as percentages."""
    shown = frame[columns].copy()
    if "content" in shown:
        shown["content"] = shown["content"].map(content_label)
    for column in percents:
        shown[column] = [percent(v) for v in shown[column]]
    # A criterion's full title is long: its column gets a fixed width (the whole title shows when
    # the cell is hovered), so the counts and the rate after it stay on the page.
    config = {LABELS["full_title"]: st.column_config.TextColumn(width="large")}
    _ui.table(shown.rename(columns=LABELS), hide_index=True, width="stretch", column_config=config)


# ---- recognition per upper unit -------------------------------------------------------------


def recognition_section(found: CycleResults) -> None:
    st.subheader("Tỷ lệ công nhận")
    t = found.totals
    columns = st.columns(5)
    columns[0].metric(
        "Tỷ lệ công nhận",
        percent(t.rate),
        help="Số đơn vị được công nhận trên số đơn vị đã đăng ký (kế hoạch không bị trả lại).",
        border=True,
    )
    columns[1].metric("Đã đăng ký", t.registered, border=True)
    columns[2].metric(
        "Đã đánh giá", t.assessed, help="Có bản đánh giá chính thức đã gửi.", border=True
    )
    columns[3].metric("Đạt", t.passed, border=True)
    columns[4].metric(
        "Được công nhận", t.recognised, help="Có tên trong quyết định công nhận.", border=True
    )
    if not t.assessed:
        st.info(
            f"Chưa có đơn vị nào được đánh giá trong {_ui.plain(found.cycle.name.lower())}. Kết quả sẽ hiện ở "
            "đây khi Đoàn cấp trên gửi bản đánh giá chính thức (màn hình Đánh giá)."
        )
        return
    st.markdown("**Theo Đoàn cấp trên (lúc đăng ký)** — phần màu xanh đậm là tỷ lệ công nhận")
    st.altair_chart(charts.standing_by_upper(found), width="stretch")
    table(found.by_upper, list(found.by_upper.columns), ("rate",))
    st.caption(
        "Mỗi đơn vị được tính theo Đoàn cấp trên lúc đăng ký, nên việc sắp xếp lại đơn vị "
        "(năm 2025) không làm thay đổi số liệu các năm trước."
    )


# ---- what fails most ------------------------------------------------------------------------


def failures_section(found: CycleResults) -> None:
    if not found.totals.assessed:  # the rates above already say the year has no results yet
        return
    st.subheader("Nội dung và tiêu chí chưa đạt nhiều nhất")
    if found.criteria.empty:
        st.success(
            f"Cả {found.totals.assessed} đơn vị được đánh giá đều đạt mọi tiêu chí bắt buộc."
        )
        return
    worst = found.criteria.iloc[0]
    st.metric(
        f"Tiêu chí chưa đạt nhiều nhất: {_ui.plain(worst['criterion'])}",
        f"{worst['failed']} đơn vị ({percent(worst['share'])})",
        help=_ui.plain(worst["full_title"]),
        border=True,
    )
    st.caption(f"{_ui.plain(worst['criterion'])} — {_ui.plain(worst['full_title'])}")
    st.markdown("**Theo nội dung** — số đơn vị chưa đạt từng nội dung")
    st.altair_chart(charts.failing_contents(found.contents), width="stretch")
    st.markdown("**Theo tiêu chí** — số đơn vị chưa đạt từng tiêu chí, nhiều nhất ở trên")
    st.altair_chart(charts.failing_criteria(found.criteria), width="stretch")
    table(
        found.criteria,
        ["criterion", "content", "full_title", "failed", "assessed", "share"],
        ("share",),
    )
    st.caption(
        f"Tỷ lệ tính trên {found.totals.assessed} đơn vị có bản đánh giá chính thức đã gửi; "
        "chỉ tính các tiêu chí bắt buộc (hoặc được nêu trong quy tắc đạt)."
    )


# ---- the trend ------------------------------------------------------------------------------


def trend_section(data: pd.DataFrame) -> None:
    st.subheader("Xu hướng qua các năm")
    latest, before = results.trend_headline(data)
    if latest is None:
        st.info("Chưa có năm nào có kết quả đánh giá.")
        return
    delta = None
    if before is not None:
        change = (latest["rate"] - before["rate"]) * 100
        delta = f"{change:+.0f} điểm % so với {_ui.plain(before['cycle'].lower())}"
    st.metric(
        f"Tỷ lệ công nhận — {_ui.plain(latest['cycle'])}",
        percent(latest["rate"]),
        delta=delta,
        border=True,
    )
    st.altair_chart(charts.trend_chart(data), width="stretch")
    table(
        data.assign(closed=data["closed"].map({True: "Đã hết hạn", False: "Đang đánh giá"})),
        ["cycle", "registered", "assessed", "passed", "recognised", "rate", "closed"],
        ("rate",),
    )
    running = [c for c, closed in zip(data["cycle"], data["closed"], strict=True) if not closed]
    if running:
        st.caption(
            f"{_ui.plain(', '.join(running))}: chưa hết hạn đánh giá, nên tỷ lệ còn tăng khi các Đoàn cấp "
            "trên đánh giá và ra quyết định; năm chưa có đơn vị nào được đánh giá không có tỷ lệ."
        )


# ---- the province's check -------------------------------------------------------------------


def check_section(cycle: Cycle) -> None:
    frame = _ui.attempt(lambda: province_check_table.table(rt, me, cycle.id))
    if frame is None or frame.empty:
        return
    if me.role is Role.PROVINCE:
        st.subheader("Kiểm tra chỉ đạo của Đoàn cấp trên")
    else:
        st.subheader("Số liệu của đơn vị bạn")
    missing = int((frame["Quyết định"] == "Chưa có").sum())
    st.metric("Đoàn cấp trên chưa có quyết định công nhận", missing, border=True)
    _ui.table(frame, hide_index=True, width="stretch")
    st.caption(
        "Đơn vị được tính theo Đoàn cấp trên lúc đăng ký; tỷ lệ đã đánh giá tính trên số đơn vị "
        "đã đăng ký."
    )


# ---- one unit's history ---------------------------------------------------------------------


def show_history(unit_id: str) -> None:
    history = _ui.attempt(lambda: unit_history.unit_history(rt, me, unit_id))
    if history is None:
        return
    st.markdown(
        f"**{_ui.plain(history.unit.name)}** · {_ui.plain(history.unit.kind.value)} · "
        f"đơn vị cấp trên hiện nay: {_ui.plain(history.current_upper)}"
    )
    if not history.lines:
        st.info("Đơn vị này chưa có trong năm nào.")
        return
    st.metric(
        "Số năm được công nhận",
        f"{history.recognised_cycles}/{history.cycles}",
        border=True,
    )
    st.altair_chart(charts.history_strip(history), width="stretch")
    _ui.table(history_table(history), hide_index=True, width="stretch")


def history_table(history: unit_history.UnitHistory) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Năm": line.cycle_name,
                "Đơn vị (lúc đó)": line.unit_name,
                "Tóm tắt": line.status,
                "Đoàn cấp trên (lúc đó)": line.upper_name,
                "Đăng ký": line.registration,
                "Kết quả đánh giá": line.result,
                "Tiêu chí chưa đạt": line.failed,
                "Quyết định công nhận": line.decision or "Chưa được công nhận",
            }
            for line in history.lines
        ]
    )


def history_section() -> None:
    st.subheader("Lịch sử của một đơn vị")
    choices = _ui.attempt(lambda: unit_history.history_choices(rt, me))
    if not choices:
        st.info("Không có đoàn cơ sở nào trong phạm vi của bạn.")
        return
    unit_id = st.selectbox(
        "Chọn đơn vị (gõ tên để tìm)",
        list(choices),
        index=None,
        format_func=lambda uid: choices.get(uid, uid),
        placeholder="Chọn một đoàn cơ sở để xem kết quả từng năm",
        key="results-unit",
    )
    if unit_id is not None:
        show_history(unit_id)


# ---- the page -------------------------------------------------------------------------------


def report_section(cycle: Cycle) -> None:
    """Báo cáo kết quả of the year as a document, charts included (built only when asked)."""
    if me.role not in (Role.PROVINCE, Role.UPPER):
        return
    st.subheader("Báo cáo kết quả")
    if not st.toggle("Soạn báo cáo kết quả năm (văn bản có biểu đồ)", key="results-report"):
        return
    _documents.panel(
        rt,
        me,
        RESULTS,
        me.unit_id,
        lambda texts: results_doc.results_document(rt, me, cycle.id, me.unit_id, texts),
        key=f"results-doc-{cycle.id}",
    )


def choose_cycle() -> Cycle | None:
    """Opens on the person's cycle (`_ui.cycle_picker`); each named with its assessment cut-off,
    after which its results are final."""
    return _ui.cycle_picker(
        "results-cycle",
        label=lambda c: f"{c.name} (hạn đánh giá: {cutoff_words(assessment_cutoff(c))})",
    )


if me.role is Role.SECRETARY:
    st.caption("Kết quả đăng ký, đánh giá và công nhận của đơn vị bạn qua từng năm.")
    show_history(me.unit_id)
    st.stop()

cycle = choose_cycle()
if cycle is None:
    st.stop()
found = _ui.attempt(lambda: results.cycle_results(rt, me, cycle.id))
if found is None:
    st.stop()
recognition_section(found)
failures_section(found)
trend = _ui.attempt(lambda: results.trend(rt, me))
if trend is not None:
    trend_section(trend)
check_section(cycle)
report_section(cycle)
history_section()
