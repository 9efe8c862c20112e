"""Shared fixtures: a real SQLite store on tmp_path, a fixed clock, the demo province, its people."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from schemas.cells import VN_TZ
from schemas.criteria import load_catalogue
from services import demo
from services.core.access import Actor, Role
from services.core.clock import FixedClock
from services.core.runtime import ENV, Runtime
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore

# The demo is seeded relative to "now": the open cycle's registration cut-off is 20 days later.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
# A complete registration form, as a secretary would fill it in before NOW.
PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": date(2026, 11, 20),
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}


@pytest.fixture(autouse=True)
def _no_settings_from_environment(monkeypatch):
    """A developer's TCD_* variables must never point a test at their real store."""
    for var in ENV.values():
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def empty_rt(tmp_path, clock) -> Runtime:
    """A runtime on an empty SQLite file, with the fixed clock."""
    store = CachedStore(SqlStore.at_path(tmp_path / "3cd.sqlite"))
    return Runtime(store, clock, load_catalogue())


@pytest.fixture
def rt(empty_rt) -> Runtime:
    """A runtime holding the seeded Hưng Yên demo province."""
    demo.seed_if_empty(empty_rt)
    return empty_rt


@pytest.fixture
def people(rt) -> dict[Role, Actor]:
    """The demo people by role: Tỉnh đoàn staff, a Đoàn Khối officer, a secretary under it, viewer."""
    return {a.role: a for a in demo.demo_actors(rt)}


def unit_id(rt: Runtime, name: str) -> str:
    """The id of the unit with exactly this name in the store."""
    return next(u.id for u in rt.workbook().units.values() if u.name == name)
