"""Nhập danh sách: the unit list (province staff) or the list of people (province staff, upper
units within their subtree) from an .xlsx or a Google Sheet tab: columns suggested and editable,
a preview that writes nothing, ticks for near matches and for units the list leaves out, then
all-or-nothing chunks with a progress bar (`unit_import`, `user_import`)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import _ui
from services import bootstrap
from services.core.access import Role
from services.core.xlsx_read import MAX_BYTES, MAX_ROWS, Table, read_tables, thousands
from services.people import list_import as li
from services.people import unit_import, unit_import_apply, unit_import_preview, user_import

TABLE = "list-table"  # (source id, [Table])
FLASH = "list-flash"
UNITS, USERS = "Danh sách đơn vị", "Danh sách người dùng"

rt = _ui.runtime()
me = _ui.actor()
st.title("Nhập danh sách")
if me.role not in (Role.PROVINCE, Role.UPPER):
    st.info("Màn hình này dành cho cán bộ Tỉnh đoàn và cán bộ Đoàn cấp trên.")
    st.stop()
_ui.require_tabs(rt, "nhap_danh_sach")
_ui.show_flash(FLASH)
st.write(
    "Nhập danh sách đơn vị hoặc danh sách người dùng mà cơ quan đang lưu (tệp Excel hoặc một "
    "trang của Google Sheet). Ứng dụng tự tìm dòng tiêu đề, đề xuất cột nào là trường nào (bạn "
    "sửa được), rồi cho xem trước từng dòng. **Chưa ghi gì cho đến khi bạn bấm Xác nhận.** Nếu "
    "lần ghi bị gián đoạn, hãy nhập lại đúng danh sách đó: phần đã ghi không bị ghi lặp."
)
kinds = [UNITS, USERS] if me.role is Role.PROVINCE else [USERS]
what = st.radio("Loại danh sách", kinds, horizontal=True, key="list-kind")
service = unit_import if what == UNITS else user_import


def from_file() -> tuple[str, list[Table]] | None:
    st.caption(f"Giới hạn: {MAX_BYTES // 1024 // 1024} MB và {thousands(MAX_ROWS)} dòng mỗi tệp.")
    uploaded = st.file_uploader("Tệp danh sách (.xlsx)", type=["xlsx"], key="list-file")
    if uploaded is None:
        return None
    held = st.session_state.get(TABLE)
    if held and held[0] == uploaded.file_id:
        return held
    tables = _ui.attempt(lambda: read_tables(uploaded.getvalue()))
    return (uploaded.file_id, tables) if tables else None


def from_sheet() -> tuple[str, list[Table]] | None:
    account = bootstrap.service_account_email(rt.settings)
    st.info(
        "Ứng dụng đọc Google Sheet bằng tài khoản dịch vụ của ứng dụng, nên bảng tính phải được "
        "chia sẻ (quyền Người xem là đủ) với "
        + (
            f"**{_ui.plain(account)}**."
            if account
            else "tài khoản dịch vụ khai báo trong cài đặt [sheets]."
        )
    )
    link = st.text_input("Địa chỉ Google Sheet", key="list-link", max_chars=500)
    tab = st.text_input("Tên trang (để trống: trang đầu tiên)", key="list-tab", max_chars=100)
    held = st.session_state.get(TABLE)
    if held and held[0] == f"{link}#{tab}":
        return held
    if not link or not st.button("Đọc trang", icon=":material/cloud_download:"):
        return None
    table = _ui.attempt(lambda: bootstrap.read_sheet_tab(rt.settings, link, tab))
    return (f"{link}#{tab}", [table]) if table else None


source = st.radio(
    "Nguồn", ["Tệp Excel (.xlsx)", "Trang của Google Sheet"], horizontal=True, key="list-src"
)
with st.container():  # "Đọc trang" is there until the page is read: one place on every run
    held = from_file() if source.startswith("Tệp") else from_sheet()
if held is None:
    st.session_state.pop(TABLE, None)
    st.stop()
st.session_state[TABLE] = held
source_id, tables = held
if len(tables) > 1:
    titles = [t.title for t in tables]
    table = tables[titles.index(st.selectbox("Trang trong tệp", titles, key="list-sheet"))]
else:
    table = tables[0]


def choose_columns(table: Table) -> li.ColumnMap:
    """The suggested header row and columns, each changeable."""
    suggested = li.suggest(table, service.FIELDS)
    st.subheader("Cột của danh sách")
    if not suggested.header_row:
        st.warning("Không tìm thấy dòng tiêu đề có cột tên: hãy chọn dòng tiêu đề và các cột.")
    header = int(
        st.number_input(
            "Dòng tiêu đề (số dòng trong tệp)",
            min_value=1,
            max_value=max(1, min(len(table.rows), li.HEADER_SEARCH_ROWS)),
            value=suggested.header_row or 1,
            key=f"list-header-{source_id}",
        )
    )
    options = [None, *range(li.width(table))]
    columns, grid = {}, st.columns(3)
    for n, field in enumerate(service.FIELDS):
        chosen = grid[n % 3].selectbox(
            field.label + (" (bắt buộc)" if field.required else ""),
            options,
            index=options.index(suggested.columns.get(field.name)),
            format_func=lambda i: (
                "— không có —" if i is None else li.column_label(table, header, i)
            ),
            key=f"list-col-{source_id}-{field.name}",
        )
        if chosen is not None:
            columns[field.name] = chosen
    return li.ColumnMap(header, columns)


columns = choose_columns(table)


def preview_of(table: Table, columns: li.ColumnMap):
    if what == UNITS:
        return unit_import_preview.preview_units(rt, me, table, columns)
    return user_import.preview_users(rt, me, table, columns)


preview = _ui.attempt(lambda: preview_of(table, columns))
if preview is None:
    st.stop()

st.subheader("Xem trước")
statuses = service.STATUSES
for box, status in zip(st.columns(len(statuses)), statuses, strict=True):
    box.metric(status, preview.count(status))
st.caption(
    f"Bỏ qua {preview.blank} dòng trống"
    + "".join(f"; dòng {s.number}: {_ui.plain(s.reason)}" for s in preview.skipped)
    + "."
)


def row_table(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Xác nhận": False,
                "Dòng": r.number,
                "Trong tệp": getattr(r, "name", "") or getattr(r, "email", ""),
                "Kết quả": r.status,
                "Khớp với / gần giống": "; ".join(r.near) or getattr(r, "stored_name", ""),
                "Thay đổi": r.shown,
                "Vấn đề": "; ".join([*r.problems, *getattr(r, "notes", [])]),
            }
            for r in rows
        ],
        columns=[
            "Xác nhận",
            "Dòng",
            "Trong tệp",
            "Kết quả",
            "Khớp với / gần giống",
            "Thay đổi",
            "Vấn đề",
        ],
    )


shown = row_table(preview.rows)
near = shown["Kết quả"] == li.NEAR
st.write(
    "Tick cột **Xác nhận** cho các dòng *gần giống — cần xác nhận* mà bạn đồng ý là cùng một đơn "
    "vị; dòng không tick sẽ không được ghi. Dòng *Lỗi* không được ghi: hãy sửa tệp rồi nhập lại."
)
edited = _ui.tick_table(shown, "Xác nhận", key=f"list-rows-{source_id}-{columns.key()}")
confirmed = frozenset(
    int(n)
    for n, ok, is_near in zip(edited["Dòng"], edited["Xác nhận"], near, strict=True)
    if ok and is_near
)


def unit_choices() -> unit_import.Accepted | None:
    deactivate: frozenset[str] = frozenset()
    if preview.absent:
        st.subheader("Không có trong tệp")
        st.write(
            "Các đơn vị đang hoạt động dưới đây không có trong danh sách. Chỉ những đơn vị được "
            "tick **Ngừng hoạt động** mới ngừng hoạt động (từ ngày hiệu lực; người dùng của đơn "
            "vị bị khóa truy cập). Đơn vị còn đơn vị trực thuộc thì giữ nguyên."
        )
        absent = pd.DataFrame(
            [
                {
                    "Ngừng hoạt động": False,
                    "Mã": a.unit.id,
                    "Đơn vị": a.unit.name,
                    "Thuộc": a.parent_name,
                    "Người dùng bị khóa": ", ".join(a.users),
                    "Còn đơn vị trực thuộc": ", ".join(a.below),
                }
                for a in preview.absent
            ]
        )
        ticked = _ui.tick_table(absent, "Ngừng hoạt động", key=f"list-absent-{source_id}")
        deactivate = frozenset(ticked.loc[ticked["Ngừng hoạt động"], "Mã"])
    left, right = st.columns(2)
    day = left.date_input(
        "Ngày hiệu lực (hợp nhất, ngừng hoạt động)",
        value=rt.clock.now().date(),
        format="DD/MM/YYYY",
    )
    number = right.text_input("Số quyết định", max_chars=100, key="list-decision")
    return unit_import.Accepted(
        day if isinstance(day, date) else rt.clock.now().date(), number, confirmed, deactivate
    )


accepted = unit_choices() if what == UNITS else None
if not st.button("Xác nhận và ghi", type="primary", icon=":material/done_all:"):
    st.stop()
bar = st.progress(0.0, text="Đang chuẩn bị…")


def show(step: str, done: int, total: int) -> None:
    bar.progress(done / total if total else 1.0, text=f"{step}: {done}/{total}")


if what == UNITS:
    outcome = _ui.attempt(
        lambda: unit_import_apply.apply_units(rt, me, table, columns, accepted, progress=show)
    )
    if outcome is not None:
        _ui.flash(
            FLASH,
            f"Đã ghi danh sách đơn vị: {outcome.added} đơn vị thêm mới, {outcome.merged} hợp nhất, "
            f"{outcome.updated} cập nhật, {outcome.deactivated} ngừng hoạt động (hợp nhất và "
            f"ngừng hoạt động có hiệu lực từ {accepted.effective_on:%d/%m/%Y}). "
            "Mỗi thay đổi có một dòng trong Nhật ký.",
        )
else:
    counts = _ui.attempt(
        lambda: user_import.apply_users(rt, me, table, columns, confirmed, progress=show)
    )
    if counts is not None:
        _ui.flash(
            FLASH, f"Đã ghi danh sách người dùng: {counts[0]} thêm mới, {counts[1]} cập nhật."
        )
st.info(
    "Phần đã ghi xong được giữ nguyên. Hãy bấm Xác nhận và ghi lại với đúng danh sách này để "
    "ghi tiếp phần còn lại."
)
