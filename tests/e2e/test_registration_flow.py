"""In a real browser: a secretary registers, and the province's dashboard counts one more on time."""

from __future__ import annotations

from tests.support.browser import (
    PROVINCE,
    SECRETARY,
    choose_person,
    on_time_count,
    open_screen,
    screenshot_on_failure,
    send_a_registration,
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

    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
    before = on_time_count(page)

    choose_person(page, SECRETARY)
    receipt = send_a_registration(page)
    assert "Mã tiếp nhận" in receipt
    assert "đúng hạn" in receipt

    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
    assert on_time_count(page) == before + 1
