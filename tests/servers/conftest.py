"""Two app servers' store sides, each a separate process, on this worker's PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemas.criteria import load_catalogue
from services import demo
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.servers import AppProcess, at_once  # noqa: F401
from tests.support.world import NOW


@pytest.fixture
def demo_database(postgres_url) -> str:
    """This worker's PostgreSQL database holding the demo province (seeded in this process)."""
    rt = Runtime(CachedStore(SqlStore(postgres_url)), FixedClock(NOW), load_catalogue())
    demo.seed_if_empty(rt)
    rt.store.inner.engine.dispose()
    return postgres_url


@pytest.fixture
def two_servers(demo_database) -> Iterator[tuple[AppProcess, AppProcess]]:
    servers = [AppProcess(demo_database), AppProcess(demo_database)]
    yield servers[0], servers[1]
    for server in servers:
        server.stop()
