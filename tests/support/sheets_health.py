"""The demo province in a Google Sheet on the fake Sheets API, and a person editing it by hand.

Seeding the demo through the engine takes a few seconds, so it is done once per test process and
each test gets its own copy of the seeded spreadsheet on a fresh fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import gspread

from schemas.criteria import load_catalogue
from schemas.tabs import TABS
from services import demo
from services.core.access import Actor, Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.core.settings import Settings
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from tests.fakes import FakeSheets, Quota
from tests.fakes.sheets_cells import col_letter
from tests.fakes.sheets_grid import Person, Spreadsheet
from tests.support.world import NOW

KEY = "1DemoHungYenSheet3cd"
NO_QUOTA = Quota(10**6, 10**6, 10**6, 10**6)
TTL = 60.0


def _runtime(fake: FakeSheets, seconds: list[float]) -> Runtime:
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), KEY)
    store.ensure_tabs()
    cached = CachedStore(store, ttl=TTL, monotonic=lambda: seconds[0])
    settings = Settings(engine="sheets", login=True, spreadsheet_key=KEY, refresh_seconds=TTL)
    return Runtime(cached, FixedClock(NOW), load_catalogue(), settings)


@cache
def _seeded() -> Spreadsheet:
    fake = FakeSheets(quota=NO_QUOTA)
    fake.create_spreadsheet("3CĐ", spreadsheet_id=KEY)
    demo.seed_if_empty(_runtime(fake, [0.0]))
    return fake.book(KEY).snapshot()


@dataclass
class DemoSheet:
    """The seeded demo spreadsheet, the app's runtime on it, and a person with the sheet open."""

    fake: FakeSheets
    rt: Runtime
    seconds: list[float]  # the read cache's clock

    @classmethod
    def open(cls, locale: str = "vi_VN", time_zone: str = "Asia/Ho_Chi_Minh") -> DemoSheet:
        fake = FakeSheets(quota=NO_QUOTA)
        fake.books[KEY] = _seeded().snapshot()
        fake.book(KEY).locale, fake.book(KEY).time_zone = locale, time_zone
        seconds = [0.0]
        return cls(fake, _runtime(fake, seconds), seconds)

    @property
    def person(self) -> Person:
        return self.fake.person(KEY)

    def later(self, seconds: float = TTL) -> Runtime:
        """Let the read cache's clock run on (a hand edit is seen once the snapshot expires)."""
        self.seconds[0] += seconds
        return self.rt

    def province(self) -> Actor:
        return next(a for a in demo.demo_actors(self.rt) if a.role is Role.PROVINCE)

    def values(self, tab: str) -> list[list[str]]:
        return self.person.values(TABS[tab].title)

    def row_of(self, tab: str, record_id: str) -> int:
        """The sheet row (1 = header) holding this id, as a person sees it now."""
        rows = self.values(tab)
        column = rows[0].index(TABS[tab].header("id"))
        return next(i + 1 for i, r in enumerate(rows) if len(r) > column and r[column] == record_id)

    def cell(self, tab: str, field: str, row: int) -> str:
        """The A1 name of a field's cell in a row, by its header as the sheet has it now."""
        return f"{col_letter(self.values(tab)[0].index(TABS[tab].header(field)))}{row}"

    def type(self, tab: str, field: str, row: int, text: str) -> None:
        self.person.type(TABS[tab].title, self.cell(tab, field, row), text)

    def sheet_id(self, tab: str) -> int:
        return self.fake.book(KEY).sheet(TABS[tab].title).sheet_id

    def screen(self, monkeypatch, page: str, actor: Actor | None = None) -> Any:
        """One screen (an AppTest, already run) on this sheet as `actor` (province staff by
        default), reading what a person did to the sheet: the read cache's clock runs on."""
        from streamlit.testing.v1 import AppTest

        from pages import _ui
        from tests.support.app import ROOT

        me = actor or self.province()
        monkeypatch.setattr(_ui, "runtime", lambda: self.later())
        monkeypatch.setattr(_ui, "actor", lambda: me)
        return AppTest.from_file(str(ROOT / page), default_timeout=60).run()

    def link(self, tab: str, a1: str) -> str:
        return (
            f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid={self.sheet_id(tab)}&range={a1}"
        )
