"""Charts built once and shared reach the browser exactly as st.altair_chart would send them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def draw_both() -> None:
    import altair as alt
    import pandas as pd
    import streamlit as st

    from pages import _board_view

    data = pd.DataFrame({"group": ["A", "B", "B"], "status": ["x", "x", "y"], "units": [1, 2, 3]})
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(x="units:Q", y=alt.Y("group:N", title="Đơn vị"), color="status:N")
    )
    st.altair_chart(chart, width="stretch")
    shared = _board_view._spec(chart)
    _board_view._show(shared)
    _board_view._show(shared)  # a second session drawing the same shared spec


def test_a_shared_chart_spec_draws_the_same_element_as_altair_chart_every_time():
    at = AppTest.from_function(draw_both, default_timeout=60).run()
    assert not at.exception
    direct, *shared = [c.proto for c in at.get("vega_lite_chart")]
    assert len(shared) == 2
    for proto in shared:
        assert proto.spec == direct.spec
        assert [(d.name, d.data.data) for d in proto.datasets] == [
            (d.name, d.data.data) for d in direct.datasets
        ]
        assert proto == direct  # and every other field (theme, width, selections)
