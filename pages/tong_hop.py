"""Tổng hợp: where a cycle's registrations stand, for the units this person may see, kept live.

The board comes from `dashboard.registration_board`, computed once per data version for every
session; `pages/_board_view` draws it. A small fragment polls the cheap data version and redraws
the page only when the data changed.
"""

from __future__ import annotations

import streamlit as st

from pages import _board_view, _reminders, _ui
from services.registration import dashboard
from services.reminders.messages import Stage

REFRESH_SECONDS = 15

rt = _ui.runtime()
me = _ui.actor()
st.title('Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "tong_hop")
cycle = _ui.cycle_picker()
if cycle is None:
    st.stop()


@st.fragment(run_every=REFRESH_SECONDS)
def follow_new_data(drawn_version: int) -> None:
    """Poll the cheap data version; redraw the page only when the data changed since it was drawn."""
    if rt.store.data_version() != drawn_version:
        st.rerun()
    st.caption(f"Số liệu lúc {rt.clock.now():%H:%M:%S %d/%m/%Y} · tự cập nhật khi có dữ liệu mới.")


version = rt.store.data_version()
board = _ui.attempt(lambda: dashboard.registration_board(rt, me, cycle.id))
if board is None:
    st.stop()
follow_new_data(version)
# The charts and tables, like the board, are built once per data version for everyone who sees
# this scope.
prepared = rt.derived(
    ("board drawn", cycle.id, me.role, me.unit_id), lambda _: _board_view.prepare(board)
)
_board_view.draw(board, rt.clock.now(), prepared)
_reminders.section(rt, me, cycle, Stage.REGISTER)
_reminders.schedule_form(rt, me, cycle)
