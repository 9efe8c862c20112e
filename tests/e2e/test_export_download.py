"""In a real browser: province staff download the whole store, and the file holds every cell of it.

AppTest cannot click a download button; this is the check that the button a person clicks really
delivers the lossless export.
"""

from __future__ import annotations

from schemas.tabs import ALL_TABS
from services.data import transfer
from services.storage.sql import SqlStore
from tests.support.browser import (
    PROVINCE,
    choose_person,
    open_screen,
    screenshot_on_failure,
    start_app_server,
    wait_for_app,
)


def test_the_downloaded_export_holds_every_cell_of_the_store(browser_page, tmp_path):
    page = browser_page
    path = tmp_path / "3cd.sqlite"
    with (
        start_app_server({"TCD_SQLITE_PATH": str(path)}) as base_url,
        screenshot_on_failure(page, tmp_path),
    ):
        page.goto(base_url)
        wait_for_app(page)
        choose_person(page, PROVINCE)
        open_screen(page, "nhập dữ liệu", "Xuất / nhập dữ liệu")  # a "/" would end the link regex
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải toàn bộ dữ liệu (.xlsx)").click()
        assert download.value.suggested_filename.startswith("3cd-du-lieu-")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)

        upload = transfer.read_workbook(saved.read_bytes(), saved.name)
        stored = SqlStore.at_path(path).read([t.name for t in ALL_TABS])

    assert upload.problems == []
    assert {tab: [r.cells for r in rows] for tab, rows in upload.rows.items()} == {
        tab: [r.cells for r in rows] for tab, rows in stored.items()
    }
    assert (
        stored["units"] and stored["assessments"]
    )  # the demo with its year end, not an empty file
