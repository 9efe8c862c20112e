"""The copy command between any two engines: SQLite → PostgreSQL → SQLite, and to Google Sheets."""

from __future__ import annotations

import gspread
import pytest

from schemas.tabs import ALL_TABS, TABS
from services.core import records
from services.data import copy_store
from services.storage import Append
from services.storage.sheets import SheetsStore
from services.storage.sql import SqlStore
from tests.fakes import FakeSheets

NAMES = [t.name for t in ALL_TABS]


def rows(store) -> dict[str, list[dict[str, str]]]:
    return {n: [dict(r.cells) for r in got] for n, got in store.read(NAMES).items()}


def without_copy_trail(got: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """What a copy left, without the audit rows each copy itself wrote into its target."""
    trail = records.IMPORT_AUDIT
    return {**got, "audit_log": [c for c in got["audit_log"] if not c["id"].startswith(trail)]}


def run(capsys, *argv: str, **kwargs) -> tuple[int, str]:
    code = copy_store.main(list(argv), secrets=kwargs.pop("secrets", {}), environ={}, **kwargs)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_demo_goes_from_sqlite_to_postgresql_and_back_cell_for_cell(
    rt, tmp_path, postgres_url, capsys
):
    source = tmp_path / "3cd.sqlite"  # the `rt` fixture's demo store
    with_password = postgres_url.replace(
        "postgres@", "postgres:bi-mat@"
    )  # trust sign-in ignores it
    code, out = run(capsys, "--from", f"sqlite:{source}", "--to", f"postgresql:{with_password}")
    assert code == 0, out
    n = len(rows(SqlStore.at_path(source))["units"])
    assert f"{TABS['units'].title}: {n}" in out and "so khớp từng ô" in out
    assert "Đích: PostgreSQL" in out and "bi-mat" not in out  # the password is never printed

    back = tmp_path / "back.sqlite"
    code, out = run(capsys, "--from", f"postgresql:{postgres_url}", "--to", f"sqlite:{back}")
    assert code == 0, out
    original = rows(SqlStore.at_path(source))
    assert without_copy_trail(rows(SqlStore.at_path(back))) == without_copy_trail(original)
    middle = SqlStore(postgres_url)
    try:
        assert without_copy_trail(rows(middle)) == without_copy_trail(original)
    finally:
        middle.engine.dispose()


def test_a_copy_into_a_database_that_already_holds_other_data_is_refused(
    rt, tmp_path, postgres_url, capsys
):
    other = SqlStore(postgres_url)
    other.apply([Append("units", {"id": "DV-KHAC", "name": "Đơn vị khác"})])
    other.engine.dispose()
    code, out = run(capsys, "--from", f"sqlite:{tmp_path / '3cd.sqlite'}", "--to", "postgresql")
    assert code == 1
    assert "database_url" in out  # no URL given and none in the settings
    secrets = {"store": {"database_url": postgres_url}}
    code, out = run(
        capsys, "--from", f"sqlite:{tmp_path / '3cd.sqlite'}", "--to", "postgresql", secrets=secrets
    )
    assert code == 1, out
    assert "Không sao chép được" in out
    check = SqlStore(postgres_url)
    try:
        assert [c["id"] for c in rows(check)["units"]] == ["DV-KHAC"]
    finally:
        check.engine.dispose()


def test_the_demo_goes_from_postgresql_to_an_empty_google_sheet(rt, tmp_path, postgres_url, capsys):
    assert (
        run(
            capsys,
            "--from",
            f"sqlite:{tmp_path / '3cd.sqlite'}",
            "--to",
            f"postgresql:{postgres_url}",
        )[0]
        == 0
    )
    fake = FakeSheets()
    key = fake.create_spreadsheet("3CĐ", locale="vi_VN", time_zone="Asia/Ho_Chi_Minh")
    client = gspread.Client(auth=None, session=fake.session())
    secrets = {"sheets": {"spreadsheet_key": key}}
    code, out = run(
        capsys,
        "--from",
        f"postgresql:{postgres_url}",
        "--to",
        "sheets",
        client=client,
        secrets=secrets,
    )
    assert code == 0, out
    sheet = SheetsStore.open(client, key)
    assert without_copy_trail(rows(sheet)) == without_copy_trail(rows(rt.store))


def test_a_store_is_never_copied_into_itself(rt, tmp_path, capsys):
    path = tmp_path / "3cd.sqlite"
    code, out = run(capsys, "--from", f"sqlite:{path}", "--to", f"sqlite:{path}")
    assert code == 1 and "cùng một kho" in out


@pytest.mark.parametrize("spec", ["mysql:x", "xlsx:out.xlsx"])
def test_an_unknown_target_is_refused_naming_the_choices(rt, tmp_path, spec, capsys):
    code, out = run(capsys, "--from", f"sqlite:{tmp_path / '3cd.sqlite'}", "--to", spec)
    assert code == 1
    assert "sqlite, postgresql, sheets." in out
