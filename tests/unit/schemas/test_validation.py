"""What a person types: Vietnamese messages naming the field, cells read the way they were meant."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.cells import parse_count, parse_day
from schemas.contacts import phone_words
from schemas.models import Registration, Unit, UnitForm, UnitKind
from services.core.access import Role
from services.core.errors import AccessDenied, InvalidInput
from services.core.forms import validate
from services.people import units
from tests.support.builders import COMPANY_1, OFFICER_BLOC, POLICE_UNION, officer_of, unit_form
from tests.support.world import unit_id

MY_HAO = "Thị đoàn Mỹ Hào"


def unit_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Đoàn xã Mẫu",
        "kind": "Xã",
        "parent_id": "DV-0001",
        "members": 120,
        "chi_doan": 5,
        "phone": "",
        "email": "",
    }
    data.update(changes)
    return data


def refusal(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        validate(UnitForm, data)
    return refused.value.messages


# ---- the unit form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Tên đơn vị: bắt buộc phải nhập"),
        ({"name": "   "}, "Tên đơn vị: bắt buộc phải nhập"),
        ({"name": "x" * 201}, "Tên đơn vị: quá dài (tối đa 200 ký tự)"),
        ({"kind": "Thôn"}, "Loại đơn vị: phải là một trong:"),
        ({"members": -1, "chi_doan": None}, "Số đoàn viên: không được âm"),
        ({"chi_doan": -3}, "Số chi đoàn: không được âm"),
        ({"members": 40, "chi_doan": 41}, "Số chi đoàn: không được lớn hơn số đoàn viên"),
        ({"members": "1,5"}, "Số đoàn viên: phải là số nguyên"),
        ({"members": "nhiều"}, "Số đoàn viên: phải là số nguyên"),
        ({"phone": "12345"}, "Điện thoại: số điện thoại không hợp lệ"),
        ({"phone": "0912 345"}, "Điện thoại: số điện thoại không hợp lệ"),
        ({"email": "bithu.example.vn"}, "Email: địa chỉ email không hợp lệ"),
        ({"email": "bí thư@x.vn"}, "Email: địa chỉ email không hợp lệ"),
    ],
)
def test_the_unit_form_names_the_bad_field_in_vietnamese(changes, message):
    messages = refusal(unit_data(**changes))
    assert any(m.startswith(message) for m in messages), messages


def test_the_unit_form_lists_every_bad_field_at_once():
    messages = refusal(unit_data(name="", members=-1, chi_doan=None, phone="12345"))
    assert [m.split(":")[0] for m in messages] == ["Tên đơn vị", "Số đoàn viên", "Điện thoại"]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("0912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0221 3862 123", "02213862123"),
        ("", ""),
    ],
)
def test_a_vietnamese_phone_number_is_accepted_and_stored_in_one_form(phone, stored):
    assert validate(UnitForm, unit_data(phone=phone)).phone == stored


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("bithu@example.vn", "bithu@example.vn"),
        ("doan.xa+3cd@mau.example", "doan.xa+3cd@mau.example"),
        ("  BiThu@Example.VN ", "bithu@example.vn"),
        ("", ""),
    ],
)
def test_a_plain_email_address_is_accepted_and_stored_in_lower_case(email, stored):
    assert validate(UnitForm, unit_data(email=email)).email == stored


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("+84 912.345.678", "0912 345 678"),
        ("02438251234", "024 3825 1234"),
        ("02213864123", "0221 386 4123"),
        ("gọi chị Lan", "gọi chị Lan"),
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_the_vietnamese_way(stored, shown):
    assert phone_words(stored) == shown


def test_the_unit_form_tidies_spaces_and_unicode_of_the_name():
    form = validate(UnitForm, unit_data(name="  Đoàn cơ sở\u00a0  Công ty Mẫu 1 "))
    assert form.name == "Đoàn cơ sở Công ty Mẫu 1"
    nfd = "Đoa\u0300n co\u031b so\u031b\u0309 Co\u0302ng ty Ma\u0302\u0303u 1"
    assert validate(UnitForm, unit_data(name=nfd)).name == "Đoàn cơ sở Công ty Mẫu 1"


# ---- cells read the way a Vietnamese user meant them -------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1200", 1200),
        ("1.200", 1200),
        ("1 200", 1200),
        ("12.345.678", 12345678),
        (" 80 ", 80),
        ("", None),
    ],
)
def test_a_count_typed_in_a_cell_is_read_as_meant(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["1,5", "12.5", "1.2000", "1,200", "mười", "1.200,5"])
def test_an_ambiguous_count_is_refused_not_guessed(text):
    with pytest.raises(ValueError):
        parse_count(text)


def _unit_cells(**changes: str) -> dict[str, str]:
    cells = {
        "id": "DV-1",
        "name": "Đoàn xã Mẫu",
        "kind": "Xã",
        "parent_id": "DV-0",
        "members": "",
        "chi_doan": "",
        "secretary": "",
        "phone": "",
        "email": "",
        "officer": "",
        "active": "Có",
        "version": "1",
        "updated_at": "",
    }
    cells.update(changes)
    return cells


def test_a_member_count_written_with_a_thousands_dot_in_the_sheet_is_read_as_1200():
    unit = Unit.from_cells(_unit_cells(members="1.200", chi_doan="12"))
    assert unit.members == 1200 and unit.chi_doan == 12


def test_a_member_count_with_a_decimal_comma_in_the_sheet_is_refused():
    with pytest.raises(ValidationError):
        Unit.from_cells(_unit_cells(members="1,5"))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("9/10/2025", date(2025, 10, 9)),
        ("09/10/2025", date(2025, 10, 9)),
        ("9-10-2025", date(2025, 10, 9)),
        ("9.10.2025", date(2025, 10, 9)),
        ("2025-10-09", date(2025, 10, 9)),
        ("1/2/2026", date(2026, 2, 1)),
    ],
)
def test_a_day_is_read_day_first(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["31/02/2025", "10/13/2025", "9/10/25", "hôm qua", "2025/10/09"])
def test_an_impossible_or_ambiguous_day_is_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_a_plan_date_typed_as_9_10_2025_in_the_sheet_is_9_october():
    cells = {
        "id": "DK-1",
        "cycle_id": "CK-1",
        "unit_id": "DV-1",
        "state": "Đã gửi",
        "plan_date": "9/10/2025",
        "submitted_at": "2025-10-09T08:00:00+07:00",
        "on_time": "Có",
    }
    assert Registration.from_cells(cells).plan_date == date(2025, 10, 9)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("xã", UnitKind.XA), (" PHƯỜNG ", UnitKind.PHUONG), ("Trường THPT", UnitKind.TRUONG_THPT)],
)
def test_a_kind_typed_in_another_case_is_recognised(text, kind):
    assert Unit.from_cells(_unit_cells(kind=text)).kind is kind


# ---- names under a parent, and the shape of the tree -----------------------------------------


def test_a_unit_name_already_used_under_the_same_parent_is_refused_whatever_its_spelling(
    rt, people
):
    province = people[Role.PROVINCE]
    same = unit_data(name="đoàn xã  hòa phong", parent_id=unit_id(rt, MY_HAO))
    with pytest.raises(InvalidInput) as refused:
        units.add_unit(rt, province, same, "k1")
    assert refused.value.messages == ["Tên đơn vị: đã có 'Đoàn xã Hoà Phong' thuộc Thị đoàn Mỹ Hào"]
    names = [u.name for u in rt.workbook().units.values()]
    assert "đoàn xã hòa phong" not in names


def test_the_same_name_is_allowed_under_another_parent(rt, people):
    province = people[Role.PROVINCE]
    added = units.add_unit(
        rt,
        province,
        unit_data(name="đoàn xã  hòa phong", parent_id=unit_id(rt, OFFICER_BLOC)),
        "k1",
    )
    stored = rt.workbook().units[added.id]
    assert stored.name == "đoàn xã hòa phong" and stored.parent_id == unit_id(rt, OFFICER_BLOC)


def test_renaming_a_unit_to_its_own_name_in_another_spelling_is_allowed(rt, people):
    province = people[Role.PROVINCE]
    loaded = units.get_unit(rt, province, unit_id(rt, "Đoàn xã Hoà Phong"))
    units.edit_unit(rt, province, loaded, unit_form(loaded, name="Đoàn xã Hòa Phong"), "k1")
    assert rt.workbook().units[loaded.id].name == "Đoàn xã Hòa Phong"


@pytest.mark.parametrize("target", ["itself", "a unit below it"])
def test_moving_a_unit_under_itself_or_its_own_descendant_is_refused(rt, people, target):
    province = people[Role.PROVINCE]
    khoai_chau = unit_id(rt, OFFICER_BLOC)
    below = units.add_unit(
        rt,
        province,
        unit_data(
            name="Đoàn Khối Mẫu",
            kind="Đoàn trực thuộc",
            parent_id=khoai_chau,
            members=None,
            chi_doan=None,
        ),
        "k1",
    )
    loaded = units.get_unit(rt, province, khoai_chau)
    new_parent = khoai_chau if target == "itself" else below.id
    with pytest.raises(InvalidInput) as refused:
        units.edit_unit(rt, province, loaded, unit_form(loaded, parent_id=new_parent), "k2")
    assert refused.value.messages[0].startswith("Đơn vị cấp trên: không thể chọn chính đơn vị này")
    assert rt.workbook().units[khoai_chau].parent_id == loaded.parent_id


def test_a_unit_cannot_be_placed_under_a_grassroots_unit(rt, people):
    with pytest.raises(InvalidInput) as refused:
        units.add_unit(rt, people[Role.PROVINCE], unit_data(parent_id=unit_id(rt, COMPANY_1)), "k1")
    assert "là đoàn cơ sở" in refused.value.messages[0]


def test_an_officer_cannot_add_a_unit_under_another_district(rt):
    officer = officer_of(rt, OFFICER_BLOC)
    with pytest.raises(AccessDenied):
        units.add_unit(rt, officer, unit_data(parent_id=unit_id(rt, POLICE_UNION)), "k1")


def test_a_phone_and_email_typed_by_hand_in_the_sheet_are_read_in_the_stored_form_not_rewritten():
    cells = {
        "id": "DV-9",
        "name": "Đoàn xã Mẫu",
        "kind": "Xã",
        "parent_id": "DV-1",
        "phone": " +84 912.345.678 ",
        "email": "BiThu@Mau.Example",
        "active": "Có",
    }
    unit = Unit.from_cells(cells)
    assert (unit.phone, unit.email) == ("0912345678", "bithu@mau.example")
    assert cells["phone"] == " +84 912.345.678 " and unit.cells["phone"] == " +84 912.345.678 "
