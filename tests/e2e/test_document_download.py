"""In a real browser: an upper-unit officer downloads a recognition decision and the roll-up report
as .docx, and the files read back with the Đoàn's heading, number, annex reference and every unit.

AppTest cannot click a download button; this checks that the button a person clicks delivers it.
"""

from __future__ import annotations

import io
import re

from docx import Document

from services.storage.sql import SqlStore
from tests.support.browser import (
    choose_person,
    open_screen,
    screenshot_on_failure,
    start_app_server,
    wait_for_app,
)
from tests.support.builders import OPEN
from tests.support.screens import choose

UPPER = "Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2 (mẫu)"
NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

OPEN_YEAR = f"Năm {int(OPEN.removeprefix('CK-'))}"  # the year open for registration


def _lines(data: bytes) -> list[str]:
    body = Document(io.BytesIO(data)).element.body
    return ["".join(t.text or "" for t in p.iter(f"{NS}t")) for p in body.iter(f"{NS}p")]


def _download(page, button, tmp_path) -> bytes:
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".docx"
    return saved.read_bytes()


def test_an_officer_downloads_the_decision_and_the_rollup_report(browser_page, tmp_path):
    page = browser_page
    path = tmp_path / "3cd.sqlite"
    with (
        start_app_server({"TCD_SQLITE_PATH": str(path)}) as base_url,
        screenshot_on_failure(page, tmp_path),
    ):
        page.goto(base_url)
        wait_for_app(page)
        choose_person(page, UPPER)

        open_screen(page, "Quyết định", "Quyết định công nhận")
        choose(page, "Năm thực hiện", "Năm 2025")
        page.get_by_text(re.compile(r"Quyết định số \d+-QĐ/ĐK")).first.click()
        page.get_by_text("Văn bản quyết định (.docx, PDF)").first.click()
        wait_for_app(page)
        button = page.get_by_role("button", name="Tải văn bản (.docx)").first
        decision = _lines(_download(page, button, tmp_path))

        open_screen(page, "Báo cáo", "Báo cáo lên tỉnh")
        # The year chosen on Quyết định is kept; the report is sent for the open year.
        choose(page, "Năm thực hiện", OPEN_YEAR)
        page.get_by_role("button", name="Gửi báo cáo").click()
        wait_for_app(page)
        button = page.get_by_role("button", name="Tải văn bản (.docx)").first
        button.wait_for()
        report = _lines(_download(page, button, tmp_path))

    store = SqlStore.at_path(path).read(["units", "decisions", "decision_units"])
    units = {r.cells["id"]: r.cells for r in store["units"]}
    khoi = next(i for i, u in units.items() if u["name"] == "Đoàn Khối Doanh nghiệp Mẫu 2")
    [row] = [
        r.cells
        for r in store["decisions"]
        if r.cells["unit_id"] == khoi and r.cells["cycle_id"] == "CK-2025"
    ]
    number = row["number"]
    listed = [
        units[r.cells["unit_id"]]["name"]
        for r in store["decision_units"]
        if r.cells["decision_id"] == row["id"] and not r.cells["removed_at"]
    ]
    signed = row["signed_on"]  # ISO day
    day, month, year = signed[8:10], signed[5:7], signed[:4]
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in decision and "BCH ĐOÀN KHỐI DOANH NGHIỆP MẪU 2" in decision
    assert f"Số: {number}" in decision
    assert f"Hưng Yên, ngày {day} tháng {month} năm {year}" in decision
    assert (
        f"(Kèm theo Quyết định số {number} ngày {day}/{month}/{year} "
        "của Ban Thường vụ Đoàn Khối Doanh nghiệp Mẫu 2)"
    ) in decision
    assert listed and all(name in decision for name in listed)

    below = [u["name"] for u in units.values() if u["parent_id"] == khoi]
    assert "BÁO CÁO" in report and "ĐOÀN TNCS HỒ CHÍ MINH" in report
    assert any(line.startswith("(Kèm theo Báo cáo số") for line in report)
    assert below and all(name in report for name in below)
