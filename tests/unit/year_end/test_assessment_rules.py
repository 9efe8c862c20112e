"""The pass rules as tables of cases: each criterion kind, each content rule, the set rule, points."""

from __future__ import annotations

import re
from typing import Any

import pytest

from schemas.criteria import CONTENT_IDS, CriteriaSet, load_catalogue
from services.year_end.scoring import compute, read_value, threshold_for


def a_set(points: dict | None = None, rules: dict[str, dict] | None = None, **top: Any):
    """A small set: per content a required dat, a count (min 2), an optional dat and a score."""
    data: dict[str, Any] = {
        "id": "3cd-thu",
        "version": 1,
        "title": "Bộ thử",
        "period": [2030, 2034],
        "contents": [
            {
                "id": cid,
                "title": f"Nội dung {cid}",
                "criteria": [
                    {"id": f"{n}.1", "title": "Có", "kind": "dat", "points": 3},
                    {"id": f"{n}.2", "title": "Đếm", "kind": "count", "minimum": 2, "points": 2},
                    {"id": f"{n}.3", "title": "Tuỳ", "kind": "dat", "required": False},
                    {
                        "id": f"{n}.4",
                        "title": "Điểm",
                        "kind": "points",
                        "maximum": 5,
                        "minimum": 1,
                        "required": False,
                    },
                ],
                **({"pass_rule": rules[cid]} if rules and cid in rules else {}),
            }
            for n, cid in enumerate(CONTENT_IDS, start=1)
        ],
        **top,
    }
    if points:
        data["points"] = points
    return CriteriaSet.from_data(data)


def all_met(**overrides: str) -> dict[str, str]:
    """Every required criterion met; optional ones blank; then the overrides."""
    values = {}
    for n in (1, 2, 3):
        values |= {f"{n}.1": "Đạt", f"{n}.2": "2"}
    return values | overrides


@pytest.mark.parametrize(
    ("kind", "text", "read"),
    [
        ("dat", "Đạt", True),
        ("dat", "đạt", True),
        ("dat", " Có ", True),
        ("dat", "x", True),
        ("dat", "Không đạt", False),
        ("dat", "chưa đạt", False),
        ("dat", "Không", False),
        ("dat", "", None),
        ("count", "3", 3),
        ("count", "0", 0),
        ("count", "1.200", 1200),
        ("points", "4,5", 4.5),
        ("points", "4.5", 4.5),
        ("points", "5", 5.0),
    ],
)
def test_values_are_read_the_way_a_vietnamese_user_types_them(kind, text, read):
    criteria = a_set()
    criterion = {"dat": "1.1", "count": "1.2", "points": "1.4"}[kind]
    assert read_value(criteria.criteria[criterion], text) == read


@pytest.mark.parametrize(
    ("criterion", "text", "reason"),
    [
        ("1.1", "tốt", "phải là 'Đạt' hoặc 'Không đạt'"),
        ("1.2", "hai", "phải là số nguyên (ví dụ 3)"),
        ("1.2", "1,5", "phải là số nguyên (ví dụ 3)"),
        ("1.2", "-1", "không được âm"),
        ("1.4", "6", "phải trong khoảng 0–5 điểm"),
        ("1.4", "năm", "phải là số điểm (ví dụ 8,5)"),
    ],
)
def test_a_value_that_does_not_fit_its_kind_is_refused_with_the_reason(criterion, text, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_value(a_set().criteria[criterion], text)
    assert compute(a_set(), all_met(**{criterion: text})).invalid == {criterion: reason}


@pytest.mark.parametrize(
    ("overrides", "contents", "passed", "failed"),
    [
        ({}, (True, True, True), True, ()),
        ({"1.1": "Không đạt"}, (False, True, True), False, ("1.1",)),
        ({"2.2": "1"}, (True, False, True), False, ("2.2",)),  # below the count's minimum
        ({"3.2": ""}, (True, True, False), False, ("3.2",)),  # a blank required value
        ({"1.3": "Không đạt", "2.4": "0"}, (True, True, True), True, ()),  # optional ones
        ({"1.1": "Không đạt", "2.1": "Không đạt", "3.1": "Không"}, (False,) * 3, False, None),
    ],
)
def test_by_default_a_content_passes_when_its_required_criteria_pass_and_the_set_needs_all_three(
    overrides, contents, passed, failed
):
    result = compute(a_set(), all_met(**overrides))
    assert tuple(result.contents.values()) == contents
    assert result.passed is passed
    if failed is not None:
        assert result.failed == failed
    assert result.points is None  # points are off unless switched on


@pytest.mark.parametrize(
    ("rule", "overrides", "nd1"),
    [
        ({"must_pass": ["1.3"]}, {}, False),  # an optional criterion the rule names
        ({"must_pass": ["1.3"]}, {"1.3": "Đạt"}, True),
        ({"all_required": False, "min_passed": 1}, {"1.1": "Không đạt"}, True),
        ({"all_required": False, "min_passed": 2}, {"1.1": "Không đạt"}, False),
        ({"min_passed": 1, "among": ["1.3", "1.4"]}, {}, False),
        ({"min_passed": 1, "among": ["1.3", "1.4"]}, {"1.4": "1"}, True),
        ({"min_passed": 1, "among": ["1.3", "1.4"]}, {"1.4": "0,5"}, False),  # below its minimum
    ],
)
def test_a_content_rule_can_name_criteria_or_ask_for_a_number_of_them(rule, overrides, nd1):
    result = compute(a_set(rules={"ND1": rule}), all_met(**overrides))
    assert result.contents["ND1"] is nd1
    assert result.passed is nd1


@pytest.mark.parametrize(
    ("min_contents", "failing", "passed"),
    [(3, 0, True), (3, 1, False), (2, 1, True), (2, 2, False), (1, 2, True)],
)
def test_the_set_rule_counts_contents_passed_at_the_same_time(min_contents, failing, passed):
    criteria = a_set(pass_rule={"min_contents": min_contents})
    overrides = {f"{n}.1": "Không đạt" for n in range(1, failing + 1)}
    assert compute(criteria, all_met(**overrides)).passed is passed


@pytest.mark.parametrize(
    ("overrides", "threshold", "points", "passed"),
    [
        ({}, 15, 15.0, True),  # 3 x (3 + 2): exactly at the threshold passes
        ({}, 15.5, 15.0, False),
        ({"1.4": "0,5"}, 15.5, 15.5, True),  # a score adds its value even below its minimum
        ({"2.2": "1"}, 10, 13.0, False),  # enough points, but ND2 fails: contents still count
        ({"1.3": "Đạt"}, 15, 15.0, True),  # an optional dat without points adds nothing
    ],
)
def test_with_points_on_the_total_must_also_reach_the_threshold(
    overrides, threshold, points, passed
):
    result = compute(a_set(), all_met(**overrides), threshold)
    assert (result.points, result.passed) == (points, passed)
    assert result.content_points["ND1"] == 5 + float(overrides.get("1.4", "0").replace(",", "."))


def test_a_content_may_ask_for_points_but_only_when_points_are_on():
    criteria = a_set(rules={"ND1": {"min_points": 6}})
    assert compute(criteria, all_met()).contents["ND1"] is True  # off: the rule does not apply
    assert compute(criteria, all_met(), 0).contents["ND1"] is False  # 5 points < 6
    assert compute(criteria, all_met(**{"1.4": "1"}), 0).contents["ND1"] is True


@pytest.mark.parametrize(
    ("points", "cycle", "threshold"),
    [
        (None, None, None),  # the default: no points
        (None, 12, 12),  # a cycle switches points on
        ({"enabled": True, "threshold": 10}, None, 10),  # the set switches them on
        ({"enabled": True, "threshold": 10}, 14, 14),  # the cycle's threshold wins
        ({"enabled": False, "threshold": 10}, None, None),
    ],
)
def test_points_are_on_only_when_the_cycle_or_the_set_switches_them_on(points, cycle, threshold):
    assert threshold_for(a_set(points=points), cycle) == threshold


def test_the_shipped_set_passes_a_complete_good_assessment_and_fails_without_the_dialogue():
    criteria = load_catalogue()["3cd-2023-2027@1"]
    values = {cid: "Đạt" for cid in criteria.criteria} | {"2.3": "4", "2.4": "2", "3.3": "1"}
    assert compute(criteria, values | {"3.4": ""}).passed is True
    result = compute(criteria, values | {"3.3": "0"})
    assert (result.passed, result.contents["ND3"], result.failed) == (False, False, ("3.3",))
