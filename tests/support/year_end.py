"""Year-end builders: values that pass a criteria set, and a passed official assessment."""

from __future__ import annotations

from datetime import date

from schemas.criteria import CriteriaSet
from schemas.models import RegistrationState
from services import demo
from services.core.access import Actor, Role
from services.core.runtime import Runtime
from services.registration import plans
from services.year_end import assessments
from tests.support.builders import plan
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
    """Give a Khoái Châu unit a submitted official assessment that passes (registering it first
    if the demo left it unregistered), as the Khoái Châu officer would on the Đánh giá screen."""
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
