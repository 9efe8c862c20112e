"""The scope tests' world: the demo store, its people by role plus an officer of another upper unit,
and a snapshot of every tab to prove a refused call changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from schemas.tabs import ALL_TABS
from services.core.access import Actor, Role
from services.core.runtime import Runtime
from tests.support.builders import POLICE_UNION, officer_of
from tests.support.world import unit_id

PAST = "CK-2026"  # a finished round: every upper unit sent its roll-up
KHOI_CO_QUAN = "Đoàn Khối Cơ quan Mẫu 1"  # the demo viewer's unit
CO_QUAN = "Đoàn cơ sở Cơ quan Mẫu 1"  # a unit of Đoàn Khối Cơ quan Mẫu 1


@dataclass
class World:
    """The demo store and its people: the four demo roles plus an officer of Đoàn Thanh niên Công an tỉnh."""

    rt: Runtime
    people: dict[str, Actor]

    def id(self, name: str) -> str:
        return unit_id(self.rt, name)

    def unit(self, name: str):
        return self.rt.workbook().units[self.id(name)]

    def registration(self, cycle_id: str, name: str):
        return self.rt.workbook().registration(cycle_id, self.id(name))

    def any_registration_below(self, cycle_id: str, upper: str):
        wb = self.rt.workbook()
        below = wb.subtree(self.id(upper))
        return next(r for r in wb.registrations_of(cycle_id) if r.unit_id in below)

    def report(self, cycle_id: str, upper: str):
        return self.rt.workbook().upper_report(cycle_id, self.id(upper))

    def user(self, role: Role):
        return next(u for u in self.rt.workbook().users.values() if u.role is role)


@pytest.fixture
def world(rt, people) -> World:
    by_role = {
        "province": people[Role.PROVINCE],
        "upper": people[Role.UPPER],
        "secretary": people[Role.SECRETARY],
        "viewer": people[Role.VIEWER],
        "other_upper": officer_of(rt, POLICE_UNION),
    }
    return World(rt, by_role)


def everything(rt: Runtime) -> tuple[dict, str]:
    """Every tab as stored, audit log included, and the store's data version."""
    return rt.store.read([t.name for t in ALL_TABS]), rt.store.inner.change_token()


Attempt = Callable[[World, Actor], Any]
