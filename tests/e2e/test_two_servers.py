"""In real browsers: two `streamlit run` servers on one PostgreSQL database. A registration sent
through server B shows on the Tổng hợp dashboard left open on server A, with no reload."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from schemas.cells import VN_TZ
from schemas.criteria import load_catalogue
from services import demo
from services.core.access import Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.demo.province import DEMO_PEOPLE
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.browser import (
    _free_port,
    on_time_count,
    open_screen,
    send_a_registration,
    start_app_server,
    wait_for_app,
)

COOKIE_SECRET = "hai-may-chu-mot-co-so-du-lieu"  # the test servers' [auth] cookie_secret
PROVINCE = next(p.email for p in DEMO_PEOPLE if p.role is Role.PROVINCE)
SECRETARY = next(p.email for p in DEMO_PEOPLE if p.role is Role.SECRETARY)  # not yet registered
DASHBOARD = 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"'


@contextlib.contextmanager
def postgres_server_app(url: str, folder: Path) -> Iterator[str]:
    """`streamlit run app.py` on the PostgreSQL database, with a (never contacted) OIDC sign-in."""
    port = _free_port()
    secrets = folder / f"secrets-{port}.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "3cd-test"\nclient_secret = "3cd-test"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {"TCD_STORE_ENGINE": "postgresql", "TCD_DATABASE_URL": url, "TCD_DEMO": "0"}
    with start_app_server(env, ("--secrets.files", str(secrets)), port) as base_url:
        yield base_url


def signed_in_page(browser, base_url: str, email: str):
    """A page in its own browser context holding the sign-in cookie Streamlit's st.login sets
    after an OIDC sign-in: the same signed value, made with the servers' cookie secret."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    user = {"origin": base_url, "is_logged_in": True, "email": email, "name": email}
    value = create_signed_value(COOKIE_SECRET, "_streamlit_user", json.dumps(user)).decode()
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.add_cookies([{"name": "_streamlit_user", "value": value, "url": base_url}])
    page = context.new_page()
    page.goto(base_url)
    wait_for_app(page)
    return page


def test_a_registration_through_server_b_shows_on_server_a_dashboard(
    chromium_browser, postgres_url, tmp_path
):
    rt = Runtime(
        CachedStore(SqlStore(postgres_url)), FixedClock(datetime.now(VN_TZ)), load_catalogue()
    )
    demo.seed_if_empty(rt)
    rt.store.inner.engine.dispose()
    with (
        postgres_server_app(postgres_url, tmp_path) as server_a,
        postgres_server_app(postgres_url, tmp_path) as server_b,
    ):
        dashboard = signed_in_page(chromium_browser, server_a, PROVINCE)
        open_screen(dashboard, "Tổng hợp", DASHBOARD)
        before = on_time_count(dashboard)

        form = signed_in_page(chromium_browser, server_b, SECRETARY)
        assert "Mã tiếp nhận" in send_a_registration(form)
        sent = time.monotonic()

        # Server A's dashboard asks for the data version every 15 s (pages/_live) and redraws when
        # it changed; server A's cache asks the database every second.
        while on_time_count(dashboard) != before + 1 and time.monotonic() - sent < 40:
            dashboard.wait_for_timeout(250)
        print(f"server A's dashboard showed it {time.monotonic() - sent:.1f} s after the receipt")
        assert on_time_count(dashboard) == before + 1
