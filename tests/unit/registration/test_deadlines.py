"""Deadlines on an injected clock: the cut-off is the first late instant, in Vietnam time."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.cells import VN_TZ, iso
from schemas.models import LatePolicy, RegistrationState
from services.core.access import Role
from services.core.clock import FixedClock, SystemClock
from services.core.errors import AccessDenied, InvalidInput, RegistrationClosed
from services.registration import deadlines, plans
from services.registration.status import LATE, ON_TIME, unit_status
from tests.support.builders import (
    COMPANY_1,
    COMPANY_2,
    POLICE_UNION,
    audit_rows,
    officer_of,
    plan,
    rows_of,
    secretary_of,
)
from tests.support.world import unit_id

VN = VN_TZ
CUTOFF_2030 = datetime(2029, 10, 10, 0, 0, tzinfo=VN)  # the default cut-off of a 2030 cycle
PLAN_2029 = "01/10/2029"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- the default cut-offs and how they read ---------------------------------------------------


@pytest.mark.parametrize(
    ("year", "register", "report"),
    [
        (2026, "2025-10-10T00:00:00+07:00", "2025-10-15T00:00:00+07:00"),
        (2019, "2018-10-10T00:00:00+07:00", "2018-10-15T00:00:00+07:00"),
        (2030, "2029-10-10T00:00:00+07:00", "2029-10-15T00:00:00+07:00"),
    ],
)
def test_default_cutoffs_are_10_and_15_october_of_the_year_before_at_midnight_in_vietnam(
    year, register, report
):
    register_cutoff, report_cutoff = deadlines.default_cutoffs(year)
    assert (iso(register_cutoff), iso(report_cutoff)) == (register, report)


def test_the_default_cutoff_is_17_00_utc_on_the_last_day():
    register_cutoff, _ = deadlines.default_cutoffs(2026)
    assert register_cutoff == utc(2025, 10, 9, 17, 0, 0)


@pytest.mark.parametrize(
    ("at", "on_time"),
    [
        (vn(2025, 10, 9, 23, 59, 59), True),
        (vn(2025, 10, 10, 0, 0, 0), False),
        (utc(2025, 10, 9, 16, 59, 59), True),  # the same instants on a server running in UTC
        (utc(2025, 10, 9, 17, 0, 0), False),
        (utc(2025, 10, 9, 23, 30, 0), False),  # still 09/10 in UTC, already 10/10 in Vietnam
        (vn(2025, 10, 9, 0, 0, 0), True),
    ],
)
def test_on_time_means_strictly_before_the_first_late_instant(at, on_time):
    cutoff, _ = deadlines.default_cutoffs(2026)
    assert deadlines.is_on_time(at, cutoff) is on_time


@pytest.mark.parametrize(
    ("cutoff", "words"),
    [
        (vn(2025, 10, 10, 0, 0), "hết ngày 09/10/2025"),
        (utc(2025, 10, 9, 17, 0), "hết ngày 09/10/2025"),
        (vn(2026, 1, 1, 0, 0), "hết ngày 31/12/2025"),
        (vn(2024, 3, 1, 0, 0), "hết ngày 29/02/2024"),
        (vn(2025, 10, 10, 14, 0), "trước 14:00 ngày 10/10/2025"),
        (utc(2025, 10, 10, 7, 30), "trước 14:30 ngày 10/10/2025"),
    ],
)
def test_cutoff_words_read_as_the_last_day_or_the_hour_in_vietnam(cutoff, words):
    assert deadlines.cutoff_words(cutoff) == words


@pytest.mark.parametrize("day", [date(2025, 10, 9), date(2025, 12, 31), date(2024, 2, 28)])
def test_a_last_day_becomes_the_next_midnight_and_reads_back_as_itself(day):
    cutoff = deadlines.cutoff_after(day)
    assert cutoff.astimezone(VN).time().isoformat() == "00:00:00"
    assert cutoff.astimezone(VN).date() == day + timedelta(days=1)
    assert deadlines.last_day(cutoff) == day


@pytest.mark.parametrize(
    ("now", "words"),
    [
        (CUTOFF_2030 - timedelta(days=3, hours=4), "Còn 3 ngày 4 giờ"),
        (CUTOFF_2030 - timedelta(days=1, minutes=30), "Còn 1 ngày 0 giờ"),
        (CUTOFF_2030 - timedelta(hours=5, minutes=7), "Còn 5 giờ 7 phút"),
        (utc(2029, 10, 9, 16, 0), "Còn 1 giờ 0 phút"),
        (CUTOFF_2030, "Vừa hết hạn"),
        (CUTOFF_2030 + timedelta(hours=3), "Vừa hết hạn"),
        (CUTOFF_2030 + timedelta(days=2, hours=1), "Đã quá hạn 2 ngày"),
    ],
)
def test_countdown_words(now, words):
    assert deadlines.countdown_words(now, CUTOFF_2030) == words


# ---- the clock ------------------------------------------------------------------------------


@pytest.fixture
def server_in_utc(monkeypatch):
    """The process's local zone is UTC, as on most servers."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_system_clock_tells_vietnam_time_on_a_server_running_in_utc(server_in_utc):
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(hours=7)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_fixed_clock_set_in_utc_tells_the_vietnam_day(server_in_utc):
    clock = FixedClock(utc(2025, 10, 9, 17, 0, 0))
    assert clock.now().date() == date(2025, 10, 10)
    assert clock.now().utcoffset() == timedelta(hours=7)


def test_a_fixed_clock_refuses_a_naive_time():
    with pytest.raises(ValueError):
        FixedClock(datetime(2025, 10, 9, 23, 59))


# ---- registering against the cut-off ---------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "on_time"),
    [
        (vn(2029, 10, 9, 23, 59, 59), True),
        (vn(2029, 10, 10, 0, 0, 0), False),
        (utc(2029, 10, 9, 16, 59, 59), True),
        (utc(2029, 10, 9, 17, 0, 0), False),
    ],
)
def test_a_registration_is_judged_against_the_cutoff_in_vietnam_time(
    rt, clock, people, new_cycle, now, on_time
):
    cycle_id = new_cycle(2030)
    clock.set(now)
    me = people[Role.SECRETARY]
    receipt = plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    stored = rt.workbook().registration(cycle_id, me.unit_id)
    assert receipt.on_time is on_time
    assert stored is not None and stored.on_time is on_time
    assert stored.cells["submitted_at"].endswith("+07:00")
    assert receipt.cutoff_words == "hết ngày 09/10/2029"


def test_the_refuse_policy_refuses_at_the_first_late_instant_naming_the_upper_unit_and_the_day(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030, LatePolicy.REFUSE)
    clock.set(vn(2029, 10, 10, 0, 0, 0))
    me = people[Role.SECRETARY]
    audit_before = len(audit_rows(rt))
    with pytest.raises(RegistrationClosed) as refused:
        plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    assert "Đoàn Khối Doanh nghiệp Mẫu 2" in str(refused.value)
    assert "hết ngày 09/10/2029" in str(refused.value)
    assert rows_of(rt, "registrations", cycle_id=cycle_id) == []
    assert len(audit_rows(rt)) == audit_before


def test_the_refuse_policy_still_takes_a_registration_in_the_last_second(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030, LatePolicy.REFUSE)
    clock.set(vn(2029, 10, 9, 23, 59, 59))
    me = people[Role.SECRETARY]
    receipt = plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    assert receipt.on_time is True


def test_the_flag_policy_accepts_a_late_registration_and_marks_it_late(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030, LatePolicy.FLAG)
    clock.set(vn(2029, 10, 12, 9, 0))
    me = people[Role.SECRETARY]
    receipt = plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    wb = rt.workbook()
    assert receipt.on_time is False
    assert rows_of(rt, "registrations", cycle_id=cycle_id)[0]["on_time"] == "Không"
    assert unit_status(wb, wb.cycles[cycle_id], wb.units[me.unit_id]) == LATE


# ---- edits and resends never flip the verdict --------------------------------------------------


@pytest.mark.parametrize("policy", list(LatePolicy))
@pytest.mark.parametrize("returned_first", [True, False])
def test_an_edit_after_the_cutoff_keeps_an_on_time_registration_on_time(
    rt, clock, people, new_cycle, policy, returned_first
):
    cycle_id = new_cycle(2030, policy)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 9, 20, 0))
    first = plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    if returned_first:
        loaded = rt.workbook().registration(cycle_id, me.unit_id)
        plans.return_for_correction(rt, officer, loaded, "Bổ sung lộ trình", "k2")
    clock.set(vn(2029, 10, 20, 8, 0))
    again = plans.register_plan(
        rt, me, cycle_id, me.unit_id, plan(PLAN_2029, plan_number="02-KH/ĐTN"), "k3"
    )
    stored = rt.workbook().registration(cycle_id, me.unit_id)
    assert again.on_time is True and stored.on_time is True
    assert stored.plan_number == "02-KH/ĐTN" and stored.state is RegistrationState.SENT
    assert stored.submitted_at == first.sent_at < stored.last_sent_at


def test_a_late_registration_stays_late_when_resent_inside_a_later_extension(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030, LatePolicy.FLAG)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1")
    plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 20), "Bí thư ốm", "k2")
    clock.set(vn(2029, 10, 13, 9, 0))
    again = plans.register_plan(
        rt, me, cycle_id, me.unit_id, plan(PLAN_2029, plan_number="02-KH/ĐTN"), "k3"
    )
    stored = rt.workbook().registration(cycle_id, me.unit_id)
    assert again.on_time is False and stored.on_time is False
    assert stored.plan_number == "02-KH/ĐTN"


# ---- extensions -----------------------------------------------------------------------------


def test_an_extension_to_a_later_day_makes_a_late_registration_on_time(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030, LatePolicy.REFUSE)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    deadline = plans.grant_extension(
        rt, officer, cycle_id, me.unit_id, date(2029, 10, 15), "Bí thư mới nhận nhiệm vụ", "k1"
    )
    receipt = plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k2")
    assert deadline.extended and deadline.words == "hết ngày 15/10/2029"
    assert deadline.reason == "Bí thư mới nhận nhiệm vụ"
    assert receipt.on_time is True and receipt.cutoff_words == "hết ngày 15/10/2029"
    neighbour = secretary_of(rt, COMPANY_2)  # same cycle, no extension: still refused
    with pytest.raises(RegistrationClosed):
        plans.register_plan(rt, neighbour, cycle_id, neighbour.unit_id, plan(PLAN_2029), "k3")


def test_an_extension_lasts_until_the_end_of_its_last_day(rt, clock, people, new_cycle):
    cycle_id = new_cycle(2030, LatePolicy.REFUSE)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 15), "Lũ", "k1")
    clock.set(vn(2029, 10, 16, 0, 0, 0))
    with pytest.raises(RegistrationClosed) as refused:
        plans.register_plan(rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k2")
    assert "hết ngày 15/10/2029" in str(refused.value)


@pytest.mark.parametrize("last_day", [date(2029, 10, 8), date(2029, 10, 9)])
def test_an_extension_that_does_not_move_the_cutoff_later_is_refused(
    rt, clock, people, new_cycle, last_day
):
    cycle_id = new_cycle(2030)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 5, 9, 0))
    with pytest.raises(InvalidInput) as refused:
        plans.grant_extension(rt, officer, cycle_id, me.unit_id, last_day, "Lũ", "k1")
    assert any(m.startswith("Hạn mới") and COMPANY_1 in m for m in refused.value.messages)
    assert rows_of(rt, "extensions", cycle_id=cycle_id) == []


def test_a_second_extension_earlier_than_the_first_is_refused(rt, clock, people, new_cycle):
    cycle_id = new_cycle(2030)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 20), "Lũ", "k1")
    with pytest.raises(InvalidInput):
        plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 15), "Lũ", "k2")
    assert plans.deadline_for(rt, me, cycle_id, me.unit_id).words == "hết ngày 20/10/2029"


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_extension_needs_a_reason(rt, clock, people, new_cycle, reason):
    cycle_id = new_cycle(2030)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    with pytest.raises(InvalidInput) as refused:
        plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 20), reason, "k1")
    assert "Lý do gia hạn: bắt buộc phải nhập" in refused.value.messages
    assert rows_of(rt, "extensions", cycle_id=cycle_id) == []


def test_an_extension_granted_twice_with_one_request_key_is_stored_once(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030)
    me, officer = people[Role.SECRETARY], people[Role.UPPER]
    clock.set(vn(2029, 10, 12, 9, 0))
    plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 20), "Lũ", "k1")
    clock.advance(seconds=20)
    again = plans.grant_extension(rt, officer, cycle_id, me.unit_id, date(2029, 10, 20), "Lũ", "k1")
    assert again.words == "hết ngày 20/10/2029"
    assert len(rows_of(rt, "extensions", cycle_id=cycle_id)) == 1


@pytest.mark.parametrize("who", ["secretary", "other district"])
def test_only_the_upper_unit_grants_an_extension(rt, clock, people, new_cycle, who):
    cycle_id = new_cycle(2030)
    actor = people[Role.SECRETARY] if who == "secretary" else officer_of(rt, POLICE_UNION)
    clock.set(vn(2029, 10, 12, 9, 0))
    with pytest.raises(AccessDenied):
        plans.grant_extension(
            rt, actor, cycle_id, unit_id(rt, COMPANY_1), date(2029, 10, 20), "Lũ", "k1"
        )


# ---- entering a paper plan on behalf --------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "received", "verdict"),
    [
        (LatePolicy.FLAG, date(2029, 10, 9), ON_TIME),
        (LatePolicy.REFUSE, date(2029, 10, 9), ON_TIME),
        (LatePolicy.FLAG, date(2029, 10, 10), LATE),
        (LatePolicy.REFUSE, date(2029, 10, 10), "refused"),
    ],
)
def test_a_plan_entered_on_behalf_is_judged_on_the_day_it_was_received(
    rt, clock, people, new_cycle, policy, received, verdict
):
    cycle_id = new_cycle(2030, policy)
    officer = people[Role.UPPER]
    thuan_hung = unit_id(rt, COMPANY_1)
    clock.set(vn(2029, 10, 20, 15, 0))  # entered well after the cut-off
    if verdict == "refused":
        with pytest.raises(RegistrationClosed):
            plans.register_plan(
                rt, officer, cycle_id, thuan_hung, plan(PLAN_2029), "k1", received_on=received
            )
        return
    receipt = plans.register_plan(
        rt, officer, cycle_id, thuan_hung, plan(PLAN_2029), "k1", received_on=received
    )
    wb = rt.workbook()
    assert receipt.on_time is (verdict == ON_TIME)
    assert unit_status(wb, wb.cycles[cycle_id], wb.units[thuan_hung]) == verdict
    assert wb.registration(cycle_id, thuan_hung).received_on == received
    assert audit_rows(rt)[-1]["action"] == "Nhập thay đăng ký"


def test_a_plan_entered_on_behalf_needs_the_day_it_was_received(rt, clock, people, new_cycle):
    cycle_id = new_cycle(2030)
    clock.set(vn(2029, 10, 5, 15, 0))
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(
            rt, people[Role.UPPER], cycle_id, unit_id(rt, COMPANY_1), plan(PLAN_2029), "k1"
        )
    assert any(m.startswith("Ngày nhận bản giấy") for m in refused.value.messages)


def test_a_received_day_in_the_future_is_refused(rt, clock, people, new_cycle):
    cycle_id = new_cycle(2030)
    clock.set(vn(2029, 10, 5, 15, 0))
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(
            rt,
            people[Role.UPPER],
            cycle_id,
            unit_id(rt, COMPANY_1),
            plan(PLAN_2029),
            "k1",
            received_on=date(2029, 10, 6),
        )
    assert any(
        m.startswith("Ngày nhận bản giấy: ngày ") and "là ngày trong tương lai" in m
        for m in refused.value.messages
    )


def test_a_secretary_cannot_backdate_their_own_registration_with_a_received_day(
    rt, clock, people, new_cycle
):
    cycle_id = new_cycle(2030)
    me = people[Role.SECRETARY]
    clock.set(vn(2029, 10, 20, 15, 0))
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(
            rt, me, cycle_id, me.unit_id, plan(PLAN_2029), "k1", received_on=date(2029, 10, 1)
        )
    assert any(m.startswith("Ngày nhận bản giấy") for m in refused.value.messages)
    assert rows_of(rt, "registrations", cycle_id=cycle_id) == []


@pytest.mark.parametrize(
    ("plan_date", "received", "today"),
    [
        # before the window of cycle 2030 opens (1/1/2029): a plan for the year before
        ("15/12/2028", date(2028, 12, 20), vn(2029, 10, 5, 15, 0)),
        # after it closes (31/12/2030): year 2030 is over and assessed
        ("01/10/2029", date(2031, 1, 2), vn(2031, 1, 5, 9, 0)),
    ],
)
def test_a_paper_plan_received_outside_the_cycles_registration_window_is_refused(
    rt, clock, people, new_cycle, plan_date, received, today
):
    cycle_id = new_cycle(2030)
    clock.set(today)
    with pytest.raises(InvalidInput) as refused:
        plans.register_plan(
            rt,
            people[Role.UPPER],
            cycle_id,
            unit_id(rt, COMPANY_1),
            plan(plan_date),
            "k1",
            received_on=received,
        )
    assert (
        "Ngày nhận bản giấy: phải trong thời gian đăng ký của năm 2030 "
        "(từ 01/01/2029 đến 31/12/2030)" in refused.value.messages
    )
    assert rows_of(rt, "registrations", cycle_id=cycle_id) == []


def test_a_paper_plan_received_on_the_windows_first_day_is_stored(rt, clock, people, new_cycle):
    cycle_id = new_cycle(2030)
    clock.set(vn(2029, 10, 5, 15, 0))
    plans.register_plan(
        rt,
        people[Role.UPPER],
        cycle_id,
        unit_id(rt, COMPANY_1),
        plan("01/01/2029"),
        "k1",
        received_on=date(2029, 1, 1),
    )
    [stored] = rows_of(rt, "registrations", cycle_id=cycle_id)
    assert stored["received_on"] == "2029-01-01"
