"""The reminders are computed once per data version, scope and minute for every open dashboard,
and never shown older than that: the next minute, or a write, computes them again."""

from __future__ import annotations

from schemas.models import Role
from services.registration import plans
from services.reminders.messages import Stage, unit_messages, upper_messages
from tests.support.builders import COMPANY_1, OPEN, plan, secretary_of
from tests.support.world import unit_id

URL = "https://3cd.tinhdoan.example.vn"


def test_two_sessions_in_one_minute_share_one_computation(rt, people):
    province = people[Role.PROVINCE]
    first = unit_messages(rt, province, OPEN, Stage.REGISTER, URL)
    again = unit_messages(rt, province, OPEN, Stage.REGISTER, URL)
    assert first and again is first
    assert upper_messages(rt, province, OPEN, Stage.REGISTER, URL) is upper_messages(
        rt, province, OPEN, Stage.REGISTER, URL
    )


def test_the_next_minute_shows_the_new_time(rt, people):
    province = people[Role.PROVINCE]
    before = unit_messages(rt, province, OPEN, Stage.REGISTER, URL)
    rt.clock.advance(seconds=61)
    after = unit_messages(rt, province, OPEN, Stage.REGISTER, URL)
    assert after is not before
    shown = f"{rt.clock.now():%H:%M}"
    assert all(f"Đến {shown}" in m.body for m in after)
    assert not any(f"Đến {shown}" in m.body for m in before)


def test_scopes_do_not_share(rt, people):
    province = unit_messages(rt, people[Role.PROVINCE], OPEN, Stage.REGISTER, URL)
    officer = unit_messages(rt, people[Role.UPPER], OPEN, Stage.REGISTER, URL)
    assert len(officer) < len(province)


def test_a_registration_leaves_the_list_at_once(rt, people):
    """Within the same minute: a new data version is a new computation."""
    province = people[Role.PROVINCE]
    target = unit_id(rt, COMPANY_1)
    assert target in {m.unit_id for m in unit_messages(rt, province, OPEN, Stage.REGISTER, URL)}
    me = secretary_of(rt, COMPANY_1)
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k-shared")
    assert target not in {m.unit_id for m in unit_messages(rt, province, OPEN, Stage.REGISTER, URL)}
