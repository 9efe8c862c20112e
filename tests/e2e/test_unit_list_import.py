"""In a real browser: province staff upload the unit list they keep, map the column the app could
not guess, confirm, and the new communes join the open cycle on Tổng hợp while last year's figures
stay as they were."""

from __future__ import annotations

import re
from datetime import datetime

from services.registration.status import STATUSES
from tests.support.browser import (
    PROVINCE,
    choose_person,
    open_screen,
    screenshot_on_failure,
    settled,
    type_date,
    wait_for_app,
)
from tests.support.builders import OPEN
from tests.support.screens import choose
from tests.support.unit_lists import NEW_COMMUNES, OWN_HEADER, messy_unit_list

BOARD = 'Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"'
OPEN_YEAR = f"Năm {int(OPEN.removeprefix('CK-'))}"  # the round open for registration
LAST_YEAR = f"Năm {int(OPEN.removeprefix('CK-')) - 1}"  # the round before the open one


def figures(page) -> dict[str, str]:
    """Every metric on the screen: label -> value."""
    found = {}
    for metric in page.get_by_test_id("stMetric").all():
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        found[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return found


def units_counted(shown: dict[str, str]) -> int:
    return sum(int(shown[status]) for status in STATUSES)


def test_province_staff_import_the_unit_list_and_the_open_cycle_gains_the_new_communes(
    app_server, browser_page, tmp_path
):
    path = tmp_path / "danh-sach-don-vi.xlsx"
    path.write_bytes(messy_unit_list(header=OWN_HEADER))
    with screenshot_on_failure(browser_page, tmp_path):
        import_flow(browser_page, app_server, str(path))


def import_flow(page, app_server: str, path: str) -> None:
    page.goto(app_server)
    wait_for_app(page)
    choose_person(page, PROVINCE)
    open_screen(page, "Tổng hợp", BOARD)
    open_before = figures(page)
    choose(page, "Năm thực hiện", LAST_YEAR)
    last_year = figures(page)

    open_screen(page, "Nhập danh sách", "Nhập danh sách")
    page.locator("input[type=file]").set_input_files(path)
    wait_for_app(page)
    page.get_by_test_id("stMetric").filter(has_text="Thêm mới").wait_for()
    assert figures(page)["Hợp nhất"] == "0"  # "Gồm các xã cũ" is not a header the app knows
    choose(page, "Hình thành từ", f"Cột H — {OWN_HEADER[-1]}")  # the list's last column
    merges = page.get_by_test_id("stMetric").filter(has_text="Hợp nhất")
    merges.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^1$")).wait_for()
    assert figures(page)["Hợp nhất"] == "1"
    assert figures(page)["Thêm mới"] == "4"
    type_date(page, "Ngày hiệu lực (hợp nhất, ngừng hoạt động)", datetime(2027, 1, 1))
    page.keyboard.press("Tab")
    settled(page)
    page.get_by_label("Số quyết định").fill("27-QĐ/TĐTN")
    page.keyboard.press("Tab")
    settled(page)  # the run the typed number starts, then the click (else it may be lost in it)
    page.get_by_role("button", name="Xác nhận và ghi").click()
    settled(page)
    done = page.get_by_test_id("stAlertContentSuccess").first
    done.wait_for()
    assert "4 đơn vị thêm mới, 1 hợp nhất" in done.inner_text()
    assert "hiệu lực từ 01/01/2027" in done.inner_text()

    open_screen(page, "Tổng hợp", BOARD)
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Năm thực hiện").first
    assert picker.locator("input").input_value().startswith(LAST_YEAR)  # kept across screens
    choose(page, "Năm thực hiện", OPEN_YEAR)
    # two communes and a school added; two communes merged into one (from 1/1/2027, in this cycle)
    assert units_counted(figures(page)) == units_counted(open_before) + 3 - 1
    choose(page, "Năm thực hiện", LAST_YEAR)
    assert figures(page) == last_year
    # The chart draws the units directly under the province as one bar (and the tables are drawn
    # on a canvas), so the new communes are looked up by name on Đơn vị.
    open_screen(page, "Đơn vị", "Đơn vị")
    for name in NEW_COMMUNES:
        page.get_by_role("textbox", name="Tìm theo tên").fill(name)
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        wait_for_app(page)
        assert figures(page)["Đơn vị"] == "1", name
