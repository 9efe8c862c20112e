"""The copy command: the embedded SQLite store into an empty Google Sheet (the fake Sheets API)."""

from __future__ import annotations

import gspread
import pytest

from schemas.tabs import ALL_TABS, TABS
from services.core import records
from services.core.access import Role
from services.data import copy_store, copy_to_sheets, transfer
from services.storage import Append, StoreUnavailable
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from services.storage.sql import SqlStore
from tests.fakes import FakeSheets
from tests.support.world import NOW

NAMES = [t.name for t in ALL_TABS]


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()


@pytest.fixture
def key(fake) -> str:
    return fake.create_spreadsheet("3CĐ", locale="vi_VN", time_zone="Asia/Ho_Chi_Minh")


def client(fake: FakeSheets) -> gspread.Client:
    return gspread.Client(auth=None, session=fake.session())


def sheet(fake, key, attempts: int = 5) -> SheetsStore:
    retry = RetryPolicy(max_attempts=attempts, sleep=lambda s: fake.clock.advance(seconds=s))
    return SheetsStore.open(client(fake), key, retry=retry)


def rows(store) -> dict[str, list[dict[str, str]]]:
    return {n: [dict(r.cells) for r in got] for n, got in store.read(NAMES).items()}


def copied(store) -> dict[str, list[dict[str, str]]]:
    """What a copy left in the sheet, without the audit rows the copy itself wrote."""
    got = rows(store)
    got["audit_log"] = [c for c in got["audit_log"] if not c["id"].startswith("NK-NHAP-")]
    return got


def test_the_demo_store_is_copied_in_a_few_large_writes_and_verified(rt, fake, key):
    said: list[str] = []
    target = sheet(fake, key)
    report = copy_store.copy_store(rt.store, target, NOW, say=said.append, chunk=100)

    assert copied(target) == rows(rt.store)
    assert report.created_tabs == NAMES
    n = len(rows(rt.store)["units"])
    assert report.counts[TABS["units"].title] == n
    # Few large batchUpdates, not one per row: one write per chunk plus the one creating the tabs.
    source_rows = sum(len(v) for v in rows(rt.store).values())
    assert fake.counts("write") == report.requests + 1 <= 10
    assert report.written == source_rows
    assert f"Đang chép bảng {TABS['units'].title}: {n}/{n} dòng" in said
    trail = [c for c in rows(target)["audit_log"] if c["id"].startswith(records.IMPORT_AUDIT)]
    assert len(trail) == report.requests
    assert {c["actor"] for c in trail} == {copy_store.COPIER.label}


def test_a_sheet_that_already_holds_rows_is_refused_untouched(rt, fake, key):
    target = sheet(fake, key)
    target.ensure_tabs()
    fake.person(key).type_row(TABS["units"].title, 2, ["DV-TAY", "Đơn vị gõ tay", "Xã"])
    writes = fake.counts("write")
    with pytest.raises(transfer.ImportRefused, match="đang có dữ liệu"):
        copy_store.copy_store(rt.store, target, NOW, say=lambda _: None)
    assert fake.counts("write") == writes
    assert [r["id"] for r in rows(target)["units"]] == ["DV-TAY"]


def test_a_copy_interrupted_by_google_completes_when_run_again(rt, fake, key):
    target = sheet(fake, key, attempts=2)
    target.ensure_tabs()
    fake.calls.clear()
    with pytest.raises(StoreUnavailable):
        # The third chunk's write fails on both attempts: two chunks are in, the rest is not.
        original = target.apply
        done = []

        def flaky(operations):
            if len(done) == 2:
                fake.fail_next(2, status=503, kind="write")
            original(operations)
            done.append(1)

        target.apply = flaky
        copy_store.copy_store(rt.store, target, NOW, say=lambda _: None, chunk=50)
    partial = sum(len(v) for v in copied(target).values())
    assert 0 < partial < sum(len(v) for v in rows(rt.store).values())

    again = sheet(fake, key)
    report = copy_store.copy_store(rt.store, again, NOW, say=lambda _: None, chunk=50)
    assert report.already == partial
    assert copied(again) == rows(rt.store)
    ids = [c["id"] for tab in rows(again).values() for c in tab]
    assert len(ids) == len(set(ids))


def test_a_source_with_broken_rows_is_not_copied(tmp_path, fake, key):
    source = SqlStore.at_path(tmp_path / "src.sqlite")
    unit = {f: "" for f in TABS["units"].fields}
    source.apply(
        [
            Append("units", {**unit, "id": "DV-1", "name": "Tỉnh đoàn", "kind": "Tỉnh đoàn"}),
            Append("units", {**unit, "id": "DV-2", "name": "Xã", "kind": "Xã", "members": "?"}),
        ]
    )
    target = sheet(fake, key)
    fake.calls.clear()
    with pytest.raises(copy_store.CopyFailed, match="dòng 3, cột Số đoàn viên"):
        copy_store.copy_store(source, target, NOW, say=lambda _: None)
    assert fake.counts("write") == 0


def test_the_command_reads_the_settings_and_prints_a_summary(rt, fake, key, tmp_path, capsys):
    path = tmp_path / "3cd.sqlite"  # the `rt` fixture's demo store
    secrets = {"store": {"sqlite_path": str(path)}, "sheets": {"spreadsheet_key": key}}
    code = copy_to_sheets.main([], client=client(fake), secrets=secrets, environ={})
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{TABS['units'].title}: {len(rows(rt.store)['units'])}" in out
    assert "đọc lại và so khớp từng ô" in out
    assert copied(sheet(fake, key)) == rows(rt.store)

    # Run again: nothing is written twice.
    writes = fake.counts("write")
    assert copy_to_sheets.main([], client=client(fake), secrets=secrets, environ={}) == 0
    assert fake.counts("write") == writes


def test_the_command_refuses_a_missing_source_file(fake, key, tmp_path, capsys):
    secrets = {"sheets": {"spreadsheet_key": key}}
    missing = str(tmp_path / "none.sqlite")
    code = copy_to_sheets.main(["--sqlite", missing], client=client(fake), secrets=secrets)
    assert code == 1
    assert "Không tìm thấy tệp dữ liệu nguồn" in capsys.readouterr().err
    assert fake.counts("write") == 0


def test_the_command_can_copy_an_xlsx_export_instead(rt, people, fake, key, tmp_path, capsys):
    export = tmp_path / "3cd-du-lieu-2026-11-25.xlsx"
    export.write_bytes(transfer.export_xlsx(rt.store, people[Role.PROVINCE]))
    secrets = {"sheets": {"spreadsheet_key": key}}
    code = copy_to_sheets.main(["--xlsx", str(export)], client=client(fake), secrets=secrets)
    assert code == 0, capsys.readouterr()
    assert copied(sheet(fake, key)) == rows(rt.store)
    trail = [c for c in rows(sheet(fake, key))["audit_log"] if c["id"].startswith("NK-NHAP-")]
    assert {c["after"].split('"Nguồn": ')[1] for c in trail} == {'"3cd-du-lieu-2026-11-25.xlsx"}'}
