"""In a real browser: a secretary registers, and the province's dashboard counts one more on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.cells import VN_TZ
from tests.support.browser import (
    PROVINCE,
    SECRETARY,
    choose_person,
    on_time_count,
    open_screen,
    screenshot_on_failure,
    type_date,
    wait_for_app,
)


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
