"""In a real browser: the first person to reach a freshly started server is served like every later
one. Streamlit treats an app with a pages/ folder as a legacy pages/ app until its script first
calls st.navigation; before app.py told it otherwise at import, that first session opened a
bookmarked address under an English "Page not found" dialog, its sidebar could list the page files,
and its first widget change was lost.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.support.browser import (
    SECRETARY,
    choose_person,
    screenshot_on_failure,
    start_app_server,
    wait_for_app,
)
from tests.support.screens import screen_titles

PROVINCE_SCREENS = {"Trang chủ", "Tổng hợp", "Đăng ký", "Đợt đăng ký", "Người dùng", "Nhật ký"}
SECRETARY_SCREENS = ["Trang chủ", "Đăng ký", "Đánh giá", "Tổng hợp", "Kết quả công nhận", "Đơn vị"]


def test_the_first_session_of_a_new_server_opens_a_bookmark_and_keeps_its_first_choice(
    browser_page, tmp_path
):
    page = browser_page
    with start_app_server() as base_url, screenshot_on_failure(page, tmp_path):
        page.goto(f"{base_url}/dang-ky")  # a bookmarked screen, before anyone else came
        wait_for_app(page)

        expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký")
        page.wait_for_timeout(1_000)  # a dialog is drawn after the run's first messages
        expect(page.get_by_test_id("stDialog")).to_have_count(0)
        assert urlsplit(page.url).path.rstrip("/").endswith("/dang-ky")
        assert set(screen_titles(page)) >= PROVINCE_SCREENS  # titles, never file names

        choose_person(page, SECRETARY)  # this session's first widget change

        assert screen_titles(page) == SECRETARY_SCREENS  # the secretary's screens, in their order
