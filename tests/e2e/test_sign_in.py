"""Sign-in through st.login in a real browser, against a local OpenID Connect provider.

The provider is oidc-provider-mock (a provider made for testing, started here on a free port); the
app runs with an [auth] section pointing at it, from a secrets file in the test's own temporary
folder (never the developer's .streamlit/secrets.toml). The store is the demo province, whose
users tab lists the people below.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from services.bootstrap import build_runtime
from services.core.access import Role
from services.core.settings import Settings
from services.demo.province import DEMO_PEOPLE
from services.storage import Update
from services.storage.sql import SqlStore
from tests.support.browser import (
    APP_SCRIPT,
    REPO_ROOT,
    STARTUP_TIMEOUT_S,
    _free_port,
    _healthy,
    _stop,
    _tail,
    screenshot_on_failure,
    wait_for_app,
)

LISTED = "doankhoi@mau.example"  # Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2 (mẫu), an upper officer
DISABLED = "xem@mau.example"  # the viewer, disabled in the users tab before the app starts
UNVERIFIED = "tinhdoan@mau.example"  # listed, but the provider says the e-mail is not verified
LATER_DISABLED = next(p.email for p in DEMO_PEOPLE if p.role is Role.SECRETARY)  # disabled later
UNLISTED = "nguoi.la@example.vn"


CLAIMS = {
    LISTED: {"email": LISTED, "email_verified": True, "name": "Cán bộ Khoái Châu"},
    DISABLED: {"email": DISABLED, "email_verified": True},
    UNVERIFIED: {"email": UNVERIFIED, "email_verified": False},
    LATER_DISABLED: {"email": LATER_DISABLED, "email_verified": True},
    UNLISTED: {"email": UNLISTED, "email_verified": True},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A local OpenID Connect provider that knows the people above; yields its issuer URL."""
    import oidc_provider_mock

    users = [oidc_provider_mock.User(sub=email, claims=c) for email, c in CLAIMS.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def demo_store(path: Path) -> None:
    """The demo province in a new store, with the viewer's access disabled."""
    rt = build_runtime(Settings.from_sources({"store": {"sqlite_path": str(path)}}, {}))
    disable(path, DISABLED)
    rt.store.inner.engine.dispose()


def disable(path: Path, email: str) -> None:
    """Turn a person's access off in the users tab, as province staff would."""
    store = SqlStore.at_path(path)
    row = next(r for r in store.read(["users"])["users"] if r.cells["email"] == email)
    store.apply([Update("users", row.cells["id"], row.cells, {"active": "Không"})])
    store.engine.dispose()


@pytest.fixture(scope="module")
def signed_in_app(provider) -> Iterator[tuple[str, Path]]:
    """streamlit run app.py with [auth] pointing at the provider; yields (base URL, store path)."""
    with tempfile.TemporaryDirectory(prefix="3cd-e2e-auth-") as tmp:
        folder = Path(tmp)
        store = folder / "3cd.sqlite"
        demo_store(store)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        secrets = folder / "secrets.toml"
        secrets.write_text(
            f'''[store]
engine = "sqlite"
sqlite_path = "{store}"
refresh_seconds = 1

[auth]
redirect_uri = "{base_url}/oauth2callback"
cookie_secret = "e2e-only-{os.urandom(16).hex()}"
client_id = "3cd-e2e"
client_secret = "e2e-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
''',
            "utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("TCD_")}
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
            "--server.port", str(port),
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            "--secrets.files", str(secrets),  # only this file: never the developer's secrets
        ]  # fmt: skip
        log_path = folder / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env={**env, "HOME": str(folder)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _healthy(base_url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{_tail(log_path)}", pytrace=False)
                time.sleep(0.25)
            yield base_url, store
        finally:
            _stop(proc)


def sign_in(page, base_url: str, email: str) -> None:
    """Open the app, press Đăng nhập, and sign in as `email` on the provider's form."""
    page.goto(base_url)
    wait_for_app(page)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(base_url)))
    wait_for_app(page)


def sidebar_text(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_a_listed_person_signs_in_and_reaches_their_screens(signed_in_app, browser_page, tmp_path):
    base_url, _ = signed_in_app
    page = browser_page
    with screenshot_on_failure(page, tmp_path):
        sign_in(page, base_url, LISTED)
        page.get_by_text(f"Đăng nhập: {LISTED}").wait_for()
        # the screen links are drawn after the sign-in box, later in the same run
        page.get_by_test_id("stSidebar").get_by_role("link", name="Trang chủ").wait_for()
        wait_for_app(page)
        links = sidebar_text(page)
        assert "Đánh giá" in links and "Báo cáo lên tỉnh" in links
        assert "Người dùng" not in links  # province staff only
        page.get_by_test_id("stSidebar").get_by_role("link", name="Đơn vị", exact=True).click()
        wait_for_app(page)
        page.get_by_text("Đoàn Khối Doanh nghiệp Mẫu 2").first.wait_for(
            state="attached"
        )  # in a table


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        pytest.param(UNLISTED, "chưa được cấp quyền", id="unlisted"),
        pytest.param(DISABLED, "đang bị tạm khóa", id="disabled"),
        pytest.param(UNVERIFIED, "chưa được nhà cung cấp đăng nhập xác minh", id="unverified"),
    ],
)
def test_a_person_who_may_not_use_the_app_is_refused(
    signed_in_app, browser_page, tmp_path, email, reason
):
    base_url, _ = signed_in_app
    page = browser_page
    with screenshot_on_failure(page, tmp_path):
        sign_in(page, base_url, email)
        page.get_by_text("Không thể truy cập 3CĐ").wait_for()
        body = page.get_by_test_id("stApp").inner_text()
        assert reason in body
        assert "@mau.example" not in body.replace(email, "")  # no staff e-mail is shown
        assert "Đánh giá" not in sidebar_text(page) and "Đơn vị" not in sidebar_text(page)


def test_signing_out_ends_the_session(signed_in_app, browser_page, tmp_path):
    base_url, _ = signed_in_app
    page = browser_page
    with screenshot_on_failure(page, tmp_path):
        sign_in(page, base_url, LISTED)
        page.get_by_text(f"Đăng nhập: {LISTED}").wait_for()
        page.get_by_role("button", name="Đăng xuất").click()
        # Streamlit also ends the session at the provider (RP-initiated logout): confirm there.
        page.wait_for_url(re.compile(r"/oauth2/end_session"))
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(re.compile(re.escape(base_url)))
        wait_for_app(page)
        page.get_by_role("button", name="Đăng nhập").wait_for()
        page.goto(f"{base_url}/don-vi")  # a screen's address, in the same browser
        wait_for_app(page)
        page.get_by_role("button", name="Đăng nhập").wait_for()
        assert LISTED not in page.get_by_test_id("stApp").inner_text()


def test_a_person_disabled_while_signed_in_is_refused_at_their_next_click(
    signed_in_app, browser_page, tmp_path
):
    base_url, store = signed_in_app
    page = browser_page
    with screenshot_on_failure(page, tmp_path):
        sign_in(page, base_url, LATER_DISABLED)
        page.get_by_text(f"Đăng nhập: {LATER_DISABLED}").wait_for()
        disable(store, LATER_DISABLED)
        time.sleep(1.5)  # the read cache's lifetime in this app (refresh_seconds = 1)
        refused = page.get_by_text("Không thể truy cập 3CĐ")
        for _ in range(5):  # each click is one run; a run within the cache lifetime may pass
            with contextlib.suppress(PlaywrightTimeout):
                page.get_by_test_id("stSidebar").get_by_role("link", name="Đơn vị").click(
                    timeout=2_000
                )
            wait_for_app(page)
            if refused.count():
                break
            time.sleep(1)
        refused.wait_for(timeout=5_000)
        wait_for_app(page)  # the refusal's heading comes first; its reason follows in the same run
        page.get_by_text("đang bị tạm khóa").wait_for(timeout=10_000)
        assert "đang bị tạm khóa" in page.get_by_test_id("stApp").inner_text()
