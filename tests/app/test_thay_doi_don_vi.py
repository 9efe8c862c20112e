"""Thay đổi đơn vị screen through AppTest: preview and apply a merge, the list, a reversal,
the successor rule, and what an upper-unit officer may do."""

from __future__ import annotations

from datetime import date

from services.core.access import Role
from services.demo.province import demo_actors
from tests.support.app import app_sqlite, page_alone, place_of
from tests.support.world import unit_id

PAGE = "pages/thay_doi_don_vi.py"


def errors(at) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def fill_merge(at, app_runtime, names: list[str], new_name: str, number: str = "30-QĐ/TĐTN"):
    rt = app_runtime()
    at.radio(key="unit-change-kind").set_value(at.radio(key="unit-change-kind").options[0]).run()
    at.date_input(key="unit-change-effective").set_value(date(2026, 12, 1))
    at.text_input(key="unit-change-number").input(number)
    at.multiselect(key="unit-change-merge-sources").set_value([unit_id(rt, n) for n in names])
    at.text_area(key="unit-change-new-names").input(new_name)
    at.selectbox(key="unit-change-new-parent").set_value(unit_id(rt, "Tỉnh đoàn Hưng Yên"))
    return at.run()


def test_province_staff_preview_then_apply_a_merge(open_app, app_runtime, stored):
    at = open_app("province", PAGE)
    names = ["Đoàn xã Tiên Hoa", "Đoàn xã Tiên Tiến"]
    at = fill_merge(at, app_runtime, names, "Đoàn xã Mẫu Hợp Nhất 1")
    at = button(at, "Xem trước").click().run()
    assert not at.exception
    assert any("Hợp nhất Đoàn xã Tiên Hoa, Đoàn xã Tiên Tiến" in s.value for s in at.success)
    assert not any(u.name == "Đoàn xã Mẫu Hợp Nhất 1" for u in stored().workbook().units.values())
    at = button(at, "Áp dụng thay đổi").click().run()
    assert any(s.value.startswith("Đã áp dụng") for s in at.success)
    wb = stored().workbook()
    made = next(u for u in wb.units.values() if u.name == "Đoàn xã Mẫu Hợp Nhất 1")
    assert {wb.unit_name(p) for p in made.predecessor_ids} == set(names)


def test_a_refused_preview_names_the_field_and_keeps_what_was_typed(open_app, app_runtime):
    at = open_app("province", PAGE)
    at = fill_merge(at, app_runtime, ["Đoàn xã Tiên Hoa"], "Đoàn xã Mẫu Hợp Nhất 2", number="")
    at = button(at, "Xem trước").click().run()
    assert "Số quyết định: bắt buộc phải nhập" in errors(at)
    assert at.text_area(key="unit-change-new-names").value == "Đoàn xã Mẫu Hợp Nhất 2"


def test_the_demo_restructuring_is_listed_and_a_merge_with_later_records_is_not_reversed(open_app):
    at = open_app("province", PAGE)
    listed = at.dataframe[0].value
    assert "Hợp nhất Đoàn xã Thuần Hưng vào Đoàn xã Chí Minh" in " ".join(listed["Nội dung"])
    box = at.selectbox(key="undo-change")
    target = next(i for i, o in enumerate(box.options) if "vào Đoàn xã Chí Minh" in o)
    at = box.select_index(target).run()
    setting = place_of(at.radio(key="successor-rule"), at.main)
    at = button(at, "Hoàn tác").click().run()
    assert "Không thể hoàn tác" in errors(at) and "Đoàn xã Chí Minh" in errors(at)
    assert place_of(at.radio(key="successor-rule"), at.main) == setting  # the refusal moved nothing


def test_province_staff_set_the_successor_rule(open_app, stored):
    at = open_app("province", PAGE)
    assert any("(mặc định)" in c.value.replace("\\", "") for c in at.caption)
    at.radio(key="successor-rule").set_value(at.radio(key="successor-rule").options[1]).run()
    at = button(at, "Lưu cách tính").click().run()
    assert stored().workbook().setting("successor_rule") == "Ít nhất một đơn vị tiền thân"


def test_an_upper_unit_officer_may_only_rename_and_move(open_app):
    at = open_app("upper", PAGE)
    assert not at.exception
    assert at.radio(key="unit-change-kind").options == ["Đổi tên", "Chuyển đơn vị cấp trên"]


def test_a_secretary_reaching_the_screen_is_told_what_it_is_for(open_app, stored, tmp_path):
    open_app("province", PAGE)  # seeds the demo store
    secretary = next(a for a in demo_actors(stored()) if a.role is Role.SECRETARY)
    at = page_alone(PAGE, app_sqlite(tmp_path), secretary)
    assert not at.exception and not at.button
    assert any("dành cho cán bộ Tỉnh đoàn và Đoàn cấp trên" in i.value for i in at.info)
