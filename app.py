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
    st.error("Chưa cấu hình đăng nhập: ứng dụng chỉ chạy ở chế độ mẫu (demo = true) với kho dữ liệu nhúng.")
    st.stop()

people = demo_actors(rt)
with st.sidebar:
    st.info("**Chế độ dùng thử** — dữ liệu mẫu, chọn vai trò để xem ứng dụng như người dùng đó.")
    person = st.selectbox("Người dùng", people, format_func=lambda a: f"{a.name} · {a.role.value}",
                          key="demo_person")
st.session_state["actor"] = person

SCREENS = {  # url path: (file, title, icon)
    "tong-hop": ("pages/tong_hop.py", "Tổng hợp", "📊"),
    "dang-ky": ("pages/dang_ky.py", "Đăng ký", "📝"),
    "don-vi": ("pages/don_vi.py", "Đơn vị", "🏢"),
    "bao-cao": ("pages/bao_cao.py", "Báo cáo lên tỉnh", "📤"),
    "chu-ky": ("pages/chu_ky.py", "Chu kỳ", "📅"),
}
BY_ROLE = {  # the first screen is the role's home
    Role.PROVINCE: ["tong-hop", "dang-ky", "don-vi", "bao-cao", "chu-ky"],
    Role.UPPER: ["tong-hop", "dang-ky", "don-vi", "bao-cao"],
    Role.SECRETARY: ["dang-ky", "tong-hop", "don-vi"],
    Role.VIEWER: ["tong-hop", "don-vi"],
}
names = BY_ROLE[person.role]
pages = [st.Page(SCREENS[n][0], title=SCREENS[n][1], icon=SCREENS[n][2], url_path=n, default=n == names[0])
         for n in names]
st.navigation(pages).run()
