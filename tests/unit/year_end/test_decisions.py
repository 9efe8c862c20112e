"""Recognition decisions: only passed units, the issuer's scope, numbers, one recognition per cycle,
history of the upper unit, one all-or-nothing write with its audit rows, corrections, the annex."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest

from schemas.models import Role
from services.core.access import Actor
from services.core.errors import AccessDenied, InvalidInput
from services.core.runtime import Runtime
from services.people import units
from services.registration import plans
from services.storage import Append, Conflict
from services.year_end import assessments, decision_lists, decisions
from tests.support.builders import (
    audit_rows,
    committed_writes,
    officer_of,
    plan,
    rows_of,
    unit_form,
)
from tests.support.world import NOW, unit_id
from tests.support.year_end import passing_values

YEAR = 2023  # a past year the demo has no cycle for: decisions can be signed in it


@pytest.fixture
def cycle(new_cycle) -> str:
    return new_cycle(year=YEAR)


@pytest.fixture
def khoai_chau(rt) -> Actor:
    return officer_of(rt, "Đoàn Khối Doanh nghiệp Mẫu 2")


def assessed(
    rt: Runtime, officer: Actor, cycle: str, name: str, passed: bool = True, submit: bool = True
) -> str:
    """Register a unit (entered by its upper unit) and give it an official assessment."""
    uid = unit_id(rt, name)
    plans.register_plan(
        rt,
        officer,
        cycle,
        uid,
        plan("01/09/2023"),
        f"{uid}-registration",
        received_on=date(2023, 10, 2),
    )
    criteria = rt.criteria[rt.workbook().cycles[cycle].criteria_set]
    values = passing_values(criteria)
    if not passed:
        first = next(cid for cid, c in criteria.criteria.items() if c.required and c.kind == "dat")
        values[first] = "Không đạt"
    save = assessments.submit if submit else assessments.save_draft
    save(rt, officer, cycle, uid, {"values": values}, f"{uid}-assessment")
    return uid


def form(unit_ids: list[str], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "125-QĐ/ĐTN",
        "signed_on": "20/11/2026",
        "signer": "Bí thư Huyện đoàn (mẫu)",
        "note": "",
        "unit_ids": unit_ids,
    }
    data.update(changes)
    return data


def record(rt, actor, cycle, issuer, unit_ids, key="qd-1", **changes):
    return decisions.record_decision(rt, actor, cycle, issuer, form(unit_ids, **changes), key)


def messages(exc: pytest.ExceptionInfo) -> str:
    return " | ".join(exc.value.messages)


# ---- recording --------------------------------------------------------------------------------


def test_an_upper_officer_recognises_its_passed_units_with_their_upper_unit_of_the_time(
    rt, cycle, khoai_chau
):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")

    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien, thuan_hung])

    stored = rt.workbook().decisions[saved.id]
    assert (stored.number, stored.signed_on, stored.unit_id) == (
        "125-QĐ/ĐTN",
        date(2026, 11, 20),
        khoai_chau.unit_id,
    )
    listed = rows_of(rt, "decision_units", decision_id=saved.id)
    assert {r["unit_id"] for r in listed} == {hong_tien, thuan_hung}
    assert {r["upper_unit_id"] for r in listed} == {khoai_chau.unit_id}
    assert set(decisions.recognised(rt.workbook(), cycle)) == {hong_tien, thuan_hung}


def test_the_decision_its_units_and_their_audit_rows_land_in_one_write(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")
    with committed_writes(rt) as writes:
        saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien, thuan_hung])

    assert writes == [1]  # one transaction
    audited = [r for r in audit_rows(rt) if r["request_key"] or r["record_id"]]
    decision_rows = rows_of(rt, "decision_units", decision_id=saved.id)
    audited_ids = {r["record_id"] for r in audited}
    assert saved.id in audited_ids
    assert {r["id"] for r in decision_rows} <= audited_ids
    assert len({r["id"] for r in audit_rows(rt)}) == len(audit_rows(rt))  # audit ids distinct


def test_a_unit_that_failed_is_refused_by_name_and_nothing_is_stored(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1", passed=False)

    with pytest.raises(InvalidInput) as refused:
        record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien, thuan_hung])

    assert "Đoàn cơ sở Công ty Mẫu 1" in messages(refused) and "không đạt" in messages(refused)
    assert rows_of(rt, "decisions") == [] and rows_of(rt, "decision_units") == []


@pytest.mark.parametrize("how", ["draft only", "not assessed", "self-assessment only"])
def test_a_unit_without_a_submitted_official_assessment_is_refused(rt, cycle, khoai_chau, how):
    thuan_hung = unit_id(rt, "Đoàn cơ sở Công ty Mẫu 1")
    if how == "draft only":
        assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1", submit=False)
    else:
        plans.register_plan(
            rt,
            khoai_chau,
            cycle,
            thuan_hung,
            plan("01/09/2023"),
            "reg",
            received_on=date(2023, 9, 5),
        )
    if how == "self-assessment only":
        secretary = Actor("bt@mau.example", "Bí thư", Role.SECRETARY, thuan_hung)
        values = passing_values(rt.criteria[rt.workbook().cycles[cycle].criteria_set])
        assessments.submit(rt, secretary, cycle, thuan_hung, {"values": values}, "self")

    with pytest.raises(InvalidInput) as refused:
        record(rt, khoai_chau, cycle, khoai_chau.unit_id, [thuan_hung])
    assert "Đoàn cơ sở Công ty Mẫu 1: chưa có kết quả đánh giá chính thức" in messages(refused)
    assert decisions.eligible_units(rt, khoai_chau, cycle, khoai_chau.unit_id) == []


def test_eligible_units_are_the_passed_ones_not_yet_recognised(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1", passed=False)
    eligible = decisions.eligible_units(rt, khoai_chau, cycle, khoai_chau.unit_id)
    assert [e.unit.id for e in eligible] == [hong_tien]

    record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    assert decisions.eligible_units(rt, khoai_chau, cycle, khoai_chau.unit_id) == []


def test_an_officer_cannot_list_a_unit_of_another_upper_unit(rt, cycle, khoai_chau):
    tien_lu = officer_of(rt, "Huyện đoàn Tiên Lữ")
    vuong = assessed(rt, tien_lu, cycle, "Đoàn thị trấn Vương")
    with pytest.raises(AccessDenied, match="Đoàn thị trấn Vương không trực thuộc"):
        record(rt, khoai_chau, cycle, khoai_chau.unit_id, [vuong])
    assert rows_of(rt, "decisions") == []


@pytest.mark.parametrize("role", [Role.UPPER, Role.SECRETARY, Role.VIEWER])
def test_only_the_issuer_or_province_staff_record_its_decision(rt, cycle, khoai_chau, role):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    other_unit = {
        Role.UPPER: unit_id(rt, "Huyện đoàn Tiên Lữ"),
        Role.SECRETARY: hong_tien,
        Role.VIEWER: khoai_chau.unit_id,
    }[role]
    stranger = Actor("x@mau.example", "Người khác", role, other_unit)
    with pytest.raises(AccessDenied):
        record(rt, stranger, cycle, khoai_chau.unit_id, [hong_tien])
    assert rows_of(rt, "decisions") == []


def test_province_staff_record_a_paper_decision_on_an_upper_units_behalf(
    rt, people, cycle, khoai_chau
):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    saved = record(rt, people[Role.PROVINCE], cycle, khoai_chau.unit_id, [hong_tien])
    assert saved.unit_id == khoai_chau.unit_id
    assert saved.recorded_by == people[Role.PROVINCE].label


def test_the_province_recognises_a_unit_directly_under_it(rt, people, cycle):
    province = people[Role.PROVINCE]
    school = "Đoàn trường ĐH Sư phạm Kỹ thuật Hưng Yên"
    uid = assessed(rt, province, cycle, school)
    saved = record(rt, province, cycle, province.unit_id, [uid], number="01-QĐ/TĐTN")
    row = rows_of(rt, "decision_units", decision_id=saved.id)[0]
    assert (row["unit_id"], row["upper_unit_id"]) == (uid, province.unit_id)


def test_the_provinces_own_decision_cannot_list_a_unit_of_a_district_union(rt, people, cycle):
    khoai_chau = officer_of(rt, "Đoàn Khối Doanh nghiệp Mẫu 2")
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    province = people[Role.PROVINCE]
    with pytest.raises(
        AccessDenied, match="do Đoàn cấp trên trực tiếp .Đoàn Khối Doanh nghiệp Mẫu 2"
    ):
        record(rt, province, cycle, province.unit_id, [hong_tien], number="09-QĐ/TĐTN")
    assert rows_of(rt, "decisions") == []


def test_a_unit_recognised_by_one_decision_cannot_be_listed_by_another(
    rt, people, cycle, khoai_chau
):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    with pytest.raises(InvalidInput) as refused:  # province staff entering a paper decision
        record(
            rt,
            people[Role.PROVINCE],
            cycle,
            khoai_chau.unit_id,
            [hong_tien],
            key="qd-2",
            number="09-QĐ/HĐKC",
        )
    assert "Đoàn cơ sở Công ty Mẫu 2: đã được công nhận tại Quyết định số 125-QĐ/ĐTN" in messages(
        refused
    )
    assert len(rows_of(rt, "decision_units", unit_id=hong_tien)) == 1


def test_the_same_number_twice_for_one_issuer_and_cycle_is_refused(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")
    record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    with pytest.raises(InvalidInput) as refused:
        record(
            rt,
            khoai_chau,
            cycle,
            khoai_chau.unit_id,
            [thuan_hung],
            key="qd-2",
            number=" 125-qđ/đtn ",
        )
    assert "Số quyết định" in messages(refused) and "đã ghi Quyết định số 125" in messages(refused)
    # another number is a supplementary decision, and fine
    record(rt, khoai_chau, cycle, khoai_chau.unit_id, [thuan_hung], key="qd-3", number="130")
    assert len(rows_of(rt, "decisions")) == 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"number": "  "}, "Số quyết định: bắt buộc phải nhập"),
        ({"signed_on": "31/02/2026"}, "Ngày ký: ngày không tồn tại"),
        ({"signed_on": "hôm qua"}, "Ngày ký: phải là ngày dạng ngày/tháng/năm"),
        ({"signed_on": "26/11/2026"}, "Ngày ký: không được sau hôm nay (25/11/2026)"),
        ({"signed_on": "31/12/2022"}, "không thể ký trước 01/01/2023"),
        ({"signer": ""}, "Người ký: bắt buộc phải nhập"),
        ({"unit_ids": []}, "hãy chọn ít nhất một đơn vị"),
    ],
)
def test_bad_decision_fields_are_refused_in_vietnamese(rt, cycle, khoai_chau, changes, expected):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    data = form(**{"unit_ids": [hong_tien], **changes})
    with pytest.raises(InvalidInput) as refused:
        decisions.record_decision(rt, khoai_chau, cycle, khoai_chau.unit_id, data, "bad")
    assert expected in messages(refused)
    assert rows_of(rt, "decisions") == []


def test_a_retried_submission_is_stored_once(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    first = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien], key="same")
    again = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien], key="same")
    assert again.id == first.id
    assert len(rows_of(rt, "decisions")) == 1 and len(rows_of(rt, "decision_units")) == 1


def test_a_unit_that_moved_keeps_the_upper_unit_it_had_on_its_decision(
    rt, people, cycle, khoai_chau
):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    unit = rt.workbook().units[hong_tien]
    province = people[Role.PROVINCE]
    units.edit_unit(rt, province, unit, unit_form(unit, parent_id=province.unit_id), "move")

    view = decision_lists.decision_of(rt, province, saved.id)
    assert [(u.unit_name, u.upper_name) for u in view.units] == [
        ("Đoàn cơ sở Công ty Mẫu 2", "Đoàn Khối Doanh nghiệp Mẫu 2")
    ]


# ---- corrections ------------------------------------------------------------------------------


def test_a_correction_adds_and_takes_off_units_keeping_the_removed_row(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")
    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])

    fixed = decisions.correct_decision(
        rt, khoai_chau, saved, form([thuan_hung], signer="Phó Bí thư (mẫu)"), "fix-1"
    )

    assert fixed.signer == "Phó Bí thư (mẫu)" and fixed.version == 2
    assert set(decisions.recognised(rt.workbook(), cycle)) == {thuan_hung}
    removed = rows_of(rt, "decision_units", unit_id=hong_tien)[0]
    assert removed["removed_at"] and removed["removed_by"] == khoai_chau.label
    actions = [r["action"] for r in audit_rows(rt) if r["tab"].startswith("decision")]
    assert "Đưa đơn vị ra khỏi quyết định công nhận" in actions
    assert "Sửa quyết định công nhận" in actions
    # a unit taken off may be recognised again (here by the same decision)
    decisions.correct_decision(
        rt, khoai_chau, rt.workbook().decisions[saved.id], form([thuan_hung, hong_tien]), "fix-2"
    )
    assert set(decisions.recognised(rt.workbook(), cycle)) == {thuan_hung, hong_tien}


def test_a_correction_based_on_an_old_copy_is_a_conflict(rt, people, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")
    opened = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    decisions.correct_decision(
        rt, people[Role.PROVINCE], opened, form([hong_tien, thuan_hung]), "someone-else"
    )
    rt.clock.set(NOW + timedelta(minutes=5))  # the officer saves a few minutes later
    with pytest.raises(Conflict):
        decisions.correct_decision(rt, khoai_chau, opened, form([hong_tien]), "mine")
    assert set(decisions.recognised(rt.workbook(), cycle)) == {hong_tien, thuan_hung}


def test_a_correction_cannot_add_a_failed_unit(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1", passed=False)
    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    with pytest.raises(InvalidInput, match="Đoàn cơ sở Công ty Mẫu 1"):
        decisions.correct_decision(rt, khoai_chau, saved, form([hong_tien, thuan_hung]), "f")
    assert rt.workbook().decisions[saved.id].version == 1


# ---- the annex --------------------------------------------------------------------------------


def test_the_annex_downloads_with_every_text_a_text_cell(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    thuan_hung = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 1")
    saved = record(
        rt,
        khoai_chau,
        cycle,
        khoai_chau.unit_id,
        [thuan_hung, hong_tien],
        number="=1+2",
        note="+84912345678",
    )

    book = openpyxl.load_workbook(io.BytesIO(decision_lists.annex_xlsx(rt, khoai_chau, saved.id)))
    annex = list(book["Danh sách công nhận"].iter_rows(values_only=True))
    assert annex[0] == decision_lists.ANNEX_HEADER
    assert [r[:4] for r in annex[1:]] == [  # in Vietnamese order of the units' names
        (1, "Đoàn cơ sở Công ty Mẫu 1", "Đoàn Khối Doanh nghiệp Mẫu 2", "Doanh nghiệp"),
        (2, "Đoàn cơ sở Công ty Mẫu 2", "Đoàn Khối Doanh nghiệp Mẫu 2", "Doanh nghiệp"),
    ]
    assert annex[1][4].startswith("Đạt (3/3 nội dung)")
    about = {row[0].value: row[1] for row in book["Quyết định"].iter_rows(min_row=2)}
    assert about["Số quyết định"].value == "=1+2" and about["Số quyết định"].data_type == "s"
    assert about["Ghi chú"].value == "+84912345678" and about["Ghi chú"].data_type == "s"


def test_someone_outside_the_decision_cannot_download_its_annex(rt, cycle, khoai_chau):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    with pytest.raises(AccessDenied):
        decision_lists.annex_xlsx(rt, officer_of(rt, "Huyện đoàn Tiên Lữ"), saved.id)


# ---- rows a person edited ---------------------------------------------------------------------


def test_list_rows_a_person_added_by_hand_that_do_not_fit_are_listed_for_checking(
    rt, cycle, khoai_chau
):
    hong_tien = assessed(rt, khoai_chau, cycle, "Đoàn cơ sở Công ty Mẫu 2")
    saved = record(rt, khoai_chau, cycle, khoai_chau.unit_id, [hong_tien])
    listed = rows_of(rt, "decision_units", decision_id=saved.id)[0]
    rt.store.apply(  # typed into the sheet: a second row for the same unit, one for no decision
        [
            Append("decision_units", {**listed, "id": "CN-TAY-1"}),
            Append("decision_units", {**listed, "id": "CN-TAY-2", "decision_id": "QD-KHONG-CO"}),
        ]
    )
    wb = rt.workbook()
    found = {(p.record_id, p.column): p.message for p in decision_lists.decision_problems(wb)}
    assert "hai lần trong một năm" in found[("CN-TAY-1", "Mã đơn vị được công nhận")]
    assert "quyết định không tồn tại" in found[("CN-TAY-2", "Mã quyết định")]
    assert decisions.recognised(wb, cycle)[hong_tien].row.id == listed["id"]
