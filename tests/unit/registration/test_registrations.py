"""Registration states and who may move them, on the demo province (open cycle CK-2027)."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import RegistrationState
from schemas.vntext import sort_key
from services.core.access import Role
from services.core.errors import AccessDenied, InvalidInput, NotAllowed, NotFound
from services.people import units
from services.registration import plans
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    OFFICER_BLOC,
    OPEN,
    POLICE_1,
    POLICE_UNION,
    audit_rows,
    changed,
    officer_of,
    plan,
    rows_of,
    secretary_of,
    unit_form,
)
from tests.support.world import unit_id


def registration(rt, name: str, cycle_id: str = OPEN):
    return rt.workbook().registration(cycle_id, unit_id(rt, name))


# ---- sending and editing --------------------------------------------------------------------


def test_a_secretary_sends_the_plan_and_it_is_waiting_for_review(rt, people):
    me = people[Role.SECRETARY]
    receipt = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    stored = registration(rt, COMPANY_1)
    assert receipt.state is RegistrationState.SENT and stored.state is RegistrationState.SENT
    assert receipt.reference == stored.id and receipt.unit_name == COMPANY_1
    assert receipt.on_time is True and receipt.cutoff_words == "hết ngày 15/12/2026"
    assert stored.upper_unit_id == unit_id(rt, OFFICER_BLOC)
    assert stored.sent_by == me.label


def test_a_second_registration_edits_the_first_and_keeps_one_row(rt, people, clock):
    me = people[Role.SECRETARY]
    first = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    clock.advance(hours=2)
    second = plans.register_plan(rt, me, OPEN, me.unit_id, plan(plan_number="07-KH/ĐTN"), "k2")
    rows = rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id)
    assert len(rows) == 1
    assert second.reference == first.reference == rows[0]["id"]
    assert rows[0]["plan_number"] == "07-KH/ĐTN" and rows[0]["version"] == "2"


def test_the_same_request_sent_twice_is_stored_once(rt, people, clock):
    me = people[Role.SECRETARY]
    first = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "same-key")
    audit_after_first = len(audit_rows(rt))
    clock.advance(seconds=40)  # a retried click, after the first reply was lost
    again = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "same-key")
    assert again.reference == first.reference and again.sent_at == first.sent_at
    assert len(rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id)) == 1
    assert len(audit_rows(rt)) == audit_after_first


def test_the_same_resend_sent_twice_is_stored_once(rt, people, clock):
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    edited = plan(plan_number="07-KH/ĐTN")
    plans.register_plan(rt, me, OPEN, me.unit_id, edited, "k2")
    audit_after_resend = len(audit_rows(rt))
    clock.advance(seconds=40)
    again = plans.register_plan(rt, me, OPEN, me.unit_id, edited, "k2")
    assert again.state is RegistrationState.SENT
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id)[0]["version"] == "2"
    assert len(audit_rows(rt)) == audit_after_resend


# ---- review by the upper unit -----------------------------------------------------------------


def test_the_upper_officer_accepts_a_sent_registration(rt, people):
    officer = people[Role.UPPER]
    accepted = plans.accept(rt, officer, registration(rt, COMPANY_2), "k1")
    stored = registration(rt, COMPANY_2)
    assert accepted.state is RegistrationState.ACCEPTED and stored.state is accepted.state
    assert stored.reviewed_by == officer.label and stored.reviewed_at is not None


def test_the_upper_officer_returns_a_registration_with_its_reason(rt, people):
    officer = people[Role.UPPER]
    plans.return_for_correction(
        rt, officer, registration(rt, COMPANY_2), "  Bổ sung lộ trình ND3\n(mục 3.3) ", "k1"
    )
    stored = registration(rt, COMPANY_2)
    assert stored.state is RegistrationState.RETURNED
    assert stored.return_reason == "Bổ sung lộ trình ND3\n(mục 3.3)"


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_returning_needs_a_reason_and_writes_nothing_without_one(rt, people, reason):
    before = registration(rt, COMPANY_2)
    audit_before = len(audit_rows(rt))
    with pytest.raises(InvalidInput) as refused:
        plans.return_for_correction(rt, people[Role.UPPER], before, reason, "k1")
    assert refused.value.messages[0].startswith("Lý do trả lại: bắt buộc")
    assert registration(rt, COMPANY_2).cells == before.cells
    assert len(audit_rows(rt)) == audit_before


def test_a_resend_after_a_return_is_sent_again_and_the_reason_is_cleared(rt, people):
    officer = people[Role.UPPER]
    plans.return_for_correction(rt, officer, registration(rt, COMPANY_2), "Thiếu ND3", "k1")
    me = secretary_of(rt, COMPANY_2)
    receipt = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k2")
    stored = registration(rt, COMPANY_2)
    assert receipt.state is RegistrationState.SENT and stored.state is RegistrationState.SENT
    assert stored.return_reason == ""


def test_an_accepted_registration_cannot_be_edited_by_the_unit(rt, people):
    plans.accept(rt, people[Role.UPPER], registration(rt, COMPANY_2), "k1")
    accepted = registration(rt, COMPANY_2)
    me = secretary_of(rt, COMPANY_2)
    with pytest.raises(NotAllowed) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, plan(plan_number="99"), "k2")
    assert OFFICER_BLOC in str(refused.value)
    assert registration(rt, COMPANY_2).cells == accepted.cells


def test_a_registration_cannot_be_accepted_twice(rt, people):
    plans.accept(rt, people[Role.UPPER], registration(rt, COMPANY_2), "k1")
    with pytest.raises(NotAllowed):
        plans.accept(rt, people[Role.PROVINCE], registration(rt, COMPANY_2), "k2")


def test_a_returned_registration_cannot_be_accepted_until_it_is_resent(rt, people):
    officer = people[Role.UPPER]
    plans.return_for_correction(rt, officer, registration(rt, COMPANY_2), "Thiếu ND3", "k1")
    with pytest.raises(NotAllowed):
        plans.accept(rt, officer, registration(rt, COMPANY_2), "k2")


def test_the_same_acceptance_clicked_twice_is_stored_once(rt, people, clock):
    officer = people[Role.UPPER]
    loaded = registration(rt, COMPANY_2)
    plans.accept(rt, officer, loaded, "k1")
    audit_after_first = len(audit_rows(rt))
    clock.advance(seconds=30)
    again = plans.accept(rt, officer, loaded, "k1")
    assert again.state is RegistrationState.ACCEPTED
    assert len(audit_rows(rt)) == audit_after_first


def test_a_review_based_on_a_stale_form_is_a_conflict_and_keeps_the_other_review(rt, people):
    from services.storage import Conflict

    stale = registration(rt, COMPANY_2)
    plans.return_for_correction(rt, people[Role.PROVINCE], stale, "Thiếu ND3", "k1")
    with pytest.raises(Conflict) as conflict:
        plans.accept(rt, people[Role.UPPER], stale, "k2")
    fields = {c.field: (c.loaded, c.current) for c in conflict.value.changes}
    assert fields["state"] == ("Đã gửi", "Trả lại để sửa")
    assert registration(rt, COMPANY_2).state is RegistrationState.RETURNED


# ---- who may do what --------------------------------------------------------------------------


def test_a_secretary_cannot_register_another_unit(rt, people):
    me = people[Role.SECRETARY]
    other = unit_id(rt, COMPANY_2)  # a unit next to theirs, active and open for registration
    assert other != me.unit_id
    before = rows_of(rt, "registrations")
    with pytest.raises(AccessDenied):
        plans.register_plan(rt, me, OPEN, other, plan(), "k1")
    assert rows_of(rt, "registrations") == before


def test_a_secretary_cannot_review_even_their_own_registration(rt, people):
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    with pytest.raises(AccessDenied):
        plans.accept(rt, me, registration(rt, COMPANY_1), "k2")


@pytest.mark.parametrize("who", ["officer of Tiên Lữ", "viewer"])
def test_only_an_upper_unit_of_the_unit_reviews_its_registration(rt, people, who):
    actor = officer_of(rt, POLICE_UNION) if who == "officer of Tiên Lữ" else people[Role.VIEWER]
    before = registration(rt, COMPANY_2)
    with pytest.raises(AccessDenied):
        plans.accept(rt, actor, before, "k1")
    with pytest.raises(AccessDenied):
        plans.return_for_correction(rt, actor, before, "Thiếu ND3", "k2")
    assert registration(rt, COMPANY_2).cells == before.cells


def test_an_officer_of_another_district_cannot_enter_a_plan_on_behalf(rt, people):
    vuong = unit_id(rt, POLICE_1)
    with pytest.raises(AccessDenied):
        plans.register_plan(
            rt, people[Role.UPPER], OPEN, vuong, plan(), "k1", received_on=date(2026, 11, 24)
        )
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=vuong) == []


@pytest.mark.parametrize("who", [Role.UPPER, Role.PROVINCE])
def test_an_upper_unit_enters_a_paper_plan_on_behalf_of_its_unit(rt, people, who):
    thuan_hung = unit_id(rt, COMPANY_1)
    receipt = plans.register_plan(
        rt, people[who], OPEN, thuan_hung, plan(), "k1", received_on=date(2026, 11, 24)
    )
    assert receipt.state is RegistrationState.SENT and receipt.on_time is True
    assert registration(rt, COMPANY_1).sent_by == people[who].label


def test_an_inactive_unit_cannot_register(rt, people):
    province = people[Role.PROVINCE]
    loaded = units.get_unit(rt, province, unit_id(rt, COMPANY_1))
    units.edit_unit(rt, province, loaded, unit_form(loaded, active=False), "k1")
    me = people[Role.SECRETARY]
    with pytest.raises(NotAllowed) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k2")
    assert "ngừng hoạt động" in str(refused.value)


def test_an_upper_unit_cannot_register_a_plan_for_itself(rt, people):
    khoai_chau = unit_id(rt, OFFICER_BLOC)
    with pytest.raises(NotAllowed) as refused:
        plans.register_plan(
            rt,
            people[Role.PROVINCE],
            OPEN,
            khoai_chau,
            plan(),
            "k1",
            received_on=date(2026, 11, 24),
        )
    assert "không phải đoàn cơ sở" in str(refused.value)


def test_an_unknown_unit_or_cycle_is_not_found(rt, people):
    me = people[Role.SECRETARY]
    with pytest.raises(NotFound):
        plans.register_plan(rt, me, OPEN, "DV-9999", plan(), "k1")
    with pytest.raises(NotFound):
        plans.register_plan(rt, me, "CK-1999", me.unit_id, plan(), "k2")


# ---- what the plan must contain ---------------------------------------------------------------


def test_a_plan_dated_in_the_future_is_refused(rt, people):
    me = people[Role.SECRETARY]
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, plan("26/11/2026"), "k1")
    assert any(
        m.startswith("Ngày kế hoạch: ngày ") and "là ngày trong tương lai (hôm nay là " in m
        for m in refused.value.messages
    )


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"ND1": "a", "ND2": "b"}, "Nội dung 3: bắt buộc phải nhập"),
        ({"ND1": "a", "ND2": "  ", "ND3": "c"}, "Nội dung 2: bắt buộc phải nhập"),
        ({}, "Nội dung 1: bắt buộc phải nhập"),
        (
            {"ND1": "a", "ND2": "b", "ND3": "c", "ND4": "d"},
            "Mục tiêu: nội dung không có trong bộ tiêu chí: ND4",
        ),
        ({"ND1": "a" * 5001, "ND2": "b", "ND3": "c"}, "Nội dung 1: quá dài (tối đa 5000 ký tự)"),
    ],
)
def test_the_plan_needs_one_target_per_content_of_the_cycles_criteria_set(
    rt, people, targets, message
):
    me = people[Role.SECRETARY]
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, plan(targets=targets), "k1")
    assert message in refused.value.messages
    assert rows_of(rt, "registrations", cycle_id=OPEN, unit_id=me.unit_id) == []


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"plan_number": "  "}, "Số kế hoạch"),
        ({"plan_date": "31/02/2026"}, "Ngày kế hoạch"),
        ({"plan_date": None}, "Ngày kế hoạch"),
    ],
)
def test_the_plan_form_names_the_bad_field(rt, people, changes, label):
    me = people[Role.SECRETARY]
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(rt, me, OPEN, me.unit_id, plan(**changes), "k1")
    assert any(m.startswith(f"{label}: ") for m in refused.value.messages)


# ---- the audit log ----------------------------------------------------------------------------


def _send(rt, people):
    me = people[Role.SECRETARY]
    receipt = plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "w1")
    return me, "Gửi đăng ký", "registrations", receipt.reference, {"state": "Đã gửi"}


def _resend(rt, people):
    me = people[Role.SECRETARY]  # sent before as "w0" by the test's set-up
    receipt = plans.register_plan(rt, me, OPEN, me.unit_id, plan(plan_number="07-KH/ĐTN"), "w1")
    return me, "Gửi lại đăng ký", "registrations", receipt.reference, {"plan_number": "07-KH/ĐTN"}


def _accept(rt, people):
    reg = plans.accept(rt, people[Role.UPPER], registration(rt, COMPANY_2), "w1")
    return (
        people[Role.UPPER],
        "Tiếp nhận đăng ký",
        "registrations",
        reg.id,
        {"state": "Đã tiếp nhận"},
    )


def _return(rt, people):
    reg = plans.return_for_correction(
        rt, people[Role.UPPER], registration(rt, COMPANY_2), "Thiếu ND3", "w1"
    )
    after = {"state": "Trả lại để sửa", "return_reason": "Thiếu ND3"}
    return people[Role.UPPER], "Trả lại đăng ký", "registrations", reg.id, after


def _on_behalf(rt, people):
    receipt = plans.register_plan(
        rt,
        people[Role.UPPER],
        OPEN,
        unit_id(rt, COMPANY_1),
        plan(),
        "w1",
        received_on=date(2026, 11, 24),
    )
    after = {"received_on": "2026-11-24", "state": "Đã gửi"}
    return people[Role.UPPER], "Nhập thay đăng ký", "registrations", receipt.reference, after


def _extend(rt, people):
    thuan_hung = unit_id(rt, COMPANY_1)
    plans.grant_extension(rt, people[Role.UPPER], OPEN, thuan_hung, date(2026, 12, 31), "Lũ", "w1")
    ext = next(e for e in rt.workbook().extensions if e.unit_id == thuan_hung)
    return people[Role.UPPER], "Gia hạn đăng ký", "extensions", ext.id, {"reason": "Lũ"}


def _add_unit(rt, people):
    data = {
        "name": "Đoàn trường THPT Mẫu 9",
        "kind": "Trường THPT",
        "parent_id": unit_id(rt, OFFICER_BLOC),
        "members": "1.200",
        "chi_doan": "30",
    }
    added = units.add_unit(rt, people[Role.PROVINCE], data, "w1")
    return people[Role.PROVINCE], "Thêm đơn vị", "units", added.id, {"members": "1200"}


def _edit_unit(rt, people):
    loaded = units.get_unit(rt, people[Role.UPPER], unit_id(rt, COMPANY_1))
    units.edit_unit(rt, people[Role.UPPER], loaded, unit_form(loaded, phone="0987 654 321"), "w1")
    return people[Role.UPPER], "Sửa đơn vị", "units", loaded.id, {"phone": "0987654321"}


WRITES = [_send, _resend, _accept, _return, _on_behalf, _extend, _add_unit, _edit_unit]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__.strip("_"))
def test_every_write_appends_exactly_one_audit_row_with_who_what_and_before_after(
    rt, people, write
):
    if write is _resend:  # its first send is set-up, not the write under test
        me = people[Role.SECRETARY]
        plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "w0")
    before_rows = audit_rows(rt)
    actor, action, tab, record_id, expected_after = write(rt, people)
    new = audit_rows(rt)[len(before_rows) :]
    assert len(new) == 1
    row = new[0]
    assert (row["actor"], row["action"], row["tab"], row["record_id"]) == (
        actor.label,
        action,
        tab,
        record_id,
    )
    assert row["request_key"] == "w1" and row["at"].endswith("+07:00")
    before, after = changed(row)
    assert set(before) == set(after) and expected_after.items() <= after.items()
    stored = rows_of(rt, tab, id=record_id)[0]
    assert all(stored[f] == value for f, value in after.items())
    assert all(before[f] != after[f] for f in after)


def test_the_review_list_holds_only_units_the_person_may_review(rt, people):
    upper = people[Role.UPPER]
    lines = plans.review_lines(rt, upper, OPEN)
    wb = rt.workbook()
    own_units = {wb.units[uid].name for uid in wb.children[upper.unit_id]}
    assert [line.unit.name for line in lines] == sorted(own_units, key=sort_key)  # Vietnamese order
    status = {line.unit.name: line for line in lines}
    assert status[COMPANY_2].status == "Đúng hạn" and status[COMPANY_2].registration is not None
    assert status[COMPANY_1].status == "Chưa đăng ký" and status[COMPANY_1].registration is None
    assert all((line.registration is None) == (line.status == "Chưa đăng ký") for line in lines)
    assert plans.review_lines(rt, people[Role.VIEWER], OPEN) == []
    assert plans.review_lines(rt, people[Role.SECRETARY], OPEN) == []
