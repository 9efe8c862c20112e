"""The fake Google Sheets API behaves like the real one where the engine depends on it."""

from __future__ import annotations

from datetime import datetime

import gspread
import pytest
import requests

from schemas.cells import VN_TZ
from services.core.clock import FixedClock
from tests.fakes import FakeSheets, Quota

START = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def fake(clock) -> FakeSheets:
    return FakeSheets(clock)


def open_book(fake: FakeSheets, **kw) -> tuple[str, gspread.Spreadsheet]:
    key = fake.create_spreadsheet("3CĐ", **kw)
    return key, gspread.Client(auth=None, session=fake.session()).open_by_key(key)


def tab_with_header(book: gspread.Spreadsheet, title: str = "Đăng ký") -> gspread.Worksheet:
    ws = book.add_worksheet(title, rows=10, cols=4)
    ws.update([["Mã", "Tên", "Điện thoại"]], "A1")
    return ws


def test_open_by_key_reads_metadata_without_drive(fake):
    key, book = open_book(fake, locale="vi_VN", time_zone="Asia/Ho_Chi_Minh")
    assert (book.id, book.title, book.locale, book.timezone) == (
        key,
        "3CĐ",
        "vi_VN",
        "Asia/Ho_Chi_Minh",
    )
    assert [c.kind for c in fake.calls] == ["read"]
    assert fake.counts("drive") == 0


def test_open_by_key_of_an_unknown_spreadsheet_is_not_found(fake):
    client = gspread.Client(auth=None, session=fake.session())
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        client.open_by_key("nope")


def test_adding_a_tab_and_writing_a_header_shows_in_metadata_and_values(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    assert [w.title for w in book.worksheets()] == ["Sheet1", "Đăng ký"]
    assert ws.get_all_values()[0] == ["Mã", "Tên", "Điện thoại"]
    assert book.values_get("'Đăng ký'!A1:Z")["values"] == [["Mã", "Tên", "Điện thoại"]]


def test_batch_get_of_several_tabs_is_one_read_with_ragged_rows_and_no_values_for_an_empty_tab(
    fake,
):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1", "An"], [], ["3"]], "A2")
    book.add_worksheet("Trống", rows=5, cols=3)
    reads = fake.counts("read")
    got = book.values_batch_get(["'Đăng ký'", "'Trống'", "'Đăng ký'!5:10", "'Đăng ký'!A2:B3"])
    assert fake.counts("read") == reads + 1
    full, empty, rows, part = got["valueRanges"]
    assert full["values"] == [["Mã", "Tên", "Điện thoại"], ["1", "An"], [], ["3"]]
    assert full["range"] == "'Đăng ký'!A1:D10"
    assert "values" not in empty and empty["range"] == "'Trống'!A1:C5"
    assert "values" not in rows
    assert part["values"] == [["1", "An"]]


def test_append_lands_after_the_last_row_with_data_even_with_blank_rows_between(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1", "An"], ["2", "Bình"], ["3", "Chi"]], "A2")
    person = fake.person(key)
    person.clear_row("Đăng ký", 3)
    person.leave_blank_rows("Đăng ký", 2)
    ws.append_row(["4", "Dũng"])
    assert person.values("Đăng ký") == [
        ["Mã", "Tên", "Điện thoại"],
        ["1", "An"],
        [],
        ["3", "Chi"],
        ["4", "Dũng"],
    ]


def test_append_past_the_grid_grows_it(fake):
    key, book = open_book(fake)
    ws = book.add_worksheet("Nhỏ", rows=2, cols=2)
    ws.update([["a"], ["b"]], "A1")
    ws.append_rows([["c", "d", "e"]], value_input_option="RAW")
    sheet = fake.book(key).sheet("Nhỏ")
    assert (sheet.row_count, sheet.col_count) == (3, 3)
    assert ws.get_all_values()[-1] == ["c", "d", "e"]


def test_append_cells_in_a_batch_update_lands_after_the_last_row_with_data(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    fake.person(key).type("Đăng ký", "A6", "x")
    row = {"values": [{"userEnteredValue": {"stringValue": "0912345678"}}]}
    book.batch_update(
        {"requests": [{"appendCells": {"sheetId": ws.id, "rows": [row], "fields": "*"}}]}
    )
    assert ws.get("A7") == [["0912345678"]]


def test_a_text_formatted_column_keeps_leading_zeros_and_an_automatic_one_loses_them(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    book.batch_update(
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": {"sheetId": ws.id, "startColumnIndex": 0, "endColumnIndex": 1},
                        "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            ]
        }
    )
    ws.update([["0912345678", "0912345678", "9/10/2025"]], "A2", raw=False)
    ws.update([["007", "=1+1", "1.200"]], "A3", raw=False)
    assert ws.get("A2:C3") == [["0912345678", "912345678", "09/10/2025"], ["007", "2", "1.200"]]
    assert ws.get("C2", value_render_option="UNFORMATTED_VALUE") == [[45939]]


def test_raw_input_stores_strings_as_typed(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["0912345678", "=1+1", "9/10/2025"]], "A2", raw=True)
    assert ws.get("A2:C2") == [["0912345678", "=1+1", "9/10/2025"]]


def test_past_the_per_minute_quota_comes_429_and_a_minute_later_it_recovers(clock):
    fake = FakeSheets(clock, quota=Quota(read_per_user=3))
    _, book = open_book(fake)  # 1 read
    book.values_get("Sheet1")
    book.values_get("Sheet1")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.values_get("Sheet1")
    assert caught.value.response.status_code == 429
    assert caught.value.response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    book.batch_update({"requests": [{"addSheet": {"properties": {"title": "B"}}}]})  # writes pass
    clock.advance(seconds=60)
    assert "values" not in book.values_get("Sheet1")
    counts = fake.per_minute()[START.replace(second=0)]
    assert (counts["read"], counts["rejected"], counts["write"]) == (3, 1, 1)


def test_the_project_quota_is_shared_by_all_users(clock):
    fake = FakeSheets(clock, quota=Quota(read_per_project=2))
    key = fake.create_spreadsheet()
    gspread.Client(auth=None, session=fake.session("a")).open_by_key(key)
    gspread.Client(auth=None, session=fake.session("b")).open_by_key(key)
    with pytest.raises(gspread.exceptions.APIError):
        gspread.Client(auth=None, session=fake.session("c")).open_by_key(key)


def test_a_lost_reply_applies_the_write_once(fake, clock):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    fake.timeout_next(applied=True, kind="write")
    before = clock.now()
    book.client.set_timeout(10)
    with pytest.raises(requests.exceptions.Timeout):
        ws.append_row(["1", "An"])
    assert (clock.now() - before).total_seconds() == 10
    assert ws.get_all_values()[1:] == [["1", "An", ""]]
    assert fake.calls[-2].outcome == "lost-reply"


def test_a_timeout_before_applying_and_a_5xx_change_nothing(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    fake.timeout_next(kind="write")
    with pytest.raises(requests.exceptions.Timeout):
        ws.append_row(["1"])
    fake.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as caught:
            ws.append_row(["1"])
        assert caught.value.response.status_code == 503
    assert len(ws.get_all_values()) == 1


def test_latency_moves_the_shared_clock_without_sleeping(clock):
    fake = FakeSheets(clock, latency=(0.2, 0.6), seed=7)
    open_book(fake)
    elapsed = (clock.now() - START).total_seconds()
    assert 0.2 <= elapsed <= 0.6


def test_an_invalid_batch_update_changes_nothing_and_answers_400(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    bad = {
        "requests": [
            {"addSheet": {"properties": {"title": "Mới"}}},
            {"appendCells": {"sheetId": ws.id, "rows": [{"values": []}], "fields": "*"}},
            {
                "deleteDimension": {
                    "range": {"sheetId": 999, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}
                }
            },
        ]
    }
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.batch_update(bad)
    error = caught.value.response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Invalid requests[2].deleteDimension")
    assert [s.title for s in fake.book(key).sheets] == ["Sheet1", "Đăng ký"]


def test_insert_and_delete_dimension_through_gspread(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1"], ["2"]], "A2")
    ws.insert_row(["1.5"], index=3)
    assert ws.col_values(1) == ["Mã", "1", "1.5", "2"]
    ws.delete_rows(2)
    assert ws.col_values(1) == ["Mã", "1.5", "2"]


def test_update_cells_with_a_start_and_fields(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    cells = {"values": [{"userEnteredValue": {"numberValue": 5}}, {}]}
    start = {"sheetId": ws.id, "rowIndex": 1, "columnIndex": 1}
    book.batch_update(
        {
            "requests": [
                {"updateCells": {"start": start, "rows": [cells], "fields": "userEnteredValue"}}
            ]
        }
    )
    assert ws.get("A2:C2") == [["", "5"]]


def test_update_spreadsheet_properties_changes_the_locale_and_how_numbers_show(fake):
    _, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1,5"]], "A2", raw=False)
    assert ws.acell("A2").value == "1,5"
    book.update_locale("en_US")
    assert book.fetch_sheet_metadata()["properties"]["locale"] == "en_US"
    assert ws.acell("A2").value == "1.5"


def test_a_person_typing_in_a_cell_is_converted_like_user_entered(fake):
    key, book = open_book(fake)
    tab_with_header(book)
    person = fake.person(key)
    person.type("Đăng ký", "C2", "0912345678")
    person.type("Đăng ký", "A2", "'007")
    assert person.values("Đăng ký")[1] == ["007", "", "912345678"]


def test_a_person_inserting_and_deleting_rows_moves_the_rows_below(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1"], ["2"]], "A2")
    person = fake.person(key)
    person.insert_row("Đăng ký", 3, ["x"])
    assert ws.col_values(1) == ["Mã", "1", "x", "2"]
    person.delete_row("Đăng ký", 2)
    assert ws.col_values(1) == ["Mã", "x", "2"]


def test_a_person_sorting_rows_keeps_the_header_and_puts_blanks_last(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["3", "Chi"], ["1", "An"], ["", "Không mã"], ["2", "Bình"]], "A2")
    fake.person(key).sort("Đăng ký", "Tên", descending=True)
    assert ws.col_values(2) == ["Tên", "Không mã", "Chi", "Bình", "An"]
    fake.person(key).sort("Đăng ký", "Mã")
    assert ws.col_values(1) == ["Mã", "1", "2", "3"]


def test_a_person_reordering_columns_and_renaming_a_header(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1", "An", "0912"]], "A2")
    person = fake.person(key)
    person.move_column("Đăng ký", "Điện thoại", 1)
    person.rename_header("Đăng ký", "Tên", "Họ tên")
    assert ws.get_all_values()[:2] == [["Điện thoại", "Mã", "Họ tên"], ["0912", "1", "An"]]


def test_a_person_leaving_blank_rows_in_the_middle_shows_empty_rows(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    ws.update([["1"], ["2"]], "A2")
    fake.person(key).leave_blank_rows("Đăng ký", 2, after=2)
    assert book.values_get("'Đăng ký'!A1:A")["values"] == [["Mã"], ["1"], [], [], ["2"]]


# ---- protection, validation, widths ----------------------------------------------------------------


def _batch(book: gspread.Spreadsheet, *requests_: dict) -> dict:
    return book.batch_update({"requests": list(requests_)})


def test_a_warning_only_protected_range_gets_an_id_and_refuses_editors(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    rng = {"sheetId": ws.id, "startRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 1}
    reply = _batch(
        book,
        {
            "addProtectedRange": {
                "protectedRange": {"range": rng, "warningOnly": True, "description": "Mã"}
            }
        },
    )
    added = reply["replies"][0]["addProtectedRange"]["protectedRange"]
    assert added["protectedRangeId"] >= 1 and added["warningOnly"] is True
    meta = book.fetch_sheet_metadata(params={"fields": "sheets(properties,protectedRanges)"})
    (sheet,) = [s for s in meta["sheets"] if s["properties"]["sheetId"] == ws.id]
    assert [p["description"] for p in sheet["protectedRanges"]] == ["Mã"]
    only = book.fetch_sheet_metadata(params={"fields": "sheets.properties"})
    assert all(set(s) == {"properties"} for s in only["sheets"])  # the mask is honoured
    editors = {"range": rng, "warningOnly": True, "editors": {"users": ["a@example.vn"]}}
    with pytest.raises(gspread.exceptions.APIError):
        _batch(book, {"addProtectedRange": {"protectedRange": editors}})
    _batch(book, {"deleteProtectedRange": {"protectedRangeId": added["protectedRangeId"]}})
    with pytest.raises(gspread.exceptions.APIError):
        _batch(book, {"deleteProtectedRange": {"protectedRangeId": added["protectedRangeId"]}})


def test_setting_the_same_validation_twice_leaves_one_rule_and_bad_rules_are_refused(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    rng = {"sheetId": ws.id, "startRowIndex": 1, "startColumnIndex": 1, "endColumnIndex": 2}
    rule = {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Xã"}]},
        "showCustomUi": True,
    }
    _batch(book, {"setDataValidation": {"range": rng, "rule": rule}})
    _batch(book, {"setDataValidation": {"range": rng, "rule": rule}})
    assert len(fake.book(key).sheet("Đăng ký").validations) == 1
    for bad_rule in (
        {"condition": {"type": "NUMBER_GREATER_THAN_EQ", "values": []}},
        {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "A2>0"}]}},
        {"condition": {"type": "DATE_IS_VALID"}},
    ):
        with pytest.raises(gspread.exceptions.APIError):
            _batch(book, {"setDataValidation": {"range": rng, "rule": bad_rule}})
    _batch(book, {"setDataValidation": {"range": rng}})  # no rule: cleared
    assert fake.book(key).sheet("Đăng ký").validations == []


def test_column_widths_are_kept_and_need_their_field_mask(fake):
    key, book = open_book(fake)
    ws = tab_with_header(book)
    span = {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 3}
    _batch(
        book,
        {
            "updateDimensionProperties": {
                "range": span,
                "properties": {"pixelSize": 240},
                "fields": "pixelSize",
            }
        },
    )
    assert fake.book(key).sheet("Đăng ký").widths == {1: 240, 2: 240}
    with pytest.raises(gspread.exceptions.APIError):
        _batch(book, {"updateDimensionProperties": {"range": span, "properties": {"pixelSize": 9}}})
