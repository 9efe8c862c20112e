"""Dữ liệu: what people broke by hand in the workbook, where to fix it, and adopting rows without id."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _ui
from services.data import health

FORM = "adopt_row"
PENDING = "adopt_pending"

rt = _ui.runtime()
me = _ui.actor()
st.title("Dữ liệu")
st.caption(
    "Những chỗ người dùng sửa tay trong bảng tính mà ứng dụng chưa đọc được: ô không đọc được, "
    "ô bắt buộc bị trống, mã trùng, mã không tồn tại, hàng chưa có mã, cột bị đổi tên. Ứng dụng "
    "không tự sửa các hàng này; các đơn vị liên quan được tính là “Lỗi dữ liệu” cho đến khi "
    f"hàng được sửa. Sửa trong bảng tính sẽ hiện ở đây trong vòng {rt.settings.refresh_seconds:g} "
    "giây."
)


def ask_to_adopt(row: health.Unadopted) -> None:
    """Button callback: remember the row exactly as it was shown when the button was drawn."""
    st.session_state[PENDING] = row


pending = st.session_state.pop(PENDING, None)
with st.container():  # what adopting says comes and goes: in one place (see _ui.show_flash)
    if pending is not None and (
        new_id := _ui.attempt(
            lambda: health.adopt_row(rt, me, pending, _ui.request_key(FORM)), FORM
        )
    ):
        st.success(
            _ui.plain(
                f"Đã cấp mã {new_id} cho hàng {pending.row} của bảng {pending.tab_title}; "
                "từ nay ứng dụng dùng hàng này."
            )
        )

found = _ui.attempt(lambda: health.report(rt, me))
if found is None:
    st.stop()

if found.sheet_url:
    st.link_button("Mở bảng tính trên Google Sheets", found.sheet_url)

if not found.problems:
    st.success("Không có vấn đề nào: mọi hàng trong bảng tính đều đọc được.")
else:
    counts = found.counts()
    st.subheader(f"{len(found.problems)} vấn đề cần xử lý")
    _ui.table(
        pd.DataFrame(
            [{"Loại vấn đề": label, "Số lượng": counts[label]} for label in found.kinds()]
        ),
        hide_index=True,
    )
    tab_col, kind_col = st.columns(2)
    tab = tab_col.selectbox(
        "Bảng", found.tabs(), index=None, placeholder="Tất cả các bảng", key="health_tab"
    )
    kind = kind_col.selectbox(
        "Loại vấn đề", found.kinds(), index=None, placeholder="Tất cả", key="health_kind"
    )
    shown = found.filtered(tab, kind)
    st.caption(f"Đang hiện {len(shown)} / {len(found.problems)} vấn đề.")
    columns = {
        "Loại": [p.kind_label for p in shown],
        "Bảng": [p.tab_title for p in shown],
        "Hàng": [str(p.row) if p.row else "" for p in shown],
        "Cột": [p.column for p in shown],
        "Vấn đề": [p.message for p in shown],
    }
    config = {}
    if found.sheet_url:
        columns["Mở ô"] = [p.link for p in shown]
        config["Mở ô"] = st.column_config.LinkColumn("Mở ô", display_text="Mở trong bảng tính")
    _ui.table(pd.DataFrame(columns), hide_index=True, column_config=config, width="stretch")

st.subheader("Hàng chưa có mã")
if not found.unadopted:
    st.caption("Không có hàng nào do người dùng thêm tay mà chưa có mã.")
else:
    st.caption(
        "Hàng do người dùng thêm tay trong bảng tính mà chưa có mã nên ứng dụng chưa dùng. Cấp mã "
        "nghĩa là ứng dụng ghi mã mới vào đúng hàng đó (không sửa ô nào khác), sau khi soát lại "
        "rằng hàng vẫn như lúc màn hình này đọc. Nếu hàng có ô sai, hãy sửa trong bảng tính."
    )
    chosen = st.selectbox(
        "Hàng",
        found.unadopted,
        format_func=lambda r: r.label,
        key="adopt_choice",
    )
    st.button(
        "Cấp mã cho hàng này",
        type="primary",
        key="adopt_button",
        on_click=ask_to_adopt,
        args=(chosen,),
    )
