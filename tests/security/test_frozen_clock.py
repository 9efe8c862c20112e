"""A frozen clock on a signed-in deployment: refused, unless training is said out loud.

Before, TCD_NOW / [clock] now was accepted with [auth] and no banner: a registration after a
refuse-policy cut-off was stored as on time and its audit row backdated.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.core.settings import Settings, SettingsError
from tests.support.secrets import AUTH, ROOT
from tests.support.world import NOW

FROZEN = NOW.isoformat()


@pytest.mark.parametrize(
    ("secrets", "environ"),
    [
        pytest.param({"auth": AUTH, "clock": {"now": FROZEN}}, {}, id="secrets"),
        pytest.param({"auth": AUTH}, {"TCD_NOW": FROZEN}, id="environment"),
        pytest.param(
            {"auth": AUTH, "clock": {"now": FROZEN, "training": "yes"}}, {}, id="not-true"
        ),
    ],
)
def test_a_frozen_clock_with_login_is_refused(secrets, environ):
    with pytest.raises(SettingsError, match=r"Đồng hồ cố định.*\[auth\].*training = true"):
        Settings.from_sources(secrets, environ)


def test_a_frozen_clock_without_login_is_still_the_demo_and_tests_tool():
    assert Settings.from_sources({"clock": {"now": FROZEN}}, {}).now == FROZEN


def test_training_with_login_shows_a_banner_on_the_page(tmp_path):
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["store"] = {"sqlite_path": str(tmp_path / "app.sqlite")}
    at.secrets["auth"] = AUTH
    at.secrets["clock"] = {"now": FROZEN, "training": True}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Chế độ tập huấn" in w.value and "2026" in w.value for w in at.warning)
    st.cache_resource.clear()
