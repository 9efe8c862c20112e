"""Harness for real-browser end-to-end tests of 3CĐ (used by tests/e2e; its conftest brings in the fixtures).

Fixtures:
  app_server   -- `streamlit run app.py` on a free localhost port, backed by a fresh
                  embedded store with the demo data; yields the base URL.
  browser_page -- a Playwright page in Debian's chromium (vi-VN, 1366x900).
Helper:
  wait_for_app(page) -- wait until the current script run has finished.

Every test in this directory is marked `e2e` (select/deselect with `-m e2e`).
Use `start_app_server(extra_env)` directly for a server with other settings
(e.g. a frozen clock via TCD_NOW).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from schemas.cells import VN_TZ

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
APP_IDLE_SELECTOR = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server and everything it spawned (it leads its own process group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def start_app_server(
    extra_env: dict[str, str] | None = None, args: tuple[str, ...] = (), port: int | None = None
) -> Iterator[str]:
    """Run app.py with its own temporary SQLite store; yield "http://127.0.0.1:PORT".

    `extra_env` may point it at another store; `args` go to `streamlit run` (e.g. a secrets file).
    """
    with tempfile.TemporaryDirectory(prefix="3cd-e2e-") as tmp:
        tmp_dir = Path(tmp)
        port = port or _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "TCD_STORE_ENGINE": "sqlite",
            "TCD_SQLITE_PATH": str(tmp_dir / "3cd.sqlite"),
            "TCD_DEMO": "1",
            **(extra_env or {}),
        }
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
            "--server.port", str(port),
            "--server.headless", "true",
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            # Show full tracebacks in the page so failing tests are easy to diagnose.
            "--client.showErrorDetails", "full",
            *args,
        ]  # fmt: skip
        log_path = tmp_dir / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _healthy(base_url):
                if proc.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with code {proc.returncode} during startup:\n"
                        f"{_tail(log_path)}",
                        pytrace=False,
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy at {base_url} after {STARTUP_TIMEOUT_S}s:\n"
                        f"{_tail(log_path)}",
                        pytrace=False,
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(proc)


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Base URL of a running 3CĐ app with fresh demo data (one per session/xdist worker)."""
    with start_app_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page (own context: no shared cookies/storage) per test."""
    context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script (after goto, click, input...)."""
    page.wait_for_selector(APP_IDLE_SELECTOR, timeout=timeout_ms)


SECRETARY = "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)"
PROVINCE = "Cán bộ Tỉnh đoàn (mẫu)"


RUNNING_SELECTOR = "[data-testid='stApp'][data-test-script-state='running']"


def settled(page) -> None:
    """After a click: wait for the run it starts (if it has not already come and gone), then for
    the end of it, so the next look at the page does not see the previous run's screen."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector(RUNNING_SELECTOR, timeout=1_500)
    wait_for_app(page)


def choose_person(page, name: str, exact: bool = False) -> None:
    """Pick a demo person in the sidebar picker (by the start of their label, or all of it when
    `exact`) and wait for the app to redraw as them."""
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").locator("input")
    chosen = picker.input_value()
    if chosen == name or (not exact and chosen.startswith(name)):
        return
    pattern = re.compile(("^" if exact else "") + re.escape(name) + ("$" if exact else ""))
    option = page.get_by_role("option", name=pattern).first
    # The picker can be redrawn under the pointer (a run still finishing): open it and pick again.
    for attempt in range(4):
        try:
            picker.click(timeout=5_000)
            option.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    settled(page)
    expect(picker).to_have_value(pattern)


def open_screen(page, title: str, heading: str) -> None:
    """Open a screen from the sidebar navigation (same session, so the chosen person stays).

    A click that lands while the previous rerun is still redrawing the sidebar can be lost, so the
    click is repeated (a few times at most) until the screen's heading shows.
    """
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile(title))
    target = page.get_by_role("heading", name=heading)
    for _ in range(3):
        link.click()
        # `settled`, not wait_for_app: right after the click the previous screen can still be
        # idle, and its headings ("Tình trạng theo đơn vị") may match the one awaited.
        settled(page)
        try:
            target.wait_for(timeout=10_000)
        except PlaywrightError:  # not there yet, or still the previous screen's headings
            continue
        wait_for_app(page)  # the heading is drawn first; the rest of the screen once the run ends
        return
    target.wait_for()
    wait_for_app(page)


@contextlib.contextmanager
def screenshot_on_failure(page, tmp_path: Path):
    """Keep a full-page screenshot of the browser in tmp_path when the block fails."""
    try:
        yield
    except BaseException:
        path = tmp_path / "failure.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"Ảnh màn hình lúc lỗi: {path}")
        raise


def on_time_count(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Đúng hạn")
    return int(metric.get_by_test_id("stMetricValue").inner_text())


def type_date(page, label: str, day: datetime) -> None:
    """Type a date into a Streamlit date_input: click its day segment, type DD MM YYYY, Enter."""
    page.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Enter")


def send_a_registration(page) -> str:
    """As a secretary whose unit has not registered: open Đăng ký, fill a plan dated three days
    ago (one text per criterion content), send it; the receipt's text."""
    open_screen(page, "Đăng ký", 'Đăng ký xây dựng Đoàn cơ sở "3 chủ động"')
    page.get_by_label("Số kế hoạch").fill("12-KH/ĐTN")
    type_date(page, "Ngày kế hoạch", datetime.now(VN_TZ) - timedelta(days=3))
    areas = page.get_by_test_id("stTextArea").locator("textarea")
    assert areas.count() == 3
    for index in range(3):
        areas.nth(index).fill(f"Mục tiêu, giải pháp và lộ trình cho nội dung {index + 1}")
    page.get_by_role("button", name="Gửi đăng ký").click()
    wait_for_app(page)
    receipt = page.get_by_test_id("stAlertContentSuccess").first
    receipt.wait_for()
    return receipt.inner_text()
