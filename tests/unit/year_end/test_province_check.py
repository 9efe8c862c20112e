"""The province's yearly check of each upper unit, on a small province built row by row."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import RegistrationState, Role
from services.core.access import Actor
from services.core.errors import AccessDenied
from services.year_end import decisions, province_check
from tests.support.province import Province


@pytest.fixture
def tree(empty_rt) -> Province:
    built = Province(empty_rt)
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


def by_name(rows: list[province_check.UpperCheck]) -> dict[str, province_check.UpperCheck]:
    return {r.unit_name: r for r in rows}


def test_the_province_sees_every_upper_units_figures(tree):
    rows = province_check.province_check(tree.rt, tree.actor("P"), "CK-2026")
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
    rows = by_name(province_check.province_check(tree.rt, tree.actor("P"), "CK-2026"))
    assert rows["Huyện đoàn Mẫu A"].total_units == 3
    assert rows["Huyện đoàn Mẫu B"].total_units == 2


def test_an_upper_officer_sees_only_its_own_row(tree):
    rows = province_check.province_check(tree.rt, tree.actor("A"), "CK-2026")
    assert [r.unit_name for r in rows] == ["Huyện đoàn Mẫu A"]


def test_a_secretary_is_refused(tree):
    secretary = Actor("bt@mau.example", "Bí thư", Role.SECRETARY, tree.id("a1"))
    with pytest.raises(AccessDenied):
        province_check.province_check(tree.rt, secretary, "CK-2026")


def test_a_unit_taken_off_its_decision_no_longer_counts_as_recognised(tree):
    rt = tree.rt
    decision = next(d for d in rt.workbook().decisions.values() if d.number == "12-QĐ/HĐA")
    data = {"number": decision.number, "signed_on": "20/11/2026", "signer": decision.signer}
    tree.register(2026, "a3")
    tree.assess(2026, "a3")
    decisions.correct_decision(
        rt, tree.actor("A"), decision, {**data, "unit_ids": [tree.id("a3")]}, "swap"
    )
    a = by_name(province_check.province_check(rt, tree.actor("P"), "CK-2026"))["Huyện đoàn Mẫu A"]
    assert (a.registered, a.assessed, a.recognised) == (3, 3, 1)
    assert set(decisions.recognised(rt.workbook(), "CK-2026")) == {tree.id("a3"), tree.id("p1")}
