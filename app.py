"""3CĐ — Đoàn cơ sở "3 chủ động": the router. Signs the person in and shows the screens for their role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pages import _ui
from services.core.access import Role

APP_NAME = 'Đoàn cơ sở "3 chủ động"'  # the browser tab: "<screen> · Đoàn cơ sở "3 chủ động""
ICON = str(Path(__file__).parent / "assets" / "favicon.png")
st.set_page_config(page_title=APP_NAME, page_icon=ICON, layout="wide")
_ui.vietnamese_widget_texts()

problem = _ui.settings_error()
if problem:
    st.error(f"Ứng dụng chưa thể chạy: {_ui.plain(problem)}")
    st.stop()

rt = _ui.started_runtime()
_ui.frozen_clock_banner(rt)
links = st.sidebar.container()  # the screen links go above the sign-in box
person = _ui.sign_in(rt)
if st.session_state.get("actor") not in (None, person):
    # Another person now: forget the previous person's forms, choices and loaded records.
    for key in [k for k in st.session_state if k not in ("demo_person", "demo_email")]:
        del st.session_state[key]
st.session_state["actor"] = person

SCREENS = {  # url path: (file, title, icon)
    "tong-hop": ("pages/tong_hop.py", "Tổng hợp", ":material/bar_chart:"),
    "dang-ky": ("pages/dang_ky.py", "Đăng ký", ":material/edit_note:"),
    "don-vi": ("pages/don_vi.py", "Đơn vị", ":material/account_tree:"),
    "thay-doi-don-vi": ("pages/thay_doi_don_vi.py", "Thay đổi đơn vị", ":material/merge_type:"),
    "nhap-danh-sach": ("pages/nhap_danh_sach.py", "Nhập danh sách", ":material/playlist_add:"),
    "bao-cao": ("pages/bao_cao.py", "Báo cáo lên tỉnh", ":material/upload_file:"),
    "chu-ky": ("pages/chu_ky.py", "Đợt đăng ký", ":material/event:"),
    "nguoi-dung": ("pages/nguoi_dung.py", "Người dùng", ":material/group:"),
    "nhat-ky": ("pages/nhat_ky.py", "Nhật ký", ":material/history:"),
    "danh-gia": ("pages/danh_gia.py", "Đánh giá", ":material/fact_check:"),
    "quyet-dinh": ("pages/quyet_dinh.py", "Quyết định công nhận", ":material/verified:"),
    "ket-qua": ("pages/ket_qua.py", "Kết quả công nhận", ":material/insights:"),
    "tuyen-duong": ("pages/tuyen_duong.py", "Tuyên dương", ":material/military_tech:"),
    "du-lieu": ("pages/du_lieu.py", "Dữ liệu", ":material/health_and_safety:"),
    "chuyen-du-lieu": ("pages/chuyen_du_lieu.py", "Xuất / nhập dữ liệu", ":material/swap_horiz:"),
}
BY_ROLE = {  # screens shown to each role, most used first (services enforce the rules anyway)
    Role.PROVINCE: [
        "tong-hop",
        "dang-ky",
        "danh-gia",
        "quyet-dinh",
        "ket-qua",
        "tuyen-duong",
        "don-vi",
        "thay-doi-don-vi",
        "nhap-danh-sach",
        "bao-cao",
        "chu-ky",
        "nguoi-dung",
        "du-lieu",
        "chuyen-du-lieu",
        "nhat-ky",
    ],
    Role.UPPER: [
        "tong-hop",
        "dang-ky",
        "danh-gia",
        "quyet-dinh",
        "ket-qua",
        "don-vi",
        "thay-doi-don-vi",
        "nhap-danh-sach",
        "bao-cao",
        "nhat-ky",
    ],
    Role.SECRETARY: ["dang-ky", "danh-gia", "tong-hop", "ket-qua", "don-vi"],
    Role.VIEWER: ["tong-hop", "ket-qua", "don-vi"],
}
# One fixed list of pages for everybody, so an address never becomes "page not found" when the
# person changes; the sidebar links only to the person's screens, and services check every call.
home = st.Page("pages/trang_chu.py", title="Trang chủ", icon=":material/home:", default=True)
pages = {
    name: st.Page(file, title=title, icon=icon, url_path=name)
    for name, (file, title, icon) in SCREENS.items()
}
current = st.navigation([home, *pages.values()], position="hidden")
st.set_page_config(page_title=f"{current.title} · {APP_NAME}")

allowed = [pages[name] for name in BY_ROLE[person.role]]
st.session_state["screens"] = allowed  # the home page lists them too
with links:
    for page in [home, *allowed]:
        st.page_link(page)
if current is not home and current not in allowed:
    st.warning(
        "Màn hình này không dành cho vai trò của bạn. Hãy chọn một màn hình ở thanh bên trái."
    )
    st.stop()
current.run()
