"""A fresh cycle with the cut-offs a test needs (fixture `new_cycle`, brought in by conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from schemas.models import LatePolicy
from services.core.access import Actor, Role
from services.core.records import new_request_key
from services.core.runtime import Runtime
from services.registration import cycles, deadlines

NewCycle = Callable[..., str]


@pytest.fixture
def new_cycle(rt: Runtime, people: dict[Role, Actor]) -> NewCycle:
    """new_cycle(year=2030, policy=…, last_day=…) -> id of a cycle nobody has registered in yet.

    Made by province staff through the cycle service, with the default cut-offs for the year
    (registration until 09/10 of the year before) unless `last_day` says otherwise.
    """

    def make(
        year: int = 2030, policy: LatePolicy = LatePolicy.FLAG, last_day: date | None = None
    ) -> str:
        register, report = deadlines.default_cutoffs(year)
        register_last = last_day or deadlines.last_day(register)
        draft = cycles.CycleDraft(
            year=year,
            name=f"Năm {year}",
            criteria_set="3cd-2023-2027@1",
            register_last_day=register_last,
            report_last_day=max(register_last, deadlines.last_day(report)),
            late_policy=policy,
        )
        return cycles.save_cycle(rt, people[Role.PROVINCE], draft, new_request_key()).id

    return make
