"""AppTest fixtures: the real app.py on a temporary embedded store, as one of the demo people."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = {"province": 0, "upper": 1, "secretary": 2, "viewer": 3}  # order of services.demo.DEMO_PEOPLE


@pytest.fixture
def open_app(tmp_path):
    """open_app(person, page) -> AppTest showing `page` (e.g. "pages/dang_ky.py") as that person."""

    def open_(person: str = "province", page: str | None = None) -> AppTest:
        st.cache_resource.clear()  # one runtime per test: each test gets its own store
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["store"] = {"engine": "sqlite", "sqlite_path": str(tmp_path / "app.sqlite"),
                               "demo": True}
        at.secrets["clock"] = {"now": NOW.isoformat()}
        at.run()
        at.sidebar.selectbox(key="demo_person").select_index(PEOPLE[person]).run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield open_
    st.cache_resource.clear()
