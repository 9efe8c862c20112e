"""Reading assessments: each unit's official outcome and status in a cycle, recomputed.

Part of the public API re-exported by services/year_end/assessments.py (see its docstring).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from schemas.criteria import CriteriaSet
from schemas.models import AssessmentState, Cycle, Unit
from services.core.access import Actor, scope
from services.core.runtime import Runtime
from services.core.workbook import RowProblem, Workbook
from services.registration.cycles import assessment_cutoff, get_cycle
from services.year_end.assessment_index import (
    AssessmentIndex,
    Evaluated,
    build_index,
    is_registered,
)

NOT_REGISTERED, NOT_ASSESSED, DRAFT, REOPENED, PASSED, FAILED, NEEDS_CHECK = (
    "Chưa đăng ký",
    "Chưa đánh giá",
    "Nháp",
    "Mở lại",
    "Đã gửi - Đạt",
    "Đã gửi - Không đạt",
    "Lỗi dữ liệu",
)
STATUSES = (PASSED, FAILED, DRAFT, REOPENED, NOT_ASSESSED, NOT_REGISTERED, NEEDS_CHECK)


@dataclass(frozen=True)
class Outcome:
    """A unit's official result in a cycle, recomputed from its criterion values."""

    unit_id: str
    cycle_id: str
    upper_unit_id: str  # the upper unit at assessment time
    assessment_id: str
    passed: bool
    contents: dict[str, bool]  # ND1..ND3
    failed_criteria: tuple[str, ...]  # required (or rule-named) criteria that did not pass
    points: float | None  # only when points are on
    criteria_ref: str
    submitted_at: datetime | None
    needs_check: bool = False  # the stored copy or the data disagrees: see assessment_problems


_INDEXES: list[tuple[Workbook, Mapping, AssessmentIndex]] = []
_INDEX_LOCK = threading.Lock()


def index_of(wb: Workbook, catalogue: Mapping[str, CriteriaSet]) -> AssessmentIndex:
    """Every assessment of this workbook recomputed, once per workbook (a parsed snapshot)."""
    with _INDEX_LOCK:
        for held_wb, held_catalogue, index in _INDEXES:
            if held_wb is wb and held_catalogue is catalogue:
                return index
        index = build_index(wb, catalogue)
        _INDEXES.insert(0, (wb, catalogue, index))
        del _INDEXES[4:]
        return index


def outcomes_of(
    wb: Workbook, catalogue: Mapping[str, CriteriaSet], cycle_id: str
) -> dict[str, Outcome]:
    """Submitted official assessments of a cycle by unit id, recomputed; no scope check."""
    out = {}
    for found in index_of(wb, catalogue).of_cycle(cycle_id, official=True):
        a, result = found.assessment, found.result
        if a.state is not AssessmentState.SUBMITTED or result is None:
            continue
        out[a.unit_id] = Outcome(
            unit_id=a.unit_id,
            cycle_id=a.cycle_id,
            upper_unit_id=a.upper_unit_id,
            assessment_id=a.id,
            passed=result.passed,
            contents=dict(result.contents),
            failed_criteria=result.failed,
            points=result.points,
            criteria_ref=a.criteria_set,
            submitted_at=a.submitted_at,
            needs_check=found.needs_check or (a.cycle_id, a.unit_id) in wb.broken_assessments,
        )
    return out


def official_outcomes(rt: Runtime, actor: Actor, cycle_id: str) -> dict[str, Outcome]:
    """The official outcomes of a cycle for the units this person may see."""
    wb = rt.workbook()
    get_cycle(wb, cycle_id)
    visible = scope(wb, actor)
    every = rt.derived(
        ("assessment-outcomes", cycle_id), lambda w: outcomes_of(w, rt.criteria, cycle_id)
    )
    return {uid: o for uid, o in every.items() if uid in visible}


def assessment_problems(wb: Workbook, catalogue: Mapping[str, CriteriaSet]) -> list[RowProblem]:
    """Assessment rows a person should check: results edited by hand, unreadable values, …"""
    return list(index_of(wb, catalogue).problems)


def status_of(
    wb: Workbook, catalogue: Mapping[str, CriteriaSet], cycle_id: str, unit_id: str
) -> str:
    """One unit's assessment status in a cycle (by its official assessment)."""
    return _status(wb, index_of(wb, catalogue), cycle_id, unit_id)


def _status(wb: Workbook, index: AssessmentIndex, cycle_id: str, unit_id: str) -> str:
    key = (cycle_id, unit_id)
    found = index.find(cycle_id, unit_id, official=True)
    if key in wb.broken_assessments or key in wb.broken_registrations:
        return NEEDS_CHECK
    if found is None:
        return NOT_ASSESSED if is_registered(wb, cycle_id, unit_id) else NOT_REGISTERED
    if found.needs_check:
        return NEEDS_CHECK
    state = found.assessment.state
    if state is AssessmentState.DRAFT:
        return DRAFT
    if state is AssessmentState.REOPENED:
        return REOPENED
    return PASSED if found.result and found.result.passed else FAILED


def cycle_to_assess(wb: Workbook, now: datetime) -> Cycle | None:
    """The cycle people most likely assess now: among cycles whose year has begun, the one whose
    assessment cut-off comes first and is still ahead, else the newest of them; else the newest."""
    begun = [c for c in wb.cycles_newest_first() if c.year <= now.year]
    open_ = [c for c in begun if assessment_cutoff(c) > now]
    if open_:
        return min(open_, key=assessment_cutoff)
    newest = begun or wb.cycles_newest_first()
    return newest[0] if newest else None


@dataclass(frozen=True)
class AssessmentLine:
    """A grassroots unit in a cycle: its status, its official and its self-assessment."""

    unit: Unit
    upper_name: str
    status: str
    official: Evaluated | None
    self_assessment: Evaluated | None


def assessment_lines(rt: Runtime, actor: Actor, cycle_id: str) -> list[AssessmentLine]:
    """Every active grassroots unit this person may see, with its assessment status."""
    wb = rt.workbook()
    get_cycle(wb, cycle_id)
    index = index_of(wb, rt.criteria)
    lines = []
    for unit in wb.grassroots(scope(wb, actor)):
        official = index.find(cycle_id, unit.id, official=True)
        upper = official.assessment.upper_unit_id if official else unit.parent_id or ""
        lines.append(
            AssessmentLine(
                unit,
                wb.unit_name(upper) if upper else "",
                _status(wb, index, cycle_id, unit.id),
                official,
                index.find(cycle_id, unit.id, official=False),
            )
        )
    return lines
