"""Đánh giá screen through AppTest: fill, save, send, refuse bad input, reopen, self-assessment."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import AssessmentState, Assessor
from services.core.access import Role
from services.core.records import new_request_key
from services.demo.province import demo_actors
from services.year_end import assessments, decisions
from tests.support.app import on_cycle, place_of

PAGE = "pages/danh_gia.py"
CYCLE = "CK-2026"  # the demo round assessed at NOW (year 2026, assessment until 31/12/2026)
COMPANY_2, COMPANY_1 = "Đoàn cơ sở Công ty Mẫu 2", "Đoàn cơ sở Công ty Mẫu 1"


def opened(open_app, person: str):
    """The screen as `person` sees it, on the round being assessed (the person's next task may be
    next year's registration, so they choose the year, as on the real screen)."""
    return on_cycle(open_app(person, PAGE), "assess-cycle", CYCLE)


def errors(at) -> str:
    """Every error on screen as the person reads it (markdown escapes removed)."""
    return " ".join(e.value for e in at.error).replace("\\", "")


def unit_id_of(rt, name: str) -> str:
    return next(u.id for u in rt.workbook().units.values() if u.name == name)


def official(rt, name: str):
    found = [
        a
        for a in rt.workbook().assessments.values()
        if a.cycle_id == CYCLE and a.unit_id == unit_id_of(rt, name) and a.official
    ]
    return found[0] if found else None


def choose(at, name: str):
    box = at.selectbox(key="assess-unit")
    index = next(i for i, label in enumerate(box.options) if label.startswith(name))
    return box.select_index(index).run()


def field(at, kind: str, criterion: str, what: str = "value"):
    """The input of one criterion (its key ends with -value-<id> or -evidence-<id>)."""
    return next(w for w in getattr(at, kind) if w.key and w.key.endswith(f"-{what}-{criterion}"))


def fill_all(at, **typed: str):
    """Every met/not-met criterion 'Đạt', every count 2, then the typed overrides."""
    for radio in at.radio:
        if radio.key and "-value-" in radio.key and not radio.key.endswith("-3.4"):
            radio.set_value("Đạt")
    for box in at.text_input:
        if box.key and "-value-" in box.key:
            box.input("2")
    for criterion, text in typed.items():
        field(at, "text_input", criterion).input(text)
    return at


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def test_the_upper_unit_fills_in_and_sends_an_assessment(open_app, stored):
    at = choose(opened(open_app, "upper"), COMPANY_2)
    assert not at.exception and official(stored(), COMPANY_2) is None
    fill_all(at)
    field(at, "text_input", "1.1", "evidence").input("Danh sách đoàn viên cập nhật 01/10/2026")
    click(at, "Gửi đánh giá")
    assert not at.exception and not at.error, errors(at)
    shown = " ".join(s.value for s in at.success).replace("\\", "")
    assert "Đã gửi đánh giá Đoàn cơ sở Công ty Mẫu 2: Đạt. Bản đánh giá đã khoá." in shown
    sent = official(stored(), COMPANY_2)
    assert (sent.state, sent.result, sent.result_nd3) == (AssessmentState.SUBMITTED, "Đạt", "Đạt")
    items = {
        i.criterion_id: i
        for i in stored().workbook().assessment_items.values()
        if i.assessment_id == sent.id
    }
    assert items["2.3"].value == "2" and items["1.1"].value == "Đạt"
    assert items["1.1"].evidence == "Danh sách đoàn viên cập nhật 01/10/2026"
    # locked: the form is gone, the result is shown
    assert "Gửi đánh giá" not in [b.label for b in at.button]
    assert {m.label: m.value for m in at.metric}["Kết quả chung"] == "Đạt"


def test_a_saved_draft_can_then_be_sent_and_the_unit_stays_chosen(open_app, stored):
    at = fill_all(choose(opened(open_app, "upper"), COMPANY_2))
    before = at.selectbox(key="assess-unit").options
    click(at, "Lưu nháp")
    assert "Đã lưu nháp đánh giá Đoàn cơ sở Công ty Mẫu 2" in " ".join(s.value for s in at.success)
    # The browser keeps a choice only while its label stays the same: a label carrying the
    # unit's status ("— Chưa đánh giá" then "— Nháp") dropped it, and the next click did nothing.
    assert at.selectbox(key="assess-unit").options == before
    assert f"{COMPANY_2} — Nháp" in [h.value for h in at.subheader]
    click(at, "Gửi đánh giá")
    assert not at.error, errors(at)
    assert "Bản đánh giá đã khoá" in " ".join(s.value for s in at.success)
    assert official(stored(), COMPANY_2).state is AssessmentState.SUBMITTED


def test_the_result_that_comes_with_the_first_draft_moves_nothing_below_it(open_app):
    """Drawn anew at a new place, an expander the officer opened to compare would close and the
    form would be a new one: the result panel has a place on every run, empty before a draft."""
    at = fill_all(choose(opened(open_app, "upper"), COMPANY_2))
    send = next(b for b in at.button if b.label == "Gửi đánh giá")
    before = place_of(send, at.main)
    click(at, "Lưu nháp")
    assert "Kết quả chung" in [m.label for m in at.metric]
    assert place_of(next(b for b in at.button if b.label == "Gửi đánh giá"), at.main) == before


def test_a_count_typed_in_words_is_refused_naming_the_criterion_and_the_input_stays(
    open_app, stored
):
    at = fill_all(choose(opened(open_app, "upper"), COMPANY_2), **{"2.3": "ba"})
    click(at, "Gửi đánh giá")
    assert "Tiêu chí 2.3 (Tổ chức các hoạt động giáo dục" in errors(at)
    assert "phải là số nguyên" in errors(at)
    assert field(at, "text_input", "2.3").value == "ba"
    assert field(at, "radio", "1.1").value == "Đạt"
    assert official(stored(), COMPANY_2) is None


def test_a_draft_saves_incomplete_but_sending_it_names_what_is_missing(open_app, stored):
    at = choose(opened(open_app, "upper"), COMPANY_2)
    field(at, "radio", "1.1").set_value("Không đạt")
    click(at, "Lưu nháp")
    assert not at.error, errors(at)
    kept = official(stored(), COMPANY_2)
    assert (kept.state, kept.result_nd1) == (AssessmentState.DRAFT, "Không đạt")
    assert field(at, "radio", "1.1").value == "Không đạt"  # reloaded from the store
    click(at, "Gửi đánh giá")
    assert "Tiêu chí 1.2 (Có theo dõi" in errors(at) and "trước khi gửi" in errors(at)
    assert official(stored(), COMPANY_2).state is AssessmentState.DRAFT


def send_as_officer(app_runtime, name: str = COMPANY_2) -> None:
    """Khoái Châu sends a complete assessment through the service (another person's session)."""
    rt = app_runtime()
    officer = next(a for a in demo_actors(rt) if a.role is Role.UPPER)
    values = {c: "Đạt" for c in rt.criteria["3cd-2023-2027@1"].criteria} | {
        "2.3": "1",
        "2.4": "1",
        "3.3": "1",
        "3.4": "",
    }
    assessments.submit(
        rt, officer, CYCLE, unit_id_of(rt, name), {"values": values}, new_request_key()
    )


def test_province_staff_reopen_a_sent_assessment_with_a_reason(open_app, app_runtime, stored):
    at = opened(open_app, "province")
    send_as_officer(app_runtime)
    at = choose(at.run(), COMPANY_2)
    click(at, "Mở lại")
    assert "Lý do mở lại: bắt buộc phải nhập" in errors(at)
    assert official(stored(), COMPANY_2).state is AssessmentState.SUBMITTED
    next(t for t in at.text_input if t.label == "Lý do mở lại").input("Sai số buổi đối thoại")
    click(at, "Mở lại")
    assert not at.error, errors(at)
    reopened = official(stored(), COMPANY_2)
    assert reopened.state is AssessmentState.REOPENED
    assert reopened.reopen_reason == "Sai số buổi đối thoại"
    assert "Gửi đánh giá" in [b.label for b in at.button]  # editable again


def test_the_upper_officer_who_assessed_reopens_until_the_decision_is_recorded(
    open_app, app_runtime, stored
):
    at = opened(open_app, "upper")
    send_as_officer(app_runtime)
    at = choose(at.run(), COMPANY_2)
    next(t for t in at.text_input if t.label == "Lý do mở lại").input("Sai số buổi đối thoại")
    click(at, "Mở lại")
    assert not at.error, errors(at)
    assert official(stored(), COMPANY_2).state is AssessmentState.REOPENED
    assert "Đã mở lại bản đánh giá Đoàn cơ sở Công ty Mẫu 2." in " ".join(
        s.value.replace("\\", "") for s in at.success
    )


def test_after_the_decision_only_province_staff_can_reopen(open_app, app_runtime):
    at = opened(open_app, "upper")
    send_as_officer(app_runtime)
    rt = app_runtime()
    officer = next(a for a in demo_actors(rt) if a.role is Role.UPPER)
    decision = {"number": "7-QĐ/HĐKC", "signed_on": "20/11/2026", "signer": "Bí thư (mẫu)"}
    unit = unit_id_of(rt, COMPANY_2)
    decisions.record_decision(
        rt, officer, CYCLE, officer.unit_id, {**decision, "unit_ids": [unit]}, "qd-7"
    )
    at = choose(at.run(), COMPANY_2)
    assert "Mở lại" not in [b.label for b in at.button]
    said = " ".join(i.value for i in at.info).replace("\\", "")
    assert "Quyết định công nhận số 7-QĐ/HĐKC, nên chỉ cán bộ Tỉnh đoàn mới mở lại được" in said


def test_a_secretary_fills_a_self_assessment_of_their_own_unit(open_app, stored):
    at = opened(open_app, "secretary")
    assert at.selectbox(key="assess-unit").options == [COMPANY_1]
    fill_all(at)
    click(at, "Lưu nháp")
    assert not at.error, errors(at)
    rt = stored()
    own = [
        a
        for a in rt.workbook().assessments.values()
        if a.unit_id == unit_id_of(rt, COMPANY_1) and a.cycle_id == CYCLE
    ]
    assert [(a.assessor, a.state) for a in own] == [(Assessor.SELF, AssessmentState.DRAFT)]
    assert official(rt, COMPANY_1) is None


def test_an_unregistered_unit_is_shown_as_not_registered(open_app):
    at = opened(open_app, "province")
    box = at.selectbox(key="assess-unit")
    table = at.dataframe[0].value
    waiting = list(table[table["Tình trạng"] == "Chưa đăng ký"]["Đơn vị"])
    assert waiting, "the demo has units that did not register in 2026"
    at = box.select_index(box.options.index(waiting[0])).run()
    assert f"{waiting[0]} — Chưa đăng ký" in [h.value for h in at.subheader]
    assert any("chưa đăng ký" in i.value and "không tính là không đạt" in i.value for i in at.info)
    assert "Gửi đánh giá" not in [b.label for b in at.button]


# ---- the cycle's assessment fields, set on Chu kỳ -------------------------------------------


def cycle_field(at, kind: str, name: str):
    return next(
        w
        for w in getattr(at, kind)
        if w.key and w.key.startswith("cycle-edit-") and w.key.endswith(f"-{name}")
    )


def edit_cycle(open_app, cycle_id: str = CYCLE):
    at = open_app("province", "pages/chu_ky.py")
    at.selectbox(key="edit-cycle").select(cycle_id)
    return at.run()


def test_province_staff_move_the_assessment_cut_off_and_danh_gia_shows_it(open_app, stored):
    at = edit_cycle(open_app)
    assert cycle_field(at, "date_input", "assess").value == date(2026, 12, 31)  # the default
    cycle_field(at, "date_input", "assess").set_value(date(2027, 1, 15))
    click(at, "Lưu thay đổi")
    assert not at.error, errors(at)
    saved = stored().workbook().cycles[CYCLE]
    assert saved.cells["assess_cutoff"] == "2027-01-16T00:00:00+07:00"
    on_cycle(at.switch_page(PAGE).run(), "assess-cycle", CYCLE)
    assert "hạn đánh giá: hết ngày 15/01/2027" in at.selectbox(key="assess-cycle").format_func(
        at.selectbox(key="assess-cycle").value
    )


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("nhiều", "Ngưỡng điểm phải là số"),
        ("80", "Ngưỡng điểm: bộ tiêu chí chưa khai báo điểm cho tiêu chí nào"),
    ],
)
def test_a_points_threshold_the_set_cannot_give_is_refused_on_chu_ky(
    open_app, stored, typed, words
):
    at = edit_cycle(open_app)
    cycle_field(at, "text_input", "points").input(typed)
    click(at, "Lưu thay đổi")
    assert words in errors(at)
    assert cycle_field(at, "text_input", "points").value == typed
    assert stored().workbook().cycles[CYCLE].points_threshold is None


def test_a_draft_created_while_the_form_was_open_empty_is_never_overwritten(
    open_app, stored, app_runtime
):
    at = choose(opened(open_app, "upper"), COMPANY_2)
    fill_all(at)
    rt = app_runtime()  # meanwhile province staff, in their session, save a first draft
    province = next(a for a in demo_actors(rt) if a.role is Role.PROVINCE)
    theirs = {"values": {"1.1": "Không đạt"}, "evidence": {}, "note": "Bản của Tỉnh đoàn"}
    assessments.save_draft(rt, province, CYCLE, unit_id_of(rt, COMPANY_2), theirs, "k-tinh")

    for _ in range(2):  # a second click after the refusal is refused too
        click(at, "Lưu nháp")
        assert "đã bị người khác sửa sau khi bạn mở biểu mẫu; chưa lưu gì" in errors(at)
        kept = official(stored(), COMPANY_2)
        assert (kept.note, kept.version) == ("Bản của Tỉnh đoàn", 1)

    click(at, "Tải lại biểu mẫu với dữ liệu mới nhất")
    assert not at.error
    assert field(at, "radio", "1.1").value == "Không đạt"  # now the form shows what was saved


def test_contents_are_named_noi_dung_with_their_titles_never_nd(open_app):
    at = fill_all(choose(opened(open_app, "upper"), COMPANY_2))
    click(at, "Lưu nháp")
    headings = [h.value for h in at.subheader]
    assert any(h.startswith("Nội dung 1. Chủ động") for h in headings)
    labels = [m.label for m in at.metric]
    assert {"Nội dung 1", "Nội dung 2", "Nội dung 3"} <= set(labels)
    shown = headings + labels + [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not [text for text in shown if "ND1" in text or "ND2" in text or "ND3" in text]
