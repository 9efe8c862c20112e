"""Shared fixtures: a real SQLite store on tmp_path, a fixed clock, the demo province, its people."""

from __future__ import annotations

from dataclasses import replace

import pytest

from schemas.criteria import load_catalogue
from services import demo
from services.core.access import Actor, Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.core.settings import ENV
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.world import NOW


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
    """The demo people by role: Tỉnh đoàn staff, Khoái Châu officer, Thuần Hưng secretary, viewer,
    acting as signed-in people would (their writes are not tagged as demo writes)."""
    return {a.role: replace(a, demo=False) for a in demo.demo_actors(rt)}
