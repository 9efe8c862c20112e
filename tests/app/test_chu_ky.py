"""Chu kỳ screen through AppTest: list, create and edit the yearly rounds."""

from __future__ import annotations

from datetime import date

from schemas.models import LatePolicy
from services.core.access import Role
from services.demo.province import demo_actors
from services.registration import cycles
from services.registration.cycles import CycleDraft
from tests.support.app import place_of

PAGE = "pages/chu_ky.py"
CURRENT_SET = "3cd-2023-2027@1"


def errors(at) -> str:
    """Every error on screen as the person reads it (markdown escapes removed)."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def form_widget(at, form: str, kind: str, field: str):
    """A widget of one form by field (its key also carries the cycle and a per-submission part)."""
    return next(
        w
        for w in getattr(at, kind)
        if w.key and w.key.startswith(f"{form}-") and w.key.endswith(f"-{field}")
    )


def submit(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def cycles_of(rt, year: int) -> list:
    return [c for c in rt.workbook().cycles.values() if c.year == year]


def new_cycle_for(at, year: int):
    at.number_input(key="new-year").set_value(year)
    return at.run()


def test_a_criteria_set_that_misses_the_year_is_said_once_and_moves_no_tab(open_app):
    """The warning shows on the run after the save and is gone on the next; drawn in a place kept
    on every run, it does not move the tabs below it (tabs drawn at a new place start again on
    their first tab, and the widgets in them are drawn anew)."""
    at = new_cycle_for(open_app("province", PAGE), 2030)
    form_widget(at, "cycle-new", "selectbox", "criteria").select(CURRENT_SET)
    submit(at, "Tạo đợt")
    [warning] = [w.value for w in at.warning if "giai đoạn 2023–2027" in w.value]
    assert "không gồm năm 2030" in warning
    with_warning = place_of(at.tabs[0], at.main)
    at.run()
    assert not [w.value for w in at.warning if "giai đoạn" in w.value]
    assert place_of(at.tabs[0], at.main) == with_warning


def test_kinds_without_their_own_set_are_refused_and_the_button_works_again(open_app, stored):
    at = new_cycle_for(open_app("province", PAGE), 2028)
    form_widget(at, "cycle-new", "selectbox", "criteria").select(CURRENT_SET)
    form_widget(at, "cycle-new", "multiselect", "kinds").select("Xã")
    submit(at, "Tạo đợt")
    assert "Chưa lưu. Vui lòng chọn bộ tiêu chí riêng" in errors(at)
    assert not next(b for b in at.button if b.label == "Tạo đợt").disabled
    assert cycles_of(stored(), 2028) == []


def test_the_list_shows_cut_offs_as_last_days(open_app):
    at = open_app("province", PAGE)
    row = at.dataframe[0].value.set_index("Mã").loc["CK-2026"]
    assert (row["Hạn đăng ký"], row["Hạn báo cáo lên tỉnh"]) == (
        "hết ngày 09/10/2025",
        "hết ngày 14/10/2025",
    )


def test_the_new_cycle_form_proposes_october_of_the_year_before(open_app):
    at = new_cycle_for(open_app("province", PAGE), 2030)
    assert form_widget(at, "cycle-new", "text_input", "name").value == "Năm 2030"
    assert form_widget(at, "cycle-new", "date_input", "register").value == date(2029, 10, 9)
    assert form_widget(at, "cycle-new", "date_input", "report").value == date(2029, 10, 14)
    assert any("Năm thực hiện 2030" in c.value and "09/10/2029" in c.value for c in at.caption)


def test_the_proposed_year_is_the_first_year_without_a_cycle(open_app):
    at = open_app("province", PAGE)  # the demo has 2025–2027; next year (2027) is taken
    assert at.number_input(key="new-year").value == 2028


def test_province_staff_create_next_years_cycle(open_app, stored):
    at = new_cycle_for(open_app("province", PAGE), 2028)
    form_widget(at, "cycle-new", "selectbox", "criteria").select(CURRENT_SET)
    form_widget(at, "cycle-new", "radio", "policy").set_value(LatePolicy.REFUSE)
    submit(at, "Tạo đợt")
    assert not at.error and "Năm 2028" in at.success[0].value
    [created] = cycles_of(stored(), 2028)
    assert created.cells["register_cutoff"] == "2027-10-10T00:00:00+07:00"
    assert created.cells["report_cutoff"] == "2027-10-15T00:00:00+07:00"
    assert (created.criteria_set, created.late_policy) == (CURRENT_SET, LatePolicy.REFUSE)
    # Right after creating it, the page does not also say that it already exists.
    assert not [w.value for w in at.warning if "Đã có đợt" in w.value]
    assert at.number_input(key="new-year").value == 2029


def test_a_second_cycle_for_an_existing_year_is_refused(open_app, stored):
    at = new_cycle_for(open_app("province", PAGE), 2027)
    submit(at, "Tạo đợt")
    assert "Năm thực hiện: đã có đợt năm 2027" in errors(at)
    assert [c.id for c in cycles_of(stored(), 2027)] == ["CK-2027"]


def test_a_report_day_before_the_registration_day_is_refused(open_app, stored):
    at = new_cycle_for(open_app("province", PAGE), 2028)
    form_widget(at, "cycle-new", "selectbox", "criteria").select(CURRENT_SET)
    form_widget(at, "cycle-new", "date_input", "report").set_value(date(2027, 10, 1))
    submit(at, "Tạo đợt")
    assert "Hạn báo cáo lên tỉnh: không được sớm hơn hạn đăng ký" in errors(at)
    assert cycles_of(stored(), 2028) == []
    assert form_widget(at, "cycle-new", "date_input", "report").value == date(2027, 10, 1)


def open_edit(at, cycle_id: str):
    at.selectbox(key="edit-cycle").select(cycle_id)
    return at.run()


def test_province_staff_move_a_cycles_registration_cut_off(open_app, stored):
    at = open_edit(open_app("province", PAGE), "CK-2027")
    assert form_widget(at, "cycle-edit", "date_input", "register").value == date(2026, 12, 15)
    form_widget(at, "cycle-edit", "date_input", "register").set_value(date(2026, 12, 18))
    submit(at, "Lưu thay đổi")
    assert not at.error
    saved = stored().workbook().cycles["CK-2027"]
    assert saved.cells["register_cutoff"] == "2026-12-19T00:00:00+07:00"
    assert saved.version == 2


def test_a_stale_cycle_edit_is_a_conflict(open_app, app_runtime, stored):
    at = open_edit(open_app("province", PAGE), "CK-2027")
    rt = app_runtime()
    province = next(a for a in demo_actors(rt) if a.role is Role.PROVINCE)
    loaded = rt.workbook().cycles["CK-2027"]
    renamed = CycleDraft(**{**vars(cycles.draft_of(loaded)), "name": "Năm 2027 (đợt chính)"})
    cycles.save_cycle(rt, province, renamed, "another-person-edit", loaded=loaded)
    form_widget(at, "cycle-edit", "radio", "policy").set_value(LatePolicy.REFUSE)
    submit(at, "Lưu thay đổi")
    assert "đã bị người khác sửa" in errors(at)
    saved = stored().workbook().cycles["CK-2027"]
    assert (saved.name, saved.late_policy) == ("Năm 2027 (đợt chính)", LatePolicy.FLAG)
