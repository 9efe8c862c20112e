"""In-process fakes of external services, for offline tests: test support, which the benchmarks
(the deadline rush) may import too; nothing of the app imports it."""

from tests.fakes.sheets_api import Call, FakeSheets, Quota, SheetsAdapter
from tests.fakes.sheets_grid import Person
from tests.fakes.sim_clock import SimClock

__all__ = ["Call", "FakeSheets", "Person", "Quota", "SheetsAdapter", "SimClock"]
