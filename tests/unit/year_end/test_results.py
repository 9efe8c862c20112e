"""Kết quả công nhận: rates per upper unit, failing contents and criteria, the trend, the upper
unit of the time after a move, scope per role, memoisation, one unit's history — on a small
province built row by row (assessments through the seeding row builder, decisions through the
decision service)."""

from __future__ import annotations

from datetime import date

import pytest

from schemas.models import RegistrationState, Role
from services.core.access import Actor
from services.core.errors import AccessDenied
from services.presentation import province_check_table
from services.year_end import failing, results, unit_history
from tests.support.province import Province


@pytest.fixture
def province(empty_rt) -> Province:
    """2025: b1 (under B) and a1 recognised. 2026: a1 passes and is recognised, a2 fails 3.3 and
    1.6, a3 fails 3.3, b1's plan was returned, b2 passes without a decision yet, p1 (directly
    under the province) passes and is recognised. 2027: registrations only."""
    built = Province(empty_rt)
    built.cycle(2025)
    for key in ("a1", "b1"):
        built.register(2025, key)
        built.assess(2025, key)
    built.recognise(2025, "A", ["a1"])
    built.recognise(2025, "B", ["b1"])
    built.cycle(2026)
    for key in ("a1", "a2", "a3", "b2", "p1"):
        built.register(2026, key)
    built.register(2026, "b1", state=RegistrationState.RETURNED)
    built.assess(2026, "a1")
    built.assess(2026, "a2", failing=("3.3", "1.6"))
    built.assess(2026, "a3", failing=("3.3",))
    built.assess(2026, "b2")
    built.assess(2026, "p1")
    built.recognise(2026, "A", ["a1"])
    built.recognise(2026, "P", ["p1"])
    built.cycle(2027)
    built.register(2027, "a1")
    return built


def rows_by_upper(found: results.CycleResults) -> dict[str, dict]:
    return {r["upper"]: r for r in found.by_upper.to_dict("records")}


# ---- rates ------------------------------------------------------------------------------------


def test_the_rate_is_recognised_units_over_registered_ones(province):
    found = results.cycle_results(province.rt, province.actor("P"), "CK-2026")
    t = found.totals
    assert (t.registered, t.assessed, t.passed, t.recognised) == (5, 5, 3, 2)
    assert t.rate == pytest.approx(2 / 5)


def test_each_upper_unit_has_its_own_rate_and_a_returned_plan_is_not_registered(province):
    by_upper = rows_by_upper(results.cycle_results(province.rt, province.actor("P"), "CK-2026"))
    a, b, p = by_upper["Huyện đoàn Mẫu A"], by_upper["Huyện đoàn Mẫu B"], by_upper["Tỉnh đoàn Mẫu"]
    assert (a["registered"], a["assessed"], a["passed"], a["recognised"]) == (3, 3, 1, 1)
    assert a["rate"] == pytest.approx(1 / 3)
    assert (b["units"], b["registered"], b["recognised"], b["rate"]) == (2, 1, 0, 0.0)
    assert (p["registered"], p["recognised"], p["rate"]) == (1, 1, 1.0)


def test_a_cycle_nobody_was_assessed_in_has_no_rate_rather_than_zero(province):
    found = results.cycle_results(province.rt, province.actor("P"), "CK-2027")
    assert (found.totals.registered, found.totals.assessed) == (1, 0)
    assert found.totals.rate is None
    assert found.criteria.empty and found.contents["failed"].sum() == 0


# ---- what fails most --------------------------------------------------------------------------


def test_failing_criteria_are_counted_over_assessed_units_most_first(province):
    found = results.cycle_results(province.rt, province.actor("P"), "CK-2026")
    criteria = found.criteria.set_index("criterion")
    assert list(found.criteria["criterion"]) == ["3.3", "1.6"]
    assert criteria.loc["3.3", "failed"] == 2 and criteria.loc["3.3", "share"] == pytest.approx(0.4)
    assert criteria.loc["1.6", "failed"] == 1 and criteria.loc["1.6", "assessed"] == 5
    assert criteria.loc["3.3", "content"] == "ND3"
    assert criteria.loc["3.3", "title"].startswith("Tham mưu tổ chức đối thoại")
    assert criteria.loc["3.3", "title"].endswith("…")
    assert criteria.loc["3.3", "full_title"].endswith("(ít nhất 1 lần/năm)")


def test_failing_contents_include_every_content_most_first(province):
    contents = results.cycle_results(province.rt, province.actor("P"), "CK-2026").contents
    assert list(contents["content"]) == ["ND3", "ND1", "ND2"]
    assert list(contents["failed"]) == [2, 1, 0]


def test_a_short_title_is_cut_at_a_word():
    assert failing.short_title("Có danh sách đoàn viên") == "Có danh sách đoàn viên"
    cut = failing.short_title("Tham mưu tổ chức đối thoại giữa lãnh đạo cấp ủy", limit=20)
    assert cut == "Tham mưu tổ chức…"


# ---- the trend --------------------------------------------------------------------------------


def test_the_trend_has_one_row_per_cycle_oldest_first(province):
    trend = results.trend(province.rt, province.actor("P")).set_index("year")
    assert list(trend.index) == [2025, 2026, 2027]
    assert list(trend.loc[2025, ["registered", "assessed", "recognised"]]) == [2, 2, 2]
    assert trend.loc[2025, "rate"] == 1.0
    assert list(trend.loc[2026, ["registered", "assessed", "passed", "recognised"]]) == [5, 5, 3, 2]
    assert trend.loc[2026, "rate"] == pytest.approx(0.4)
    assert trend["rate"].isna().tolist() == [False, False, True]


def test_the_trend_says_which_cycles_are_closed_and_heads_with_the_newest_closed_one(province):
    trend = results.trend(province.rt, province.actor("P"))
    assert trend["closed"].tolist() == [True, False, False]  # NOW is 25/11/2026
    latest, before = results.trend_headline(trend)
    assert (latest["cycle"], before) == ("Năm 2025", None)
    still_open = trend.assign(closed=False)
    latest, before = results.trend_headline(still_open)
    assert (latest["cycle"], before["cycle"]) == ("Năm 2026", "Năm 2025")


def test_before_any_result_the_trend_has_no_headline(empty_rt):
    built = Province(empty_rt)
    built.cycle(2026)
    built.register(2026, "a1")
    trend = results.trend(empty_rt, built.actor("P"))
    assert trend["rate"].isna().all()
    assert results.trend_headline(trend) == (None, None)


def test_the_standing_splits_registered_units_and_its_green_share_is_the_rate(province):
    found = results.cycle_results(province.rt, province.actor("P"), "CK-2026")
    a = found.standing[found.standing["upper"] == "Huyện đoàn Mẫu A"].set_index("status")
    assert a["units"].to_dict() == {"Được công nhận": 1, "Không đạt": 2}
    assert (
        a.loc["Được công nhận", "share"] == pytest.approx(1 / 3) == a.loc["Được công nhận", "rate"]
    )
    b = found.standing[found.standing["upper"] == "Huyện đoàn Mẫu B"]
    assert b[["status", "units"]].values.tolist() == [["Đạt, chưa có quyết định", 1]]


# ---- the upper unit of the time ---------------------------------------------------------------


def test_a_unit_that_moved_stays_counted_under_its_upper_unit_of_the_time(province):
    province.move("b1", "A")
    by_upper = rows_by_upper(results.cycle_results(province.rt, province.actor("P"), "CK-2025"))
    b, a = by_upper["Huyện đoàn Mẫu B"], by_upper["Huyện đoàn Mẫu A"]
    assert (b["units"], b["registered"], b["recognised"]) == (2, 1, 1)  # b1 and b2, as then
    assert (a["units"], a["registered"], a["recognised"]) == (3, 1, 1)  # a1, a2, a3: not b1


def test_the_old_upper_unit_still_sees_what_it_assessed_and_the_new_one_sees_the_unit(province):
    province.move("b1", "A")
    old = results.cycle_results(province.rt, province.actor("B"), "CK-2025")
    new = results.cycle_results(province.rt, province.actor("A"), "CK-2025")
    assert old.totals.recognised == 1
    assert set(new.by_upper["upper"]) == {"Huyện đoàn Mẫu A", "Huyện đoàn Mẫu B"}


def test_a_moved_units_history_names_the_upper_unit_it_had_each_year(province):
    province.move("b1", "A")
    province.register(2027, "b1")
    history = unit_history.unit_history(province.rt, province.actor("P"), province.id("b1"))
    uppers = {line.cycle_name: line.upper_name for line in history.lines}
    assert uppers["Năm 2025"] == "Huyện đoàn Mẫu B"
    assert uppers["Năm 2027"] == "Huyện đoàn Mẫu A"
    assert history.current_upper == "Huyện đoàn Mẫu A"


# ---- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "role", "registered"),
    [
        ("P", Role.PROVINCE, 5),
        ("A", Role.UPPER, 3),
        ("B", Role.UPPER, 1),
        ("A", Role.VIEWER, 3),
        ("a2", Role.SECRETARY, 1),
        ("b1", Role.SECRETARY, 0),
    ],
)
def test_each_person_counts_only_the_units_in_their_scope(province, key, role, registered):
    found = results.cycle_results(province.rt, province.actor(key, role), "CK-2026")
    assert found.totals.registered == registered


def test_an_upper_officer_sees_only_its_own_upper_unit(province):
    found = results.cycle_results(province.rt, province.actor("B"), "CK-2026")
    assert list(found.by_upper["upper"]) == ["Huyện đoàn Mẫu B"]
    assert found.criteria.empty  # b2 passed everything


def test_a_secretary_cannot_open_another_units_history(province):
    secretary = province.actor("a1", Role.SECRETARY)
    with pytest.raises(AccessDenied):
        unit_history.unit_history(province.rt, secretary, province.id("a2"))
    assert list(unit_history.history_choices(province.rt, secretary)) == [province.id("a1")]


def test_the_check_table_shows_an_officer_only_its_own_row_and_nothing_to_a_secretary(province):
    own = province_check_table.table(province.rt, province.actor("A"), "CK-2026")
    assert list(own["Đơn vị"]) == ["Huyện đoàn Mẫu A"]
    assert own.iloc[0]["Được công nhận"] == 1
    assert province_check_table.table(
        province.rt, province.actor("a1", Role.SECRETARY), "CK-2026"
    ).empty


# ---- a unit's history -------------------------------------------------------------------------


def test_a_units_history_shows_each_cycle_newest_first(province):
    history = unit_history.unit_history(province.rt, province.actor("P"), province.id("a1"))
    assert [line.cycle_name for line in history.lines] == ["Năm 2027", "Năm 2026", "Năm 2025"]
    newest, middle, oldest = history.lines
    assert (newest.registration, newest.status) == ("Đúng hạn", unit_history.WAITING)
    assert (middle.result, middle.status) == ("Đạt", unit_history.RECOGNISED)
    assert middle.decision == "Số 1-QĐ/A ngày 20/11/2026 của Huyện đoàn Mẫu A"
    assert oldest.decision_signed_on == date(2025, 12, 15)
    assert history.recognised_cycles == 2


def test_a_failed_year_names_the_criteria_that_failed(province):
    history = unit_history.unit_history(province.rt, province.actor("P"), province.id("a2"))
    line = next(x for x in history.lines if x.cycle_name == "Năm 2026")
    assert (line.result, line.status, line.decision) == (
        "Không đạt",
        unit_history.FAILED_STATUS,
        "",
    )
    assert line.failed.startswith("1.6 Rà soát, lập danh sách") and "; 3.3 Tham mưu" in line.failed


def test_a_returned_plan_is_shown_as_such_not_as_failed(province):
    history = unit_history.unit_history(province.rt, province.actor("P"), province.id("b1"))
    line = next(x for x in history.lines if x.cycle_name == "Năm 2026")
    assert (line.registration, line.status) == ("Trả lại để sửa", unit_history.ABSENT)
    assert line.result == unit_history.NOT_REGISTERED


# ---- computed once per data version -----------------------------------------------------------


def test_results_are_computed_once_per_data_version_for_everyone_with_the_same_scope(province):
    rt = province.rt
    first = results.cycle_results(rt, province.actor("A"), "CK-2026")
    colleague = Actor("other@mau.example", "Cán bộ khác", Role.UPPER, province.id("A"))
    assert results.cycle_results(rt, colleague, "CK-2026") is first
    assert results.trend(rt, colleague) is results.trend(rt, province.actor("A"))
    province.recognise(2026, "B", ["b2"])
    after = results.cycle_results(rt, province.actor("B"), "CK-2026")
    assert after.totals.recognised == 1
    assert results.cycle_results(rt, province.actor("A"), "CK-2026") is not first
