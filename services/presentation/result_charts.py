"""The altair charts of year-end results, drawn the same on the *Kết quả công nhận* screen and, as
PNG, in the results report (services/documents/charts.py): sorted bars, Vietnamese axis titles,
readable colours, a tooltip on every mark (which a printed image simply does not show).

Only drawing: every figure comes from services.year_end.results and services.year_end.unit_history. Altair
reference: https://altair-viz.github.io/user_guide/encodings/ (xOffset for grouped bars,
independent y scales for the trend's two axes).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from services.presentation import colours as _colours
from services.year_end import failing, results, unit_history
from services.year_end.results import LABELS, CycleResults

GREEN, AMBER, GREY = "#2e7d32", "#f9a825", "#b0bec5"
CONTENT_COLOURS = {"ND1": "#1565c0", "ND2": "#6a1b9a", "ND3": "#00838f"}
CONTENT_SCALE = alt.Scale(domain=list(CONTENT_COLOURS), range=list(CONTENT_COLOURS.values()))
COUNT_COLOURS = {"Đã đăng ký": GREY, "Đã đánh giá": AMBER, "Được công nhận": GREEN}


def standing_by_upper(found: CycleResults) -> alt.LayerChart:
    """One bar per upper unit, its registered units split by where they stand; the green part is
    the recognition rate, written at the end of the bar; highest rate first."""
    data = found.standing.assign(
        rank=found.standing["status"].map(results.STATUSES.index),
        rate=found.standing["rate"].fillna(0.0),
    )
    order = list(
        found.by_upper.assign(rate=found.by_upper["rate"].fillna(0.0)).sort_values(
            ["rate", "upper"], ascending=[False, True]
        )["upper"]
    )
    # The bars' own labels name them; the heading above the chart names the axis (an axis title
    # beside long labels overlaps them).
    y = alt.Y("upper:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title="Tỷ lệ trên số đơn vị đã đăng ký",
                stack="zero",
                scale=alt.Scale(domain=[0, 1.15]),
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            ),
            y=y,
            color=alt.Color(
                "status:N",
                title="Kết quả",
                scale=_colours.scale(_colours.RESULT, results.STATUSES[:-1]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("upper:N", title="Đoàn cấp trên"),
                alt.Tooltip("status:N", title="Kết quả"),
                alt.Tooltip("units:Q", title="Số đoàn cơ sở"),
                alt.Tooltip("share:Q", title="Tỷ lệ", format=".0%"),
                alt.Tooltip("rate:Q", title="Tỷ lệ được công nhận", format=".0%"),
            ],
        )
    )
    labels = (
        alt.Chart(found.by_upper.dropna(subset=["rate"]))
        .mark_text(align="left", dx=6, fontWeight="bold", color=GREEN)
        .encode(
            y=y,
            x=alt.datum(1.0),
            text=alt.Text("rate:Q", format=".0%"),
            tooltip=alt.Tooltip("rate:Q", title="Tỷ lệ được công nhận", format=".0%"),
        )
    )
    return alt.LayerChart(layer=[bars, labels], height=alt.Step(28))


def failing_contents(data: pd.DataFrame) -> alt.Chart:
    data = data.assign(label=data["content"] + " · " + data["title"].map(failing.short_title))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("failed:Q", title="Số đơn vị chưa đạt", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "content:N",
                title="Nội dung",
                scale=CONTENT_SCALE,
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("content:N", title="Nội dung"),
                alt.Tooltip("title:N", title="Tên nội dung"),
                alt.Tooltip("failed:Q", title="Số đơn vị chưa đạt"),
                alt.Tooltip("assessed:Q", title="Số đơn vị được đánh giá"),
                alt.Tooltip("share:Q", title="Tỷ lệ chưa đạt", format=".0%"),
            ],
        )
        .properties(height=alt.Step(34))
    )


def failing_criteria(data: pd.DataFrame) -> alt.Chart:
    data = data.assign(label=data["criterion"] + " " + data["title"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("failed:Q", title="Số đơn vị chưa đạt", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "content:N",
                title="Thuộc nội dung",
                scale=CONTENT_SCALE,
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("criterion:N", title="Tiêu chí"),
                alt.Tooltip("full_title:N", title="Nội dung tiêu chí"),
                alt.Tooltip("failed:Q", title="Số đơn vị chưa đạt"),
                alt.Tooltip("share:Q", title="Tỷ lệ chưa đạt", format=".0%"),
            ],
        )
        .properties(height=alt.Step(28))
    )


def trend_chart(data: pd.DataFrame) -> alt.LayerChart:
    """Bars: registered, assessed, recognised per cycle; a line: the rate, on its own axis."""
    counts = data.melt(
        id_vars=["cycle"], value_vars=["registered", "assessed", "recognised"], var_name="what"
    )
    counts["what"] = counts["what"].map(LABELS)
    order = list(data["cycle"])
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("cycle:N", title="Chu kỳ", sort=order, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("what:N", sort=list(COUNT_COLOURS)),
            y=alt.Y("value:Q", title="Số đoàn cơ sở", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "what:N",
                title="Số đơn vị",
                scale=alt.Scale(domain=list(COUNT_COLOURS), range=list(COUNT_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("cycle:N", title="Chu kỳ"),
                alt.Tooltip("what:N", title="Số đơn vị"),
                alt.Tooltip("value:Q", title="Số lượng"),
            ],
        )
    )
    rated = data.dropna(subset=["rate"]).assign(
        state=lambda d: d["closed"].map({True: "Đã hết hạn đánh giá", False: "Đang đánh giá"})
    )
    line = (
        alt.Chart(rated)
        .mark_line(point=alt.OverlayMarkDef(size=80), color="#37474f", strokeWidth=3)
        .encode(
            x=alt.X("cycle:N", sort=order),
            y=alt.Y(
                "rate:Q",
                title="Tỷ lệ được công nhận",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", orient="right"),
            ),
            tooltip=[
                alt.Tooltip("cycle:N", title="Chu kỳ"),
                alt.Tooltip("rate:Q", title="Tỷ lệ được công nhận", format=".0%"),
                alt.Tooltip("state:N", title="Tình trạng"),
            ],
        )
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=320)


def history_strip(history: unit_history.UnitHistory) -> alt.LayerChart:
    """One coloured tile per cycle, oldest first, saying in words how the cycle ended."""
    data = pd.DataFrame(
        [
            {
                "cycle": line.cycle_name,
                "year": line.year,
                "status": line.status,
                "upper": line.upper_name,
                "decision": line.decision or "—",
                "row": "",
            }
            for line in history.lines
        ]
    )
    x = alt.X(
        "cycle:N",
        title="Chu kỳ",
        sort=list(data.sort_values("year")["cycle"]),
        axis=alt.Axis(labelAngle=0, orient="top", labelFontSize=13, labelFontWeight="bold"),
    )
    tooltip = [
        alt.Tooltip("cycle:N", title="Chu kỳ"),
        alt.Tooltip("status:N", title="Kết quả"),
        alt.Tooltip("upper:N", title="Đoàn cấp trên lúc đó"),
        alt.Tooltip("decision:N", title="Quyết định"),
    ]
    tiles = (
        alt.Chart(data)
        .mark_bar(cornerRadius=6, width={"band": 0.94}, height={"band": 0.9})
        .encode(
            x=x,
            y=alt.Y("row:N", axis=None),  # one row of tiles
            color=alt.Color(
                "status:N",
                scale=_colours.scale(_colours.RESULT, unit_history.STATUSES),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    words = (
        alt.Chart(data)
        .mark_text(fontSize=14, fontWeight="bold")
        .encode(
            x=x,
            y=alt.Y("row:N", axis=None),
            text="status:N",
            color=alt.condition(  # white on the dark tiles, dark on the light ones
                alt.FieldOneOfPredicate(
                    field="status", oneOf=[unit_history.RECOGNISED, unit_history.FAILED_STATUS]
                ),
                alt.value("white"),
                alt.value("#1b1b1b"),
            ),
            tooltip=tooltip,
        )
    )
    return alt.LayerChart(layer=[tiles, words], height=alt.Step(56))
