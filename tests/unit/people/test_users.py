"""Who may sign in (the users tab) and how province staff manage it."""

from __future__ import annotations

import dataclasses

import pytest

from schemas.models import Role, UnitKind, User
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput
from services.core.records import new_request_key
from services.core.runtime import Runtime
from services.people import users
from services.people.users import SignInRefused
from services.storage import Append, Conflict, Update
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.builders import COMPANY_1, OFFICER_BLOC, audit_rows, changed, rows_of
from tests.support.world import unit_id

PROVINCE_EMAIL = "tinhdoan@mau.example"
UPPER_EMAIL = "doankhoi@mau.example"
SECRETARY_EMAIL = "congtymau1@mau.example"
TINH_DOAN = "Tỉnh đoàn Hưng Yên"
CONTACT = f"Hãy liên hệ cán bộ {TINH_DOAN} để được cấp"


def stored_user(rt: Runtime, email: str) -> User:
    found = rt.workbook().user_by_email(email)
    assert found is not None, email
    return found


def user_form(user: User, **changes) -> dict:
    """The edit form filled in from a stored user, with some fields changed."""
    data = {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "unit_id": user.unit_id,
        "active": user.active,
    }
    data.update(changes)
    return data


def new_user(rt: Runtime, **changes) -> dict:
    """The add form for a new grassroots secretary of Hồng Tiến, with some fields changed."""
    data = {
        "email": "bithu.hongtien@mau.example",
        "name": "Bí thư Hồng Tiến (mẫu)",
        "role": Role.SECRETARY.value,
        "unit_id": unit_id(rt, "Đoàn cơ sở Công ty Mẫu 2"),
    }
    data.update(changes)
    return data


def users_audit(rt: Runtime) -> list[dict[str, str]]:
    return [row for row in audit_rows(rt) if row["tab"] == "users"]


# ---- resolve: who may sign in ---------------------------------------------------------------


def test_a_known_email_signs_in_with_the_role_and_unit_from_the_users_tab(rt):
    person = users.resolve(rt, UPPER_EMAIL)
    assert person == Actor(
        UPPER_EMAIL,
        "Cán bộ Đoàn Khối Doanh nghiệp Mẫu 2 (mẫu)",
        Role.UPPER,
        unit_id(rt, OFFICER_BLOC),
    )


@pytest.mark.parametrize("typed", ["  DoanKhoi@Mau.Example ", "DOANKHOI@MAU.EXAMPLE\t"])
def test_the_email_is_matched_ignoring_case_and_surrounding_spaces(rt, typed):
    person = users.resolve(rt, typed)
    assert (person.id, person.role) == (UPPER_EMAIL, Role.UPPER)


def test_an_unknown_email_is_refused_and_told_whom_to_contact(rt):
    with pytest.raises(SignInRefused) as refused:
        users.resolve(rt, "nguoi.la@example.vn")
    message = str(refused.value)
    assert "nguoi.la@example.vn chưa được cấp quyền" in message
    assert CONTACT in message


def test_a_user_disabled_in_the_users_tab_is_refused(rt):
    user = stored_user(rt, SECRETARY_EMAIL)
    rt.store.apply([Update("users", user.id, user.cells, {"active": "Không"})])
    with pytest.raises(SignInRefused, match="đang bị tạm khóa") as refused:
        users.resolve(rt, SECRETARY_EMAIL)
    assert CONTACT in str(refused.value)


def test_a_user_whose_unit_no_longer_exists_is_refused(rt):
    rt.store.apply(
        [
            Append(
                "users",
                {
                    "id": "ND-GONE",
                    "email": "don.vi.cu@mau.example",
                    "name": "Cán bộ đơn vị đã sáp nhập (mẫu)",
                    "role": Role.UPPER.value,
                    "unit_id": "DV-DA-SAP-NHAP",
                    "active": "Có",
                },
            )
        ]
    )
    with pytest.raises(SignInRefused, match="không còn trong danh sách \\(mã DV-DA-SAP-NHAP\\)"):
        users.resolve(rt, "don.vi.cu@mau.example")


def test_a_steward_named_in_the_settings_signs_in_as_province_staff_without_a_users_row(rt):
    with pytest.raises(SignInRefused):
        users.resolve(rt, "a@b.vn")  # not a steward: refused like anyone unknown
    steward_rt = dataclasses.replace(
        rt, settings=dataclasses.replace(rt.settings, stewards=("a@b.vn",))
    )
    person = users.resolve(steward_rt, " A@B.vn ")
    assert (person.id, person.role, person.unit_id) == (
        "a@b.vn",
        Role.PROVINCE,
        unit_id(rt, TINH_DOAN),
    )


def test_a_person_disabled_in_the_app_loses_access_at_their_next_action(rt, people):
    assert users.resolve(rt, SECRETARY_EMAIL).role is Role.SECRETARY
    secretary = stored_user(rt, SECRETARY_EMAIL)
    users.edit_user(
        rt, people[Role.PROVINCE], secretary, user_form(secretary, active=False), "disable"
    )
    with pytest.raises(SignInRefused, match="đang bị tạm khóa"):
        users.resolve(rt, SECRETARY_EMAIL)  # the same runtime and read cache, no waiting


def test_a_person_disabled_by_hand_in_the_sheet_loses_access_within_the_cache_lifetime(
    tmp_path, rt
):
    seconds = [0.0]
    engine = SqlStore.at_path(tmp_path / "3cd.sqlite")  # the file the seeded `rt` uses
    app_rt = Runtime(
        CachedStore(engine, ttl=60.0, check_every=60.0, monotonic=lambda: seconds[0]),
        rt.clock,
        rt.criteria,
    )
    assert users.resolve(app_rt, SECRETARY_EMAIL).role is Role.SECRETARY
    user = stored_user(app_rt, SECRETARY_EMAIL)
    # A person types it in by hand: a writer outside this runtime's engine, whose own writes
    # the read cache would take in at once.
    by_hand = SqlStore.at_path(tmp_path / "3cd.sqlite")
    by_hand.apply([Update("users", user.id, user.cells, {"active": "Không"})])
    seconds[0] = 59.0
    assert users.resolve(app_rt, SECRETARY_EMAIL).role is Role.SECRETARY  # cached copy
    seconds[0] = 60.0
    with pytest.raises(SignInRefused):
        users.resolve(app_rt, SECRETARY_EMAIL)


# ---- listing and the units a role may belong to ---------------------------------------------


def test_province_staff_list_every_user_and_can_search_without_diacritics(rt, people):
    everyone = users.list_users(rt, people[Role.PROVINCE])
    assert len(everyone) == 4
    found = users.list_users(
        rt, people[Role.PROVINCE], "doan co so cong ty mau 1"
    )  # the unit's name
    assert [u.email for u in found] == [SECRETARY_EMAIL]


@pytest.mark.parametrize(
    ("role", "fits"),
    [
        (Role.PROVINCE, lambda u: u.kind is UnitKind.TINH_DOAN),
        (Role.UPPER, lambda u: not u.kind.is_grassroots and u.kind is not UnitKind.TINH_DOAN),
        (Role.SECRETARY, lambda u: u.kind.is_grassroots),
        (Role.VIEWER, lambda u: True),
    ],
)
def test_the_units_offered_for_a_role_are_the_active_units_that_fit_it(rt, people, role, fits):
    offered = users.units_for_role(rt, people[Role.PROVINCE], role)
    expected = {u.id for u in rt.workbook().units.values() if u.active and fits(u)}
    assert offered and {u.id for u in offered} == expected


def test_the_only_unit_offered_to_province_staff_is_the_tinh_doan(rt, people):
    offered = users.units_for_role(rt, people[Role.PROVINCE], Role.PROVINCE)
    assert [u.name for u in offered] == [TINH_DOAN]


# ---- adding and editing ---------------------------------------------------------------------


def test_province_staff_add_a_user_who_can_then_sign_in(rt, people):
    added = users.add_user(
        rt, people[Role.PROVINCE], new_user(rt, email=" BiThu.HongTien@Mau.Example "), "add-1"
    )
    [row] = rows_of(rt, "users", id=added.id)
    assert (row["email"], row["role"], row["active"]) == (
        "bithu.hongtien@mau.example",
        "Bí thư Đoàn cơ sở",
        "Có",
    )
    person = users.resolve(rt, "bithu.hongtien@mau.example")
    assert (person.role, person.unit_id) == (
        Role.SECRETARY,
        unit_id(rt, "Đoàn cơ sở Công ty Mẫu 2"),
    )


def test_a_retried_add_stores_the_user_once(rt, people):
    key = new_request_key()
    users.add_user(rt, people[Role.PROVINCE], new_user(rt), key)
    users.add_user(rt, people[Role.PROVINCE], new_user(rt), key)
    assert len(rows_of(rt, "users", email="bithu.hongtien@mau.example")) == 1


@pytest.mark.parametrize("typed", [SECRETARY_EMAIL, "  CongTyMau1@MAU.example "])
def test_an_email_already_in_the_list_is_refused(rt, people, typed):
    with pytest.raises(InvalidInput, match="đã có trong danh sách"):
        users.add_user(rt, people[Role.PROVINCE], new_user(rt, email=typed), new_request_key())
    assert len(rt.workbook().users) == 4


@pytest.mark.parametrize("typed", ["khong-phai-email", "a@b", "hai từ@mau.example", ""])
def test_an_invalid_email_is_refused(rt, people, typed):
    with pytest.raises(InvalidInput, match="Email đăng nhập"):
        users.add_user(rt, people[Role.PROVINCE], new_user(rt, email=typed), new_request_key())
    assert len(rt.workbook().users) == 4


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.PROVINCE, OFFICER_BLOC),
        (Role.UPPER, TINH_DOAN),
        (Role.UPPER, COMPANY_1),
        (Role.SECRETARY, OFFICER_BLOC),
        (Role.SECRETARY, TINH_DOAN),
    ],
)
def test_a_unit_that_does_not_fit_the_role_is_refused(rt, people, role, unit):
    data = new_user(rt, role=role.value, unit_id=unit_id(rt, unit))
    with pytest.raises(InvalidInput, match=f"Đơn vị: {unit} không phù hợp với vai trò"):
        users.add_user(rt, people[Role.PROVINCE], data, new_request_key())
    assert rt.workbook().user_by_email(data["email"]) is None


def test_a_viewer_may_belong_to_any_unit(rt, people):
    data = new_user(rt, role=Role.VIEWER.value, unit_id=unit_id(rt, TINH_DOAN))
    assert users.add_user(rt, people[Role.PROVINCE], data, new_request_key()).role is Role.VIEWER


def test_province_staff_move_a_user_to_another_unit_and_role(rt, people):
    upper = stored_user(rt, UPPER_EMAIL)
    data = user_form(upper, role=Role.SECRETARY.value, unit_id=unit_id(rt, COMPANY_1))
    users.edit_user(rt, people[Role.PROVINCE], upper, data, new_request_key())
    person = users.resolve(rt, UPPER_EMAIL)
    assert (person.role, person.unit_id) == (Role.SECRETARY, unit_id(rt, COMPANY_1))


@pytest.mark.parametrize(
    "changes", [{"active": False}, {"role": Role.VIEWER.value}, {"role": Role.UPPER.value}]
)
def test_province_staff_cannot_disable_or_demote_themselves(rt, people, changes):
    me = stored_user(rt, PROVINCE_EMAIL)
    if "role" in changes and changes["role"] == Role.UPPER.value:
        changes = {**changes, "unit_id": unit_id(rt, OFFICER_BLOC)}
    with pytest.raises(InvalidInput, match="không thể tự khóa hoặc tự hạ quyền"):
        users.edit_user(rt, people[Role.PROVINCE], me, user_form(me, **changes), new_request_key())
    assert stored_user(rt, PROVINCE_EMAIL).cells == me.cells


def test_province_staff_may_correct_their_own_name(rt, people):
    me = stored_user(rt, PROVINCE_EMAIL)
    data = user_form(me, name="Nguyễn Văn Mẫu")
    users.edit_user(rt, people[Role.PROVINCE], me, data, new_request_key())
    assert stored_user(rt, PROVINCE_EMAIL).name == "Nguyễn Văn Mẫu"


def test_a_stale_edit_of_a_user_is_a_conflict_and_keeps_the_other_change(rt, people):
    loaded = stored_user(rt, SECRETARY_EMAIL)
    province = people[Role.PROVINCE]
    users.edit_user(rt, province, loaded, user_form(loaded, name="Tên mới (mẫu)"), "first")
    with pytest.raises(Conflict):
        users.edit_user(rt, province, loaded, user_form(loaded, active=False), "second")
    now = stored_user(rt, SECRETARY_EMAIL)
    assert (now.name, now.active) == ("Tên mới (mẫu)", True)


@pytest.mark.parametrize("role", [Role.UPPER, Role.SECRETARY, Role.VIEWER])
def test_only_province_staff_see_or_change_users(rt, people, role):
    someone = people[role]
    target = stored_user(rt, SECRETARY_EMAIL)
    before = len(audit_rows(rt))
    with pytest.raises(AccessDenied, match="Chỉ cán bộ Tỉnh đoàn"):
        users.list_users(rt, someone)
    with pytest.raises(AccessDenied, match="Chỉ cán bộ Tỉnh đoàn"):
        users.units_for_role(rt, someone, Role.VIEWER)
    with pytest.raises(AccessDenied, match="Chỉ cán bộ Tỉnh đoàn"):
        users.add_user(rt, someone, new_user(rt), new_request_key())
    with pytest.raises(AccessDenied, match="Chỉ cán bộ Tỉnh đoàn"):
        users.edit_user(rt, someone, target, user_form(target, active=False), new_request_key())
    assert len(rt.workbook().users) == 4 and stored_user(rt, SECRETARY_EMAIL).active
    assert len(audit_rows(rt)) == before


def test_every_user_write_has_one_audit_row_naming_the_users_unit(rt, people):
    province = people[Role.PROVINCE]
    added = users.add_user(rt, province, new_user(rt), "add-audited")
    [add_row] = users_audit(rt)
    assert (add_row["record_id"], add_row["unit_id"], add_row["action"]) == (
        added.id,
        unit_id(rt, "Đoàn cơ sở Công ty Mẫu 2"),
        "Thêm người dùng",
    )
    assert add_row["actor"] == province.label
    loaded = stored_user(rt, added.email)
    data = user_form(loaded, unit_id=unit_id(rt, COMPANY_1), active=False)
    users.edit_user(rt, province, loaded, data, "edit-audited")
    [_, edit_row] = users_audit(rt)
    assert (edit_row["record_id"], edit_row["unit_id"]) == (added.id, unit_id(rt, COMPANY_1))
    before, after = changed(edit_row)
    assert (before["active"], after["active"]) == ("Có", "Không")
    assert (before["unit_id"], after["unit_id"]) == (
        unit_id(rt, "Đoàn cơ sở Công ty Mẫu 2"),
        unit_id(rt, COMPANY_1),
    )


def test_a_steward_signs_in_to_an_empty_store_so_a_new_deployment_can_import_its_data(empty_rt):
    steward_rt = dataclasses.replace(
        empty_rt, settings=dataclasses.replace(empty_rt.settings, stewards=("a@b.vn",))
    )
    person = users.resolve(steward_rt, "a@b.vn")
    assert (person.role, person.unit_id) == (Role.PROVINCE, "")
    with pytest.raises(SignInRefused):
        users.resolve(empty_rt, "a@b.vn")  # without the settings naming them: refused
