"""Trang chủ's deadline, countdown and lists are computed once per data version and minute for
everyone with the same role and unit (everyone lands there when they sign in), and never shown
older than that: the next minute, or a write, computes them again.

The demo at NOW (25/11/2026): Năm 2027 is open for registration, Năm 2026 is being assessed."""

from __future__ import annotations

from dataclasses import replace

from services.core.access import Role
from services.core.records import new_request_key
from services.overview import home
from services.registration import plans
from tests.support.world import PLAN


def test_two_people_of_one_unit_share_one_computation(rt, people):
    officer = people[Role.UPPER]
    colleague = replace(officer, id="ND-colleague", name="Một cán bộ khác")
    first = home.todo(rt, officer)
    assert first is not None and first.items
    assert home.todo(rt, colleague) is first
    assert home.year_end(rt, colleague) is home.year_end(rt, officer)


def test_other_units_and_roles_do_not_share(rt, people):
    officer, secretary = people[Role.UPPER], people[Role.SECRETARY]
    assert home.todo(rt, officer) != home.todo(rt, secretary)
    assert home.year_end(rt, officer) is not home.year_end(rt, secretary)


def test_the_next_minute_counts_down_again(rt, people, clock):
    secretary = people[Role.SECRETARY]
    before = home.todo(rt, secretary)
    clock.advance(seconds=60 * 61)
    after = home.todo(rt, secretary)
    assert before is not None and after is not None
    assert after is not before and after.countdown != before.countdown


def test_a_registration_leaves_the_secretarys_list_at_once(rt, people):
    """Within the same minute: a new data version is a new computation."""
    secretary = people[Role.SECRETARY]
    before = home.todo(rt, secretary)
    assert before is not None and any("chưa đăng ký" in item for item in before.items)
    cycle = "CK-2027"
    plans.register_plan(rt, secretary, cycle, secretary.unit_id, PLAN, new_request_key())
    after = home.todo(rt, secretary)
    assert after is not None and not any("chưa đăng ký" in item for item in after.items)
