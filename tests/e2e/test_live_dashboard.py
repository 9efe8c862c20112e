"""In a real browser: an open Tổng hợp keeps itself live through the version route (pages/_live).

While the data stays the same, the page asks the route and runs no script (the browser sends
nothing on Streamlit's websocket); when the route cannot be reached it says so and keeps what it
shows; when the data changes it redraws by itself. Each wait is one or two of the page's 15 s
checks.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime

from playwright.sync_api import expect

from pages import _live
from tests.support.browser import (
    PROVINCE,
    SECRETARY,
    choose_person,
    on_time_count,
    open_screen,
    screenshot_on_failure,
    send_a_registration,
    start_app_server,
    wait_for_app,
)

BOARD = 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"'
ONE_CHECK_S = _live.EVERY_SECONDS + 5


def new_page(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    return context.new_page()


def open_board(page, base_url: str) -> None:
    page.goto(base_url)
    wait_for_app(page)
    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", BOARD)


def live_line(page) -> str:
    """The line under the cycle picker, once the component's script has written it."""
    line = page.get_by_test_id("tcd-live")
    expect(line).to_contain_text("Số liệu lúc ")
    return line.inner_text()


def wait_until(condition, seconds: float, page) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(250)
    return True


def register_as_secretary(browser, base_url: str) -> None:
    page = new_page(browser)
    page.goto(base_url)
    wait_for_app(page)
    choose_person(page, SECRETARY)
    send_a_registration(page)
    page.context.close()


def test_an_idle_dashboard_asks_the_route_and_runs_no_script(chromium_browser, tmp_path):
    with start_app_server() as base_url:
        page = new_page(chromium_browser)
        with screenshot_on_failure(page, tmp_path):
            open_board(page, base_url)
            sent: list[float] = []
            page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(1)))
            checks: list[str] = []
            page.on("response", lambda r: checks.append(r.url) if _live.PATH in r.url else None)
            first = live_line(page)
            assert "tự cập nhật khi có dữ liệu mới" in first

            assert wait_until(lambda: len(checks) >= 2, 2 * ONE_CHECK_S, page)
            assert sent == []  # no rerun, no fragment: the script never ran
            assert live_line(page) != first  # the time of the last answer
            assert "tự cập nhật khi có dữ liệu mới" in live_line(page)


def test_an_unreachable_route_is_said_and_a_change_redraws_the_page(chromium_browser, tmp_path):
    with start_app_server() as base_url:
        page = new_page(chromium_browser)
        with screenshot_on_failure(page, tmp_path):
            open_board(page, base_url)
            before = on_time_count(page)

            page.route(f"**{_live.PATH}", lambda route: route.abort())
            assert wait_until(lambda: "chưa hỏi được máy chủ" in live_line(page), ONE_CHECK_S, page)
            assert on_time_count(page) == before  # what it showed stays

            page.unroute(f"**{_live.PATH}")
            register_as_secretary(chromium_browser, base_url)
            assert wait_until(lambda: on_time_count(page) == before + 1, ONE_CHECK_S, page)
            assert "tự cập nhật khi có dữ liệu mới" in live_line(page)


def test_the_route_answers_the_version_and_refuses_without_a_store():
    with start_app_server() as base_url:
        with urllib.request.urlopen(base_url + _live.PATH, timeout=30) as reply:
            answer = json.load(reply)
            assert reply.headers["Cache-Control"] == "no-store"
        instance, version = answer["version"].split(".")
        assert len(instance) == 8 and int(version) >= 1
        assert datetime.strptime(answer["at"], "%H:%M:%S %d/%m/%Y")

    with start_app_server({"TCD_STORE_ENGINE": "khong-co"}) as base_url:
        try:
            urllib.request.urlopen(base_url + _live.PATH, timeout=30)
            raise AssertionError("the route answered without a store")
        except urllib.error.HTTPError as refused:
            assert refused.code == 503
            assert json.load(refused) == {"error": "unavailable"}
