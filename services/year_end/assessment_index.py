"""Every stored assessment recomputed from its criterion values, with what a person should check.

Stored results are a readable copy: here each assessment is scored again from its items with the
set version it names, and any disagreement — a result edited by hand, a value that cannot be read,
a set that changed or is missing, two assessments where one may exist — becomes a `RowProblem`
for the data-health screen, and the unit's status becomes "Lỗi dữ liệu".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from schemas import tabs
from schemas.criteria import CriteriaSet
from schemas.models import (
    Assessment,
    AssessmentItem,
    AssessmentState,
    Assessor,
    RegistrationState,
    parse_decimal,
)
from schemas.tabs import Tab
from schemas.vntext import name_key
from services.core.workbook import RowProblem, Workbook
from services.registration import lineage
from services.year_end.scoring import Result, compute

A, ITEMS = tabs.ASSESSMENTS, tabs.ASSESSMENT_ITEMS


@dataclass(frozen=True)
class Evaluated:
    """One stored assessment, its items by criterion, and its result computed again."""

    assessment: Assessment
    criteria: CriteriaSet | None
    items: dict[str, AssessmentItem]
    result: Result | None
    problems: tuple[RowProblem, ...] = ()

    @property
    def needs_check(self) -> bool:
        return bool(self.problems) or self.result is None

    @property
    def values(self) -> dict[str, str]:
        return {cid: item.value for cid, item in self.items.items()}

    @property
    def evidence(self) -> dict[str, str]:
        return {cid: item.evidence for cid, item in self.items.items()}


@dataclass
class AssessmentIndex:
    """Assessments by (cycle, unit, who assessed), recomputed, with every problem found."""

    by_key: dict[tuple[str, str, Assessor], list[Evaluated]] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    def find(self, cycle_id: str, unit_id: str, official: bool) -> Evaluated | None:
        """The assessment of a unit in a cycle (the first row if a person duplicated it)."""
        who = Assessor.UPPER if official else Assessor.SELF
        found = self.by_key.get((cycle_id, unit_id, who))
        return found[0] if found else None

    def of_cycle(self, cycle_id: str, official: bool = True) -> list[Evaluated]:
        who = Assessor.UPPER if official else Assessor.SELF
        return [found[0] for (c, _, a), found in self.by_key.items() if c == cycle_id and a is who]


def is_registered(wb: Workbook, cycle_id: str, unit_id: str) -> bool:
    """A unit may be assessed in a cycle when its plan was sent or accepted (not returned); a unit
    formed by a merger in the cycle, when its predecessors' plans were (services.registration.lineage)."""
    cycle = wb.cycles.get(cycle_id)
    reg = (
        lineage.registration_of(wb, cycle, unit_id) if cycle else wb.registration(cycle_id, unit_id)
    )
    return reg is not None and reg.state is not RegistrationState.RETURNED


def build_index(wb: Workbook, catalogue: Mapping[str, CriteriaSet]) -> AssessmentIndex:
    """Recompute every assessment of the workbook and collect what needs checking."""
    index = AssessmentIndex()
    items_of: dict[str, list[AssessmentItem]] = defaultdict(list)
    for item in wb.assessment_items.values():
        if item.assessment_id in wb.assessments:
            items_of[item.assessment_id].append(item)
        else:
            index.problems.append(
                _problem(
                    wb,
                    ITEMS,
                    item.id,
                    "assessment_id",
                    f"Kết quả tiêu chí {item.criterion_id} trỏ tới bản đánh giá không tồn tại "
                    f"({item.assessment_id})",
                )
            )
    for assessment in wb.assessments.values():
        evaluated = evaluate(wb, catalogue, assessment, items_of.get(assessment.id, []))
        key = (assessment.cycle_id, assessment.unit_id, assessment.assessor)
        earlier = index.by_key.setdefault(key, [])
        if earlier:
            first = earlier[0].assessment.id
            message = (
                f"{wb.unit_name(assessment.unit_id)} có hai bản đánh giá "
                f"({assessment.assessor.value}) trong một chu kỳ: {first} và {assessment.id}"
            )
            if len(earlier) == 1:
                earlier[0] = _with(earlier[0], _problem(wb, A, first, "unit_id", message))
            evaluated = _with(evaluated, _problem(wb, A, assessment.id, "unit_id", message))
        earlier.append(evaluated)
    for found in index.by_key.values():
        for evaluated in found:
            index.problems.extend(evaluated.problems)
    return index


def _items_by_criterion(
    items: list[AssessmentItem],
    criteria: CriteriaSet | None,
    set_ref: str,
    flag: Callable[[Tab, str, str, str], None],
) -> dict[str, AssessmentItem]:
    """The criterion rows by criterion, flagging a criterion entered twice or not in the set."""
    by_criterion: dict[str, AssessmentItem] = {}
    for item in items:
        if item.criterion_id in by_criterion:
            flag(ITEMS, item.id, "criterion_id", f"Tiêu chí {item.criterion_id} bị nhập hai lần")
        elif criteria is not None and item.criterion_id not in criteria.criteria:
            flag(
                ITEMS,
                item.id,
                "criterion_id",
                f"Tiêu chí {item.criterion_id} không có trong bộ {set_ref}",
            )
        else:
            by_criterion[item.criterion_id] = item
    return by_criterion


def evaluate(
    wb: Workbook,
    catalogue: Mapping[str, CriteriaSet],
    assessment: Assessment,
    items: list[AssessmentItem],
) -> Evaluated:
    """Score one assessment again from its items with the set version it names."""
    problems: list[RowProblem] = []
    aid = assessment.id

    def flag(tab: Tab, record_id: str, column: str, message: str) -> None:
        problems.append(_problem(wb, tab, record_id, column, message))

    if assessment.unit_id not in wb.units or assessment.cycle_id not in wb.cycles:
        missing = wb.missing_reference(assessment.unit_id, assessment.cycle_id)
        flag(A, aid, "unit_id", f"Đánh giá {aid} trỏ tới {missing}")
    criteria = catalogue.get(assessment.criteria_set)
    by_criterion = _items_by_criterion(items, criteria, assessment.criteria_set, flag)
    if criteria is None:
        flag(
            A,
            aid,
            "criteria_set",
            f"Bộ tiêu chí {assessment.criteria_set} không có trong danh mục nên không tính lại "
            "được kết quả",
        )
        return Evaluated(assessment, None, by_criterion, None, tuple(problems))
    if assessment.criteria_fingerprint and assessment.criteria_fingerprint != criteria.fingerprint:
        flag(
            A,
            aid,
            "criteria_fingerprint",
            f"Bộ tiêu chí {criteria.ref} đã bị sửa sau khi đơn vị được đánh giá: các tiêu chí "
            "không còn đúng như lúc đánh giá",
        )
    result = compute(
        criteria, {c: i.value for c, i in by_criterion.items()}, assessment.points_threshold
    )
    for cid, reason in result.invalid.items():
        flag(ITEMS, by_criterion[cid].id, "value", f"Tiêu chí {cid}: {reason}")
    if assessment.state is AssessmentState.SUBMITTED and result.missing:
        flag(
            A,
            aid,
            "state",
            "Đã gửi nhưng thiếu giá trị của tiêu chí bắt buộc: " + ", ".join(result.missing),
        )
    for column, stored, computed in _copies(assessment, result):
        flag(
            A,
            aid,
            column,
            f"Kết quả lưu '{stored}' khác kết quả tính lại từ các tiêu chí '{computed}'",
        )
    return Evaluated(assessment, criteria, by_criterion, result, tuple(problems))


def _copies(assessment: Assessment, result: Result) -> list[tuple[str, str, str]]:
    """(field, stored, computed) for every stored result that disagrees with the recomputation."""
    out = []
    expected = {
        **{
            f"result_{cid.lower()}": result.content_verdict(cid).value
            for cid in assessment.stored_contents
        },
        "result": result.verdict.value,
    }
    for name, computed in expected.items():
        stored = getattr(assessment, name)
        if name_key(stored) != name_key(computed):
            out.append((name, stored, computed))
    try:
        stored_points = parse_decimal(assessment.points)
    except ValueError:
        stored_points = assessment.points
    if stored_points != result.points:
        out.append(("points", assessment.points, result.points_cell))
    return out


def _problem(wb: Workbook, tab, record_id: str, name: str, message: str) -> RowProblem:
    return RowProblem(
        tab.name,
        wb.row_numbers.get((tab.name, record_id), 0),
        tab.header(name),
        message,
        record_id,
    )


def _with(evaluated: Evaluated, problem: RowProblem) -> Evaluated:
    return Evaluated(
        evaluated.assessment,
        evaluated.criteria,
        evaluated.items,
        evaluated.result,
        (*evaluated.problems, problem),
    )
