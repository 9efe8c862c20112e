"""The e2e app server's store, read from the test: who plays each role, and what was saved.

The browser tests never act through this; they use it to choose the people (by their role and
their place in the unit tree, never by a demo name, so a retold demo keeps working) and, at the
end, to check what the store holds. Every call reads the store afresh (no cache).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.models import Role, User
from services.bootstrap import close_store, open_runtime
from services.core.settings import Settings
from services.core.workbook import Workbook
from services.registration import cycles
from tests.support.browser import start_app_server


@dataclass(frozen=True)
class DemoApp:
    """A running app server and the SQLite file it keeps its store in."""

    url: str
    store_path: Path

    def workbook(self) -> Workbook:
        """The store as it is now, parsed."""
        rt = open_runtime(Settings(engine="sqlite", sqlite_path=str(self.store_path), demo=True))
        try:
            return rt.workbook()
        finally:
            close_store(rt.store.inner)

    def now_cycle_id(self) -> str:
        """The cycle whose registration is open now (the one the screens open on)."""
        rt = open_runtime(Settings(engine="sqlite", sqlite_path=str(self.store_path), demo=True))
        try:
            cycle = cycles.current_cycle(rt.workbook(), rt.clock.now())
            assert cycle is not None, "the demo has no cycle"
            return cycle.id
        finally:
            close_store(rt.store.inner)


@contextlib.contextmanager
def demo_app(tmp_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[DemoApp]:
    """An app server on a fresh demo store in `tmp_dir` (seeded on the first page visit)."""
    path = tmp_dir / "3cd.sqlite"
    with start_app_server({"TCD_SQLITE_PATH": str(path), **(extra_env or {})}) as url:
        yield DemoApp(url, path)


def label(user: User) -> str:
    """How the demo sign-in picker names a person."""
    return f"{user.name} · {user.role.value}"


def someone(wb: Workbook, role: Role) -> User:
    """The first active user with `role`."""
    found = [u for u in wb.users.values() if u.role is role and u.active]
    assert found, f"the demo has no active {role.value}"
    return found[0]


def unregistered_secretary(wb: Workbook, cycle_id: str) -> User:
    """A secretary whose unit has not registered in the cycle, and whose upper unit has an
    officer among the users."""
    uppers = {u.unit_id for u in wb.users.values() if u.role is Role.UPPER and u.active}
    for user in wb.users.values():
        if user.role is not Role.SECRETARY or not user.active:
            continue
        unit = wb.units.get(user.unit_id)
        if unit and unit.parent_id in uppers and wb.registration(cycle_id, unit.id) is None:
            return user
    raise AssertionError("the demo has no secretary left to register with an officer above")


def officer_above(wb: Workbook, unit_id: str) -> User:
    """The officer of the unit's upper unit."""
    parent = wb.units[unit_id].parent_id
    for user in wb.users.values():
        if user.role is Role.UPPER and user.active and user.unit_id == parent:
            return user
    raise AssertionError(f"no officer for the upper unit of {unit_id}")
