"""Assessing units: drafts, submission and locking, reopening, scope, registration, cut-off,
stale forms, one all-or-nothing write, and stored results checked against a recomputation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from schemas.criteria import CriteriaSet, load_catalogue
from schemas.models import AssessmentState, Assessor, LatePolicy
from services import demo
from services.core.access import Role
from services.core.errors import AccessDenied, InvalidInput, NotAllowed
from services.core.records import new_request_key, record_id
from services.core.runtime import Runtime
from services.registration import cycles, plans
from services.storage import Append, Conflict, DuplicateRecord, Update
from services.year_end import assessments, decisions
from services.year_end.assessments import AssessmentClosed
from tests.support import year_end
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    OFFICER_BLOC,
    POLICE_UNION,
    audit_rows,
    changed,
    committed_writes,
    officer_of,
    plan,
    rows_of,
)
from tests.support.world import unit_id
from tests.support.year_end import SET, draft, good, send, view
from tests.support.year_end import round_ as round_  # noqa: F401 - the fixture, by its name

# ---- drafts, submission, locking ------------------------------------------------------------


def test_a_draft_may_be_incomplete_and_stores_computed_results_as_a_readable_copy(
    rt, people, round_
):
    cycle = round_()
    saved = draft(rt, people[Role.UPPER], cycle, data={"values": {"1.1": "Đạt"}})
    stored = rows_of(rt, "assessments", cycle_id=cycle)
    assert len(stored) == 1 and saved.assessment.id == stored[0]["id"]
    row = stored[0]
    assert (row["state"], row["assessor"]) == ("Nháp", "Đoàn cấp trên")
    assert (row["result_nd1"], row["result_nd2"], row["result"]) == ("Không đạt",) * 3
    assert row["points"] == "" and row["upper_unit_id"] == unit_id(rt, OFFICER_BLOC)
    assert row["criteria_set"] == SET
    assert row["criteria_fingerprint"] == load_catalogue()[SET].fingerprint
    items = rows_of(rt, "assessment_items", assessment_id=row["id"])
    assert [(i["criterion_id"], i["value"]) for i in items] == [("1.1", "Đạt")]


def test_values_are_stored_as_typed_and_the_results_follow_them(rt, people, round_):
    cycle = round_()
    saved = draft(rt, people[Role.UPPER], cycle, data=good(**{"2.4": "1.200"}))
    item = rows_of(rt, "assessment_items", assessment_id=saved.assessment.id, criterion_id="2.4")
    assert item[0]["value"] == "1.200"
    row = rows_of(rt, "assessments", id=saved.assessment.id)[0]
    assert (row["result_nd1"], row["result_nd2"], row["result_nd3"], row["result"]) == (
        "Đạt",
        "Đạt",
        "Đạt",
        "Đạt",
    )


@pytest.mark.parametrize(
    ("criterion", "typed", "words"),
    [
        ("1.1", "tốt", "Tiêu chí 1.1 (Có danh sách đoàn viên và cập nhật thường xuyên): phải là"),
        ("2.3", "ba", "Tiêu chí 2.3 (Tổ chức các hoạt động giáo dục"),
        ("3.3", "-1", "Tiêu chí 3.3 (Tham mưu tổ chức đối thoại"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_criterion_and_nothing_is_written(
    rt, people, round_, criterion, typed, words
):
    cycle = round_()
    with pytest.raises(InvalidInput) as refused:
        draft(rt, people[Role.UPPER], cycle, data=good(**{criterion: typed}))
    assert any(m.startswith(words) for m in refused.value.messages), refused.value.messages
    assert rows_of(rt, "assessments", cycle_id=cycle) == []


def test_submitting_needs_every_required_criterion_but_not_the_optional_one(rt, people, round_):
    cycle = round_()
    officer = people[Role.UPPER]
    opened = draft(rt, officer, cycle, data={"values": {"1.1": "Đạt"}})
    with pytest.raises(InvalidInput) as refused:
        send(rt, officer, cycle, data={"values": {"1.1": "Đạt"}}, after=opened)
    assert len(refused.value.messages) == 12  # 13 required criteria, one given; 3.4 optional
    assert "Tiêu chí 1.2 (Có theo dõi" in refused.value.messages[0]
    assert refused.value.messages[0].endswith("bắt buộc phải nhập trước khi gửi")
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["state"] == "Nháp"


def test_a_submitted_assessment_is_locked(rt, people, round_):
    cycle = round_()
    officer = people[Role.UPPER]
    sent = send(rt, officer, cycle)
    assert sent.assessment.state is AssessmentState.SUBMITTED and not sent.editable
    assert sent.assessment.submitted_by == officer.label and sent.assessment.on_time is True
    with pytest.raises(NotAllowed, match="đã gửi nên đã khoá"):
        send(rt, officer, cycle, data=good(**{"1.1": "Không đạt"}), after=sent)
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["result"] == "Đạt"


def test_a_failed_content_fails_the_unit_and_the_outcome_names_the_criterion(rt, people, round_):
    cycle = round_()
    send(rt, people[Role.UPPER], cycle, data=good(**{"3.3": "0"}))
    outcome = assessments.outcomes_of(rt.workbook(), rt.criteria, cycle)[unit_id(rt, COMPANY_2)]
    assert outcome.passed is False
    assert outcome.contents == {"ND1": True, "ND2": True, "ND3": False}
    assert outcome.failed_criteria == ("3.3",) and outcome.points is None
    assert (outcome.criteria_ref, outcome.upper_unit_id) == (SET, unit_id(rt, OFFICER_BLOC))


# ---- reopening -------------------------------------------------------------------------------


def test_a_reason_is_required_to_reopen(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    for who in (Role.UPPER, Role.PROVINCE):
        with pytest.raises(InvalidInput, match="Lý do mở lại: bắt buộc phải nhập"):
            assessments.reopen(rt, people[who], sent.assessment, "  ", new_request_key())
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["state"] == "Đã gửi"


def test_the_upper_unit_that_assessed_reopens_until_the_decision_then_only_the_province(rt):
    officer = year_end.officer(rt)
    province = next(a for a in demo.demo_actors(rt) if a.role is Role.PROVINCE)
    uid = year_end.passed(rt, COMPANY_2)
    sent = assessments.open_assessment(rt, officer, year_end.CYCLE, uid)
    assert sent.can_reopen
    opened = assessments.reopen(rt, officer, sent.assessment, "Sai số buổi", new_request_key())
    assert opened.assessment.state is AssessmentState.REOPENED
    assert opened.assessment.reopened_by == officer.label
    values = year_end.passing_values(rt.criteria[SET])
    assessments.submit(
        rt, officer, year_end.CYCLE, uid, {"values": values}, new_request_key(),
        loaded=opened.assessment, loaded_items=opened.items,
    )  # fmt: skip
    decision = {"number": "7-QĐ/HĐKC", "signed_on": "20/11/2026", "signer": "Bí thư (mẫu)"}
    decisions.record_decision(
        rt, officer, year_end.CYCLE, officer.unit_id, {**decision, "unit_ids": [uid]}, "qd-7"
    )
    sent = assessments.open_assessment(rt, officer, year_end.CYCLE, uid)
    assert not sent.can_reopen
    assert "Quyết định công nhận số 7-QĐ/HĐKC" in assessments.reopen_hint(
        rt, officer, sent.assessment
    )
    with pytest.raises(AccessDenied, match="chỉ cán bộ Tỉnh đoàn mới mở lại được"):
        assessments.reopen(rt, officer, sent.assessment, "Sửa", new_request_key())
    assessments.reopen(rt, province, sent.assessment, "Theo kết luận thanh tra", new_request_key())
    audit = [r for r in audit_rows(rt) if r["action"] == "Mở lại đánh giá"]
    assert [changed(r)[1]["reopen_reason"] for r in audit] == [
        "Sai số buổi",
        "Theo kết luận thanh tra",
    ]


def test_a_secretary_cannot_reopen_the_official_assessment(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    with pytest.raises(AccessDenied):
        assessments.reopen(rt, people[Role.SECRETARY], sent.assessment, "Sửa", new_request_key())


def test_a_reopened_assessment_is_recorded_can_be_corrected_and_keeps_its_on_time(
    rt, people, round_, clock
):
    cycle = round_()
    officer, province = people[Role.UPPER], people[Role.PROVINCE]
    sent = send(rt, officer, cycle)
    reason = "Nhập nhầm tiêu chí 3.3"
    opened = assessments.reopen(rt, province, sent.assessment, reason, new_request_key())
    assert opened.assessment.state is AssessmentState.REOPENED
    assert (opened.assessment.reopened_by, opened.assessment.reopen_reason) == (
        province.label,
        reason,
    )
    audit = [r for r in audit_rows(rt) if r["action"] == "Mở lại đánh giá"]
    assert len(audit) == 1 and changed(audit[0])[1]["reopen_reason"] == reason
    mine = view(rt, officer, cycle)
    assert mine.editable
    clock.advance(days=60)  # past the cut-off: the on-time verdict of the first sending stays
    again = send(rt, officer, cycle, data=good(**{"3.3": "0"}), after=mine)
    assert again.assessment.state is AssessmentState.SUBMITTED
    assert again.assessment.result == "Không đạt" and again.assessment.on_time is True


def test_a_draft_cannot_be_reopened(rt, people, round_):
    cycle = round_()
    saved = draft(rt, people[Role.UPPER], cycle)
    with pytest.raises(NotAllowed, match="Chỉ mở lại được"):
        assessments.reopen(rt, people[Role.PROVINCE], saved.assessment, "Sửa", new_request_key())


# ---- who may do what ---------------------------------------------------------------------------


def test_another_upper_unit_a_viewer_and_another_units_secretary_cannot_assess(rt, people, round_):
    cycle = round_()
    for stranger in (officer_of(rt, POLICE_UNION), people[Role.VIEWER], people[Role.SECRETARY]):
        with pytest.raises(AccessDenied):
            draft(rt, stranger, cycle)
    assert rows_of(rt, "assessments") == []


def test_a_secretary_fills_a_self_assessment_that_does_not_count(rt, people, round_):
    cycle = round_()
    me = people[Role.SECRETARY]
    own = send(rt, me, cycle, name=COMPANY_1)
    assert own.assessment.assessor is Assessor.SELF and not own.official
    assert own.assessment.assessor_unit_id == me.unit_id
    assert assessments.outcomes_of(rt.workbook(), rt.criteria, cycle) == {}
    line = next(
        x
        for x in assessments.assessment_lines(rt, people[Role.UPPER], cycle)
        if x.unit.name == COMPANY_1
    )
    assert line.status == assessments.NOT_ASSESSED
    assert line.self_assessment.assessment.id == own.assessment.id
    upper_sees = view(rt, people[Role.UPPER], cycle, COMPANY_1, official=False)
    assert upper_sees.found is not None and not upper_sees.editable


def test_the_upper_units_draft_stays_its_own_until_it_is_sent(rt, people, round_):
    cycle = round_()
    officer, me = people[Role.UPPER], people[Role.SECRETARY]
    draft(rt, officer, cycle, name=COMPANY_1)
    assert view(rt, me, cycle, COMPANY_1, official=True).found is None
    opened = view(rt, officer, cycle, COMPANY_1)
    send(rt, officer, cycle, name=COMPANY_1, after=opened)
    seen = view(rt, me, cycle, COMPANY_1, official=True)
    assert seen.assessment.state is AssessmentState.SUBMITTED and not seen.editable


def test_outcomes_and_lists_are_limited_to_the_persons_units(rt, people, round_):
    cycle = round_()
    send(rt, people[Role.UPPER], cycle)
    hong_tien = unit_id(rt, COMPANY_2)
    assert set(assessments.official_outcomes(rt, people[Role.PROVINCE], cycle)) == {hong_tien}
    assert set(assessments.official_outcomes(rt, people[Role.UPPER], cycle)) == {hong_tien}
    assert assessments.official_outcomes(rt, officer_of(rt, POLICE_UNION), cycle) == {}
    names = {x.unit.name for x in assessments.assessment_lines(rt, people[Role.UPPER], cycle)}
    own_khoi = people[Role.UPPER].unit_id  # its units: the grassroots units directly below it
    below = {u.name for u in rt.workbook().units.values() if u.parent_id == own_khoi and u.active}
    assert {COMPANY_2, COMPANY_1} <= names and names == below
    with pytest.raises(AccessDenied):
        view(rt, officer_of(rt, POLICE_UNION), cycle)


# ---- registered units only -------------------------------------------------------------------


def test_an_unregistered_unit_is_not_registered_not_failed_and_cannot_be_assessed(
    rt, people, round_
):
    cycle = round_()
    tien_lu = officer_of(rt, POLICE_UNION)
    lines = assessments.assessment_lines(rt, tien_lu, cycle)
    assert lines and {x.status for x in lines} == {assessments.NOT_REGISTERED}
    with pytest.raises(NotAllowed, match="chưa đăng ký"):
        draft(rt, tien_lu, cycle, name=lines[0].unit.name)
    assert assessments.status_of(rt.workbook(), rt.criteria, cycle, lines[0].unit.id) == (
        assessments.NOT_REGISTERED
    )


def test_a_registration_returned_for_correction_does_not_make_a_unit_assessable(rt, people, round_):
    cycle = round_()
    officer = people[Role.UPPER]
    reg = rt.workbook().registration(cycle, unit_id(rt, COMPANY_1))
    plans.return_for_correction(rt, officer, reg, "Bổ sung lộ trình", new_request_key())
    with pytest.raises(NotAllowed, match="chưa đăng ký"):
        draft(rt, officer, cycle, name=COMPANY_1)
    status = assessments.status_of(rt.workbook(), rt.criteria, cycle, unit_id(rt, COMPANY_1))
    assert status == assessments.NOT_REGISTERED


def test_statuses_follow_the_official_assessment(rt, people, round_):
    cycle = round_()
    officer = people[Role.UPPER]

    def status(name: str) -> str:
        return assessments.status_of(rt.workbook(), rt.criteria, cycle, unit_id(rt, name))

    assert status(COMPANY_2) == assessments.NOT_ASSESSED
    opened = draft(rt, officer, cycle)
    assert status(COMPANY_2) == assessments.DRAFT
    sent = send(rt, officer, cycle, data=good(**{"1.1": "Không đạt"}), after=opened)
    assert status(COMPANY_2) == assessments.FAILED
    assessments.reopen(rt, people[Role.PROVINCE], sent.assessment, "Sửa", new_request_key())
    assert status(COMPANY_2) == assessments.REOPENED
    send(rt, officer, cycle, after=view(rt, officer, cycle))
    assert status(COMPANY_2) == assessments.PASSED


# ---- cut-off -----------------------------------------------------------------------------------


def close_assessment(rt, people, cycle_id: str, policy: LatePolicy) -> None:
    """Province staff set the cycle's assessment cut-off to the end of 20/11/2026 (before NOW)."""
    held = rt.workbook().cycles[cycle_id]
    draft_ = replace(cycles.draft_of(held), assess_last_day=date(2026, 11, 20), late_policy=policy)
    cycles.save_cycle(rt, people[Role.PROVINCE], draft_, new_request_key(), loaded=held)


def test_after_the_cut_off_a_refusing_cycle_keeps_drafts_but_refuses_the_first_sending(
    rt, people, round_
):
    cycle = round_(last_day=date(2026, 11, 1))
    close_assessment(rt, people, cycle, LatePolicy.REFUSE)
    opened = draft(rt, people[Role.UPPER], cycle)
    with pytest.raises(AssessmentClosed, match="hết ngày 20/11/2026"):
        send(rt, people[Role.UPPER], cycle, after=opened)
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["state"] == "Nháp"


def test_after_the_cut_off_a_flagging_cycle_accepts_and_records_late(rt, people, round_):
    cycle = round_(last_day=date(2026, 11, 1))
    close_assessment(rt, people, cycle, LatePolicy.FLAG)
    sent = send(rt, people[Role.UPPER], cycle)
    assert sent.assessment.on_time is False
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["on_time"] == "Không"


def test_a_new_cycle_is_assessed_until_the_end_of_its_year_by_default(rt, new_cycle):
    cycle_id = new_cycle(year=2030)
    cycle = rt.workbook().cycles[cycle_id]
    assert cycle.assess_cutoff.isoformat() == "2031-01-01T00:00:00+07:00"
    assert cycles.draft_of(cycle).assess_last_day == date(2030, 12, 31)


def test_a_cycle_without_the_new_cells_gets_the_default_cut_off(rt):
    old = rt.workbook().cycles["CK-2026"].model_copy(update={"assess_cutoff": None})
    assert cycles.assessment_cutoff(old).isoformat() == "2027-01-01T00:00:00+07:00"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"points_threshold": 10}, "Ngưỡng điểm: bộ tiêu chí chưa khai báo điểm"),
        ({"assess_last_day": date(2029, 10, 1)}, "Hạn đánh giá: phải sau hạn đăng ký"),
    ],
)
def test_a_cycle_refuses_points_its_set_cannot_give_and_an_early_assessment_cut_off(
    rt, people, changes, words
):
    draft_ = replace(cycles.draft_for(rt, 2030), criteria_set=SET, **changes)
    with pytest.raises(InvalidInput) as refused:
        cycles.save_cycle(rt, people[Role.PROVINCE], draft_, new_request_key())
    assert any(m.startswith(words) for m in refused.value.messages), refused.value.messages


# ---- stale forms and one write -----------------------------------------------------------------


def test_a_form_opened_before_someone_elses_save_is_a_conflict(rt, people, round_):
    cycle = round_()
    officer, province = people[Role.UPPER], people[Role.PROVINCE]
    opened = draft(rt, officer, cycle)
    mine, theirs = view(rt, officer, cycle), view(rt, province, cycle)
    assessments.save_draft(  # province staff correct the draft meanwhile
        rt,
        province,
        cycle,
        unit_id(rt, COMPANY_2),
        good(**{"1.2": "Không đạt"}),
        new_request_key(),
        loaded=theirs.assessment,
        loaded_items=theirs.items,
    )
    with pytest.raises(Conflict) as stale:
        send(rt, officer, cycle, after=mine)
    assert {c.field for c in stale.value.changes} >= {"version", "result_nd1"}
    assert opened.assessment.id == rows_of(rt, "assessments", cycle_id=cycle)[0]["id"]
    assert rows_of(rt, "assessments", cycle_id=cycle)[0]["result_nd1"] == "Không đạt"


def test_a_second_first_draft_for_the_same_unit_is_a_conflict_showing_what_was_saved(
    rt, people, round_
):
    cycle = round_()
    draft(rt, people[Role.UPPER], cycle)
    with pytest.raises(Conflict) as refused:
        draft(rt, people[Role.PROVINCE], cycle)  # its form was opened before the first draft
    (stored,) = rows_of(rt, "assessments", cycle_id=cycle)
    assert refused.value.id == stored["id"]
    shown = {c.field: (c.loaded, c.current) for c in refused.value.changes}
    assert shown["state"] == ("", stored["state"]) and shown["result"] == ("", stored["result"])


def test_the_record_its_items_and_their_audit_rows_are_one_write(rt, people, round_):
    cycle = round_()
    audits = len(audit_rows(rt))
    with committed_writes(rt) as writes:
        saved = draft(rt, people[Role.UPPER], cycle)
    assert writes == [1]  # one transaction
    items = rows_of(rt, "assessment_items", assessment_id=saved.assessment.id)
    assert len(items) == 13  # a row per criterion with a value or a note (3.4 has neither)
    new = audit_rows(rt)[audits:]
    assert len(new) == 1 + len(items)
    assert {r["record_id"] for r in new} == {saved.assessment.id} | {i["id"] for i in items}
    assert len({r["id"] for r in new}) == len(new)
    assert all(r["request_key"].endswith(new[0]["request_key"]) for r in new)


def test_when_one_item_cannot_be_written_nothing_is(rt, people, round_):
    cycle = round_()
    key = new_request_key()
    taken = assessments.item_id(record_id("assessments", key), "2.3")
    rt.store.apply([Append("assessment_items", {"id": taken, "assessment_id": "khác"})])
    audits = len(audit_rows(rt))
    with pytest.raises(DuplicateRecord):
        assessments.save_draft(rt, people[Role.UPPER], cycle, unit_id(rt, COMPANY_2), good(), key)
    assert rows_of(rt, "assessments") == []
    assert len(rows_of(rt, "assessment_items")) == 1
    assert len(audit_rows(rt)) == audits


def test_a_retried_submission_is_stored_once(rt, people, round_):
    cycle = round_()
    key = new_request_key()
    uid = unit_id(rt, COMPANY_2)
    first = assessments.save_draft(rt, people[Role.UPPER], cycle, uid, good(), key)
    again = assessments.save_draft(rt, people[Role.UPPER], cycle, uid, good(), key)
    assert first.assessment.id == again.assessment.id
    assert len(rows_of(rt, "assessments")) == 1


# ---- stored copies checked against the recomputation ------------------------------------------


def test_a_result_edited_by_hand_is_listed_and_the_unit_needs_checking(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    rt.store.apply(  # a person types over the stored result in the sheet
        [Update("assessments", sent.assessment.id, {"result": "Đạt"}, {"result": "Không đạt"})]
    )
    wb = rt.workbook()
    problems = assessments.assessment_problems(wb, rt.criteria)
    assert [(p.tab, p.column, p.record_id) for p in problems] == [
        ("assessments", "Kết quả chung", sent.assessment.id)
    ]
    assert "Kết quả lưu 'Không đạt' khác kết quả tính lại từ các tiêu chí 'Đạt'" in (
        problems[0].message
    )
    assert problems[0].row == 2
    hong_tien = unit_id(rt, COMPANY_2)
    assert assessments.status_of(wb, rt.criteria, cycle, hong_tien) == assessments.NEEDS_CHECK
    outcome = assessments.outcomes_of(wb, rt.criteria, cycle)[hong_tien]
    assert outcome.passed is True and outcome.needs_check is True  # the inputs decide


def test_a_criterion_value_edited_by_hand_changes_the_recomputed_outcome(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    item = sent.items["1.1"]
    rt.store.apply([Update("assessment_items", item.id, {"value": "Đạt"}, {"value": "Không"})])
    wb = rt.workbook()
    outcome = assessments.outcomes_of(wb, rt.criteria, cycle)[unit_id(rt, COMPANY_2)]
    assert outcome.passed is False and outcome.failed_criteria == ("1.1",)
    columns = {p.column for p in assessments.assessment_problems(wb, rt.criteria)}
    assert columns == {"Kết quả nội dung 1", "Kết quả chung"}


def test_an_unreadable_value_typed_in_the_sheet_is_listed_on_its_item_row(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    item = sent.items["2.3"]
    rt.store.apply([Update("assessment_items", item.id, {"value": "4"}, {"value": "bốn"})])
    problems = assessments.assessment_problems(rt.workbook(), rt.criteria)
    on_item = [p for p in problems if p.tab == "assessment_items"]
    assert [(p.record_id, p.column) for p in on_item] == [(item.id, "Giá trị")]
    assert "Tiêu chí 2.3: phải là số nguyên" in on_item[0].message


def test_results_recompute_with_the_set_version_the_assessment_names(rt, people, round_):
    cycle = round_()
    send(rt, people[Role.UPPER], cycle)
    held = rt.workbook().cycles[cycle]
    other = replace(cycles.draft_of(held), criteria_set="3cd-2018-2022@1")
    cycles.save_cycle(rt, people[Role.PROVINCE], other, new_request_key(), loaded=held)
    outcome = assessments.outcomes_of(rt.workbook(), rt.criteria, cycle)[unit_id(rt, COMPANY_2)]
    assert (outcome.criteria_ref, outcome.passed, outcome.needs_check) == (SET, True, False)
    assert view(rt, people[Role.UPPER], cycle).criteria.ref == SET


def test_an_assessment_whose_set_changed_or_vanished_needs_checking(rt, people, round_):
    cycle = round_()
    send(rt, people[Role.UPPER], cycle)
    shipped = load_catalogue()
    changed_set = CriteriaSet.from_data(
        shipped[SET].model_dump(mode="json") | {"title": "Bộ đã sửa lén"}
    )
    for catalogue, words in (
        (shipped | {SET: changed_set}, "đã bị sửa sau khi đơn vị được đánh giá"),
        ({k: v for k, v in shipped.items() if k != SET}, "không có trong danh mục"),
    ):
        other = Runtime(rt.store, rt.clock, catalogue)
        problems = assessments.assessment_problems(other.workbook(), catalogue)
        assert any(words in p.message for p in problems), problems
        status = assessments.status_of(other.workbook(), catalogue, cycle, unit_id(rt, COMPANY_2))
        assert status == assessments.NEEDS_CHECK


def test_two_official_assessments_of_one_unit_are_both_listed(rt, people, round_):
    cycle = round_()
    sent = send(rt, people[Role.UPPER], cycle)
    copy = rows_of(rt, "assessments", id=sent.assessment.id)[0] | {"id": "DG-CHEPTAY"}
    rt.store.apply([Append("assessments", copy)])
    problems = assessments.assessment_problems(rt.workbook(), rt.criteria)
    assert {p.record_id for p in problems if "hai bản đánh giá" in p.message} == {
        sent.assessment.id,
        "DG-CHEPTAY",
    }


# ---- points, when a cycle switches them on ---------------------------------------------------


def test_a_cycle_with_a_points_threshold_computes_and_stores_points(rt, people, tmp_path):
    data = load_catalogue()[SET].model_dump(mode="json", exclude_defaults=True)
    data |= {"id": "3cd-diem", "period": [2031, 2031]}
    for content in data["contents"]:
        for criterion in content["criteria"]:
            criterion["points"] = 5
    scored = Runtime(
        rt.store, rt.clock, load_catalogue() | {"3cd-diem@1": CriteriaSet.from_data(data)}
    )
    draft_ = replace(cycles.draft_for(scored, 2031), points_threshold=60)
    assert draft_.criteria_set == "3cd-diem@1"
    cycle = cycles.save_cycle(scored, people[Role.PROVINCE], draft_, new_request_key()).id
    me = people[Role.SECRETARY]
    plans.register_plan(scored, me, cycle, me.unit_id, plan(), new_request_key())
    sent = send(scored, people[Role.UPPER], cycle, name=COMPANY_1)
    assert (sent.assessment.points, sent.assessment.points_threshold) == ("65", 60)
    outcome = assessments.official_outcomes(scored, people[Role.UPPER], cycle)[me.unit_id]
    assert (outcome.points, outcome.passed) == (65.0, True)
