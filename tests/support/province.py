"""A small province built row by row, shared by the recognition, commendation and results tests.

P  Tỉnh đoàn Mẫu ── A (a1, a2, a3), B (b1, b2), p1 directly under the province
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from schemas import tabs
from schemas.cells import VN_TZ, iso, to_cell
from schemas.models import RegistrationState, Role, UnitKind
from services import demo
from services.core.access import Actor
from services.core.runtime import Runtime
from services.people import units
from services.storage import Append
from services.year_end import assessments, decisions
from tests.support.year_end import passing_values

K = UnitKind
# key: (name, kind, parent key)
UNITS: dict[str, tuple[str, UnitKind, str]] = {
    "P": ("Tỉnh đoàn Mẫu", K.TINH_DOAN, ""),
    "A": ("Huyện đoàn Mẫu A", K.CAP_HUYEN, "P"),
    "B": ("Huyện đoàn Mẫu B", K.CAP_HUYEN, "P"),
    "a1": ("Đoàn xã Mẫu A1", K.XA, "A"),
    "a2": ("Đoàn xã Mẫu A2", K.XA, "A"),
    "a3": ("Đoàn xã Mẫu A3", K.XA, "A"),
    "b1": ("Đoàn xã Mẫu B1", K.XA, "B"),
    "b2": ("Đoàn xã Mẫu B2", K.XA, "B"),
    "p1": ("Đoàn trường Mẫu P1", K.TRUONG_DH_CD, "P"),
}


class Province:
    """A small province built row by row: units, cycles and registrations with the demo's row
    builders, assessments with the seeding row builder, decisions through the decision service."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self.cells: dict[str, dict[str, str]] = {}
        now = rt.clock.now()
        for n, (key, (name, kind, parent)) in enumerate(UNITS.items(), start=1):
            self.cells[key] = {
                "id": f"DV-{n:04d}",
                "name": name,
                "kind": to_cell(kind),
                "parent_id": self.cells[parent]["id"] if parent else "",
                "secretary": f"Bí thư mẫu {n}",
                "email": f"bithu{n}@mau.example",
                "active": "Có",
                "version": "1",
                "updated_at": iso(now),
            }
        rt.store.apply([Append(tabs.UNITS.name, c) for c in self.cells.values()])
        self.cycles: dict[int, dict[str, str]] = {}

    def id(self, key: str) -> str:
        return self.cells[key]["id"]

    def actor(self, key: str, role: Role | None = None) -> Actor:
        """Province staff for "P", an upper-unit officer for the others, unless a role is given."""
        if role is None:
            role = Role.PROVINCE if key == "P" else Role.UPPER
        return Actor(
            f"{role.name.lower()}-{key.lower()}@mau.example", f"Mẫu {key}", role, self.id(key)
        )

    def cycle(self, year: int) -> str:
        row = demo.cycle_row(self.rt.criteria, year, None, self.rt.clock.now())
        self.rt.store.apply([Append(tabs.CYCLES.name, row)])
        self.cycles[year] = row
        return row["id"]

    def register(
        self, year: int, key: str, on_time: bool = True, state=RegistrationState.ACCEPTED
    ) -> None:
        cutoff = datetime.fromisoformat(self.cycles[year]["register_cutoff"])
        at = cutoff - timedelta(days=3) if on_time else cutoff + timedelta(days=3)
        row = demo.registration_row(self.cycles[year], self.cells[key], at, state, on_time)
        self.rt.store.apply([Append(tabs.REGISTRATIONS.name, row)])

    def assess(
        self, year: int, key: str, passed: bool = True, failing: tuple[str, ...] = ()
    ) -> None:
        """A submitted official assessment; `failing` criteria (or 1.1 when not passed) fail."""
        criteria = self.rt.criteria[self.cycles[year]["criteria_set"]]
        values = passing_values(criteria)
        for cid in failing if passed else (*failing, "1.1"):
            values[cid] = "0" if criteria.criteria[cid].kind == "count" else "Không đạt"
        cells, items = assessments.assessment_rows(
            criteria,
            assessment_id=f"DG-{year}-{self.id(key)[3:]}",
            cycle=self.cycles[year],
            unit=self.cells[key],
            values=values,
            at=datetime(year, 11, 10, 9, 0, tzinfo=VN_TZ),
            by="Cán bộ đánh giá (mẫu)",
        )
        self.rt.store.apply(
            [
                Append(tabs.ASSESSMENTS.name, cells),
                *(Append(tabs.ASSESSMENT_ITEMS.name, i) for i in items),
            ]
        )

    def rollup(self, year: int, key: str, on_time: bool = True) -> None:
        cutoff = datetime.fromisoformat(self.cycles[year]["report_cutoff"])
        at = cutoff - timedelta(days=1) if on_time else cutoff + timedelta(days=1)
        row: dict[str, Any] = {
            "id": f"BC-{year}-{self.id(key)[3:]}",
            "cycle_id": self.cycles[year]["id"],
            "unit_id": self.id(key),
            "parent_unit_id": self.cells[key]["parent_id"],
            "sent_at": iso(at),
            "on_time": to_cell(on_time),
            **dict.fromkeys(
                (
                    "total_units",
                    "registered_on_time",
                    "registered_late",
                    "returned",
                    "not_registered",
                    "accepted",
                    "needs_check",
                ),
                "0",
            ),
        }
        self.rt.store.apply([Append(tabs.UPPER_REPORTS.name, row)])

    def recognise(self, year: int, issuer: str, keys: list[str], number: str = "") -> str:
        signed = date(year, 12, 15) if year < 2026 else date(2026, 11, 20)
        number = number or f"{len(keys)}-QĐ/{issuer}"
        data = {
            "number": number,
            "signed_on": signed.strftime("%d/%m/%Y"),
            "signer": f"Bí thư {UNITS[issuer][0]}",
            "unit_ids": [self.id(k) for k in keys],
        }
        key = f"{year}-{issuer}-{number}"
        cycle = self.cycles[year]["id"]
        return decisions.record_decision(
            self.rt, self.actor(issuer), cycle, self.id(issuer), data, key
        ).id

    def move(self, key: str, parent: str) -> None:
        """Move a unit under another upper unit (as the 2025 restructuring did)."""
        unit = self.rt.workbook().units[self.id(key)]
        data = {"name": unit.name, "kind": unit.kind.value, "parent_id": self.id(parent)}
        units.edit_unit(self.rt, self.actor("P"), unit, data, f"move-{key}-{parent}")
        self.cells[key] = {**self.cells[key], "parent_id": self.id(parent)}
