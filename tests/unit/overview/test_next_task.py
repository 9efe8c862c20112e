"""The year of a person's next task: the one every cycle picker opens on (decision 29).

The demo at NOW (25/11/2026): Năm 2027 is open for registration (until 15/12/2026, report to the
province until 20/12/2026); Năm 2026 is being assessed (until 31/12/2026).
"""

from __future__ import annotations

from datetime import datetime

from schemas.cells import VN_TZ
from schemas.models import RegistrationState
from services.core.access import Actor, Role
from services.core.records import new_request_key
from services.overview import home, tasks
from services.registration import plans, rollups
from services.year_end import assessments
from tests.support.world import PLAN
from tests.support.year_end import passing_values

REGISTERING, ASSESSING = "CK-2027", "CK-2026"


def at(day: int, month: int, year: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=VN_TZ)


def next_year(rt, actor) -> str:
    found = tasks.next_task_cycle(rt, actor)
    assert found is not None
    return found.id


def test_a_secretary_who_has_not_registered_is_sent_to_the_registration(rt, people):
    secretary = people[Role.SECRETARY]
    assert next_year(rt, secretary) == REGISTERING
    assert "chưa đăng ký kế hoạch" in home.next_task(rt, secretary)


def test_a_secretary_whose_plan_is_sent_gets_the_years_self_assessment(rt, people):
    secretary = people[Role.SECRETARY]
    plans.register_plan(rt, secretary, REGISTERING, secretary.unit_id, PLAN, new_request_key())
    assert next_year(rt, secretary) == ASSESSING
    words = home.next_task(rt, secretary)
    assert words.startswith("Năm 2026 — ") and "tự đánh giá" in words
    assert "hạn đánh giá: hết ngày 31/12/2026" in words


def test_a_returned_plan_sends_the_secretary_back_to_the_registration(rt, people):
    secretary, officer = people[Role.SECRETARY], people[Role.UPPER]
    plans.register_plan(rt, secretary, REGISTERING, secretary.unit_id, PLAN, new_request_key())
    sent = rt.workbook().registration(REGISTERING, secretary.unit_id)
    plans.return_for_correction(rt, officer, sent, "Thiếu số kế hoạch", new_request_key())
    assert next_year(rt, secretary) == REGISTERING
    assert "trả lại để sửa" in home.next_task(rt, secretary)


def test_a_secretary_with_nothing_left_opens_on_the_nearest_deadline(rt, people):
    secretary = people[Role.SECRETARY]
    plans.register_plan(rt, secretary, REGISTERING, secretary.unit_id, PLAN, new_request_key())
    values = passing_values(rt.criteria[rt.workbook().cycles[ASSESSING].criteria_set])
    assessments.submit(
        rt, secretary, ASSESSING, secretary.unit_id, {"values": values}, new_request_key()
    )
    assert next_year(rt, secretary) == REGISTERING  # its cut-off, 15/12, is the nearest
    assert "không còn việc nào chờ bạn" in home.next_task(rt, secretary)


def test_an_officer_with_plans_waiting_gets_the_year_being_registered(rt, people):
    officer = people[Role.UPPER]
    waiting = [
        line
        for line in plans.review_lines(rt, officer, REGISTERING)
        if line.registration and line.registration.state is RegistrationState.SENT
    ]
    assert waiting, "the demo leaves plans waiting for the Đoàn Khối"
    assert next_year(rt, officer) == REGISTERING


def test_after_the_registration_cut_off_the_officers_report_is_next_then_the_assessment(
    rt, people, clock
):
    officer = people[Role.UPPER]
    clock.set(at(17, 12, 2026))  # registration closed, the report is due until 20/12
    assert next_year(rt, officer) == REGISTERING
    assert "báo cáo lên tỉnh" in home.next_task(rt, officer)
    rollups.send_rollup(rt, officer, REGISTERING, officer.unit_id, "", new_request_key())
    assert next_year(rt, officer) == ASSESSING
    assert "chưa có bản đánh giá đã gửi" in home.next_task(rt, officer)


def test_province_staff_follow_the_registrations_first(rt, people):
    assert next_year(rt, people[Role.PROVINCE]) == REGISTERING


def test_a_viewer_opens_on_the_nearest_deadline_still_ahead(rt, people, clock):
    viewer = people[Role.VIEWER]
    assert next_year(rt, viewer) == REGISTERING
    assert home.next_task(rt, viewer) == "Năm 2027 — hạn đăng ký: hết ngày 15/12/2026."
    clock.set(at(22, 12, 2026))  # the registration and the report are closed
    assert next_year(rt, viewer) == ASSESSING
    clock.set(at(2, 1, 2027))  # Năm 2026's assessment is closed
    assert next_year(rt, viewer) == REGISTERING


def test_when_every_deadline_has_passed_everyone_opens_on_the_newest_year(rt, people, clock):
    clock.set(at(1, 6, 2029))
    newest = rt.workbook().cycles_newest_first()[0].id
    assert {next_year(rt, person) for person in people.values()} == {newest}


def test_the_home_page_names_the_year_the_pickers_open_on(rt, people):
    for person in people.values():
        found = tasks.next_task_cycle(rt, person)
        assert home.next_task(rt, person).startswith(f"{found.name} — ")


def test_no_year_at_all_gives_no_next_task(empty_rt):
    nobody = Actor(id="a@b.example", name="A", role=Role.VIEWER, unit_id="DV-0001")
    assert tasks.next_task_cycle(empty_rt, nobody) is None
    assert home.next_task(empty_rt, nobody) is None
