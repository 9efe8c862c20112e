"""Trang chủ: who is acting, their next task (the year every screen opens on), the open cycle's
deadline, what to do next, and the way to each screen."""

from __future__ import annotations

import streamlit as st

from pages import _reminders, _ui
from services.overview import home

rt = _ui.runtime()
me = _ui.actor()
st.title('Đoàn cơ sở "3 chủ động"')
_ui.require_tabs(rt, "trang_chu")
st.caption(f"{_ui.plain(me.name)} · {me.role.value}")
if (next_task := home.next_task(rt, me)) is not None:
    st.info(f"**Việc tiếp theo:** {_ui.plain(next_task)}")
todo = home.todo(rt, me)
if todo is None:
    st.info("Chưa có đợt nào. Cán bộ Tỉnh đoàn tạo đợt của từng năm ở màn hình Đợt đăng ký.")
else:
    st.subheader(_ui.plain(todo.cycle_name))
    left, right = st.columns(2)
    left.metric("Hạn đăng ký", todo.deadline_words)
    right.metric("Thời gian còn lại", todo.countdown)
    for item in todo.items:
        st.markdown(f"- {_ui.plain(item)}")
closing = home.year_end(rt, me)
if closing is not None:
    st.subheader(_ui.plain(f"Đánh giá cuối năm — {closing.cycle_name}"))
    st.metric("Hạn đánh giá", closing.deadline_words)
    for item in closing.items:
        st.markdown(f"- {_ui.plain(item)}")
_reminders.home(rt, me)
st.divider()
for page in st.session_state.get("screens", []):
    st.page_link(page)
