"""AppTest support: the real app.py or one screen on a temporary embedded store, as a demo person.

The fixtures are defined here and brought into the conftest files that use them by name.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from schemas.criteria import load_catalogue
from services import demo
from services.core.access import Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.people import units
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.builders import COMPANY_1, unit_form
from tests.support.world import NOW, unit_id

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = {
    "province": 0,
    "upper": 1,
    "secretary": 2,
    "viewer": 3,
}  # order of services.demo.province.DEMO_PEOPLE


def app_sqlite(tmp_path: Path) -> Path:
    return tmp_path / "app.sqlite"


@pytest.fixture
def stored(tmp_path):
    """stored() -> a fresh Runtime on the app's SQLite file: what the screens really saved.

    A new runtime (and read cache) each call, so it never shows an older cached copy; it can
    also write as "another person" while a screen holds a form open.
    """
    return lambda: Runtime(
        CachedStore(SqlStore.at_path(app_sqlite(tmp_path))), FixedClock(NOW), load_catalogue()
    )


@pytest.fixture
def app_runtime(tmp_path):
    """app_runtime() -> the runtime the AppTest's screens share (same process, same read cache).

    A write through it is what another person's session does: the screen's next run sees it at
    once, unlike a write from another process, which the read cache notices a few seconds later.
    """

    def runtime() -> Runtime:
        from pages import _ui

        rt = _ui.runtime()
        assert Path(rt.settings.sqlite_path) == app_sqlite(tmp_path), "open the app first"
        return rt

    return runtime


def page_alone(page: str, sqlite_path: Path, actor, **secrets) -> AppTest:
    """One screen run directly as `actor`, without the router's role check: what the screen and
    its service do for a person who reaches it anyway. Extra secrets (e.g. auth=…) are added."""
    st.cache_resource.clear()  # the page must open this store, not an earlier test's
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.secrets["store"] = {"engine": "sqlite", "sqlite_path": str(sqlite_path), "demo": True}
    at.secrets["clock"] = {"now": NOW.isoformat()}
    for name, table in secrets.items():
        at.secrets[name] = table
    at.session_state["actor"] = actor
    at.run()
    return at


@pytest.fixture
def open_app(tmp_path):
    """open_app(person, page) -> AppTest showing `page` (e.g. "pages/dang_ky.py") as that person."""

    def open_(person: str = "province", page: str = "pages/trang_chu.py") -> AppTest:
        st.cache_resource.clear()  # one runtime per test: each test gets its own store
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["store"] = {
            "engine": "sqlite",
            "sqlite_path": str(app_sqlite(tmp_path)),
            "demo": True,
        }
        at.secrets["clock"] = {"now": NOW.isoformat()}
        at.run()
        # Leave the default page first: AppTest drops widget state when a widget changes while the
        # default page (address "/") is shown; a browser does not.
        at.switch_page("pages/don_vi.py").run()
        at.sidebar.selectbox(key="demo_person").select_index(PEOPLE[person]).run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield open_
    st.cache_resource.clear()


def with_hostile_unit(open_app, app_runtime, person: str, page: str, **fields):
    at = open_app(person, page)
    rt = app_runtime()
    officer = next(p for p in demo.demo_actors(rt) if p.role is Role.UPPER)
    unit = rt.workbook().units[unit_id(rt, COMPANY_1)]
    units.edit_unit(rt, officer, unit, unit_form(unit, **fields), "e1")
    at.run()
    return at, unit.id


def choose_cycle(at: AppTest, key: str, cycle_name: str) -> AppTest:
    """Choose a year on a screen's cycle picker (its options are named "Năm 2026 (hạn …)"), as a
    person does, and run the screen."""
    box = at.selectbox(key=key)
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(cycle_name))).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def on_cycle(at: AppTest, key: str, cycle_id: str) -> AppTest:
    """Choose the stored cycle `cycle_id` on a screen's cycle picker, by its name, as a person does."""
    from pages import _ui

    return choose_cycle(at, key, _ui.runtime().workbook().cycles[cycle_id].name)


def place_of(node: Node, within: Block) -> tuple[int, ...]:
    """Where `node` is drawn: the indices from `within` down to it, as Streamlit addresses it.

    The browser keeps an element (and the widgets and chosen tab inside it) from one run to the
    next only while it stays at the same place; a block drawn at a new place is drawn anew."""
    for index, child in within.children.items():
        if child is node:
            return (index,)
        if isinstance(child, Block):
            with contextlib.suppress(LookupError):
                return (index, *place_of(node, child))
    raise LookupError(node)
