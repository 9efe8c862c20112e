"""Xuất / nhập dữ liệu: the whole store as one .xlsx, and such a file into an empty store.

Province staff only (the service checks it too). The import is two steps: "Kiểm tra tệp" reads
and validates everything and shows every problem; "Nhập dữ liệu" appears only for a valid file and
an empty store (or one this very file was being imported into), and shows its progress.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import _ui
from services.core.access import Role
from services.data import transfer

CHECKED = "transfer-checked"  # (file id, Upload, ImportPlan | None, refusal | None)
FLASH = "transfer-done"

rt = _ui.runtime()
me = _ui.actor()
st.title("Xuất / nhập dữ liệu")
if me.role is not Role.PROVINCE:
    st.info("Màn hình này dành cho cán bộ Tỉnh đoàn.")
    st.stop()

# ---- export ------------------------------------------------------------------------------------
st.subheader("Xuất toàn bộ dữ liệu")
st.write(
    "Tải về một tệp Excel gồm mọi bảng dữ liệu (mỗi bảng một trang, kể cả nhật ký). Mọi ô là văn "
    "bản, nên số điện thoại, mã số và nội dung bắt đầu bằng dấu = được giữ nguyên như đã nhập. "
    "Tệp này dùng để lưu trữ, hoặc để nhập vào một kho dữ liệu mới."
)
st.download_button(
    "Tải toàn bộ dữ liệu (.xlsx)",
    # Built when clicked, not on every visit: it reads every tab, the whole audit log included.
    data=lambda: transfer.export_xlsx(rt.store, me),
    file_name=transfer.export_file_name(rt.clock.now().date()),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
)

# ---- import ------------------------------------------------------------------------------------
st.subheader("Nhập dữ liệu vào kho trống")
st.write(
    "Chỉ nhập được vào kho dữ liệu **chưa có dữ liệu**, từ tệp đã xuất ở trên (có thể đã sửa "
    "bằng Excel). Ứng dụng đọc và soát toàn bộ tệp trước; nếu có lỗi, chưa ghi gì. Nếu lần nhập bị "
    "gián đoạn, hãy nhập lại đúng tệp đó: những dòng đã nhập được giữ nguyên, phần còn lại được "
    f"nhập tiếp. Giới hạn: {transfer.MAX_BYTES // 1024 // 1024} MB và "
    f"{transfer.thousands(transfer.MAX_ROWS)} dòng mỗi tệp."
)
_ui.show_flash(FLASH)

uploaded = st.file_uploader(
    "Tệp dữ liệu (.xlsx)",
    type=["xlsx"],
    key="transfer-file",
    max_upload_size=transfer.MAX_BYTES // 1024 // 1024,
)
_ui.upload_caption("Excel (.xlsx)", transfer.MAX_BYTES)
checked = st.session_state.get(CHECKED)
if uploaded is None or (checked and checked[0] != uploaded.file_id):
    st.session_state.pop(CHECKED, None)
    checked = None

if uploaded is not None and st.button("Kiểm tra tệp", icon=":material/fact_check:"):
    upload = _ui.attempt(lambda: transfer.read_workbook(uploaded.getvalue(), uploaded.name))
    if upload is not None:
        plan, refusal = None, None
        if not upload.blocking:
            try:
                plan = transfer.plan_import(rt.store, me, upload)
            except transfer.ImportRefused as exc:
                refusal = str(exc)
        checked = (uploaded.file_id, upload, plan, refusal)
        st.session_state[CHECKED] = checked


def problem_table(problems: list[transfer.FileProblem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Trang": p.sheet,
                "Dòng": str(p.row) if p.row else "",
                "Cột": p.column,
                "Vấn đề": p.message,
            }
            for p in problems
        ],
        columns=["Trang", "Dòng", "Cột", "Vấn đề"],
    )


if checked is not None:
    _, upload, plan, refusal = checked
    _ui.table(
        pd.DataFrame(
            [{"Bảng": title, "Số dòng": n} for title, n in upload.counts.items()],
        ),
        hide_index=True,
    )
    if upload.blocking:
        st.error(
            f"Tệp có {len(upload.blocking)} lỗi cần sửa trước khi nhập; chưa ghi gì. "
            "Hãy sửa trong Excel theo danh sách dưới đây (trang, dòng, cột) rồi nhập lại."
        )
        _ui.table(problem_table(upload.blocking), hide_index=True, width="stretch")
    if upload.notes:
        st.caption("Lưu ý (không cản trở việc nhập):")
        _ui.table(problem_table(upload.notes), hide_index=True, width="stretch")
    if refusal:
        st.error(_ui.plain(refusal))
    if plan is not None:
        if plan.stored and plan.to_write:
            st.info(
                f"Kho đã có {plan.stored} dòng của chính tệp này (lần nhập trước bị gián đoạn). "
                f"Sẽ nhập tiếp {plan.to_write} dòng còn lại."
            )
        elif plan.to_write:
            st.success(f"Tệp hợp lệ. Sẵn sàng nhập {plan.to_write} dòng vào kho trống.")
        if plan.to_write and st.button("Nhập dữ liệu", type="primary", icon=":material/upload:"):
            bar = st.progress(0.0, text="Đang chuẩn bị…")
            total = sum(len(rows) for rows in upload.rows.values()) or 1
            before: dict[str, int] = {}

            def show(title: str, done: int, rows: int) -> None:
                before[title] = done
                bar.progress(
                    min(1.0, sum(before.values()) / total),
                    text=f"Đang nhập bảng {title}: {done}/{rows} dòng",
                )

            result = _ui.attempt(
                lambda: transfer.import_workbook(
                    rt.store, me, upload, rt.clock.now(), progress=show
                )
            )
            if result is not None:
                st.session_state.pop(CHECKED, None)
                _ui.flash(
                    FLASH,
                    f"Đã nhập {result.written} dòng"
                    + (f" ({result.already} dòng đã có từ lần trước)" if result.already else "")
                    + ". Mỗi lần ghi có một dòng trong Nhật ký.",
                )
            else:
                st.info(
                    "Những phần đã ghi xong được giữ nguyên. Hãy bấm Kiểm tra tệp rồi Nhập dữ "
                    "liệu lại với đúng tệp này để nhập tiếp phần còn lại."
                )
        elif not plan.to_write:
            st.info("Mọi dòng của tệp này đã có trong kho; không có gì để nhập thêm.")

# ---- moving to Google Sheets -------------------------------------------------------------------
st.subheader("Chuyển sang Google Sheets")
st.write(
    "Kho dữ liệu có thể chuyển sang một Google Sheet dùng chung để cán bộ được chỉ định mở và sửa "
    "trực tiếp. Việc chuyển do quản trị hệ thống làm trên máy chủ: hãy tải toàn bộ dữ liệu ở trên "
    "để lưu trữ trước, rồi liên hệ quản trị hệ thống."
)
