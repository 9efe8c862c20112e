"""In demo mode the chosen person is kept in the address, so reloading the page keeps them."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.app import ROOT, app_sqlite
from tests.support.world import NOW

PARAM = "nguoi-dung"


def fresh_session(tmp_path, query: dict[str, str], auth: bool = False) -> AppTest:
    """A new browser session (what a reload is) on the same store, with the address's query."""
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["store"] = {"engine": "sqlite", "sqlite_path": str(app_sqlite(tmp_path))}
    if auth:
        at.secrets["auth"] = {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "x",
        }
    else:
        at.secrets["store"]["demo"] = True
        at.secrets["clock"] = {"now": NOW.isoformat()}
    at.query_params.update(query)
    return at.run()


def test_a_reload_keeps_the_chosen_demo_person(open_app, tmp_path):
    at = open_app("secretary", "pages/dang_ky.py")
    chosen = at.sidebar.selectbox(key="demo_person").value
    assert at.query_params[PARAM] == chosen
    again = fresh_session(tmp_path, {PARAM: chosen})
    assert not again.exception
    assert again.sidebar.selectbox(key="demo_person").value == chosen
    assert again.session_state["actor"].role.name == "SECRETARY"


def test_an_unknown_person_in_the_address_opens_on_the_first_demo_person(open_app, tmp_path):
    open_app("secretary", "pages/don_vi.py")
    again = fresh_session(tmp_path, {PARAM: "ai-do@example.vn"})
    assert again.session_state["actor"].role.name == "PROVINCE"
    assert again.query_params[PARAM] == again.sidebar.selectbox(key="demo_person").value


def test_outside_demo_mode_the_address_chooses_nobody(tmp_path):
    at = fresh_session(tmp_path, {PARAM: "bithu@mau.example"}, auth=True)
    assert "actor" not in at.session_state
    assert PARAM not in at.query_params
    assert [b.label for b in at.button] == ["Đăng nhập"]
