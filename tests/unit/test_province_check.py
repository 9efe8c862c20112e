"""The province's yearly check of each upper unit, on a small province built row by row."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from schemas import tabs
from schemas.cells import VN_TZ, iso, to_cell
from schemas.criteria import set_for_year
from schemas.models import RegistrationState, Role, UnitKind
from services import assessments, decisions, demo, recognition
from services.access import Actor
from services.errors import AccessDenied
from services.runtime import Runtime
from services.storage import Append
from tests.unit.test_decisions import passing_values

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


class Tree:
    """A small province built row by row; decisions go through the real decision service."""

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

    def actor(self, key: str) -> Actor:
        role = Role.PROVINCE if key == "P" else Role.UPPER
        return Actor(f"canbo-{key.lower()}@mau.example", f"Cán bộ {key}", role, self.id(key))

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

    def assess(self, year: int, key: str, passed: bool = True) -> None:
        criteria = set_for_year(self.rt.criteria, year)
        values = passing_values(criteria)
        if not passed:
            values["1.1"] = "Không đạt"
        cells, items = assessments.assessment_rows(
            criteria,
            assessment_id=f"DG-{year}-{self.id(key)[3:]}",
            cycle=self.cycles[year],
            unit=self.cells[key],
            values=values,
            at=datetime(year, 12, 1, 9, 0, tzinfo=VN_TZ),
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

    def recognise(self, year: int, issuer: str, keys: list[str], number: str) -> str:
        signed = date(year, 12, 15) if year < 2026 else date(2026, 11, 20)
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
        from services import units

        unit = self.rt.workbook().units[self.id(key)]
        data = {"name": unit.name, "kind": unit.kind.value, "parent_id": self.id(parent)}
        units.edit_unit(self.rt, self.actor("P"), unit, data, f"move-{key}-{parent}")
        self.cells[key] = {**self.cells[key], "parent_id": self.id(parent)}


@pytest.fixture
def tree(empty_rt) -> Tree:
    built = Tree(empty_rt)
    built.cycle(2026)
    for key, on_time in (("a1", True), ("a2", False), ("b2", True), ("p1", True)):
        built.register(2026, key, on_time)
    built.register(2026, "b1", state=RegistrationState.RETURNED)
    for key, passed in (("a1", True), ("a2", False), ("b2", True), ("p1", True)):
        built.assess(2026, key, passed)
    built.rollup(2026, "A")
    built.recognise(2026, "A", ["a1"], "12-QĐ/HĐA")
    built.recognise(2026, "P", ["p1"], "01-QĐ/TĐ")
    return built


def by_name(rows: list[recognition.UpperCheck]) -> dict[str, recognition.UpperCheck]:
    return {r.unit_name: r for r in rows}


def test_the_province_sees_every_upper_units_figures(tree):
    rows = recognition.province_check(tree.rt, tree.actor("P"), "CK-2026")
    assert [r.unit_name for r in rows] == ["Tỉnh đoàn Mẫu", "Huyện đoàn Mẫu A", "Huyện đoàn Mẫu B"]
    a, b, p = (by_name(rows)[n] for n in ("Huyện đoàn Mẫu A", "Huyện đoàn Mẫu B", "Tỉnh đoàn Mẫu"))

    assert (a.total_units, a.registered, a.assessed, a.passed, a.recognised) == (3, 2, 2, 1, 1)
    assert (a.rollup_on_time, a.rollup_sent_at is not None) == (True, True)
    assert [(d.number, d.signed_on, d.units) for d in a.decisions] == [
        ("12-QĐ/HĐA", date(2026, 11, 20), 1)
    ]
    assert a.assessed_share == 1.0
    assert a.rate_of_registered == pytest.approx(1 / 2)
    assert a.rate_of_total == pytest.approx(1 / 3)

    # B: b1's registration was returned, so only b2 counts as registered; no decision, no roll-up
    assert (b.total_units, b.registered, b.assessed, b.passed, b.recognised) == (2, 1, 1, 1, 0)
    assert (b.rollup_on_time, b.decisions, b.rate_of_registered) == (None, (), 0.0)

    # the province's own row: the unit directly under it
    assert (p.total_units, p.registered, p.recognised) == (1, 1, 1)
    assert [d.number for d in p.decisions] == ["01-QĐ/TĐ"]


def test_a_unit_that_moved_after_registering_stays_counted_where_it_was(tree):
    tree.move("a2", "B")
    rows = by_name(recognition.province_check(tree.rt, tree.actor("P"), "CK-2026"))
    assert rows["Huyện đoàn Mẫu A"].total_units == 3
    assert rows["Huyện đoàn Mẫu B"].total_units == 2


def test_an_upper_officer_sees_only_its_own_row(tree):
    rows = recognition.province_check(tree.rt, tree.actor("A"), "CK-2026")
    assert [r.unit_name for r in rows] == ["Huyện đoàn Mẫu A"]


def test_a_secretary_is_refused(tree):
    secretary = Actor("bt@mau.example", "Bí thư", Role.SECRETARY, tree.id("a1"))
    with pytest.raises(AccessDenied):
        recognition.province_check(tree.rt, secretary, "CK-2026")


def test_a_unit_taken_off_its_decision_no_longer_counts_as_recognised(tree):
    rt = tree.rt
    decision = next(d for d in rt.workbook().decisions.values() if d.number == "12-QĐ/HĐA")
    data = {"number": decision.number, "signed_on": "20/11/2026", "signer": decision.signer}
    tree.register(2026, "a3")
    tree.assess(2026, "a3")
    decisions.correct_decision(
        rt, tree.actor("A"), decision, {**data, "unit_ids": [tree.id("a3")]}, "swap"
    )
    a = by_name(recognition.province_check(rt, tree.actor("P"), "CK-2026"))["Huyện đoàn Mẫu A"]
    assert (a.registered, a.assessed, a.recognised) == (3, 3, 1)
    assert set(decisions.recognised(rt.workbook(), "CK-2026")) == {tree.id("a3"), tree.id("p1")}
