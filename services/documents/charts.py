"""The charts of *Kết quả công nhận* as PNG images for a document (altair → vl-convert).

Same encodings as the screen's charts (pages/_result_charts.py): where each upper unit's registered
units stand, and the contents and criteria failed most. The fonts are the serif of the documents.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert

from services.presentation import colours
from services.year_end import failing, results
from services.year_end.results import CycleResults

CONTENT_COLOURS = {"ND1": "#1565c0", "ND2": "#6a1b9a", "ND3": "#00838f"}
FONT = "Liberation Serif, Times New Roman, serif"
WIDTH = 520


def png(chart: alt.TopLevelMixin) -> bytes:
    """Render an altair chart to PNG (twice the pixels, for print)."""
    spec = chart.properties(width=WIDTH).configure(font=FONT).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=2)


def standing_by_upper(found: CycleResults) -> alt.Chart:
    """One bar per upper unit, its registered units split by where they stand."""
    data = found.standing.assign(rank=found.standing["status"].map(results.STATUSES.index))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title="Tỷ lệ trên số đơn vị đã đăng ký",
                stack="zero",
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y("upper:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "status:N",
                title="Kết quả",
                scale=alt.Scale(**colours.scale(colours.RESULT, results.STATUSES[:-1])),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
        )
        .properties(height=alt.Step(26))
    )


def failing_bars(data: pd.DataFrame, key: str) -> alt.Chart:
    """Units failing each content (key 'content') or criterion (key 'criterion'), most first."""
    data = data.assign(label=data[key] + " · " + data["title"].map(failing.short_title))
    colour_by = "content"
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("failed:Q", title="Số đơn vị chưa đạt", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                f"{colour_by}:N",
                title="Nội dung",
                scale=alt.Scale(domain=list(CONTENT_COLOURS), range=list(CONTENT_COLOURS.values())),
                legend=alt.Legend(orient="bottom") if key == "criterion" else None,
            ),
        )
        .properties(height=alt.Step(26))
    )
