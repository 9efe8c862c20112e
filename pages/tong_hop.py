"""Tổng hợp: where a cycle's registrations stand, for the units this person may see, kept live.

The board comes from `dashboard.registration_board`, computed once per data version for every
session; this page only draws it. A small fragment polls the cheap data version and redraws the
page only when the data changed.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from pages import _reminders, _ui
from schemas.cells import VN_TZ
from schemas.vntext import sort_key
from services.registration import dashboard, deadlines
from services.registration.dashboard import (
    LATE,
    NEEDS_CHECK,
    ON_TIME,
    STATUS_COLOURS,
    STATUSES,
    RegistrationBoard,
)
from services.reminders.messages import Stage

REFRESH_SECONDS = 15
COLOUR = dict(zip(STATUSES, STATUS_COLOURS, strict=True))
HELP = {
    ON_TIME: "Đơn vị đã gửi kế hoạch trước hạn (kể cả hạn được gia hạn).",
    LATE: "Đơn vị đã gửi kế hoạch sau hạn.",
    dashboard.RETURNED: "Đoàn cấp trên đã trả lại kế hoạch để đơn vị sửa và gửi lại.",
    dashboard.NOT_YET: "Đơn vị chưa gửi kế hoạch.",
    NEEDS_CHECK: "Dòng đăng ký bị sửa tay và không đọc được; cán bộ Tỉnh đoàn cần kiểm tra lại dữ liệu.",
}

rt = _ui.runtime()
me = _ui.actor()
st.title('Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
cycle = _ui.cycle_picker()
if cycle is None:
    st.stop()


@st.fragment(run_every=REFRESH_SECONDS)
def follow_new_data(drawn_version: int) -> None:
    """Poll the cheap data version; redraw the page only when the data changed since it was drawn."""
    if rt.store.data_version() != drawn_version:
        st.rerun()
    st.caption(f"Số liệu lúc {rt.clock.now():%H:%M:%S %d/%m/%Y} · tự cập nhật khi có dữ liệu mới.")


def headline(board: RegistrationBoard) -> None:
    countdown = deadlines.countdown_words(rt.clock.now(), board.cycle.register_cutoff)
    st.markdown(f"**Hạn đăng ký: {board.cutoff_words}** · {countdown}")
    for column, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        column.metric(status, board.totals[status], help=HELP[status], border=True)
    st.caption(f"Tổng số đoàn cơ sở: {sum(board.totals.values())}")


def units_by_group(board: RegistrationBoard) -> alt.Chart:
    """Horizontal stacked bars: units per status, one bar per unit directly below this person's."""
    data = board.by_group.assign(rank=board.by_group["status"].map(STATUSES.index))
    groups = sorted(data["group"].unique(), key=sort_key)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("units:Q", title="Số đoàn cơ sở", stack="zero", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "group:N",
                title="Đơn vị cấp dưới trực tiếp",
                sort=groups,
                axis=alt.Axis(labelLimit=280, titlePadding=14),
            ),
            color=alt.Color(
                "status:N",
                title="Tình trạng",
                scale=alt.Scale(domain=list(STATUSES), range=list(STATUS_COLOURS)),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("group:N", title="Đơn vị"),
                alt.Tooltip("status:N", title="Tình trạng"),
                alt.Tooltip("units:Q", title="Số đoàn cơ sở"),
            ],
        )
        .properties(height=alt.Step(28))
    )


def registrations_over_time(board: RegistrationBoard) -> alt.LayerChart:
    """Cumulative registrations per day (on time / late stacked), with the cut-off as a rule."""
    data = board.timeline.assign(rank=board.timeline["status"].map(STATUSES.index))
    shown = [s for s in (ON_TIME, LATE) if s in set(data["status"])]
    area = (
        alt.Chart(data)
        .mark_area(interpolate="step-after", opacity=0.7, line=True, point=True)
        .encode(
            x=alt.X("day:T", title="Ngày", axis=alt.Axis(format="%d/%m")),
            y=alt.Y(
                "registrations:Q",
                title="Số đơn vị (cộng dồn)",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color(
                "status:N",
                title="Tình trạng",
                scale=alt.Scale(domain=shown, range=[COLOUR[s] for s in shown]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("day:T", title="Ngày", format="%d/%m/%Y"),
                alt.Tooltip("status:N", title="Tình trạng"),
                alt.Tooltip("registrations:Q", title="Cộng dồn"),
            ],
        )
    )
    # The cut-off is the first late instant, so the rule sits at the start of the first late day.
    cutoff = board.cycle.register_cutoff.astimezone(VN_TZ).replace(tzinfo=None)
    marker = pd.DataFrame({"day": [cutoff], "label": [f"Hạn đăng ký: {board.cutoff_words}"]})
    rule = (
        alt.Chart(marker)
        .mark_rule(color=COLOUR[NEEDS_CHECK], strokeDash=[6, 4], size=2)
        .encode(x="day:T", tooltip=alt.Tooltip("label:N", title="Mốc"))
    )
    label = (
        alt.Chart(marker)
        .mark_text(
            align="right", baseline="top", dx=-6, y=4, color=COLOUR[NEEDS_CHECK], fontWeight="bold"
        )
        .encode(x="day:T", text="label:N")
    )
    return alt.layer(area, rule, label).properties(height=300)


def follow_up(board: RegistrationBoard) -> None:
    """Units still to chase, with their contacts and follow-up officer, filterable."""
    st.subheader("Đơn vị chưa đăng ký hoặc cần xử lý")
    table = board.not_registered
    if table.empty:
        st.success("Tất cả đơn vị đã đăng ký và không có kế hoạch nào bị trả lại.")
        return
    left, right = st.columns(2)
    uppers = left.multiselect(
        "Lọc theo đơn vị cấp trên",
        placeholder="Tất cả đơn vị cấp trên",
        options=sorted(table["Đơn vị cấp trên"].unique(), key=sort_key),
    )
    statuses = right.multiselect(
        "Lọc theo tình trạng",
        placeholder="Tất cả tình trạng",
        options=[s for s in STATUSES if s in set(table["Tình trạng"])],
    )
    shown = table
    if uppers:
        shown = shown[shown["Đơn vị cấp trên"].isin(uppers)]
    if statuses:
        shown = shown[shown["Tình trạng"].isin(statuses)]
    st.caption(f"Đang hiện {len(shown)} trên {len(table)} đơn vị.")
    st.dataframe(shown, hide_index=True, width="stretch")


def rollup_status(board: RegistrationBoard) -> None:
    if board.rollups.empty:
        return
    st.subheader("Báo cáo của Đoàn cấp trên lên tỉnh")
    st.caption(f"Hạn báo cáo: {board.report_cutoff_words}. Số liệu là số đã chốt khi gửi.")
    counts = ("Đúng hạn", "Trễ hạn", "Chưa đăng ký")  # empty until the report is sent
    shown = board.rollups.astype({c: "object" for c in counts})
    for column in counts:
        shown[column] = [("" if pd.isna(v) else str(int(v))) for v in shown[column]]
    st.dataframe(shown, hide_index=True, width="stretch")


version = rt.store.data_version()
board = _ui.attempt(lambda: dashboard.registration_board(rt, me, cycle.id))
if board is None:
    st.stop()
follow_new_data(version)
headline(board)
st.subheader("Tình trạng theo đơn vị")
st.altair_chart(units_by_group(board), width="stretch")
st.subheader("Tiến độ đăng ký theo ngày")
if board.timeline.empty:
    st.info("Chưa có đơn vị nào đăng ký trong chu kỳ này.")
else:
    st.altair_chart(registrations_over_time(board), width="stretch")
follow_up(board)
rollup_status(board)
_reminders.section(rt, me, cycle, Stage.REGISTER)
_reminders.schedule_form(rt, me, cycle)
