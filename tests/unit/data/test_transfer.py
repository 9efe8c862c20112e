"""Export → import of the whole store as .xlsx: lossless, validated before writing, resumable."""

from __future__ import annotations

import io
import random
import unicodedata

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from schemas.tabs import ALL_TABS, TABS
from services.core import records
from services.core.access import Actor, Role
from services.core.errors import AccessDenied
from services.core.xlsx import escape_text, sheet_title, unescape_text
from services.data import transfer
from services.storage import Row, StoreUnavailable
from services.storage.sql import SqlStore
from tests.support.world import NOW

NAMES = [t.name for t in ALL_TABS]
NASTY = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+84912345678",
    "0912345678",
    "007",
    "9/10/2025",
    "1.200",
    "1,5",
    "-1",
    "@SUM(A1)",
    "'leading apostrophe",
    "''",
    "TRUE",
    "1e5",
    "a\nb",
    "a\r\nb",
    "a\rb",
    " leading and trailing ",
    "\ttab",
    unicodedata.normalize("NFD", "Đoàn xã Thuỷ Hòa"),
    unicodedata.normalize("NFC", "Đoàn xã Thuỷ Hòa"),
    "_x0041_",
    "_x000D_",
    "x_x005F_y",
    "bell\x07and\x00nul",
    "\u200b zero width",
    "\ufeffBOM",
    "😀 emoji",
    "<b>html</b> & [link](http://x)",
    "{json: 1}",
]
ALPHABET = "aAđĐ=+-@'\"_x0D5F\r\n\t \x01\x1f\u0301\u0323ăơưÀ😀0123456789/.,:;"


def province() -> Actor:
    return Actor("tinh@mau.example", "Cán bộ Tỉnh đoàn", Role.PROVINCE, "DV-0001")


def store_at(tmp_path, name: str) -> SqlStore:
    return SqlStore.at_path(tmp_path / f"{name}.sqlite")


def everything(store) -> dict[str, list[dict[str, str]]]:
    return {n: [dict(r.cells) for r in rows] for n, rows in store.read(NAMES).items()}


def without_trail(data, key: str) -> dict[str, list[dict[str, str]]]:
    """The store's rows minus the audit rows the import itself wrote (its trail)."""
    return {
        n: [c for c in rows if not (n == "audit_log" and c["request_key"] == key)]
        for n, rows in data.items()
    }


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {"id": f"DV-{n:04d}", "name": f"Đoàn xã Mẫu {n}", "kind": "Xã", "active": "Có"}
    if n > 1:
        cells["parent_id"] = "DV-0001"
    else:
        cells["kind"] = "Tỉnh đoàn"
    return {f: {**cells, **given}.get(f, "") for f in TABS["units"].fields}


def audit(n: int, **given: str) -> dict[str, str]:
    cells = {
        "id": f"NK-{n:04d}",
        "at": "2026-11-20T08:00:00+07:00",
        "actor": "Người mẫu",
        "action": "Sửa",
        "tab": "units",
        "record_id": "DV-0001",
        "before": "{}",
        "after": "{}",
        "request_key": f"k{n}",
    }
    return {f: {**cells, **given}.get(f, "") for f in TABS["audit_log"].fields}


def seed(store: SqlStore, units: list[dict[str, str]], audits: list[dict[str, str]] = ()) -> None:
    from services.storage import Append

    store.apply([Append("units", u) for u in units] + [Append("audit_log", a) for a in audits])


def edited(data: bytes, edit) -> bytes:
    """The export as a person would change it in Excel (openpyxl, normal mode)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def header_index(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


# ---- the .xlsx text encoding -----------------------------------------------------------------


def test_escaping_is_reversible_for_random_strings():
    rng = random.Random(3)
    samples = NASTY + [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 30))) for _ in range(2000)
    ]
    for text in samples:
        assert unescape_text(escape_text(text)) == text, repr(text)
    assert escape_text("Đoàn xã =1+1") == "Đoàn xã =1+1"  # ordinary text is written as it is


def test_sheet_titles_are_valid_for_excel():
    title = sheet_title("Báo cáo: kết quả [năm]/tháng * có phải? 'rất dài' hơn ba mươi mốt ký tự")
    assert len(title) <= 31
    assert not set("\\/?*[]:") & set(title)
    assert not title.startswith("'") and not title.endswith("'")
    titles = transfer.sheet_titles()
    assert len(set(titles.values())) == len(ALL_TABS)
    assert all(len(t) <= 31 for t in titles.values())


# ---- export ------------------------------------------------------------------------------------


def test_export_has_one_sheet_per_tab_with_vietnamese_headers_and_text_cells(rt, people):
    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    book = openpyxl.load_workbook(io.BytesIO(data))
    titles = transfer.sheet_titles()
    assert book.sheetnames == [titles[t.name] for t in ALL_TABS]
    stored = rt.store.read(NAMES)
    for tab in ALL_TABS:
        sheet = book[titles[tab.name]]
        assert [c.value for c in sheet[1]] == list(tab.headers)
        assert sheet.max_row - 1 == len(stored[tab.name])
        for row in sheet.iter_rows(min_row=2):
            assert all(c.data_type == "s" for c in row if c.value is not None)
    phones = [r[7].value for r in book[titles["units"]].iter_rows(min_row=2)]
    assert phones[:2] == [
        r.cells["phone"] for r in stored["units"][:2]
    ]  # "0900000001", not a number


def test_only_province_staff_may_export_or_import(rt, people, tmp_path):
    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    upload = transfer.read_workbook(data)
    for role in (Role.UPPER, Role.SECRETARY, Role.VIEWER):
        with pytest.raises(AccessDenied):
            transfer.export_xlsx(rt.store, people[role])
        with pytest.raises(AccessDenied):
            transfer.import_workbook(store_at(tmp_path, "x"), people[role], upload, NOW)
    assert everything(store_at(tmp_path, "x")) == {n: [] for n in NAMES}


# ---- lossless round trip -----------------------------------------------------------------------


def test_nasty_strings_come_back_exactly(tmp_path):
    rng = random.Random(11)
    texts = NASTY + [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 40))) for _ in range(200)
    ]
    source = store_at(tmp_path, "source")
    units = [unit(1)] + [
        unit(n, name=text if text.strip() else f"x{text}", secretary=text, officer=text[::-1])
        for n, text in enumerate(texts, start=2)
    ]
    audits = [audit(n, before=text, after=text, actor=text or "x") for n, text in enumerate(texts)]
    seed(source, units, audits)

    upload = transfer.read_workbook(transfer.export_xlsx(source, province()), "nasty.xlsx")
    assert upload.blocking == []
    target = store_at(tmp_path, "target")
    transfer.import_workbook(target, province(), upload, NOW)

    assert without_trail(everything(target), upload.key) == everything(source)


def test_the_demo_store_round_trips_every_tab_every_cell_in_order(rt, people, tmp_path):
    actor = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, actor), "demo.xlsx")
    assert upload.problems == []
    target = store_at(tmp_path, "copy")
    seen: list[tuple[str, int, int]] = []
    result = transfer.import_workbook(
        target, actor, upload, NOW, progress=lambda *p: seen.append(p), chunk=40
    )

    got = everything(target)
    assert without_trail(got, upload.key) == everything(rt.store)
    trail = [c for c in got["audit_log"] if c["request_key"] == upload.key]
    assert len(trail) == result.chunks  # one audit row per all-or-nothing write
    assert {c["actor"] for c in trail} == {actor.label}
    assert result.written == sum(len(v) for v in everything(rt.store).values())
    units, n = TABS["units"].title, len(everything(rt.store)["units"])
    assert (units, 0, n) in seen and (units, n, n) in seen and (units, 40, n) in seen


def test_columns_may_be_reordered_and_extra_columns_are_ignored_and_reported(tmp_path):
    source = store_at(tmp_path, "source")
    seed(source, [unit(1), unit(2, phone="+84912345678", secretary="=1+1")])
    units = transfer.sheet_titles()["units"]

    def shuffle(book):
        sheet = book[units]
        last = get_column_letter(sheet.max_column)
        sheet.move_range(f"A1:{last}3", cols=2)  # the id column is now C
        sheet["A1"], sheet["A2"] = "Ghi chú riêng", "của tôi"
        sheet["B1"] = None

    data = edited(transfer.export_xlsx(source, province()), shuffle)
    upload = transfer.read_workbook(data)
    assert upload.blocking == []
    assert [(p.sheet, p.column) for p in upload.notes] == [(units, "Ghi chú riêng")]
    target = store_at(tmp_path, "target")
    transfer.import_workbook(target, province(), upload, NOW)
    assert without_trail(everything(target), upload.key) == everything(source)


# ---- validation: every problem listed, nothing written ------------------------------------------


def _blank_cell(title: str, header: str, row: int = 3):
    def edit(book):
        sheet = book[title]
        sheet.cell(row=row, column=header_index(sheet, header)).value = None

    return edit


def _set(title: str, header: str, value, row: int = 3):
    def edit(book):
        sheet = book[title]
        sheet.cell(row=row, column=header_index(sheet, header)).value = value

    return edit


def _delete_column(title: str, header: str):
    def edit(book):
        sheet = book[title]
        sheet.delete_cols(header_index(sheet, header))

    return edit


TITLES = transfer.sheet_titles()
CASES = {
    "missing required header": (
        _delete_column(TITLES["units"], "Tên đơn vị"),
        (TITLES["units"], 1, "Tên đơn vị", "Thiếu cột bắt buộc"),
    ),
    "repeated header": (
        _set(TITLES["units"], "Email", "Bí thư", row=1),
        (TITLES["units"], 1, "Bí thư", "lặp lại"),
    ),
    "row without id": (
        _blank_cell(TITLES["units"], "Mã"),
        (TITLES["units"], 3, "Mã", "chưa có mã"),
    ),
    "duplicate id": (
        _set(TITLES["units"], "Mã", "DV-0001"),
        (TITLES["units"], 3, "Mã", "trùng"),
    ),
    "unparsable count": (
        _set(TITLES["units"], "Số đoàn viên", "nhiều"),
        (TITLES["units"], 3, "Số đoàn viên", "số nguyên"),
    ),
    "unknown kind": (
        _set(TITLES["units"], "Loại đơn vị", "Hành tinh"),
        (TITLES["units"], 3, "Loại đơn vị", ""),
    ),
    "unknown parent unit": (
        _set(TITLES["units"], "Mã đơn vị cấp trên", "DV-9999"),
        (TITLES["units"], 3, "Mã đơn vị cấp trên", "không tồn tại"),
    ),
    "registration of an unknown unit": (
        _set(TITLES["registrations"], "Mã đơn vị", "DV-9999", row=2),
        (TITLES["registrations"], 2, "Mã đơn vị", "không tồn tại"),
    ),
    "user of an unknown unit": (
        _set(TITLES["users"], "Mã đơn vị", "DV-9999", row=2),
        (TITLES["users"], 2, "Mã đơn vị", "đơn vị không có trong tệp"),
    ),
    "report in an unknown cycle": (
        _set(TITLES["upper_reports"], "Mã chu kỳ", "CK-1999", row=2),
        (TITLES["upper_reports"], 2, "Mã chu kỳ", "chu kỳ không có trong tệp"),
    ),
    "audit row with a bad instant": (
        _set(TITLES["audit_log"], "Thời điểm", "hôm qua", row=2),
        (TITLES["audit_log"], 2, "Thời điểm", ""),
    ),
    "formula": (
        _set(TITLES["units"], "Bí thư", "=1+1"),
        (TITLES["units"], 3, "Bí thư", "công thức"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_of_problem_is_listed_and_nothing_is_written(rt, people, tmp_path, case):
    edit, (sheet, row, column, words) = CASES[case]
    actor = people[Role.PROVINCE]
    upload = transfer.read_workbook(edited(transfer.export_xlsx(rt.store, actor), edit))
    found = [(p.sheet, p.row, p.column) for p in upload.blocking]
    assert (sheet, row, column) in found, upload.blocking
    problem = upload.blocking[found.index((sheet, row, column))]
    assert words.casefold() in problem.message.casefold()
    target = store_at(tmp_path, "target")
    with pytest.raises(transfer.ImportRefused, match="lỗi cần sửa"):
        transfer.import_workbook(target, actor, upload, NOW)
    assert everything(target) == {n: [] for n in NAMES}


def test_missing_and_unknown_sheets_are_notes_and_the_rest_imports(tmp_path):
    source = store_at(tmp_path, "source")
    seed(source, [unit(1)], [audit(1)])

    def edit(book):
        del book[TITLES["audit_log"]]
        book.create_sheet("Ghi chép riêng")["A1"] = "x"

    upload = transfer.read_workbook(edited(transfer.export_xlsx(source, province()), edit))
    assert upload.blocking == []
    assert {(p.sheet, p.blocking) for p in upload.notes} == {
        (TITLES["audit_log"], False),
        ("Ghi chép riêng", False),
    }
    target = store_at(tmp_path, "target")
    transfer.import_workbook(target, province(), upload, NOW)
    assert everything(target)["units"] == everything(source)["units"]


@pytest.mark.parametrize(
    "data",
    [b"", b"Ma,Ten\nDV-1,Doan xa\n", b"PK\x03\x04 broken zip", b"\x00" * 1000],
    ids=["empty", "csv", "broken zip", "binary"],
)
def test_a_file_that_is_not_xlsx_is_refused_clearly(data):
    with pytest.raises(transfer.ImportRefused, match="không phải tệp Excel"):
        transfer.read_workbook(data, "x.xlsx")


def test_a_truncated_xlsx_is_refused(rt, people):
    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    with pytest.raises(transfer.ImportRefused, match="không phải tệp Excel"):
        transfer.read_workbook(data[: len(data) // 2])


def test_size_and_row_limits(rt, people, monkeypatch):
    data = transfer.export_xlsx(rt.store, people[Role.PROVINCE])
    monkeypatch.setattr(transfer, "MAX_BYTES", len(data) - 1)
    with pytest.raises(transfer.ImportRefused, match="vượt giới hạn"):
        transfer.read_workbook(data)
    monkeypatch.setattr(transfer, "MAX_BYTES", len(data))
    monkeypatch.setattr(transfer, "MAX_ROWS", 100)
    with pytest.raises(transfer.ImportRefused, match="hơn 100 dòng"):
        transfer.read_workbook(data)


# ---- only into an empty store --------------------------------------------------------------------


def test_import_into_a_store_with_data_is_refused_and_writes_nothing(rt, people, tmp_path):
    actor = people[Role.PROVINCE]
    other = store_at(tmp_path, "other")
    seed(other, [unit(1, id="DV-7777", name="Tỉnh đoàn khác")])
    upload = transfer.read_workbook(transfer.export_xlsx(other, actor))
    before = everything(rt.store)
    with pytest.raises(transfer.ImportRefused, match="Kho dữ liệu đang có dữ liệu") as refused:
        transfer.import_workbook(rt.store, actor, upload, NOW)
    assert f"{TABS['units'].title}: {len(before['units'])} dòng" in str(refused.value)
    assert everything(rt.store) == before


def test_importing_the_same_file_twice_writes_nothing_the_second_time(rt, people, tmp_path):
    actor = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, actor))
    target = store_at(tmp_path, "target")
    transfer.import_workbook(target, actor, upload, NOW)
    after_first = everything(target)
    again = transfer.import_workbook(target, actor, upload, NOW)
    assert (again.written, again.chunks) == (0, 0)
    assert everything(target) == after_first


# ---- resuming after a failure part-way -----------------------------------------------------------


class FailingStore:
    """A real store that fails the write after `good` successful ones: before applying it
    (`landed=False`), or after applying it with the reply lost (`landed=True`)."""

    def __init__(self, inner: SqlStore, good: int, landed: bool):
        self.inner, self.good, self.landed, self.writes = inner, good, landed, 0

    def read(self, tabs):
        return self.inner.read(tabs)

    def apply(self, operations):
        if self.writes >= self.good:
            if self.landed:
                self.inner.apply(operations)
            raise StoreUnavailable("mất kết nối giữa chừng")
        self.writes += 1
        self.inner.apply(operations)


@pytest.mark.parametrize("landed", [False, True], ids=["not applied", "applied, reply lost"])
def test_an_import_interrupted_part_way_completes_on_rerun_without_duplicates(
    rt, people, tmp_path, landed
):
    actor = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, actor))
    target = store_at(tmp_path, "target")
    with pytest.raises(StoreUnavailable):
        transfer.import_workbook(FailingStore(target, 3, landed), actor, upload, NOW, chunk=30)
    partial = without_trail(everything(target), upload.key)
    stored = sum(len(v) for v in partial.values())
    assert 0 < stored < sum(len(v) for v in upload.rows.values())

    plan = transfer.plan_import(target, actor, upload)
    assert plan.stored == stored
    result = transfer.import_workbook(target, actor, upload, NOW, chunk=30)
    assert result.already == stored

    got = everything(target)
    assert without_trail(got, upload.key) == everything(rt.store)
    ids = [c["id"] for rows in got.values() for c in rows]
    assert len(ids) == len(set(ids))  # no duplicates, audit rows included
    trail = [c for c in got["audit_log"] if c["request_key"] == upload.key]
    assert all(c["id"].startswith(records.IMPORT_AUDIT) for c in trail)


def test_a_partly_imported_store_that_someone_also_wrote_to_is_not_resumed(rt, people, tmp_path):
    actor = people[Role.PROVINCE]
    upload = transfer.read_workbook(transfer.export_xlsx(rt.store, actor))
    target = store_at(tmp_path, "target")
    with pytest.raises(StoreUnavailable):
        transfer.import_workbook(FailingStore(target, 2, False), actor, upload, NOW, chunk=30)
    seed(target, [unit(500, id="DV-NGOAI", name="Đơn vị thêm tay")])
    before = everything(target)
    with pytest.raises(transfer.ImportRefused, match="đang có dữ liệu"):
        transfer.import_workbook(target, actor, upload, NOW)
    assert everything(target) == before


def test_rows_keep_their_file_row_numbers_for_problems():
    rows = {
        "units": [Row(2, unit(1)), Row(5, unit(2, members="x"))],
    }
    problems = transfer.validate(rows, TITLES)
    assert [(p.sheet, p.row, p.column) for p in problems] == [(TITLES["units"], 5, "Số đoàn viên")]


def test_a_broken_upper_unit_is_reported_once_not_under_every_unit_below_it(rt, people):
    def edit(book):
        sheet = book[TITLES["units"]]
        sheet.cell(row=3, column=header_index(sheet, "Loại đơn vị")).value = "Hành tinh"

    data = edited(transfer.export_xlsx(rt.store, people[Role.PROVINCE]), edit)
    upload = transfer.read_workbook(data)
    assert [(p.sheet, p.row, p.column) for p in upload.blocking] == [
        (TITLES["units"], 3, "Loại đơn vị")
    ]
