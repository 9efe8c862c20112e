"""The Sheets engine on the fake Sheets API: what the store contract cannot see from outside."""

from __future__ import annotations

import gspread
import pytest

from schemas.tabs import ALL_TABS, TABS
from services.core.messages import describe
from services.storage import Append, CellChange, Conflict, StoreError, Update
from services.storage.sheets import DEFAULT_TIMEOUT, SheetsStore
from tests.fakes import FakeSheets

UNITS = TABS["units"].title  # "Đơn vị", as a person sees the tab


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {"id": f"DV-{n}", "name": f"Đoàn xã Mẫu {n}", "phone": "0912345678", "version": "1"}
    return {f: {**cells, **given}.get(f, "") for f in TABS["units"].fields}


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()


@pytest.fixture
def key(fake) -> str:
    return fake.create_spreadsheet("3CĐ", locale="vi_VN", time_zone="Asia/Ho_Chi_Minh")


@pytest.fixture
def store(fake, key) -> SheetsStore:
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)
    store.ensure_tabs()
    return store


def writes(fake: FakeSheets) -> list:
    return [c for c in fake.calls if c.kind == "write"]


def by_id(store: SheetsStore, record_id: str) -> dict[str, str]:
    return next(r.cells for r in store.read(["units"])["units"] if r.cells["id"] == record_id)


# ---- creating the tabs ---------------------------------------------------------------------------


def test_ensure_tabs_creates_every_tab_with_vietnamese_headers_in_one_write(fake, key):
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)
    fake.calls.clear()
    created = store.ensure_tabs()
    assert created == [t.name for t in ALL_TABS]
    assert (fake.counts("read"), fake.counts("write")) == (1, 1)
    person = fake.person(key)
    for tab in ALL_TABS:
        assert person.values(tab.title) == [list(tab.headers)]
        assert tab.headers[0] == "Mã"
    assert (store.locale, store.time_zone) == ("vi_VN", "Asia/Ho_Chi_Minh")
    assert store.ensure_tabs() == []  # nothing missing: one metadata read, no write
    assert (fake.counts("read"), fake.counts("write")) == (2, 1)


def test_app_columns_are_plain_text_so_what_is_typed_stays_as_typed(fake, key, store):
    store.apply([Append("units", unit(1, phone="0912345678", members="007"))])
    person = fake.person(key)
    row = dict(zip(TABS["units"].headers, person.values(UNITS)[1], strict=False))
    assert (row["Điện thoại"], row["Số đoàn viên"]) == ("0912345678", "007")
    # A person typing into an app column is not converted either: the column is TEXT.
    person.type(UNITS, "H2", "0987654321")
    person.type(UNITS, "E2", "1.200")
    assert by_id(store, "DV-1")["phone"] == "0987654321"
    assert by_id(store, "DV-1")["members"] == "1.200"
    cells = fake.book(key).sheet(UNITS).rows[1]
    assert all(c.text for c in cells[: len(TABS["units"].fields)])


def test_the_client_gets_an_explicit_http_timeout(store):
    assert store.spreadsheet.client.timeout == DEFAULT_TIMEOUT


# ---- columns by header ----------------------------------------------------------------------------


def test_reordered_columns_and_a_persons_own_column_are_read_and_written_by_header(
    fake, key, store
):
    store.apply([Append("units", unit(1))])
    person = fake.person(key)
    person.move_column(UNITS, "Điện thoại", 1)  # now column A; "Mã" moves to B
    width = len(TABS["units"].fields)
    person.type(UNITS, f"{chr(65 + width)}1", "Ghi chú riêng")
    person.type(UNITS, f"{chr(65 + width)}2", "gọi trước 9 giờ")

    assert by_id(store, "DV-1") == unit(1)
    store.apply([Update("units", "DV-1", unit(1), {"phone": "0987 654 321", "version": "2"})])
    store.apply([Append("units", unit(2, phone="0900000002"))])

    values = person.values(UNITS)
    assert values[0][:2] == ["Điện thoại", "Mã"] and values[0][width] == "Ghi chú riêng"
    assert values[1][:2] == ["0987 654 321", "DV-1"]
    assert values[1][width] == "gọi trước 9 giờ"  # the person's column is untouched
    assert values[2][:2] == ["0900000002", "DV-2"]
    assert len(values[2]) <= width  # nothing written into the person's column
    assert by_id(store, "DV-1") == unit(1, phone="0987 654 321", version="2")
    assert by_id(store, "DV-2") == unit(2, phone="0900000002")


def test_a_missing_app_column_is_added_after_the_data_and_no_persons_column_moves(fake, key, store):
    store.apply([Append("units", unit(1))])
    person = fake.person(key)
    person.rename_header(UNITS, "Điện thoại", "SĐT")  # the app's header is gone
    width = len(person.values(UNITS)[0])
    person.type(UNITS, f"{chr(ord('A') + width)}1", "Ghi chú riêng")  # a person's own column
    person.type(UNITS, f"{chr(ord('A') + width)}2", "của tôi")
    before = person.values(UNITS)
    store.apply([Append("units", unit(2, phone="0900000002"))])
    after = person.values(UNITS)
    assert after[0] == [*before[0], "Điện thoại"]  # added at the right, nothing moved
    assert after[1][: len(before[1])] == before[1]
    assert by_id(store, "DV-2")["phone"] == "0900000002"
    assert by_id(store, "DV-1")["phone"] == ""  # the renamed column is read past, not guessed
    assert after[2][-1] == "0900000002"


def test_a_renamed_id_header_is_never_added_again_and_the_write_is_refused(fake, key, store):
    """A person renamed "Mã": adding a new "Mã" column would make every unit id-less (and offered
    for adoption under new ids). The write is refused naming the column; nothing is added."""
    store.apply([Append("units", unit(1))])
    person = fake.person(key)
    person.rename_header(UNITS, "Mã", "Mã đơn vị")
    person.rename_header(UNITS, "Điện thoại", "SĐT")  # and a column the app could add otherwise
    before = person.values(UNITS)
    for operations in (
        [Append("units", unit(2))],
        [Update("units", "DV-1", unit(1), {"name": "Đoàn xã Mới", "version": "2"})],
    ):
        with pytest.raises(StoreError) as refused:
            store.apply(operations)
        assert (refused.value.code, refused.value.details()["field"]) == ("missing_column", "id")
        assert describe(refused.value).startswith("Bảng Đơn vị thiếu cột “Mã”; chưa lưu gì.")
    assert person.values(UNITS) == before  # no column added, no cell written
    assert "units" in store.unreadable()


# ---- where appends land ---------------------------------------------------------------------------


def test_appends_land_after_the_last_row_with_data_whatever_blank_rows_a_person_left(
    fake, key, store
):
    store.apply([Append("units", unit(n)) for n in (1, 2, 3)])
    person = fake.person(key)
    person.clear_row(UNITS, 3)  # DV-2's row is now blank
    person.leave_blank_rows(UNITS, 2, after=4)
    person.type(UNITS, "A7", "DV-9")  # a row typed by hand under the gap
    store.apply([Append("units", unit(4))])
    rows = store.read(["units"])["units"]
    assert [(r.number, r.cells["id"]) for r in rows] == [
        (2, "DV-1"),
        (3, ""),
        (4, "DV-3"),
        (5, ""),
        (6, ""),
        (7, "DV-9"),
        (8, "DV-4"),
    ]
    assert by_id(store, "DV-4") == unit(4)


# ---- conflicts with a person's edit --------------------------------------------------------------


def test_a_persons_edit_after_the_form_loaded_is_a_conflict_and_is_kept(fake, key, store):
    store.apply([Append("units", unit(1))])
    loaded = by_id(store, "DV-1")
    fake.person(key).type(UNITS, "B2", "Đoàn xã do người sửa")
    writes_before = fake.counts("write")
    with pytest.raises(Conflict) as conflict:
        store.apply([Update("units", "DV-1", loaded, {"name": "Tên của tôi", "version": "2"})])
    assert conflict.value.changes == [CellChange("name", "Đoàn xã Mẫu 1", "Đoàn xã do người sửa")]
    assert fake.counts("write") == writes_before
    assert fake.person(key).values(UNITS)[1][1] == "Đoàn xã do người sửa"


def test_an_update_writes_only_its_changed_cells(fake, key, store):
    store.apply([Append("units", unit(1))])
    fake.calls.clear()
    store.apply([Update("units", "DV-1", {}, {"name": "Đoàn xã Mới", "version": "1"})])
    (call,) = writes(fake)
    (request,) = call.body["requests"]
    assert request["updateCells"]["start"]["rowIndex"] == 1
    assert request["updateCells"]["start"]["columnIndex"] == 1  # "Tên đơn vị"; version unchanged


# ---- request budget -------------------------------------------------------------------------------


def test_a_record_and_its_audit_row_go_in_one_batch_update(fake, store):
    fake.calls.clear()
    audit = {f: "" for f in TABS["audit_log"].fields} | {"id": "NK-1", "record_id": "DV-1"}
    store.apply([Append("units", unit(1)), Append("audit_log", audit)])
    assert (fake.counts("read"), fake.counts("write")) == (1, 1)
    (call,) = writes(fake)
    assert call.path.endswith(":batchUpdate") and not call.path.endswith("values:batchUpdate")
    assert [next(iter(r)) for r in call.body["requests"]] == ["appendCells", "appendCells"]
    assert by_id(store, "DV-1") == unit(1)
    assert [r.cells["record_id"] for r in store.read(["audit_log"])["audit_log"]] == ["DV-1"]


def test_a_repeated_submission_costs_one_read_and_no_write(fake, store):
    store.apply([Append("units", unit(1))])
    fake.calls.clear()
    store.apply([Append("units", unit(1))])
    assert (fake.counts("read"), fake.counts("write")) == (1, 0)


def test_reading_several_tabs_is_one_request(fake, store):
    fake.calls.clear()
    tabs = store.read(["units", "cycles", "registrations", "users"])
    assert set(tabs) == {"units", "cycles", "registrations", "users"}
    assert fake.counts("read") == 1 and fake.calls[0].path.endswith("values:batchGet")


def test_a_tail_window_is_one_request_and_skips_blank_rows(fake, key, store):
    rows = [{f: "" for f in TABS["audit_log"].fields} | {"id": f"NK-{n}"} for n in range(1, 6)]
    store.apply([Append("audit_log", r) for r in rows])  # sheet rows 2..6
    fake.person(key).clear_row(TABS["audit_log"].title, 4)
    fake.calls.clear()
    tail = store.read_tail("audit_log", 3, 7)
    assert fake.counts("read") == 1
    assert [(r.number, r.cells["id"]) for r in tail.rows] == [(5, "NK-4"), (6, "NK-5")]
    assert tail.start == 4 and not tail.at_start


def test_an_update_of_a_row_appended_in_the_same_apply_is_written_with_the_append(fake, store):
    fake.calls.clear()
    store.apply(
        [Append("units", unit(1)), Update("units", "DV-1", unit(1), {"name": "Đoàn xã Mới"})]
    )
    assert fake.counts("write") == 1
    assert by_id(store, "DV-1") == unit(1, name="Đoàn xã Mới")


def test_a_tab_replaced_by_a_copy_of_itself_is_relearned_and_the_write_goes_through(
    fake, key, store
):
    store.apply([Append("units", unit(1))])
    old = fake.book(key).sheet(UNITS).sheet_id
    fake.person(key).replace_with_copy(UNITS, sheet_id=old + 1000)  # same title, new sheet id
    store.apply([Update("units", "DV-1", unit(1), {"name": "Tên mới", "version": "2"})])
    assert by_id(store, "DV-1")["name"] == "Tên mới"
    assert fake.book(key).sheet(UNITS).sheet_id == old + 1000


def test_an_app_header_repeated_by_a_persons_column_is_neither_read_nor_written(fake, key, store):
    store.apply([Append("units", unit(1, phone="0911111111"))])
    person = fake.person(key)
    width = len(person.values(UNITS)[0])
    own = chr(ord("A") + width)
    person.type(UNITS, f"{own}1", "Điện thoại")  # a person's own column, same header as the app's
    person.type(UNITS, f"{own}2", "số riêng của tôi")
    assert by_id(store, "DV-1")["phone"] == ""  # which one is the app's cannot be told: not read
    with pytest.raises(StoreError) as refused:
        store.apply([Update("units", "DV-1", by_id(store, "DV-1"), {"phone": "0922222222"})])
    assert refused.value.code == "repeated_column"
    assert "có hai cột cùng tên “Điện thoại”" in describe(refused.value)
    store.apply([Append("units", unit(2, phone=""))])  # a write not touching it goes through
    assert person.values(UNITS)[1][width] == "số riêng của tôi"
    assert store.layout().tabs["units"].repeated == ("phone",)
    assert "phone" not in store.layout().tabs["units"].missing


# ---- ids a person retyped with untidy spacing ------------------------------------------------------


@pytest.mark.parametrize("typed", ["DV-1 ", " DV-1", "DV-1\u00a0", "\u200bDV-1"])
def test_an_id_retyped_with_spaces_is_still_its_record_and_is_never_rewritten(
    fake, key, store, typed
):
    store.apply([Append("units", unit(1)), Append("units", unit(2))])
    fake.person(key).type(UNITS, "A2", typed)
    loaded = next(r.cells for r in store.read(["units"])["units"] if r.number == 2)
    store.apply([Update("units", "DV-1", loaded, {"name": "Đoàn xã Mới", "version": "2"})])
    row = fake.person(key).values(UNITS)[1]
    assert row[:2] == [typed, "Đoàn xã Mới"]  # found by its tidy id; the id cell left as typed
    # the same record appended again (a resend) is recognised as stored, not a second row
    store.apply(
        [Append("units", {**unit(1), "id": "DV-1"} | {"name": "Đoàn xã Mới", "version": "2"})]
    )
    assert len(fake.person(key).values(UNITS)) == 3
    with pytest.raises(StoreError):  # a different record under the same id is refused
        store.apply([Append("units", unit(1, name="Khác"))])


def test_a_form_loaded_before_the_id_was_retyped_is_not_a_conflict(fake, key, store):
    store.apply([Append("units", unit(1))])
    loaded = by_id(store, "DV-1")
    fake.person(key).type(UNITS, "A2", "DV-1  ")
    store.apply([Update("units", "DV-1", loaded, {"phone": "0987654321"})])
    assert fake.person(key).values(UNITS)[1][0] == "DV-1  "
    assert by_id(store, "DV-1  ")["phone"] == "0987654321"


# ---- tabs a person made unreadable -----------------------------------------------------------------


def test_a_tab_is_unreadable_when_deleted_headless_or_its_id_header_repeated(fake, key, store):
    from services.storage import Unreadable

    store.apply([Append("units", unit(1))])
    assert store.read(["units", "registrations"]) and store.unreadable() == {}
    person = fake.person(key)
    person.insert_row(UNITS, 1, ["Danh sách đơn vị"])  # a title row above the header
    person.delete_tab(TABS["registrations"].title)
    store.read(["units", "registrations"])
    assert store.unreadable() == {
        "units": Unreadable("units", "no_column", "id"),
        "registrations": Unreadable("registrations", "missing_tab"),
    }
    person.delete_row(UNITS, 1)
    width = len(person.values(UNITS)[0])
    person.type(UNITS, f"{chr(ord('A') + width)}1", "Mã")  # a person's own column named "Mã"
    store.read(["units"])
    assert store.unreadable()["units"] == Unreadable("units", "repeated_column", "id")
