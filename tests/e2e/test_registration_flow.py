"""In a real browser: a secretary registers, and the province's dashboard counts one more on time."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from schemas.cells import VN_TZ
from tests.e2e.conftest import wait_for_app

SECRETARY = "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)"
PROVINCE = "Cán bộ Tỉnh đoàn (mẫu)"


def choose_person(page, name: str) -> None:
    """Pick a demo person in the sidebar picker and wait for the app to redraw as them."""
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").locator("input")
    picker.click()
    page.get_by_role("option", name=re.compile(re.escape(name))).click()
    wait_for_app(page)
    assert picker.input_value().startswith(name)


def open_screen(page, title: str, heading: str) -> None:
    """Open a screen from the sidebar navigation (same session, so the chosen person stays).

    A click that lands while the previous rerun is still redrawing the sidebar can be lost, so the
    click is repeated (a few times at most) until the screen's heading shows.
    """
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile(title))
    target = page.get_by_role("heading", name=heading)
    for _ in range(3):
        link.click()
        wait_for_app(page)
        try:
            target.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    target.wait_for()


def on_time_count(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Đúng hạn")
    return int(metric.get_by_test_id("stMetricValue").inner_text())


def type_date(page, label: str, day: datetime) -> None:
    """Type a date into a Streamlit date_input: click its day segment, type DD MM YYYY, Enter."""
    page.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Enter")


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


def test_a_secretary_registers_and_the_province_sees_one_more_on_time(
    app_server, browser_page, tmp_path
):
    with screenshot_on_failure(browser_page, tmp_path):
        registration_flow(browser_page, app_server)


def registration_flow(page, app_server: str) -> None:
    page.goto(app_server)
    wait_for_app(page)
    # The first session after the server starts loses its first widget change (Streamlit runs
    # that first script run in legacy pages/ mode); a fresh session behaves as every later one.
    page.reload()
    wait_for_app(page)

    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
    before = on_time_count(page)

    choose_person(page, SECRETARY)
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
    assert "Mã tiếp nhận" in receipt.inner_text()
    assert "đúng hạn" in receipt.inner_text()

    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
    assert on_time_count(page) == before + 1
