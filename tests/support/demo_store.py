"""The e2e app server's store, read from the test: who plays each role, and what was saved.

The browser tests never act through this; they use it to choose the people (by their role and
their place in the unit tree, never by a demo name, so a retold demo keeps working) and, at the
end, to check what the store holds. Every call reads the store afresh (no cache).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from schemas.models import Assessor, Cycle, RegistrationState, Role, User
from services.bootstrap import close_store, open_runtime
from services.core.runtime import Runtime
from services.core.settings import Settings
from services.core.workbook import Workbook
from services.registration import cycles
from services.year_end.assessment_outcomes import cycle_to_assess
from tests.support.browser import start_app_server


@dataclass(frozen=True)
class DemoApp:
    """A running app server and the SQLite file it keeps its store in."""

    url: str
    store_path: Path

    @contextlib.contextmanager
    def _runtime(self) -> Iterator[Runtime]:
        rt = open_runtime(Settings(engine="sqlite", sqlite_path=str(self.store_path), demo=True))
        try:
            yield rt
        finally:
            close_store(rt.store.inner)

    def workbook(self) -> Workbook:
        """The store as it is now, parsed."""
        with self._runtime() as rt:
            return rt.workbook()

    def workbook_rows(self, tab: str) -> list[dict[str, str]]:
        """The rows of one tab as stored (cells as text), in order."""
        with self._runtime() as rt:
            return [dict(row.cells) for row in rt.store.inner.read([tab])[tab]]

    def now(self) -> datetime:
        """The app's clock now."""
        with self._runtime() as rt:
            return rt.clock.now()

    def cycles_now(self) -> tuple[Cycle, Cycle]:
        """The cycle open for registration now and the cycle being assessed now (the ones the
        registration and assessment screens open on)."""
        with self._runtime() as rt:
            wb, now = rt.workbook(), rt.clock.now()
            registering, assessing = cycles.current_cycle(wb, now), cycle_to_assess(wb, now)
            assert registering and assessing, "the demo has no cycle"
            return registering, assessing


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


def unregistered_secretary(wb: Workbook, cycle_id: str, accepted_in: str) -> User:
    """A secretary whose unit has not registered in the cycle, was accepted in the cycle
    `accepted_in` (so it can assess itself), and whose upper unit has an officer among the users."""
    uppers = {u.unit_id for u in wb.users.values() if u.role is Role.UPPER and u.active}
    for user in wb.users.values():
        if user.role is not Role.SECRETARY or not user.active:
            continue
        unit = wb.units.get(user.unit_id)
        earlier = wb.registration(accepted_in, user.unit_id)
        if (
            unit
            and unit.parent_id in uppers
            and wb.registration(cycle_id, unit.id) is None
            and earlier is not None
            and earlier.state is RegistrationState.ACCEPTED
        ):
            return user
    raise AssertionError("the demo has no secretary left to register with an officer above")


def officer_above(wb: Workbook, unit_id: str) -> User:
    """The officer of the unit's upper unit."""
    parent = wb.units[unit_id].parent_id
    for user in wb.users.values():
        if user.role is Role.UPPER and user.active and user.unit_id == parent:
            return user
    raise AssertionError(f"no officer for the upper unit of {unit_id}")


def _assessed_officially(wb: Workbook, cycle_id: str, unit_id: str) -> bool:
    return any(
        a.cycle_id == cycle_id and a.unit_id == unit_id and a.assessor is Assessor.UPPER
        for a in wb.assessments.values()
    )


def unit_to_assess(wb: Workbook, upper_id: str, cycle_id: str, besides: set[str]) -> str:
    """A grassroots unit under `upper_id` (not in `besides`) accepted in the cycle `cycle_id` and
    not yet assessed by its upper unit."""
    for unit in wb.units.values():
        if unit.parent_id != upper_id or not unit.active or not unit.kind.is_grassroots:
            continue
        plan = wb.registration(cycle_id, unit.id)
        if (
            unit.id not in besides
            and plan is not None
            and plan.state is RegistrationState.ACCEPTED
            and not _assessed_officially(wb, cycle_id, unit.id)
        ):
            return unit.id
    raise AssertionError(f"the demo has no unit of {upper_id} left to assess in {cycle_id}")


def unit_named(wb: Workbook, name: str) -> str:
    """The id of the one active unit called `name`."""
    found = [u.id for u in wb.units.values() if u.name == name and u.active]
    assert len(found) == 1, f"{len(found)} active units are called {name}"
    return found[0]
