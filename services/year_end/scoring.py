"""Scoring an assessment: criterion values as typed → each criterion, each content, the whole set.

Pure functions of a criteria set and the values a person typed, so the same inputs always give the
same result: the stored results are only a readable copy of what this computes.

Rules (docs/assessment.md):
- a `dat` criterion passes when it is marked met ("Đạt", "Có", "x"); `count` when the number is at
  least its minimum; `points` when the score is at least its minimum (0 unless set), up to its
  maximum. A blank value does not pass.
- a content passes by its pass rule: by default every required criterion passes; a rule may also
  name criteria that must pass, ask for at least N passed criteria, or (with points on) a least
  number of points.
- the set passes when at least `min_contents` contents pass (default: all three at the same time),
  and, with points on, the total reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from schemas.cells import FALSE_WORDS, TRUE_WORDS, parse_count
from schemas.criteria import Content, CriteriaSet, Criterion
from schemas.models import Verdict, decimal_cell, parse_decimal
from schemas.vntext import search_key

MET_WORDS = {search_key(w) for w in (*TRUE_WORDS, "đạt", "hoàn thành")}
NOT_MET_WORDS = {search_key(w) for w in (*FALSE_WORDS, "không đạt", "chưa đạt", "chưa")}

Value = bool | int | float


def read_value(criterion: Criterion, text: str) -> Value | None:
    """One typed value read by the criterion's kind; None when blank.

    Raises ValueError with a Vietnamese reason (without the criterion's name: callers add it).
    """
    text = (text or "").strip()
    if not text:
        return None
    if criterion.kind == "dat":
        word = search_key(text)
        if word in MET_WORDS:
            return True
        if word in NOT_MET_WORDS:
            return False
        raise ValueError("phải là 'Đạt' hoặc 'Không đạt'")
    if criterion.kind == "count":
        try:
            number = parse_count(text)
        except ValueError:
            raise ValueError("phải là số nguyên (ví dụ 3)") from None
        if number < 0:
            raise ValueError("không được âm")
        return number
    try:
        score = parse_decimal(text)
    except ValueError:
        raise ValueError("phải là số điểm (ví dụ 8,5)") from None
    top = criterion.maximum or 0
    if not 0 <= score <= top:
        raise ValueError(f"phải trong khoảng 0–{decimal_cell(top)} điểm")
    return score


def value_passes(criterion: Criterion, value: Value | None) -> bool:
    if value is None:
        return False
    if criterion.kind == "dat":
        return value is True
    return value >= (criterion.minimum or 0)


def value_points(criterion: Criterion, value: Value | None) -> float:
    if criterion.kind == "points":
        return float(value or 0)
    return criterion.points if value_passes(criterion, value) else 0.0


def threshold_for(criteria: CriteriaSet, cycle_threshold: float | None) -> float | None:
    """The points threshold in effect: the cycle's when it sets one, else the set's when the set
    switches points on, else None — points off, the default."""
    if cycle_threshold is not None:
        return cycle_threshold
    if criteria.points.enabled:
        return criteria.points.threshold
    return None


@dataclass(frozen=True)
class Result:
    """What the inputs give: per criterion, per content, overall; points only when on."""

    criteria: dict[str, bool]
    contents: dict[str, bool]
    passed: bool
    points: float | None
    content_points: dict[str, float]
    threshold: float | None
    missing: tuple[str, ...]  # required criteria left blank
    invalid: dict[str, str]  # criterion id -> why its value could not be read
    failed: tuple[str, ...]  # criteria that count (required or named by a rule) and did not pass

    @property
    def verdict(self) -> Verdict:
        return Verdict.PASSED if self.passed else Verdict.FAILED

    def content_verdict(self, content_id: str) -> Verdict:
        return Verdict.PASSED if self.contents.get(content_id) else Verdict.FAILED

    @property
    def points_cell(self) -> str:
        return decimal_cell(self.points)


_MEMO: dict[tuple, Result] = {}
_MEMO_LIMIT = 50_000  # distinct (set, threshold, values) combinations kept; most units share a few


def compute(
    criteria: CriteriaSet, values: Mapping[str, str], threshold: float | None = None
) -> Result:
    """Score typed values against a set. Unreadable values count as blank and are reported.

    Memoised: every read recomputes every stored assessment, and most share the same values.
    """
    key = (criteria.ref, criteria.fingerprint, threshold, tuple(sorted(values.items())))
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        found = _MEMO[key] = _compute(criteria, values, threshold)
    return found


def _compute(criteria: CriteriaSet, values: Mapping[str, str], threshold: float | None) -> Result:
    read: dict[str, Value | None] = {}
    invalid: dict[str, str] = {}
    for criterion in criteria.criteria.values():
        try:
            read[criterion.id] = read_value(criterion, values.get(criterion.id, ""))
        except ValueError as exc:
            read[criterion.id] = None
            invalid[criterion.id] = str(exc)
    passed = {cid: value_passes(criteria.criteria[cid], v) for cid, v in read.items()}
    scored = threshold is not None
    content_points = {
        content.id: sum(value_points(c, read[c.id]) for c in content.criteria)
        for content in criteria.contents
    }
    contents = {
        content.id: _content_passes(content, passed, content_points[content.id], scored)
        for content in criteria.contents
    }
    total = sum(content_points.values()) if scored else None
    overall = sum(contents.values()) >= criteria.pass_rule.min_contents
    if total is not None and threshold is not None:
        overall = overall and total >= threshold
    counted = _counted(criteria)
    return Result(
        criteria=passed,
        contents=contents,
        passed=overall,
        points=total,
        content_points=content_points if scored else {},
        threshold=threshold,
        missing=tuple(
            c.id for c in criteria.criteria.values() if c.required and read[c.id] is None
        ),
        invalid=invalid,
        failed=tuple(cid for cid in criteria.criteria if cid in counted and not passed[cid]),
    )


def _content_passes(
    content: Content, passed: Mapping[str, bool], points: float, scored: bool
) -> bool:
    rule = content.pass_rule
    ok = True
    if rule.all_required:
        ok = ok and all(passed[c.id] for c in content.criteria if c.required)
    ok = ok and all(passed[cid] for cid in rule.must_pass)
    if rule.min_passed is not None:
        pool = rule.among or [c.id for c in content.criteria]
        ok = ok and sum(passed[cid] for cid in pool) >= rule.min_passed
    if scored and rule.min_points is not None:
        ok = ok and points >= rule.min_points
    return ok


def _counted(criteria: CriteriaSet) -> set[str]:
    """Criteria whose failure can fail a content: required ones, and those a rule names."""
    out = set()
    for content in criteria.contents:
        rule = content.pass_rule
        if rule.all_required:
            out |= {c.id for c in content.criteria if c.required}
        out |= set(rule.must_pass) | set(rule.among)
        if rule.min_passed is not None and not rule.among:
            out |= {c.id for c in content.criteria}
    return out
