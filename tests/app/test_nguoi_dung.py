"""Người dùng screen through AppTest: province staff list, add, edit and disable users."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from schemas.models import Role
from services.core.access import Actor
from tests.support.app import ROOT, app_sqlite, place_of
from tests.support.world import NOW

PAGE = "pages/nguoi_dung.py"
SECRETARY_EMAIL = "congtymau1@mau.example"
COMPANY_2 = "Đoàn cơ sở Công ty Mẫu 2"


def unit_named(rt, name: str):
    return next(u for u in rt.workbook().units.values() if u.name == name)


def form_widget(at, form: str, kind: str, field: str):
    """A widget of one form by field (its key also carries a per-submission part)."""
    return next(
        w
        for w in getattr(at, kind)
        if w.key and w.key.startswith(f"{form}-") and f"-{field}" in w.key[len(form) :]
    )


def errors(at) -> str:
    """Every error on screen as the person reads it (markdown escapes removed)."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def submit(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def fill_add_form(at, rt, email: str, name: str, role: Role, unit: str):
    form_widget(at, "user-add", "selectbox", "role").select(role).run()
    form_widget(at, "user-add", "text_input", "email").input(email)
    form_widget(at, "user-add", "text_input", "name").input(name)
    form_widget(at, "user-add", "selectbox", "unit").select(unit_named(rt, unit).id)


def test_province_staff_see_every_user_with_role_unit_and_access(open_app):
    at = open_app("province", PAGE)
    shown = at.dataframe[0].value.set_index("Email đăng nhập")
    assert len(shown) == 4
    assert shown.loc[SECRETARY_EMAIL].to_dict() == {
        "Họ và tên": "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)",
        "Vai trò": "Bí thư Đoàn cơ sở",
        "Đơn vị": "Đoàn cơ sở Công ty Mẫu 1",
        "Được truy cập": "Có",
    }
    assert "60 giây" in at.caption[0].value


def test_searching_without_diacritics_finds_the_upper_officer(open_app):
    at = open_app("province", PAGE)
    at.text_input(key="user-query").input("doan khoi doanh nghiep mau 2").run()
    assert list(at.dataframe[0].value["Email đăng nhập"]) == ["doankhoi@mau.example"]


def test_a_search_that_finds_nobody_says_so_and_the_tabs_stay(open_app):
    at = open_app("province", PAGE)
    listed = place_of(at.tabs[0], at.main)
    at.text_input(key="user-query").input("khong co ai ten nay").run()
    assert any("Không có người dùng nào khớp" in i.value for i in at.info)
    assert place_of(at.tabs[0], at.main) == listed  # drawn anew, they would reopen on the first


def test_the_units_offered_follow_the_chosen_role(open_app, stored):
    at = open_app("province", PAGE)
    form_widget(at, "user-add", "selectbox", "role").select(Role.PROVINCE).run()
    unit = form_widget(at, "user-add", "selectbox", "unit")
    assert (
        unit.options == ["Tỉnh đoàn Hưng Yên"]
        and unit.value == unit_named(stored(), "Tỉnh đoàn Hưng Yên").id
    )
    form_widget(at, "user-add", "selectbox", "role").select(Role.SECRETARY).run()
    offered = form_widget(at, "user-add", "selectbox", "unit").options
    assert COMPANY_2 in offered and "Đoàn Khối Doanh nghiệp Mẫu 2" not in offered


def test_province_staff_add_a_secretary_who_can_then_sign_in(open_app, stored):
    at = open_app("province", PAGE)
    fill_add_form(
        at,
        stored(),
        "BiThu.HongTien@Mau.Example",
        "Bí thư Hồng Tiến (mẫu)",
        Role.SECRETARY,
        COMPANY_2,
    )
    submit(at, "Thêm người dùng")
    assert not at.exception and not at.error
    assert "bithu.hongtien@mau.example" in at.success[0].value.replace("\\", "")
    rt = stored()
    added = rt.workbook().user_by_email("bithu.hongtien@mau.example")
    assert (added.name, added.role, added.unit_id, added.active) == (
        "Bí thư Hồng Tiến (mẫu)",
        Role.SECRETARY,
        unit_named(rt, COMPANY_2).id,
        True,
    )
    assert "bithu.hongtien@mau.example" in list(at.dataframe[0].value["Email đăng nhập"])
    assert form_widget(at, "user-add", "text_input", "email").value == ""  # a fresh form


def test_an_invalid_email_is_refused_and_the_input_stays(open_app, stored):
    at = open_app("province", PAGE)
    fill_add_form(at, stored(), "bithu-hongtien", "Bí thư (mẫu)", Role.SECRETARY, COMPANY_2)
    submit(at, "Thêm người dùng")
    assert "Email đăng nhập: địa chỉ email không hợp lệ" in errors(at)
    assert not at.success
    assert len(stored().workbook().users) == 4
    assert form_widget(at, "user-add", "text_input", "email").value == "bithu-hongtien"


def test_an_email_already_given_access_is_refused(open_app, stored):
    at = open_app("province", PAGE)
    fill_add_form(
        at, stored(), "CongTyMau1@mau.example", "Người khác (mẫu)", Role.VIEWER, COMPANY_2
    )
    submit(at, "Thêm người dùng")
    assert "Email đăng nhập: congtymau1@mau.example đã có trong danh sách" in errors(at)
    users = stored().workbook().users.values()
    assert [u.name for u in users if u.email == SECRETARY_EMAIL] == [
        "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)"
    ]


def choose_user(at, rt, email: str):
    return at.selectbox(key="edit-user").select(rt.workbook().user_by_email(email).id).run()


def test_a_secretary_disabled_here_is_refused_at_their_next_click(open_app, stored):
    at = choose_user(open_app("province", PAGE), stored(), SECRETARY_EMAIL)
    assert form_widget(at, "user-edit", "checkbox", "active").value is True  # prefilled
    form_widget(at, "user-edit", "checkbox", "active").uncheck()
    submit(at, "Lưu thay đổi")
    assert not at.error
    assert stored().workbook().user_by_email(SECRETARY_EMAIL).active is False
    shown = at.dataframe[0].value.set_index("Email đăng nhập")
    assert shown.loc[SECRETARY_EMAIL, "Được truy cập"] == "Không"

    # A new session on the same store, then the sign-in picker: the secretary's next click.
    at = open_app("province", PAGE)
    at.sidebar.selectbox(key="demo_person").select(SECRETARY_EMAIL).run()
    assert [t.value for t in at.title] == ["Không thể truy cập 3CĐ"]
    assert "đang bị tạm khóa" in errors(at)
    assert "Hãy liên hệ cán bộ Tỉnh đoàn Hưng Yên để được cấp" in errors(at)
    assert "tinhdoan@mau.example" not in errors(at)  # a refused person sees no staff e-mail
    assert (
        not at.dataframe and not at.tabs and not any(b.label == "Lưu thay đổi" for b in at.button)
    )


def test_province_staff_move_an_officer_to_another_role_and_unit(open_app, stored):
    at = choose_user(open_app("province", PAGE), stored(), "doankhoi@mau.example")
    form_widget(at, "user-edit", "selectbox", "role").select(Role.SECRETARY).run()
    form_widget(at, "user-edit", "selectbox", "unit").select(unit_named(stored(), COMPANY_2).id)
    submit(at, "Lưu thay đổi")
    assert not at.error
    moved = stored().workbook().user_by_email("doankhoi@mau.example")
    assert (moved.role, moved.unit_id, moved.version) == (
        Role.SECRETARY,
        unit_named(stored(), COMPANY_2).id,
        2,
    )


def test_province_staff_cannot_lock_themselves_out(open_app, stored):
    at = choose_user(open_app("province", PAGE), stored(), "tinhdoan@mau.example")
    form_widget(at, "user-edit", "checkbox", "active").uncheck()
    submit(at, "Lưu thay đổi")
    assert "không thể tự khóa hoặc tự hạ quyền" in errors(at)
    assert stored().workbook().user_by_email("tinhdoan@mau.example").active is True


def test_a_stale_edit_is_a_conflict_showing_both_values(open_app, app_runtime, stored):
    at = choose_user(open_app("province", PAGE), stored(), SECRETARY_EMAIL)
    rt = app_runtime()
    from services.demo.province import demo_actors
    from services.people import users

    province = next(a for a in demo_actors(rt) if a.role is Role.PROVINCE)
    loaded = rt.workbook().user_by_email(SECRETARY_EMAIL)
    data = {**loaded.model_dump(), "name": "Tên do người khác sửa (mẫu)"}
    users.edit_user(rt, province, loaded, data, "another-person-edit")
    form_widget(at, "user-edit", "checkbox", "active").uncheck()
    submit(at, "Lưu thay đổi")
    assert "đã bị người khác sửa" in errors(at)
    both = at.dataframe[-1].value
    assert both.iloc[0].to_dict() == {
        "Cột": "Họ và tên",
        "Khi bạn mở biểu mẫu": "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)",
        "Hiện tại": "Tên do người khác sửa (mẫu)",
    }
    assert stored().workbook().user_by_email(SECRETARY_EMAIL).active is True


def test_the_upper_officer_is_refused_and_sees_no_user(open_app):
    at = open_app("upper", PAGE)
    refusal = " ".join(w.value for w in at.warning) + errors(at)
    assert "không dành cho vai trò của bạn" in refusal
    assert not at.dataframe and not any(b.label == "Thêm người dùng" for b in at.button)


def test_the_screen_itself_refuses_anyone_but_province_staff(tmp_path, stored):
    """Even run without the router's role check, the service's refusal is shown, not the users."""
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.secrets["store"] = {"engine": "sqlite", "sqlite_path": str(app_sqlite(tmp_path))}
    at.secrets["clock"] = {"now": NOW.isoformat()}
    at.run()  # no one chosen yet: opens (and seeds) the store, then asks for a person
    upper = stored().workbook().user_by_email("doankhoi@mau.example")
    at.session_state["actor"] = Actor(upper.email, upper.name, upper.role, upper.unit_id)
    at.run()
    assert "Chỉ cán bộ Tỉnh đoàn mới được xem danh sách người dùng" in errors(at)
    assert "cán bộ Tỉnh đoàn thực hiện" in at.info[0].value
    assert not at.dataframe and not at.tabs and not at.exception
    st.cache_resource.clear()
