"""Shared fixtures: a real SQLite store on tmp_path, a fixed clock, the demo province, its people."""

from __future__ import annotations

import os
import uuid
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
from tests import postgres_server

# The demo is seeded relative to "now": the open cycle's registration cut-off is 20 days later.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
# A complete registration form, as a secretary would fill it in before NOW.
PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": date(2026, 11, 20),
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}


def pytest_configure(config):
    """The controller names this run's PostgreSQL server; workers inherit the name."""
    if not hasattr(config, "workerinput"):
        os.environ[postgres_server.RUN_VAR] = uuid.uuid4().hex[:12]


def pytest_unconfigure(config):
    """The controller stops the run's PostgreSQL server, if a test started one."""
    if not hasattr(config, "workerinput") and os.environ.get(postgres_server.RUN_VAR):
        postgres_server.stop_shared(os.environ.pop(postgres_server.RUN_VAR))


@pytest.fixture(scope="session")
def postgres() -> tuple[postgres_server.PostgresServer, str]:
    """A real PostgreSQL server for this run and this worker's own database on it.

    Started from the distribution's package on first use; a server that cannot start fails the
    tests that need it, with the reason (never a skip).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    try:
        server = postgres_server.shared(os.environ[postgres_server.RUN_VAR])
        server.fresh_database(f"test_{worker}")
    except postgres_server.PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL test server unavailable: {exc}", pytrace=False)
    return server, f"test_{worker}"


@pytest.fixture
def postgres_url(postgres) -> str:
    """This worker's database with every table emptied: a store opened on it starts empty."""
    server, database = postgres
    server.truncate_all(database)
    return server.url(database)


@pytest.fixture
def postgres_bare_url(postgres) -> str:
    """This worker's database without any table, as a new deployment finds it."""
    server, database = postgres
    server.empty_schema(database)
    return server.url(database)


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
    """The demo people by role: Tỉnh đoàn staff, Khoái Châu officer, Thuần Hưng secretary, viewer."""
    return {a.role: a for a in demo.demo_actors(rt)}


def unit_id(rt: Runtime, name: str) -> str:
    """The id of the unit with exactly this name in the store."""
    return next(u.id for u in rt.workbook().units.values() if u.name == name)
