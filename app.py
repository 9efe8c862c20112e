"""3CĐ — Đoàn cơ sở "3 chủ động": the router. Signs the person in and shows the screens for their role."""

from __future__ import annotations

import streamlit as st

from pages import _ui
from services.access import Role
from services.demo import demo_actors

st.set_page_config(page_title="3CĐ — Đoàn cơ sở 3 chủ động", page_icon="🟦", layout="wide")

problem = _ui.settings_error()
if problem:
    st.error(f"Ứng dụng chưa thể chạy: {problem}")
    st.stop()

rt = _ui.runtime()
if not rt.settings.demo:
    # Fail closed: without demo mode there must be a real login, which is not configured here.
    st.error(
        "Chưa cấu hình đăng nhập: ứng dụng chỉ chạy ở chế độ mẫu (demo = true) với kho dữ liệu nhúng."
    )
    st.stop()

SCREENS = {  # url path: (file, title, icon)
    "tong-hop": ("pages/tong_hop.py", "Tổng hợp", ":material/bar_chart:"),
    "dang-ky": ("pages/dang_ky.py", "Đăng ký", ":material/edit_note:"),
    "don-vi": ("pages/don_vi.py", "Đơn vị", ":material/account_tree:"),
    "bao-cao": ("pages/bao_cao.py", "Báo cáo lên tỉnh", ":material/upload_file:"),
    "chu-ky": ("pages/chu_ky.py", "Chu kỳ", ":material/event:"),
}
BY_ROLE = {  # screens shown to each role, most used first (services enforce the rules anyway)
    Role.PROVINCE: ["tong-hop", "dang-ky", "don-vi", "bao-cao", "chu-ky"],
    Role.UPPER: ["tong-hop", "dang-ky", "don-vi", "bao-cao"],
    Role.SECRETARY: ["dang-ky", "tong-hop", "don-vi"],
    Role.VIEWER: ["tong-hop", "don-vi"],
}
# One fixed list of pages for everybody: the list must not change when the person changes, or
# Streamlit drops the session's widget state. The sidebar links only to the person's screens.
home = st.Page("pages/trang_chu.py", title="Trang chủ", icon=":material/home:", default=True)
pages = {
    name: st.Page(file, title=title, icon=icon, url_path=name)
    for name, (file, title, icon) in SCREENS.items()
}
current = st.navigation([home, *pages.values()], position="hidden")

links = st.sidebar.container()
people = demo_actors(rt)
with st.sidebar:
    st.divider()
    st.info("**Chế độ dùng thử** — dữ liệu mẫu, chọn vai trò để xem ứng dụng như người dùng đó.")
    person = st.selectbox(
        "Người dùng", people, format_func=lambda a: f"{a.name} · {a.role.value}", key="demo_person"
    )
if st.session_state.get("actor") not in (None, person):
    # Another person now: forget the previous person's forms, choices and loaded records.
    for key in [k for k in st.session_state if k != "demo_person"]:
        del st.session_state[key]
st.session_state["actor"] = person
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
