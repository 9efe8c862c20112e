"""A merger in the middle of a term: the merger cycle's registration and assessment, the units each
cycle offers, and commendation of the merged unit under each successor rule."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import UnitKind
from services.core import province_settings
from services.core.errors import NotAllowed
from services.core.province_settings import SuccessorRule
from services.people import unit_changes as uc
from services.people.unit_changes import ChangeRequest, NewUnit
from services.registration import dashboard, plans, rollups
from services.year_end import assessments, commendation, results, unit_history
from services.year_end.commendation import Moment, Term
from tests.support.province import Province
from tests.support.world import PLAN
from tests.support.year_end import passing_values

MERGER = date(2025, 7, 1)
TERM = Term("Nhiệm kỳ 2023–2027", 2023, 2027)


@pytest.fixture
def p(rt_small) -> Province:
    return rt_small


@pytest.fixture
def rt_small(empty_rt) -> Province:
    """a1 recognised 2023 and 2024, a2 only in 2023; both merged into "Đoàn xã Mẫu Mới" (under
    the province) from 1/7/2025, after registering for 2025 in October 2024."""
    p = Province(empty_rt)
    for year in (2023, 2024, 2025):
        p.cycle(year)
        for key in ("a1", "a2", "a3"):
            p.register(year, key)
    for year, keys in ((2023, ["a1", "a2"]), (2024, ["a1"])):
        for key in keys:
            p.assess(year, key)
        p.recognise(year, "A", keys)
    request = ChangeRequest(
        uc.K.MERGE,
        MERGER,
        "12-QĐ/TĐTN",
        (p.id("a1"), p.id("a2")),
        new_units=(NewUnit("Đoàn xã Mẫu Mới", UnitKind.XA, p.id("P")),),
    )
    uc.apply_change(empty_rt, p.actor("P"), request, "merge-2025")
    new = next(u for u in empty_rt.workbook().units.values() if u.name == "Đoàn xã Mẫu Mới")
    p.cells["x"] = dict(new.cells)
    return p


def _assess_and_recognise_new_unit(p: Province) -> None:
    criteria = p.rt.criteria[p.cycles[2025]["criteria_set"]]
    data = {"values": passing_values(criteria), "evidence": {}, "note": ""}
    cycle = p.cycles[2025]["id"]
    assessments.submit(p.rt, p.actor("P"), cycle, p.id("x"), data, "assess-x")
    p.recognise(2025, "P", ["x"])


def test_the_merger_cycle_counts_the_new_unit_registered_through_its_predecessors(p):
    board = dashboard.registration_board(p.rt, p.actor("P"), p.cycles[2025]["id"])
    # six units before; the two merged communes are counted once, as the new unit
    assert sum(board.totals.values()) == 5
    assert board.totals[dashboard.ON_TIME] == 2  # a3, and the new unit through a1 and a2


def test_the_cycle_before_the_merger_still_counts_the_old_communes(p):
    board = dashboard.registration_board(p.rt, p.actor("P"), p.cycles[2024]["id"])
    assert sum(board.totals.values()) == 6
    assert board.totals[dashboard.ON_TIME] == 3
    wb = p.rt.workbook()
    placed = {x.unit_id for x in results.placed_units(wb, p.rt.criteria, wb.cycles["CK-2024"])}
    assert p.id("a1") in placed and p.id("x") not in placed


def test_the_new_unit_is_assessed_by_its_upper_unit_at_assessment_time(p):
    _assess_and_recognise_new_unit(p)
    outcome = assessments.outcomes_of(p.rt.workbook(), p.rt.criteria, p.cycles[2025]["id"])
    assert outcome[p.id("x")].passed


def test_a_merged_commune_cannot_be_assessed_in_the_merger_cycle(p):
    criteria = p.rt.criteria[p.cycles[2025]["criteria_set"]]
    data = {"values": passing_values(criteria), "evidence": {}, "note": ""}
    with pytest.raises(NotAllowed, match="Đoàn xã Mẫu Mới"):
        assessments.submit(p.rt, p.actor("P"), p.cycles[2025]["id"], p.id("a1"), data, "k")


def test_a_unit_that_did_not_exist_in_a_cycle_cannot_register_for_it(p):
    p.cycle(2026)
    with pytest.raises(NotAllowed, match="không hoạt động trong chu kỳ Năm 2026"):
        plans.register_plan(p.rt, p.actor("P"), p.cycles[2026]["id"], p.id("a1"), PLAN, "r1")


def test_an_abolished_upper_unit_is_not_offered_on_the_upper_report_after_its_end(p):
    request = ChangeRequest(uc.K.ABOLISH, MERGER, "20-QĐ/TĐTN", (p.id("B"),), target_id=p.id("P"))
    uc.apply_change(p.rt, p.actor("P"), request, "abolish-b")
    p.cycle(2026)
    assert p.id("B") in rollups.reporting_units(p.rt, p.actor("P"), p.cycles[2025]["id"])
    assert p.id("B") not in rollups.reporting_units(p.rt, p.actor("P"), p.cycles[2026]["id"])


@pytest.mark.parametrize(
    ("rule", "commended"),
    [(SuccessorRule.ALL, False), (SuccessorRule.ANY, True), (None, False)],
)
def test_commendation_across_a_merger_follows_the_provinces_rule(p, rule, commended):
    _assess_and_recognise_new_unit(p)
    if rule is not None:
        province_settings.save_successor_rule(p.rt, p.actor("P"), rule, f"rule-{rule.name}")
    found = commendation.candidates(p.rt, p.actor("P"), TERM, Moment.MID)
    names = {c.unit.name: c for c in found.candidates}
    assert ("Đoàn xã Mẫu Mới" in names) is commended
    if commended:
        candidate = names["Đoàn xã Mẫu Mới"]
        assert candidate.rule.startswith(f"Đơn vị hợp nhất: {rule.value}")
        years = {h.year: h for h in candidate.history}
        assert years[2024].via.endswith("Đoàn xã Mẫu A1, Đoàn xã Mẫu A2")
        assert years[2025].via == ""


def test_the_default_rule_is_stated(p):
    words = province_settings.rule_words(p.rt.workbook())
    assert words.startswith("Đơn vị hợp nhất: Tất cả đơn vị tiền thân (mặc định)")


def test_the_new_units_history_shows_its_predecessors_years_and_where_each_came_from(p):
    _assess_and_recognise_new_unit(p)
    history = unit_history.unit_history(p.rt, p.actor("P"), p.id("x"))
    lines = [
        (line.year, line.unit_name, line.upper_name, line.recognised) for line in history.lines
    ]
    assert lines == [
        (2025, "Đoàn xã Mẫu Mới", "Huyện đoàn Mẫu A", True),  # registered through A1, A2
        (2024, "Đoàn xã Mẫu A1 (đơn vị tiền thân)", "Huyện đoàn Mẫu A", True),
        (2024, "Đoàn xã Mẫu A2 (đơn vị tiền thân)", "Huyện đoàn Mẫu A", False),
        (2023, "Đoàn xã Mẫu A1 (đơn vị tiền thân)", "Huyện đoàn Mẫu A", True),
        (2023, "Đoàn xã Mẫu A2 (đơn vị tiền thân)", "Huyện đoàn Mẫu A", True),
    ]
    assert (history.recognised_cycles, history.cycles) == (2, 3)  # 2024: A2 was not
