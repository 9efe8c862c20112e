"""Year-end builders: values that pass a criteria set, and a passed official assessment."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from schemas.cells import VN_TZ
from schemas.criteria import CriteriaSet, load_catalogue
from schemas.models import RegistrationState
from services import demo
from services.core.access import Actor, Role
from services.core.records import new_request_key
from services.core.runtime import Runtime
from services.registration import plans
from services.year_end import assessments
from tests.support.builders import COMPANY_2, plan
from tests.support.world import unit_id

CYCLE = "CK-2026"  # a past cycle of the demo: its decisions can be signed by now (25/11/2026)


def passing_values(criteria: CriteriaSet) -> dict[str, str]:
    """A value for every criterion that passes it."""
    values = {}
    for cid, c in criteria.criteria.items():
        if c.kind == "dat":
            values[cid] = "Đạt"
        elif c.kind == "count":
            values[cid] = str(int(c.minimum or 0))
        else:
            values[cid] = str(c.maximum)
    return values


def officer(rt: Runtime) -> Actor:
    return next(a for a in demo.demo_actors(rt) if a.role is Role.UPPER)


def passed(rt: Runtime, name: str, cycle: str = CYCLE) -> str:
    """Give a unit of Đoàn Khối Doanh nghiệp Mẫu 2 a submitted official assessment that passes
    (registering it first if the demo left it unregistered), as that Đoàn Khối's officer would on
    the Đánh giá screen."""
    uid = unit_id(rt, name)
    who = officer(rt)
    outcome = assessments.official_outcomes(rt, who, cycle).get(uid)
    if outcome is not None and outcome.passed:
        return uid
    year = rt.workbook().cycles[cycle].year
    reg = rt.workbook().registration(cycle, uid)
    if reg is None or reg.state is RegistrationState.RETURNED:
        plans.register_plan(
            rt,
            who,
            cycle,
            uid,
            plan(f"01/09/{year - 1}"),
            f"{uid}-{cycle}-reg",
            received_on=date(year - 1, 9, 5),
        )
    values = passing_values(rt.criteria[rt.workbook().cycles[cycle].criteria_set])
    assessments.submit(rt, who, cycle, uid, {"values": values}, f"{uid}-{cycle}-assess")
    return uid


# ---- one assessment round (tests of Đánh giá and its security) ---------------------------

SET = "3cd-2023-2027@1"


def good(**overrides: str) -> dict[str, dict[str, str]]:
    """A complete form that passes the 2023–2027 set (the optional 3.4 left blank)."""
    criteria = load_catalogue()[SET]
    values = {cid: "Đạt" for cid in criteria.criteria} | {"2.3": "4", "2.4": "2", "3.3": "1"}
    values["3.4"] = ""
    return {"values": values | overrides, "evidence": {"1.1": "Danh sách cập nhật 01/10/2030"}}


@pytest.fixture
def round_(rt, clock, people, new_cycle):
    """round_(**cycle) -> a new cycle where Công ty Mẫu 1 (by its secretary) and Công ty Mẫu 2
    (entered by the Đoàn Khối from paper) registered, and nobody else did.

    The paper plan is entered on a day inside the cycle's registration window (a paper can only
    have been received from 1/1 of the year before): the clock goes there for that entry only."""

    def make(**cycle_args) -> str:
        cycle_id = new_cycle(**cycle_args)
        me = people[Role.SECRETARY]
        plans.register_plan(rt, me, cycle_id, me.unit_id, plan(), new_request_key())
        year = rt.workbook().cycles[cycle_id].year
        received = max(date(year - 1, 10, 1), clock.now().date())
        today = clock.now()
        clock.set(datetime.combine(received, time(15, 0), tzinfo=VN_TZ))
        try:
            plans.register_plan(
                rt,
                people[Role.UPPER],
                cycle_id,
                unit_id(rt, COMPANY_2),
                plan(),
                new_request_key(),
                received_on=received,
            )
        finally:
            clock.set(today)
        return cycle_id

    return make


def view(rt, actor, cycle_id, name=COMPANY_2, official=None):
    return assessments.open_assessment(rt, actor, cycle_id, unit_id(rt, name), official)


def draft(rt, actor, cycle_id, name=COMPANY_2, data=None):
    return assessments.save_draft(
        rt, actor, cycle_id, unit_id(rt, name), data or good(), new_request_key()
    )


def send(rt, actor, cycle_id, name=COMPANY_2, data=None, after=None):
    """Submit, based on `after` (the view the form was opened on) when there is one."""
    return assessments.submit(
        rt,
        actor,
        cycle_id,
        unit_id(rt, name),
        data or good(),
        new_request_key(),
        loaded=after.assessment if after else None,
        loaded_items=after.items if after else None,
    )
