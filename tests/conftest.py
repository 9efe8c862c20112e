"""Shared fixtures: a real SQLite store on tmp_path, a fixed clock, the demo province, its people."""

from __future__ import annotations

import os
import uuid
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
from tests.support import postgres as cluster
from tests.support.world import NOW


def pytest_configure(config):
    """The controller names this run's PostgreSQL server; workers inherit the name."""
    if not hasattr(config, "workerinput"):
        os.environ[cluster.RUN_VAR] = uuid.uuid4().hex[:12]


def pytest_unconfigure(config):
    """The controller stops the run's PostgreSQL server, if a test started one."""
    if not hasattr(config, "workerinput") and os.environ.get(cluster.RUN_VAR):
        cluster.stop_shared(os.environ.pop(cluster.RUN_VAR))


@pytest.fixture(scope="session")
def postgres() -> tuple[cluster.PostgresServer, str]:
    """A real PostgreSQL server for this run and this worker's own database on it.

    Started from the distribution's package on first use; a server that cannot start fails the
    tests that need it, with the reason (never a skip).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    try:
        server = cluster.shared(os.environ[cluster.RUN_VAR])
        server.fresh_database(f"test_{worker}")
    except cluster.PostgresUnavailable as exc:
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
    """The demo people by role: Tỉnh đoàn staff, a Đoàn Khối officer, a secretary under it, viewer,
    acting as signed-in people would (their writes are not tagged as demo writes)."""
    return {a.role: replace(a, demo=False) for a in demo.demo_actors(rt)}
