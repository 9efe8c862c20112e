"""Who may sign in to a server scoped to one unit's subtree (`[store] scope`): the people of that
subtree; province staff only on a server of their whole province; everyone else is refused, told
in Vietnamese which server this is and to use their own unit's."""

from __future__ import annotations

import pytest

from schemas.models import Role
from services.core.settings import Settings
from services.demo.province import DEMO_PEOPLE
from services.people import users
from services.storage.sql import SqlStore
from tests.support.national import OTHER_EMAIL, add_other_province, bloc_of, runtime, seed_demo

STEWARD = "quan.tri@tinhdoan.example"


@pytest.fixture
def database(tmp_path, clock) -> dict[str, str]:
    """The demo province and another province in one SQLite file; the scopes the tests use."""
    path = tmp_path / "national.sqlite"
    whole = SqlStore.at_path(path)
    seed_demo(whole, clock)
    add_other_province(whole)
    wb = runtime(whole, clock).workbook()
    whole.engine.dispose()
    return {"path": str(path), "province": wb.root_ids()[0], "bloc": bloc_of(wb)}


def server(database: dict[str, str], scope: str, clock):
    """A runtime as a server scoped to `scope` opens it (stewards named in its settings)."""
    unit_id = database[scope]
    settings = Settings(sqlite_path=database["path"], scope=unit_id, stewards=(STEWARD,))
    return runtime(SqlStore.at_path(database["path"], scope=unit_id), clock, settings)


def email(role: Role) -> str:
    return next(p.email for p in DEMO_PEOPLE if p.role is role)


def test_the_people_of_the_subtree_sign_in_to_its_server(database, clock):
    rt = server(database, "bloc", clock)

    officer = users.resolve(rt, email(Role.UPPER))

    assert officer.role is Role.UPPER and officer.unit_id == database["bloc"]


def test_province_staff_are_refused_by_a_server_of_one_upper_unit(database, clock):
    rt = server(database, "bloc", clock)
    bloc = rt.workbook().units[database["bloc"]].name

    with pytest.raises(users.SignInRefused) as refused:
        users.resolve(rt, email(Role.PROVINCE))

    message = str(refused.value)  # their users row names the province: not on this server
    assert f"không có trong danh sách người dùng của {bloc}" in message
    assert f"Máy chủ 3CĐ này chỉ phục vụ {bloc} và các đơn vị trực thuộc" in message
    assert "hãy vào địa chỉ 3CĐ dành cho đơn vị của mình" in message


def test_a_steward_is_refused_by_a_server_of_one_upper_unit(database, clock):
    with pytest.raises(users.SignInRefused, match="là cán bộ Tỉnh đoàn, cần xem toàn tỉnh"):
        users.resolve(server(database, "bloc", clock), STEWARD)


def test_province_staff_and_stewards_sign_in_to_their_provinces_server(database, clock):
    rt = server(database, "province", clock)

    staff = users.resolve(rt, email(Role.PROVINCE))
    steward = users.resolve(rt, STEWARD)

    assert staff.role is Role.PROVINCE
    assert steward.role is Role.PROVINCE and steward.unit_id == database["province"]


def test_someone_of_another_province_is_refused_naming_this_servers_province(database, clock):
    rt = server(database, "province", clock)
    province = rt.workbook().units[database["province"]].name

    with pytest.raises(users.SignInRefused) as refused:
        users.resolve(rt, OTHER_EMAIL)

    message = str(refused.value)
    assert f"Tài khoản {OTHER_EMAIL} không có trong danh sách người dùng của {province}" in message
    assert "hãy vào địa chỉ 3CĐ dành cho đơn vị của mình" in message


def test_without_a_scope_the_same_person_signs_in_as_before(database, clock):
    whole = SqlStore.at_path(database["path"])
    rt = runtime(whole, clock, Settings(sqlite_path=database["path"]))

    assert users.resolve(rt, OTHER_EMAIL).role is Role.SECRETARY
