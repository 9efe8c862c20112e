"""The store contract: what every engine promises, tested only through the Store interface."""

from __future__ import annotations

import unicodedata

import pytest

from schemas.tabs import TABS
from services.storage import (
    Adopt,
    Append,
    CellChange,
    Conflict,
    DuplicateRecord,
    RecordMissing,
    Store,
    Update,
)


def full(tab: str, **given: str) -> dict[str, str]:
    """Every field of a tab, blank unless given: what reading a row back should show."""
    return {f: given.get(f, "") for f in TABS[tab].fields}


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {
        "id": f"DV-{n}",
        "name": f"Đoàn xã Mẫu {n}",
        "kind": "Xã",
        "members": "120",
        "phone": "0912 345 678",
        "active": "Có",
        "version": "1",
    }
    return full("units", **{**cells, **given})


def read(store: Store, tab: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, every field's cell) for each row of one tab, in sheet order."""
    return [
        (row.number, {f: row.cells.get(f, "") for f in TABS[tab].fields})
        for row in store.read([tab])[tab]
    ]


def cells_of(store: Store, tab: str, record_id: str) -> dict[str, str]:
    return next(cells for _, cells in read(store, tab) if cells["id"] == record_id)


# ---- appending and reading -----------------------------------------------------------------------


def test_an_empty_store_reads_every_tab_as_no_rows(store):
    tabs = store.read(["units", "registrations", "audit_log"])
    assert tabs == {"units": [], "registrations": [], "audit_log": []}


def test_appended_rows_read_back_in_order_with_their_sheet_row_numbers(store):
    store.apply([Append("units", unit(1))])
    store.apply([Append("units", unit(2)), Append("units", unit(3))])
    store.apply([Append("units", unit(4))])
    assert read(store, "units") == [(2, unit(1)), (3, unit(2)), (4, unit(3)), (5, unit(4))]


def test_one_read_returns_several_tabs(store):
    store.apply(
        [Append("units", unit(1)), Append("cycles", full("cycles", id="CK-1", year="2030"))]
    )
    tabs = store.read(["cycles", "units"])
    assert [r.cells["id"] for r in tabs["units"]] == ["DV-1"]
    assert [r.cells["id"] for r in tabs["cycles"]] == ["CK-1"]


def test_an_append_repeated_with_identical_cells_is_stored_once(store):
    store.apply([Append("units", unit(1))])
    store.apply([Append("units", unit(1))])  # a retried submission: same id, same cells
    assert read(store, "units") == [(2, unit(1))]


def test_an_append_reusing_an_id_with_other_cells_is_refused_and_nothing_is_written(store):
    store.apply([Append("units", unit(1))])
    with pytest.raises(DuplicateRecord) as refused:
        store.apply([Append("units", unit(2)), Append("units", unit(1, name="Đoàn xã Khác"))])
    assert refused.value.tab == "units" and dict(refused.value.fields) == {"id": "DV-1"}
    assert read(store, "units") == [(2, unit(1))]


def registration(record_id: str, unit_id: str, cycle_id: str = "CK-1") -> Append:
    cells = full("registrations", id=record_id, cycle_id=cycle_id, unit_id=unit_id, state="Đã gửi")
    return Append("registrations", cells, unique=("cycle_id", "unit_id"))


def test_unique_fields_are_enforced_on_append(store):
    store.apply([registration("DK-1", "DV-1")])
    with pytest.raises(DuplicateRecord) as refused:
        store.apply([registration("DK-2", "DV-1")])
    assert dict(refused.value.fields) == {"cycle_id": "CK-1", "unit_id": "DV-1"}
    store.apply([registration("DK-3", "DV-2"), registration("DK-4", "DV-1", cycle_id="CK-2")])
    assert [c["id"] for _, c in read(store, "registrations")] == ["DK-1", "DK-3", "DK-4"]


# ---- updating -----------------------------------------------------------------------------------


def test_an_update_changes_the_cells_it_names_when_the_row_is_as_loaded(store):
    store.apply([Append("units", unit(1)), Append("units", unit(2))])
    loaded = cells_of(store, "units", "DV-1")
    store.apply([Update("units", "DV-1", loaded, {"name": "Đoàn xã Mới", "version": "2"})])
    assert read(store, "units") == [
        (2, {**unit(1), "name": "Đoàn xã Mới", "version": "2"}),
        (3, unit(2)),
    ]


def test_an_update_based_on_a_stale_row_is_a_conflict_naming_both_values(store):
    store.apply([Append("units", unit(1))])
    mine = cells_of(store, "units", "DV-1")
    theirs = cells_of(store, "units", "DV-1")
    store.apply([Update("units", "DV-1", theirs, {"name": "Tên của người kia", "version": "2"})])
    with pytest.raises(Conflict) as conflict:
        store.apply([Update("units", "DV-1", mine, {"name": "Tên của tôi", "version": "2"})])
    assert (conflict.value.tab, conflict.value.id) == ("units", "DV-1")
    assert sorted(conflict.value.changes, key=lambda c: c.field) == [
        CellChange("name", "Đoàn xã Mẫu 1", "Tên của người kia"),
        CellChange("version", "1", "2"),
    ]
    assert "DV-1" in str(conflict.value)
    assert cells_of(store, "units", "DV-1")["name"] == "Tên của người kia"


def test_a_change_to_a_loaded_cell_the_update_does_not_touch_is_still_a_conflict(store):
    store.apply([Append("units", unit(1))])
    mine = cells_of(store, "units", "DV-1")
    store.apply([Update("units", "DV-1", mine, {"phone": "0987 654 321"})])
    with pytest.raises(Conflict) as conflict:
        store.apply([Update("units", "DV-1", mine, {"name": "Tên của tôi"})])
    assert conflict.value.changes == [CellChange("phone", "0912 345 678", "0987 654 321")]
    assert cells_of(store, "units", "DV-1") == {**unit(1), "phone": "0987 654 321"}


def test_an_update_writes_only_its_changed_cells_and_keeps_cells_it_did_not_load(store):
    store.apply([Append("units", unit(1))])
    # Someone changes the phone; our form only loaded (and only compares) the name.
    store.apply([Update("units", "DV-1", {"phone": "0912 345 678"}, {"phone": "0987 654 321"})])
    store.apply([Update("units", "DV-1", {"name": "Đoàn xã Mẫu 1"}, {"name": "Đoàn xã Mới"})])
    assert cells_of(store, "units", "DV-1") == {
        **unit(1),
        "name": "Đoàn xã Mới",
        "phone": "0987 654 321",
    }


def test_an_update_that_already_landed_is_not_a_conflict_when_retried(store):
    store.apply([Append("units", unit(1))])
    loaded = cells_of(store, "units", "DV-1")
    change = Update("units", "DV-1", loaded, {"name": "Đoàn xã Mới", "version": "2"})
    store.apply([change])
    store.apply([change])  # the reply to the first was lost; the same request comes again
    assert cells_of(store, "units", "DV-1") == {**unit(1), "name": "Đoàn xã Mới", "version": "2"}


def test_an_update_only_partly_matching_another_persons_edit_is_a_conflict(store):
    store.apply([Append("units", unit(1))])
    mine = cells_of(store, "units", "DV-1")
    # The other person fixed the name exactly as we did, but did not change the phone.
    store.apply([Update("units", "DV-1", mine, {"name": "Đoàn xã Sửa", "version": "2"})])
    with pytest.raises(Conflict):
        store.apply(
            [
                Update(
                    "units",
                    "DV-1",
                    mine,
                    {"name": "Đoàn xã Sửa", "phone": "0987 654 321", "version": "2"},
                )
            ]
        )
    assert cells_of(store, "units", "DV-1")["phone"] == "0912 345 678"


def test_an_update_of_a_missing_record_is_record_missing(store):
    store.apply([Append("units", unit(1))])
    with pytest.raises(RecordMissing) as missing:
        store.apply([Update("units", "DV-404", {}, {"name": "x"})])
    assert (missing.value.tab, missing.value.id) == ("units", "DV-404")
    assert "DV-404" in str(missing.value)


# ---- several operations together ----------------------------------------------------------------


def test_a_failing_second_operation_leaves_the_first_unwritten(store):
    store.apply([Append("units", unit(1)), Append("units", unit(2))])
    stale = cells_of(store, "units", "DV-2")
    store.apply([Update("units", "DV-2", stale, {"name": "Đã đổi"})])
    before = read(store, "units")
    attempts = [
        [Append("units", unit(3)), Update("units", "DV-404", {}, {"name": "x"})],
        [
            Update("units", "DV-1", unit(1), {"name": "Không được ghi"}),
            Update("units", "DV-2", stale, {"name": "Cũng không"}),
        ],
        [
            Append("audit_log", full("audit_log", id="NK-1", action="Thêm")),
            Append("units", unit(1, name="Trùng mã")),
        ],
    ]
    for ops in attempts:
        with pytest.raises((RecordMissing, Conflict, DuplicateRecord)):
            store.apply(ops)
    assert read(store, "units") == before
    assert read(store, "audit_log") == []


def test_a_record_and_its_audit_row_are_written_together(store):
    store.apply(
        [
            Append("units", unit(1)),
            Append("audit_log", full("audit_log", id="NK-1", record_id="DV-1")),
        ]
    )
    assert [c["id"] for _, c in read(store, "units")] == ["DV-1"]
    assert [c["record_id"] for _, c in read(store, "audit_log")] == ["DV-1"]


# ---- the data-version signal ---------------------------------------------------------------------


def test_the_change_token_changes_after_each_write_and_not_after_a_read(store):
    first = store.change_token()
    store.read(["units"])
    assert store.change_token() == first
    store.apply([Append("units", unit(1))])
    second = store.change_token()
    assert second != first
    store.apply([Update("units", "DV-1", {}, {"name": "Đoàn xã Mới"})])
    assert store.change_token() not in (first, second)


# ---- text comes back exactly as typed ------------------------------------------------------------

AS_TYPED = [
    '=IMPORTXML("x")',
    "=1+1",
    "+84912345678",
    "0912345678",
    "007",
    "-5",
    "@SUM(A1)",
    "'đã có dấu nháy",
    "9/10/2025",
    "1.200",
    "TRUE",
    "  hai khoảng trắng  ",
    "dòng 1\ndòng 2",
    ("Đoàn cơ sở Công ty Mẫu 1, " * 600)[:10_000],
    unicodedata.normalize("NFD", "Đoàn cơ sở Công ty Mẫu 1, Hoà Phong, Thuỷ Lôi"),
    "<b>không phải HTML</b> [link](http://x)",
]


@pytest.mark.parametrize("text", AS_TYPED, ids=lambda t: repr(t[:20]))
def test_text_comes_back_byte_identical(store, text):
    store.apply([Append("units", unit(1, name=text, secretary=text, phone=text))])
    store.apply([Append("units", unit(2))])
    store.apply([Update("units", "DV-2", {}, {"officer": text})])
    first, second = cells_of(store, "units", "DV-1"), cells_of(store, "units", "DV-2")
    for back in (first["name"], first["secretary"], first["phone"], second["officer"]):
        assert back.encode("utf-8") == text.encode("utf-8")


def test_ten_thousand_characters_fit_in_one_cell(store):
    text = ("Mục tiêu ND1: cập nhật danh sách đoàn viên hằng quý. " * 200)[:10_000]
    assert len(text) == 10_000
    store.apply([Append("registrations", full("registrations", id="DK-1", target_nd1=text))])
    assert cells_of(store, "registrations", "DK-1")["target_nd1"] == text


# ---- reading a long tab from its end, a window at a time -----------------------------------------


def audit_row(n: int) -> Append:
    return Append("audit_log", full("audit_log", id=f"NK-{n}", action=f"Thao tác {n}"))


def test_the_tail_of_a_tab_is_read_in_windows_from_the_end_down_to_the_first_row(store):
    store.apply([audit_row(n) for n in range(1, 8)])  # sheet rows 2..8
    store.apply([Append("units", unit(1))])  # another tab does not shift the audit rows
    windows, before = [], None
    while True:
        tail = store.read_tail("audit_log", 3, before)
        windows.append([(r.number, r.cells["id"]) for r in tail.rows])
        if tail.at_start:
            break
        before = tail.start
    assert windows == [
        [(6, "NK-5"), (7, "NK-6"), (8, "NK-7")],
        [(3, "NK-2"), (4, "NK-3"), (5, "NK-4")],
        [(2, "NK-1")],
    ]
    assert store.read_tail("audit_log", 2, 5).rows == store.read(["audit_log"])["audit_log"][1:3]


def test_the_tail_of_an_empty_tab_is_empty_and_at_its_start(store):
    tail = store.read_tail("audit_log", 50)
    assert tail.rows == [] and tail.at_start


# ---- adopting a row a person added without an id -------------------------------------------------


def without_id(store: Store) -> tuple[int, dict[str, str]]:
    """DV-1, then a row typed by hand with no id and no version, then DV-3: the hand-made row."""
    store.apply(
        [
            Append("units", unit(1)),
            Append("units", unit(2, id="", version="")),
            Append("units", unit(3)),
        ]
    )
    return next((n, cells) for n, cells in read(store, "units") if cells["id"] == "")


def adoption_audit(record_id: str) -> Append:
    return Append("audit_log", full("audit_log", id=f"NK-{record_id}", record_id=record_id))


def test_adopting_a_row_writes_only_its_id_and_version_together_with_the_audit_row(store):
    number, cells = without_id(store)
    store.apply([Adopt("units", number, cells, "DV-9"), adoption_audit("DV-9")])
    assert read(store, "units") == [
        (2, unit(1)),
        (3, unit(2, id="DV-9", version="1")),
        (4, unit(3)),
    ]
    assert [c["record_id"] for _, c in read(store, "audit_log")] == ["DV-9"]


def test_adopting_a_row_that_changed_since_it_was_read_is_a_conflict_and_writes_nothing(store):
    number, cells = without_id(store)
    stale = {**cells, "name": "Tên lúc màn hình đọc"}
    with pytest.raises(Conflict) as conflict:
        store.apply([Adopt("units", number, stale, "DV-9"), adoption_audit("DV-9")])
    assert conflict.value.changes == [CellChange("name", "Tên lúc màn hình đọc", "Đoàn xã Mẫu 2")]
    assert read(store, "units")[1] == (number, cells)
    assert read(store, "audit_log") == []


def test_a_row_someone_else_adopted_first_is_a_conflict_for_the_second(store):
    number, cells = without_id(store)
    store.apply([Adopt("units", number, cells, "DV-8")])
    with pytest.raises(Conflict) as conflict:
        store.apply([Adopt("units", number, cells, "DV-9")])
    assert CellChange("id", "", "DV-8") in conflict.value.changes
    assert cells_of(store, "units", "DV-8") == unit(2, id="DV-8", version="1")


def test_an_adoption_retried_after_it_landed_is_not_written_again(store):
    number, cells = without_id(store)
    store.apply([Adopt("units", number, cells, "DV-9")])
    store.apply([Adopt("units", number, cells, "DV-9")])  # the reply to the first was lost
    assert [c["id"] for _, c in read(store, "units")] == ["DV-1", "DV-9", "DV-3"]


def test_adopting_a_row_that_is_gone_is_record_missing(store):
    _, cells = without_id(store)
    with pytest.raises(RecordMissing):
        store.apply([Adopt("units", 40, cells, "DV-9")])
    assert [c["id"] for _, c in read(store, "units")] == ["DV-1", "", "DV-3"]


def test_adopting_a_row_with_an_id_another_row_has_is_refused(store):
    number, cells = without_id(store)
    with pytest.raises(DuplicateRecord):
        store.apply([Adopt("units", number, cells, "DV-3")])
    assert [c["id"] for _, c in read(store, "units")] == ["DV-1", "", "DV-3"]


def test_a_tab_without_a_version_column_gets_only_the_id(store):
    store.apply([Append("extensions", full("extensions", cycle_id="CK-1", reason="Lũ"))])
    ((number, cells),) = read(store, "extensions")
    store.apply([Adopt("extensions", number, cells, "GH-1")])
    assert read(store, "extensions") == [(number, {**cells, "id": "GH-1"})]


# ---- Google's cell size limit, on every engine ----------------------------------------------------


def test_a_cell_over_fifty_thousand_characters_is_refused_naming_the_field_and_nothing_is_written(
    store,
):
    from services.core.messages import describe
    from services.storage import StoreError

    long_note = "ắ" * 50_001
    with pytest.raises(StoreError) as refused:
        store.apply([Append("units", unit(1)), Append("units", unit(2, chi_doan=long_note))])
    assert (refused.value.code, refused.value.details()["field"]) == ("cell_too_long", "chi_doan")
    assert describe(refused.value).startswith("Ô “Số chi đoàn” của bảng Đơn vị dài 50.001 ký tự")
    assert read(store, "units") == []
    store.apply([Append("units", unit(3, chi_doan="ắ" * 50_000))])  # the limit itself fits
    assert len(cells_of(store, "units", "DV-3")["chi_doan"]) == 50_000


def test_an_audit_cell_grown_over_the_limit_by_escaping_names_the_field_the_person_typed(store):
    """Quotes and line breaks are escaped in the audit row's JSON, so a note that fits its own cell
    can make the audit cell too long: the message names the note's field and tab, never the log's."""
    from datetime import UTC, datetime

    from services.core.access import Actor, Role
    from services.core.messages import describe
    from services.core.records import audit
    from services.storage import StoreError

    note = '"' * 25_001  # 25,001 characters in its cell, twice that in the audit row's JSON
    cells = unit(1, chi_doan=note)
    actor = Actor("tinh", "Cán bộ Tỉnh đoàn", Role.PROVINCE, "")
    at = datetime(2026, 10, 9, tzinfo=UTC)
    row = audit(actor, at, "Thêm đơn vị", "units", "DV-1", {}, cells, "k1")
    assert len(note) < 50_000 < len(row.cells["after"])
    with pytest.raises(StoreError) as refused:
        store.apply([Append("units", cells), row])
    assert refused.value.code == "cell_too_long"
    assert (refused.value.details()["tab"], refused.value.details()["field"]) == (
        "units",
        "chi_doan",
    )
    assert describe(refused.value).startswith("Ô “Số chi đoàn” của bảng Đơn vị")
    assert "của bảng Nhật ký" not in describe(refused.value)
    assert read(store, "units") == [] and read(store, "audit_log") == []
