"""3CĐ — Đoàn cơ sở "3 chủ động": the router. Signs the person in and shows the screens for their role.

The same file is also the server: `streamlit run app.py` finds the `st.App` below (Streamlit 1.67
looks for one in the script, without running it), imports this file to get it, and serves it with
the app's own HTTP routes (`pages/_live`) beside Streamlit's. Every session's run of the script
executes it as `__main__` and draws the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from pages import _live, _ui
from pages._navigation import BY_ROLE, SCREENS

APP_NAME = 'Đoàn cơ sở "3 chủ động"'  # the browser tab: "<screen> · Đoàn cơ sở "3 chủ động""
ICON = str(Path(__file__).parent / "assets" / "favicon.png")


def route() -> None:
    """One run of the script: sign the person in, show the screen asked for if it is theirs."""
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

    # One fixed list of pages for everybody, so an address never becomes "page not found" when the
    # person changes; the sidebar links only to the person's screens, and services check every call.
    # Made once per session: each st.Page looks its file up on disk (a tenth of a dashboard's rerun).
    if "pages" not in st.session_state:
        st.session_state["pages"] = (
            st.Page("pages/trang_chu.py", title="Trang chủ", icon=":material/home:", default=True),
            {
                name: st.Page(file, title=title, icon=icon, url_path=name)
                for name, (file, title, icon) in SCREENS.items()
            },
        )
    home, pages = st.session_state["pages"]
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


if __name__ == "__main__":  # a session's run of the script
    route()
else:  # `streamlit run app.py` imports the file for the server it serves
    # Every run calls st.navigation, and that call is how Streamlit learns that the app does not
    # use the legacy pages/ folder; until then it runs the first session's first run as a pages/
    # app (the sidebar lists the files, a bookmarked address gets an English "Page not found",
    # and that session's first widget change is lost). Say it before the first session arrives:
    # this is the flag st.navigation itself sets.
    PagesManager.uses_pages_directory = False
    app = st.App(__file__, routes=_live.routes())
