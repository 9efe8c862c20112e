"""Nhật ký: who changed what and when, newest first, within the person's units. Read only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _ui
from services.data import audit_log

PAGE_SIZE = 50
PAGE_KEY = "audit_page"

rt = _ui.runtime()
me = _ui.actor()
st.title("Nhật ký thay đổi")
st.caption(
    "Mọi lần ghi dữ liệu qua ứng dụng đều được ghi lại: ai, lúc nào, thao tác gì, ô nào đổi "
    "từ giá trị nào sang giá trị nào. Mới nhất ở trên cùng. Nhật ký chỉ để xem, không sửa được."
)
choices = _ui.attempt(lambda: audit_log.unit_choices(rt, me))
if choices is None:
    st.stop()

unit_col, person_col, since_col, until_col = st.columns([3, 3, 2, 2])
unit = unit_col.selectbox(
    "Đơn vị",
    choices,
    index=None,
    format_func=lambda u: u.name,
    placeholder="Tất cả đơn vị trong phạm vi của bạn",
    key="audit_unit",
    help="Gồm cả các đơn vị trực thuộc đơn vị được chọn.",
)
person = person_col.text_input(
    "Người thực hiện",
    key="audit_person",
    placeholder="Tên hoặc email, gõ không dấu cũng được",
    max_chars=200,
)
since = since_col.date_input("Từ ngày", value=None, format="DD/MM/YYYY", key="audit_since")
until = until_col.date_input("Đến ngày", value=None, format="DD/MM/YYYY", key="audit_until")

filters = (unit.id if unit else None, person, since, until)
if st.session_state.get("audit_filters") != filters:  # new filters: back to the newest entries
    st.session_state["audit_filters"] = filters
    st.session_state[PAGE_KEY] = 0
page_number = st.session_state.get(PAGE_KEY, 0)

page = _ui.attempt(
    lambda: audit_log.entries(
        rt,
        me,
        unit_id=filters[0],
        person=person,
        since=since,
        until=until,
        page=page_number,
        page_size=PAGE_SIZE,
    )
)
if page is None:
    st.stop()

if page.unreadable:
    st.warning(
        f"{len(page.unreadable)} dòng trong bảng Nhật ký không đọc được (hàng "
        f"{', '.join(str(n) for n in page.unreadable[:10])}). Hãy xem lại các hàng đó trong bảng tính."
    )
if not page.lines:
    st.info(
        "Không có mục nhật ký nào khớp bộ lọc."
        if page.page == 0
        else "Không còn mục nhật ký nào ở trang này. Hãy quay lại trang trước."
    )
else:
    _ui.table(
        pd.DataFrame(
            [
                {
                    "Thời điểm": f"{line.entry.at:%d/%m/%Y %H:%M:%S}",
                    "Người thực hiện": line.entry.actor,
                    "Thao tác": line.entry.action,
                    "Nguồn": "Nhập từ tệp" if line.imported else "",
                    "Bảng": line.tab_title,
                    "Mã bản ghi": line.entry.record_id,
                    "Đơn vị": line.unit_name,
                    "Thay đổi": line.changes_text,
                }
                for line in page.lines
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def go_to(number: int) -> None:
    st.session_state[PAGE_KEY] = max(number, 0)


previous_col, where_col, next_col = st.columns([1, 2, 1])
previous_col.button(
    "← Trang trước (mới hơn)",
    key="audit_previous",
    disabled=not page.has_previous,
    on_click=go_to,
    args=(page.page - 1,),
    width="stretch",
)
where_col.caption(f"Trang {page.page + 1} · {PAGE_SIZE} mục mỗi trang")
next_col.button(
    "Trang sau (cũ hơn) →",
    key="audit_next",
    disabled=not page.has_next,
    on_click=go_to,
    args=(page.page + 1,),
    width="stretch",
)
