"""The Tổng hợp board drawn: headline figures, the two charts, the follow-up and roll-up tables.

Shared by pages/tong_hop.py and the load benchmark's baselines (benchmarks/baselines/), so every
variant measured draws exactly the same screen from the same `RegistrationBoard`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements import vega_charts

from pages import _ui
from schemas.cells import VN_TZ
from schemas.vntext import sort_key
from services.presentation import colours as _colours
from services.registration import deadlines
from services.registration.dashboard import RegistrationBoard
from services.registration.status import LATE, NEEDS_CHECK, NOT_YET, ON_TIME, RETURNED, STATUSES

COLOUR = _colours.REGISTRATION
HELP = {
    ON_TIME: "Đơn vị đã gửi kế hoạch trước hạn (kể cả hạn được gia hạn).",
    LATE: "Đơn vị đã gửi kế hoạch sau hạn.",
    RETURNED: "Đoàn cấp trên đã trả lại kế hoạch để đơn vị sửa và gửi lại.",
    NOT_YET: "Đơn vị chưa gửi kế hoạch.",
    NEEDS_CHECK: "Dòng đăng ký bị sửa tay và không đọc được; cán bộ Tỉnh đoàn cần sửa lại ở màn hình Dữ liệu.",
}


def headline(board: RegistrationBoard, now: datetime) -> None:
    countdown = deadlines.countdown_words(now, board.cycle.register_cutoff)
    st.markdown(f"**Hạn đăng ký: {board.cutoff_words}** · {countdown}")
    for column, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        column.metric(status, board.totals[status], help=HELP[status], border=True)
    st.caption(f"Tổng số đoàn cơ sở: {sum(board.totals.values())}")


ALL_UNITS = "Các đoàn cơ sở trực thuộc"


def bar_data(board: RegistrationBoard) -> pd.DataFrame:
    """Units per status and bar: one bar per upper unit directly below this person's, and the
    grassroots units directly below it (a bar each would be one full bar like the next) as one
    bar of all of them, stacked by status. An upper unit's own units make that one bar alone."""
    data = board.by_group
    single = data.groupby("group")["units"].transform("sum") <= 1
    alone = data["group"].isin(board.direct) | (single.all() if not data.empty else False)
    if alone.any():
        folded = data[alone].groupby("status", as_index=False)["units"].sum()
        data = pd.concat([data[~alone], folded.assign(group=ALL_UNITS)], ignore_index=True)
    return data.assign(rank=data["status"].map(STATUSES.index))


def units_by_group(board: RegistrationBoard) -> alt.Chart:
    """Horizontal stacked bars: units per status, one bar per unit directly below this person's
    (or one bar in all, see `bar_data`)."""
    data = bar_data(board)
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
                scale=_colours.scale(COLOUR, STATUSES),
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


FOLLOW_UP_HEADERS = {
    "unit": "Đơn vị",
    "upper": "Đơn vị cấp trên",
    "status": "Tình trạng",
    "secretary": "Bí thư",
    "phone": "Điện thoại",
    "email": "Email",
    "officer": "Cán bộ theo dõi",
}
ROLLUP_HEADERS = {
    "unit": "Đơn vị",
    "status": "Tình trạng",
    "sent_at": "Gửi lúc",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "not_registered": "Chưa đăng ký",
}
ROLLUP_COUNTS = ("on_time", "late", "not_registered")


def follow_up(board: RegistrationBoard) -> None:
    """Units still to chase, with their contacts and follow-up officer, filterable."""
    st.subheader("Đơn vị chưa đăng ký hoặc cần xử lý")
    table = board.not_registered
    if table.empty:
        st.success("Tất cả đơn vị đã đăng ký và không có kế hoạch nào bị trả lại.")
        return
    left, right = st.columns(2)
    present = set(table["status"])  # once, not once per status
    uppers = left.multiselect(
        "Lọc theo đơn vị cấp trên",
        placeholder="Tất cả đơn vị cấp trên",
        options=sorted(table["upper"].unique(), key=sort_key),
    )
    statuses = right.multiselect(
        "Lọc theo tình trạng",
        placeholder="Tất cả tình trạng",
        options=[s for s in STATUSES if s in present],
    )
    shown = table
    if uppers:
        shown = shown[shown["upper"].isin(uppers)]
    if statuses:
        shown = shown[shown["status"].isin(statuses)]
    st.caption(f"Đang hiện {len(shown)} trên {len(table)} đơn vị.")
    _ui.table(shown.rename(columns=FOLLOW_UP_HEADERS), hide_index=True, width="stretch")


def rollup_status(board: RegistrationBoard, shown: pd.DataFrame) -> None:
    if board.rollups.empty:
        return
    st.subheader("Báo cáo của Đoàn cấp trên lên tỉnh")
    st.caption(f"Hạn báo cáo: {board.report_cutoff_words}. Số liệu là số đã chốt khi gửi.")
    _ui.table(shown, hide_index=True, width="stretch")


def rollup_table(board: RegistrationBoard) -> pd.DataFrame:
    """The roll-ups as shown: a count is blank until the upper unit has sent its report."""
    shown = board.rollups.astype({c: "object" for c in ROLLUP_COUNTS})
    for column in ROLLUP_COUNTS:
        shown[column] = [("" if pd.isna(v) else str(int(v))) for v in shown[column]]
    return shown.rename(columns=ROLLUP_HEADERS)


@dataclass(frozen=True)
class Prepared:
    """What every session draws of one board, built once per data version and scope: the two
    charts (a Vega-Lite spec with its data already in Arrow, or the altair chart) and the roll-up
    table in its shown form (the same frame each time, so its inert copy is kept too)."""

    by_group: Any
    timeline: Any  # None when nobody has registered yet
    rollups: pd.DataFrame


def prepare(board: RegistrationBoard) -> Prepared:
    """Build it all now (altair's build and schema validation were ~1/3 of a render; formatting
    the roll-ups on every render a tenth)."""
    timeline = None if board.timeline.empty else registrations_over_time(board)
    return Prepared(_spec(units_by_group(board)), timeline and _spec(timeline), rollup_table(board))


def _spec(chart: alt.TopLevelMixin) -> Any:
    """What st.altair_chart sends, computed once; the chart itself if Streamlit changed inside."""
    convert = getattr(vega_charts, "_convert_altair_to_vega_lite_spec", None)
    return chart if convert is None else convert(chart)


def _show(chart: Any) -> None:
    if isinstance(chart, dict):  # a shared spec: Streamlit edits what it is given, so a copy
        st.vega_lite_chart(copy.deepcopy(chart), width="stretch")
    else:
        st.altair_chart(chart, width="stretch")


def draw(board: RegistrationBoard, now: datetime, built: Prepared | None = None) -> None:
    """Everything below the cycle picker and the refresh line; `built`: shared, or made now."""
    built = built or prepare(board)
    headline(board, now)
    st.subheader("Tình trạng theo đơn vị")
    _show(built.by_group)
    st.subheader("Tiến độ đăng ký theo ngày")
    if built.timeline is None:
        st.info("Chưa có đơn vị nào đăng ký trong năm này.")
    else:
        _show(built.timeline)
    follow_up(board)
    rollup_status(board, built.rollups)
