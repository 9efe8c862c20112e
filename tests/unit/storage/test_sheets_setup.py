"""Set-up of the spreadsheet for staff: frozen styled header, warning-only protection on the app's
columns, dropdowns and help for closed sets, counts and days, a guide tab, readable widths — in one
write, idempotent, never touching data. Checked on the requests the fake Sheets API recorded and
on the spreadsheet they left."""

from __future__ import annotations

import re

import gspread
import pytest

from schemas.cells import parse_count
from schemas.models import LatePolicy, RegistrationState, Role, UnitKind
from schemas.tabs import ALL_TABS, TABS
from services.storage import Append
from services.storage.sheets import SheetsStore
from services.storage.sheets_setup import COUNT_PATTERN, DAY_PATTERN, GUIDE, GUIDE_TITLE, MARK
from tests.fakes import FakeSheets

UNITS = TABS["units"]


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()


@pytest.fixture
def key(fake) -> str:
    return fake.create_spreadsheet("3CĐ", locale="vi_VN", time_zone="Asia/Ho_Chi_Minh")


def opened(fake: FakeSheets, key: str) -> SheetsStore:
    return SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)


def requests_sent(fake: FakeSheets) -> list[dict]:
    return [r for c in fake.calls if c.kind == "write" for r in c.body["requests"]]


def of_kind(requests_: list[dict], kind: str) -> list[dict]:
    return [r[kind] for r in requests_ if kind in r]


def rule_of(fake: FakeSheets, key: str, tab: str, field: str) -> dict:
    sheet = fake.book(key).sheet(TABS[tab].title)
    column = fake.person(key).values(TABS[tab].title)[0].index(TABS[tab].header(field))
    (rule,) = [v["rule"] for v in sheet.validations if v["range"]["startColumnIndex"] == column]
    return rule


def test_a_new_spreadsheet_is_created_and_set_up_in_one_write(fake, key):
    store = opened(fake, key)
    fake.calls.clear()
    store.ensure_tabs()
    assert (fake.counts("read"), fake.counts("write")) == (1, 1)  # one metadata read, one write
    sent = requests_sent(fake)
    frozen = of_kind(sent, "updateSheetProperties")
    assert len(frozen) == len(ALL_TABS)
    assert all(f["fields"] == "gridProperties.frozenRowCount" for f in frozen)
    assert all(f["properties"]["gridProperties"] == {"frozenRowCount": 1} for f in frozen)
    styled = [r for r in of_kind(sent, "repeatCell") if r["range"].get("endRowIndex") == 1]
    assert len(styled) == len(ALL_TABS)
    assert styled[0]["cell"]["userEnteredFormat"]["textFormat"] == {"bold": True}
    protected = of_kind(sent, "addProtectedRange")
    assert protected and all(p["protectedRange"]["warningOnly"] for p in protected)
    assert all("editors" not in p["protectedRange"] for p in protected)
    assert of_kind(sent, "updateDimensionProperties")
    book = fake.book(key)
    for tab in ALL_TABS:
        props = book.sheet(tab.title).properties(0)
        assert props["gridProperties"]["frozenRowCount"] == 1
        style = dict(book.sheet(tab.title).cell(0, 0).style)  # the header cell, as shown
        assert '"bold": true' in style["textFormat"] and "backgroundColor" in style
        assert book.sheet(tab.title).cell(0, 0).value == tab.headers[0]
    guide = fake.person(key).values(GUIDE_TITLE)
    assert [row[0] if row else "" for row in guide] == list(GUIDE)


def test_the_app_owned_columns_carry_a_warning_in_vietnamese(fake, key):
    opened(fake, key).ensure_tabs()
    sheet = fake.book(key).sheet(UNITS.title)
    header = fake.person(key).values(UNITS.title)[0]
    guarded = {header[p["range"]["startColumnIndex"]]: p["description"] for p in sheet.protected}
    assert set(guarded) == {"Mã", "Phiên bản", "Cập nhật lúc"}
    assert all(p["warningOnly"] and p["range"]["startRowIndex"] == 1 for p in sheet.protected)
    assert "do ứng dụng 3CĐ tự ghi — hãy sửa trong ứng dụng" in guarded["Mã"]
    regs = fake.book(key).sheet(TABS["registrations"].title)
    regs_header = fake.person(key).values(TABS["registrations"].title)[0]
    owned = {regs_header[p["range"]["startColumnIndex"]] for p in regs.protected}
    assert {"Mã", "Phiên bản", "Trạng thái", "Gửi lần đầu lúc", "Xử lý lúc"} <= owned
    (audit,) = fake.book(key).sheet(TABS["audit_log"].title).protected
    assert "startColumnIndex" not in audit["range"]  # the audit log is protected whole


@pytest.mark.parametrize(
    ("tab", "field", "values"),
    [
        ("units", "kind", [k.value for k in UnitKind]),
        ("registrations", "state", [s.value for s in RegistrationState]),
        ("users", "role", [r.value for r in Role]),
        ("cycles", "late_policy", [p.value for p in LatePolicy]),
        ("units", "active", ["Có", "Không"]),
    ],
)
def test_closed_sets_get_a_dropdown_of_the_exact_vietnamese_values(fake, key, tab, field, values):
    opened(fake, key).ensure_tabs()
    rule = rule_of(fake, key, tab, field)
    assert rule["condition"]["type"] == "ONE_OF_LIST"
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == values
    assert rule["showCustomUi"] is True and rule["strict"] is False
    assert rule["inputMessage"].startswith("Chọn")


def test_counts_and_days_get_a_formula_on_the_stored_text(fake, key):
    opened(fake, key).ensure_tabs()
    members = rule_of(fake, key, "units", "members")
    assert members["condition"]["type"] == "CUSTOM_FORMULA" and not members["strict"]
    (count_formula,) = [v["userEnteredValue"] for v in members["condition"]["values"]]
    column = fake.person(key).values(TABS["units"].title)[0].index(TABS["units"].header("members"))
    letter = chr(ord("A") + column)
    assert count_formula == (
        f'=OR(ISBLANK({letter}2),REGEXMATCH(TO_TEXT({letter}2),"{COUNT_PATTERN}"))'
    )
    assert "số nguyên" in members["inputMessage"]
    # the app writes counts as text (never the sheet's number type): the pattern takes what it
    # writes and what parse_count reads, and flags the rest
    for written in ("0", "120", "1200", "1.200", "1 200", "12345678"):
        assert re.match(COUNT_PATTERN, written) and parse_count(written) >= 0
    for wrong in ("-5", "1,5", "12.5", "mười", "1.20", ""):
        assert not re.match(COUNT_PATTERN, wrong)
    day = rule_of(fake, key, "registrations", "plan_date")
    assert day["condition"]["type"] == "CUSTOM_FORMULA" and not day["strict"]
    (formula,) = [v["userEnteredValue"] for v in day["condition"]["values"]]
    column = fake.person(key).values(TABS["registrations"].title)[0].index("Ngày kế hoạch")
    letter = chr(ord("A") + column)
    assert formula.startswith(f"=OR(ISBLANK({letter}2),REGEXMATCH(TO_TEXT({letter}2),")
    assert "ngày/tháng/năm" in day["inputMessage"]
    # the pattern accepts what the app writes and what it reads, and nothing else
    for written in ("2025-10-09", "9/10/2025", "09.10.2025"):
        assert re.match(DAY_PATTERN, written)
    for wrong in ("hôm qua", "2025-10-09T10:00:00+07:00", "45123"):
        assert not re.match(DAY_PATTERN, wrong)


def test_a_second_start_sends_nothing_and_nothing_piles_up(fake, key):
    opened(fake, key).ensure_tabs()
    book = fake.book(key)
    before = {s.title: (len(s.protected), len(s.validations)) for s in book.sheets}
    fake.calls.clear()
    assert opened(fake, key).ensure_tabs() == []
    assert fake.counts("write") == 0 and fake.counts("read") == 2  # open + metadata
    assert {s.title: (len(s.protected), len(s.validations)) for s in book.sheets} == before


def test_an_older_sheet_is_upgraded_without_touching_its_data(fake, key):
    store = opened(fake, key)
    store.ensure_tabs()
    store.apply([Append("units", {"id": "DV-1", "name": "Đoàn xã A", "kind": "Xã"})])
    book, person = fake.book(key), fake.person(key)
    person.move_column(UNITS.title, "Mã", 3)  # a person reordered the columns
    for sheet in book.sheets:  # as an earlier version left it: its own mark on its ranges
        for p in sheet.protected:
            p["description"] = p["description"].replace(MARK, "(3CĐ v0)")
    values = {s.title: person.values(s.title) for s in book.sheets if s.title != GUIDE_TITLE}
    count = {s.title: len(s.protected) for s in book.sheets}
    fake.calls.clear()
    opened(fake, key).ensure_tabs()
    assert fake.counts("write") == 1
    assert {
        s.title: person.values(s.title) for s in book.sheets if s.title != GUIDE_TITLE
    } == values
    assert {s.title: len(s.protected) for s in book.sheets} == count  # replaced, not added
    assert all(p["description"].endswith(MARK) for s in book.sheets for p in s.protected)
    header = person.values(UNITS.title)[0]
    columns = {header[p["range"]["startColumnIndex"]] for p in book.sheet(UNITS.title).protected}
    assert columns == {"Mã", "Phiên bản", "Cập nhật lúc"}  # found by header where they are now


def test_protection_and_dropdowns_follow_a_column_a_person_moves(fake, key):
    opened(fake, key).ensure_tabs()
    fake.person(key).move_column(UNITS.title, "Loại đơn vị", 1)
    rule = rule_of(fake, key, "units", "kind")
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]][0] == "Tỉnh đoàn"


def test_the_plan_link_and_the_per_criterion_statements_get_a_pattern_and_help(fake, key):
    opened(fake, key).ensure_tabs()
    link = rule_of(fake, key, "registrations", "plan_link")
    standing = rule_of(fake, key, "registrations", "criteria_standing")
    assert "http:// hoặc https://" in link["inputMessage"] and not link["strict"]
    assert "2.3: Chưa đạt. Lộ trình: …" in standing["inputMessage"] and not standing["strict"]

    def pattern(rule: dict) -> str:
        (formula,) = [v["userEnteredValue"] for v in rule["condition"]["values"]]
        return re.search(r'REGEXMATCH\(TO_TEXT\([A-Z]+2\),"(.*)"\)\)$', formula)[1]

    for good in ("https://drive.google.com/file/d/1AbC/view", "HTTP://example.vn/a"):
        assert re.match(pattern(link), good)
    for bad in ("javascript:alert(1)", "drive.google.com/x", "https://a b"):
        assert not re.match(pattern(link), bad)
    written = "1.1: Đã đạt\n2.3: Chưa đạt. Lộ trình: Quý I: 2 hoạt động"
    assert re.match(pattern(standing), written)
    assert not re.match(pattern(standing), "1.1 Đã đạt")
