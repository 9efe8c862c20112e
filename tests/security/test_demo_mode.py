"""The demo picker opens only on a store the demo seeder made, never on real data.

Demo mode used to depend on the settings alone: a store holding real people, opened without
[auth] (or with TCD_DEMO=true), showed anyone a picker of those people.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from schemas.tabs import TABS
from services import demo
from services.bootstrap import build_runtime
from services.core.access import Role
from services.core.settings import Settings, SettingsError
from services.data import health, transfer
from services.people import units, users
from services.storage import Append
from services.storage.sql import SqlStore
from tests.support.world import NOW

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
REFUSED = r"dữ liệu thật.*\[auth\].*make demo-reset"


def start(path: Path, auth: bool = False, environ: dict[str, str] | None = None):
    secrets = {"store": {"sqlite_path": str(path)}, "clock": {"now": NOW.isoformat()}}
    if auth:
        secrets["auth"] = AUTH
        del secrets["clock"]
    return build_runtime(Settings.from_sources(secrets, environ or {}))


def province(rt, picker: bool = True):
    person = next(a for a in demo.demo_actors(rt) if a.role is Role.PROVINCE)
    return person if picker else replace(person, demo=False)


def test_a_fresh_store_opens_the_demo_and_keeps_opening_it_after_clicks_on_the_picker(tmp_path):
    rt = start(tmp_path / "d.sqlite")
    assert rt.sign_in == "demo"
    me = province(rt)
    root = rt.workbook().root_ids()[0]
    units.add_unit(rt, me, unit_form_for(root), "a" * 16)
    again = start(tmp_path / "d.sqlite")
    assert again.sign_in == "demo"
    actors = [r.cells["actor"] for r in again.store.read(["audit_log"])["audit_log"]]
    assert actors[-1].endswith(" · dùng thử")  # tagged as a demo write


def unit_form_for(parent: str) -> dict:
    return {
        "name": "Đoàn xã Mới Thêm",
        "kind": "Xã",
        "parent_id": parent,
        "members": 120,
        "chi_doan": 4,
        "secretary": "Nguyễn Văn A",
        "phone": "0912345678",
        "email": "a@example.vn",
        "officer": "",
        "active": True,
    }


def real_store(path: Path) -> None:
    """The demo store, then a unit added by a signed-in person (not through the picker)."""
    rt = start(path)
    me = province(rt, picker=False)
    units.add_unit(rt, me, unit_form_for(rt.workbook().root_ids()[0]), "b" * 16)
    rt.store.inner.engine.dispose()  # the app is stopped


@pytest.mark.parametrize("environ", [{}, {"TCD_DEMO": "true"}])
def test_a_store_with_real_data_and_no_login_refuses_to_start_naming_the_ways_out(
    tmp_path, environ
):
    real_store(tmp_path / "d.sqlite")
    with pytest.raises(SettingsError, match=REFUSED):
        start(tmp_path / "d.sqlite", environ=environ)


def test_a_store_not_made_by_the_seeder_is_never_a_demo_store(tmp_path):
    path = tmp_path / "d.sqlite"
    seeded = start(path)
    rows = {t: [dict(r.cells) for r in found] for t, found in seeded.store.read(TABS).items()}
    other = tmp_path / "copy.sqlite"
    store = SqlStore.at_path(other)  # every row of the demo, but written by hand: no seeding row
    store.apply([Append(t, c) for t, found in rows.items() if t != "audit_log" for c in found])
    with pytest.raises(SettingsError, match=REFUSED):
        start(other)


def test_an_exported_demo_imported_into_a_store_is_not_a_demo_store(tmp_path):
    seeded = start(tmp_path / "d.sqlite")
    me = province(seeded)
    upload = transfer.read_workbook(transfer.export_xlsx(seeded.store, me), "demo.xlsx")
    target = tmp_path / "new.sqlite"
    store = SqlStore.at_path(target)
    transfer.import_workbook(store, me, upload, NOW)
    assert not demo.is_demo_store(store)
    with pytest.raises(SettingsError, match=REFUSED):
        start(target)


def test_adopting_a_hand_made_row_through_the_picker_ends_demo_mode(tmp_path):
    rt = start(tmp_path / "d.sqlite")
    cells = {"name": "Đoàn xã Tay", "kind": "Xã", "parent_id": rt.workbook().root_ids()[0]}
    SqlStore(rt.store.inner.url).apply([Append("units", cells)])
    later = start(tmp_path / "d.sqlite")  # a hand-made row without id is not a demo write yet
    me = province(later)
    (row,) = health.report(later, me).unadopted
    health.adopt_row(later, me, row, "c" * 16)
    with pytest.raises(SettingsError, match=REFUSED):
        later.sign_in  # noqa: B018 - at once, in the running process
    with pytest.raises(SettingsError, match=REFUSED):
        start(tmp_path / "d.sqlite")


def test_a_start_with_login_ends_demo_mode_for_good(tmp_path):
    start(tmp_path / "d.sqlite")
    assert start(tmp_path / "d.sqlite", auth=True).sign_in == "oidc"
    with pytest.raises(SettingsError, match=REFUSED):
        start(tmp_path / "d.sqlite")


def test_the_picker_lists_nobody_on_a_store_with_real_data(tmp_path):
    rt = start(tmp_path / "d.sqlite")
    units.add_unit(
        rt, province(rt, picker=False), unit_form_for(rt.workbook().root_ids()[0]), "d" * 16
    )
    with pytest.raises(SettingsError):
        users.demo_choices(rt)


def test_demo_seeding_leaves_a_store_with_rows_in_any_tab_alone(tmp_path):
    path = tmp_path / "d.sqlite"
    user = {"id": "ND-1", "email": "that@tinhdoan.vn", "name": "Cán bộ thật", "role": "Người xem"}
    SqlStore.at_path(path).apply([Append("users", user)])
    with pytest.raises(SettingsError, match=REFUSED):
        start(path)
    assert [r.cells["email"] for r in SqlStore.at_path(path).read(["users"])["users"]] == [
        "that@tinhdoan.vn"
    ]


def test_the_benchmark_province_counts_as_a_demo_store(tmp_path):
    from benchmarks._province import build_province

    build_province(tmp_path / "b.sqlite", units=60, uppers=3, blocs=1, under_root=1)
    assert demo.is_demo_store(SqlStore.at_path(tmp_path / "b.sqlite"))


def test_the_reset_command_keeps_the_real_store_and_the_next_start_opens_a_fresh_demo(tmp_path):
    from services.demo import reset

    path = tmp_path / "d.sqlite"
    real_store(path)
    assert reset.main(secrets={"store": {"sqlite_path": str(path)}}, environ={}) == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("d.sqlite.truoc-dat-lai-")]
    assert len(kept) == 1 and not demo.is_demo_store(SqlStore.at_path(kept[0]))
    assert start(path).sign_in == "demo"


def test_the_reset_command_refuses_a_google_sheet():
    from services.demo import reset

    with pytest.raises(SettingsError, match="chỉ dùng cho kho dữ liệu nhúng"):
        reset.reset(Settings(engine="sheets"), NOW)
