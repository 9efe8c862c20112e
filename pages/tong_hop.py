"""Tổng hợp: where a cycle's registrations stand, for the units this person may see, kept live.

The board comes from `dashboard.registration_board`, computed once per data version for every
session; `pages/_board_view` draws it. The browser asks for the cheap data version and redraws the
page only when the data changed (`pages/_live`).
"""

from __future__ import annotations

import streamlit as st

from pages import _board_view, _live, _reminders, _ui
from services.registration import dashboard
from services.reminders.messages import Stage

rt = _ui.runtime()
me = _ui.actor()
st.title('Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "tong_hop")
cycle = _ui.cycle_picker()
if cycle is None:
    st.stop()

version = _live.token(rt)
board = _ui.attempt(lambda: dashboard.registration_board(rt, me, cycle.id))
if board is None:
    st.stop()
_live.follow_new_data(rt, version)
# The charts and tables, like the board, are built once per data version for everyone who sees
# this scope.
prepared = rt.derived(
    ("board drawn", cycle.id, me.role, me.unit_id), lambda _: _board_view.prepare(board)
)
_board_view.draw(board, rt.clock.now(), prepared)
_reminders.section(rt, me, cycle, Stage.REGISTER)
_reminders.schedule_form(rt, me, cycle)
