"""Đơn vị screen through AppTest: browse, add, edit (with conflicts) and assign officers."""

from __future__ import annotations

import unicodedata

import pytest

from schemas.models import UnitKind
from schemas.vntext import sort_key
from services.core.access import Role
from services.demo.province import demo_actors
from services.people import units
from tests.support.app import place_of

PAGE = "pages/don_vi.py"
OFFICER_BLOC = "Đoàn Khối Doanh nghiệp Mẫu 2"
COMPANY_2 = "Đoàn cơ sở Công ty Mẫu 2"


def unit_named(rt, name: str):
    return next((u for u in rt.workbook().units.values() if u.name == name), None)


def children_named(rt, parent: str, name: str) -> list:
    parent_id = unit_named(rt, parent).id
    return [u for u in rt.workbook().units.values() if u.parent_id == parent_id and u.name == name]


def names_below(rt, parent: str) -> list[str]:
    """The active units directly under `parent`, in the Vietnamese order of their names."""
    wb = rt.workbook()
    below = [wb.units[uid] for uid in wb.children[unit_named(rt, parent).id]]
    return sorted((u.name for u in below if u.active), key=sort_key)


def active_scope_size(rt, top_id: str) -> int:
    """How many active units a person of `top_id` looks after: that unit and all below it."""
    wb = rt.workbook()
    count, stack = 0, [top_id]
    while stack:
        current = stack.pop()
        count += wb.units[current].active
        stack.extend(wb.children.get(current, ()))
    return count


def choose_unit(at, key: str, rt, name: str):
    """Pick a unit in a selectbox whose options are unit ids shown by name."""
    return at.selectbox(key=key).select(unit_named(rt, name).id).run()


def form_widget(at, form: str, kind: str, field: str):
    """A widget of one form by field (its key also carries the unit and a per-submission part)."""
    return next(
        w
        for w in getattr(at, kind)
        if w.key and w.key.startswith(f"{form}-") and w.key.endswith(f"-{field}")
    )


def fill_add_form(at, name: str, kind: str, members: int | str, chi_doan: int | str) -> None:
    form_widget(at, "unit-add", "text_input", "name").input(name)
    form_widget(at, "unit-add", "selectbox", "kind").select(UnitKind(kind))
    form_widget(at, "unit-add", "text_input", "members").input(str(members))
    form_widget(at, "unit-add", "text_input", "chi_doan").input(str(chi_doan))


def errors(at) -> str:
    """Every error on screen as the person reads it (markdown escapes removed)."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def submit(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def test_searching_without_diacritics_finds_the_secretarys_unit(open_app):
    at = open_app("province", PAGE)
    at.text_input(key="filter-query").input("doan co so cong ty mau 1").run()
    shown = at.dataframe[0].value
    assert list(shown["Đơn vị"].str.strip()) == ["Đoàn cơ sở Công ty Mẫu 1"]
    assert shown.iloc[0]["Đơn vị cấp trên"] == OFFICER_BLOC
    assert at.metric[0].value == "1"


def test_a_search_that_finds_nothing_says_so_and_the_tabs_stay(open_app):
    at = open_app("province", PAGE)
    listed = place_of(at.tabs[0], at.main)
    at.text_input(key="filter-query").input("khong co don vi nay").run()
    assert any("Không có đơn vị nào khớp bộ lọc" in i.value for i in at.info)
    assert place_of(at.tabs[0], at.main) == listed  # drawn anew, they would reopen on the first


def test_filtering_by_upper_unit_lists_its_units_in_vietnamese_order(open_app, stored):
    at = choose_unit(open_app("province", PAGE), "filter-parent", stored(), OFFICER_BLOC)
    names = [n.strip() for n in at.dataframe[0].value["Đơn vị"]]
    expected = names_below(stored(), OFFICER_BLOC)
    assert {COMPANY_2, "Đoàn cơ sở Công ty Mẫu 1"} <= set(expected)
    assert names == expected


def test_an_upper_officer_adds_a_unit_under_their_district(open_app, stored):
    at = open_app("upper", PAGE)
    fill_add_form(at, "Đoàn trường THPT Mẫu 9", "Trường THPT", members=120, chi_doan=4)
    submit(at, "Thêm đơn vị")
    assert not at.exception and not at.error
    assert "Đoàn trường THPT Mẫu 9" in at.success[0].value
    [added] = children_named(stored(), OFFICER_BLOC, "Đoàn trường THPT Mẫu 9")
    assert (added.kind.value, added.members, added.chi_doan) == ("Trường THPT", 120, 4)


@pytest.mark.parametrize(
    "typed",
    [
        COMPANY_2,
        "đoàn CƠ SỞ công ty mẫu 2",
        "  Đoàn  cơ sở Công ty Mẫu 2 ",
        "Đòan cơ sở Công ty Mẫu 2",  # the other tone placement
        unicodedata.normalize("NFD", COMPANY_2),
    ],
)
def test_a_second_hong_tien_under_khoai_chau_is_refused(open_app, stored, typed):
    at = open_app("upper", PAGE)
    rt = stored()
    units_before = len(rt.workbook().children[unit_named(rt, OFFICER_BLOC).id])
    fill_add_form(at, typed, unit_named(rt, COMPANY_2).kind.value, members=100, chi_doan=3)
    submit(at, "Thêm đơn vị")
    assert "Tên đơn vị: đã có" in errors(at)
    assert not at.success
    rt = stored()
    khoai_chau = unit_named(rt, OFFICER_BLOC).id
    assert len(rt.workbook().children[khoai_chau]) == units_before


def test_more_chi_doan_than_members_is_refused_and_the_input_stays(open_app, stored):
    at = open_app("upper", PAGE)
    fill_add_form(at, "Đoàn trường THPT Mẫu 9", "Trường THPT", members=10, chi_doan=20)
    submit(at, "Thêm đơn vị")
    assert "Số chi đoàn: không được lớn hơn số đoàn viên" in errors(at)
    assert unit_named(stored(), "Đoàn trường THPT Mẫu 9") is None
    assert any(w.value == "Đoàn trường THPT Mẫu 9" for w in at.text_input)


@pytest.mark.parametrize(
    ("members", "said"),
    [
        ("-5", "Số đoàn viên: không được âm"),
        ("1e9", "Số đoàn viên: phải là số nguyên"),
        ("mười", "Số đoàn viên: phải là số nguyên"),
    ],
)
def test_an_invalid_member_count_blocks_the_save_naming_the_field(open_app, stored, members, said):
    at = open_app("upper", PAGE)
    fill_add_form(at, "Đoàn trường THPT Mẫu 9", "Trường THPT", members=120, chi_doan=4)
    submit(at, "Thêm đơn vị")
    assert "Đã thêm Đoàn trường THPT Mẫu 9" in at.success[0].value.replace("\\", "")
    fill_add_form(at, "Đoàn trường THPT Mẫu 10", "Trường THPT", members=members, chi_doan=4)
    submit(at, "Thêm đơn vị")
    assert said in errors(at)
    assert not at.success  # the previous success belonged to the previous save
    assert unit_named(stored(), "Đoàn trường THPT Mẫu 10") is None
    assert form_widget(at, "unit-add", "text_input", "members").value == members


def test_an_upper_officer_edits_a_unit_of_their_district(open_app, stored):
    at = choose_unit(open_app("upper", PAGE), "edit-unit", stored(), COMPANY_2)
    assert (
        form_widget(at, "unit-edit", "text_input", "name").value == COMPANY_2
    )  # prefilled from the store
    form_widget(at, "unit-edit", "text_input", "members").input("275")
    form_widget(at, "unit-edit", "text_input", "phone").input("+84 912.345.678")
    form_widget(at, "unit-edit", "text_input", "email").input(" BiThu@HongTien.VN")
    submit(at, "Lưu thay đổi")
    assert not at.error
    saved = unit_named(stored(), COMPANY_2)
    assert (saved.members, saved.phone, saved.version) == (275, "0912345678", 2)
    assert saved.cells["email"] == "bithu@hongtien.vn"
    said = at.success[0].value.replace("\\", "")
    assert "Liên hệ đã lưu: 0912 345 678, bithu@hongtien.vn." in said
    # the form now shows what was stored, the table shows it the Vietnamese way
    assert form_widget(at, "unit-edit", "text_input", "phone").value == "0912345678"
    shown = at.dataframe[0].value.set_index("Mã")
    assert shown.loc[saved.id, "Điện thoại"] == "0912 345 678"


def test_a_bad_phone_number_is_refused_on_edit(open_app, stored):
    at = open_app("upper", PAGE)
    phone_before = unit_named(stored(), COMPANY_2).phone
    assert phone_before
    at = choose_unit(at, "edit-unit", stored(), COMPANY_2)
    form_widget(at, "unit-edit", "text_input", "phone").input("12345")
    submit(at, "Lưu thay đổi")
    assert "Điện thoại: số điện thoại không hợp lệ" in errors(at)
    assert unit_named(stored(), COMPANY_2).phone == phone_before


def edit_as_another_person(rt, secretary: str) -> None:
    """The province staff change Hồng Tiến's secretary in their own session."""
    province = next(a for a in demo_actors(rt) if a.role is Role.PROVINCE)
    loaded = unit_named(rt, COMPANY_2)
    units.edit_unit(
        rt, province, loaded, {**loaded.model_dump(), "secretary": secretary}, "another-person-edit"
    )


def test_a_stale_edit_is_a_conflict_and_keeps_the_other_persons_value(
    open_app, app_runtime, stored
):
    at = open_app("upper", PAGE)
    secretary_before = unit_named(stored(), COMPANY_2).secretary
    assert secretary_before and secretary_before != "Bí thư mới (mẫu)"
    at = choose_unit(at, "edit-unit", stored(), COMPANY_2)
    edit_as_another_person(app_runtime(), "Bí thư mới (mẫu)")  # the screen's next run sees it
    form_widget(at, "unit-edit", "text_input", "secretary").input("Bí thư của Huyện đoàn (mẫu)")
    submit(at, "Lưu thay đổi")
    assert "đã bị người khác sửa" in errors(at)
    both = at.dataframe[-1].value
    assert both.iloc[0].to_dict() == {
        "Cột": "Bí thư",
        "Khi bạn mở biểu mẫu": secretary_before,
        "Hiện tại": "Bí thư mới (mẫu)",
    }
    assert unit_named(stored(), COMPANY_2).secretary == "Bí thư mới (mẫu)"


def test_after_a_conflict_reloading_shows_the_newest_values_and_saving_works(
    open_app, app_runtime, stored
):
    at = choose_unit(open_app("upper", PAGE), "edit-unit", stored(), COMPANY_2)
    edit_as_another_person(app_runtime(), "Bí thư mới (mẫu)")
    form_widget(at, "unit-edit", "text_input", "phone").input("0911 111 111")
    submit(at, "Lưu thay đổi")
    submit(at, "Tải lại biểu mẫu với dữ liệu mới nhất")
    assert form_widget(at, "unit-edit", "text_input", "secretary").value == "Bí thư mới (mẫu)"
    form_widget(at, "unit-edit", "text_input", "phone").input("0911 111 111")
    submit(at, "Lưu thay đổi")
    assert not at.error
    saved = unit_named(stored(), COMPANY_2)
    assert (saved.secretary, saved.phone) == ("Bí thư mới (mẫu)", "0911111111")


def test_an_upper_officer_assigns_the_follow_up_officer(open_app, stored):
    at = choose_unit(open_app("upper", PAGE), "officer-unit", stored(), "Đoàn cơ sở Công ty Mẫu 1")
    next(w for w in at.text_input if w.key.startswith("unit-officer-")).input("Nguyễn Văn Mẫu")
    submit(at, "Phân công")
    assert not at.error
    assert unit_named(stored(), "Đoàn cơ sở Công ty Mẫu 1").officer == "Nguyễn Văn Mẫu"


@pytest.mark.parametrize(
    ("person", "role"), [("secretary", Role.SECRETARY), ("viewer", Role.VIEWER)]
)
def test_secretaries_and_viewers_see_their_scope_read_only(open_app, stored, person, role):
    at = open_app(person, PAGE)
    rt = stored()
    me = next(a for a in demo_actors(rt) if a.role is role)
    rows = active_scope_size(rt, me.unit_id)
    assert rows == 1 if role is Role.SECRETARY else rows > 1  # a secretary sees only their unit
    assert len(at.dataframe[0].value) == rows
    assert not at.tabs and not any(b.label == "Thêm đơn vị" for b in at.button)


def test_a_unit_set_inactive_is_listed_only_when_asked(open_app, stored):
    at = choose_unit(open_app("upper", PAGE), "edit-unit", stored(), "Đoàn cơ sở Công ty Mẫu 1")
    form_widget(at, "unit-edit", "checkbox", "active").uncheck()
    submit(at, "Lưu thay đổi")
    assert unit_named(stored(), "Đoàn cơ sở Công ty Mẫu 1").active is False
    listed = [n.strip() for n in at.dataframe[0].value["Đơn vị"]]
    assert "Đoàn cơ sở Công ty Mẫu 1" not in listed and COMPANY_2 in listed
    at.toggle(key="filter-inactive").set_value(True).run()
    shown = at.dataframe[0].value.set_index("Mã")
    assert (
        shown.loc[unit_named(stored(), "Đoàn cơ sở Công ty Mẫu 1").id, "Hoạt động"]
        == "Ngừng hoạt động"
    )


def test_while_a_unit_is_saved_its_button_is_disabled_and_enabled_again_after(open_app, stored):
    at = open_app("upper", PAGE)
    fill_add_form(at, "Đoàn trường THPT Mẫu 9", "Trường THPT", members="-1", chi_doan=4)
    button = next(b for b in at.button if b.label == "Thêm đơn vị")
    assert not button.disabled
    button.click()
    at.run()
    # The refused save redrew the page: the button is enabled again, the reason under it.
    assert not next(b for b in at.button if b.label == "Thêm đơn vị").disabled
    assert "Số đoàn viên: không được âm" in errors(at)
