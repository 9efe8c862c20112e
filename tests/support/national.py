"""Two provinces in one database, for the tests of a server scoped to one subtree.

The demo province (seeded with its past years' assessments and decisions) plus rows the demo
lacks — an extension, a document text, a reminder, a roll-up's unit list, and a decision of the
province recognising a unit of an upper unit — and then a second province ("Tỉnh đoàn Khác"), with
a row in every tab that names a unit. A server scoped to the demo province, or to one of its upper
units, must read exactly its part of this.
"""

from __future__ import annotations

from schemas import tabs
from schemas.criteria import load_catalogue
from services import demo
from services.core.clock import Clock
from services.core.runtime import Runtime
from services.core.settings import Settings
from services.core.workbook import Workbook
from services.storage import Append
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.support.builders import OFFICER_BLOC, OPEN

OTHER_ROOT, OTHER_UPPER, OTHER_UNIT = "DV-KHAC-0", "DV-KHAC-1", "DV-KHAC-2"
OTHER_EMAIL = "bithu.khac@mau.example"


def runtime(store: SqlStore, clock: Clock, settings: Settings | None = None) -> Runtime:
    """A runtime on `store` (scoped or not), its cache checking the counters at every read."""
    cache = CachedStore(store, ttl=3600, check_every=0)
    return Runtime(cache, clock, load_catalogue(), settings or Settings())


def seed_demo(store: SqlStore, clock: Clock) -> None:
    """The demo province with its year-end rows, and rows in the tabs the demo leaves empty."""
    demo.seed_if_empty(runtime(store, clock), year_end=True)
    wb = runtime(store, clock).workbook()
    root = wb.root_ids()[0]
    bloc = next(u.id for u in wb.units.values() if u.name == OFFICER_BLOC)
    unit = sorted(wb.subtree(bloc) - {bloc})[0]
    report = next(r for r in wb.upper_reports.values() if r.unit_id == bloc)
    store.apply(_rows_of("DEMO", root, bloc, unit, report.id, report.cycle_id))


def add_other_province(store: SqlStore) -> None:
    """A second province beside the demo's, with a row in every tab that names a unit."""
    units = [
        (OTHER_ROOT, "Tỉnh đoàn Khác", "Tỉnh đoàn", ""),
        (OTHER_UPPER, "Huyện đoàn Khác", "Đoàn cấp huyện", OTHER_ROOT),
        (OTHER_UNIT, "Đoàn xã Khác", "Xã", OTHER_UPPER),
    ]
    ops = [
        Append(tabs.UNITS.name, {"id": i, "name": n, "kind": k, "parent_id": p, "active": "Có"})
        for i, n, k, p in units
    ]
    secretary = {
        "email": OTHER_EMAIL,
        "name": "Bí thư Khác",
        "role": "Bí thư Đoàn cơ sở",
        "active": "Có",
    }
    ops.append(Append(tabs.USERS.name, {"id": "ND-KHAC", **secretary, "unit_id": OTHER_UNIT}))
    for tab, cells in (
        (tabs.REGISTRATIONS, {"cycle_id": OPEN, "upper_unit_id": OTHER_UPPER}),
        (tabs.ASSESSMENTS, {"cycle_id": OPEN, "assessor_unit_id": OTHER_UPPER}),
    ):
        ops.append(Append(tab.name, {"id": f"{tab.name}-KHAC", "unit_id": OTHER_UNIT, **cells}))
    ops.append(
        Append(
            tabs.ASSESSMENT_ITEMS.name,
            {"id": "KQ-KHAC", "assessment_id": "assessments-KHAC", "unit_id": OTHER_UNIT},
        )
    )
    ops += _rows_of("KHAC", OTHER_ROOT, OTHER_UPPER, OTHER_UNIT, "BC-KHAC", OPEN)
    ops.append(Append(tabs.UPPER_REPORTS.name, {"id": "BC-KHAC", "unit_id": OTHER_UPPER}))
    store.apply(ops)


def _rows_of(tag: str, root: str, upper: str, unit: str, report: str, cycle: str) -> list[Append]:
    """An extension (with an audit row), a document text, a reminder, a roll-up's unit, and a
    decision of the province recognising `unit` (issued above its upper unit)."""
    return [
        Append(tabs.EXTENSIONS.name, {"id": f"GH-{tag}", "cycle_id": cycle, "unit_id": unit}),
        Append(tabs.AUDIT_LOG.name, {"id": f"NK-GH-{tag}", "unit_id": unit, "tab": "extensions"}),
        Append(tabs.DOCUMENT_TEXTS.name, {"id": f"VB-{tag}", "unit_id": upper, "kind": "x"}),
        Append(tabs.REMINDERS.name, {"id": f"NN-{tag}", "cycle_id": cycle, "unit_id": unit}),
        Append(
            tabs.UPPER_REPORT_UNITS.name,
            {"id": f"DS-{tag}", "report_id": report, "cycle_id": cycle, "unit_id": unit},
        ),
        Append(tabs.DECISIONS.name, {"id": f"QD-{tag}", "cycle_id": cycle, "unit_id": root}),
        Append(
            tabs.DECISION_UNITS.name,
            {"id": f"CN-{tag}", "decision_id": f"QD-{tag}", "cycle_id": cycle, "unit_id": unit},
        ),
    ]


def bloc_of(wb: Workbook) -> str:
    """The id of the demo upper-unit officer's unit."""
    return next(u.id for u in wb.units.values() if u.name == OFFICER_BLOC)
