"""Rows of the assessment tabs: the readable copy of computed results, criterion-result ids, and
whole rows for seeding (`assessment_rows`), built exactly as a real save builds them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.criteria import CriteriaSet
from schemas.models import AssessmentState, Assessor, Cycle, decimal_cell
from services.core import records
from services.registration import deadlines
from services.registration.cycles import assessment_cutoff
from services.year_end.scoring import Result, compute


def result_cells(result: Result) -> dict[str, str]:
    """The readable copy of the computed results, as stored in the assessment row."""
    return {
        **{f"result_{cid.lower()}": result.content_verdict(cid).value for cid in result.contents},
        "result": result.verdict.value,
        "points": result.points_cell,
    }


def item_id(assessment_id: str, criterion_id: str) -> str:
    """A criterion result's id: one per assessment and criterion (KQ-<assessment>-<criterion>)."""
    return f"{records.PREFIX[tabs.ASSESSMENT_ITEMS.name]}-{assessment_id.split('-', 1)[-1]}-{criterion_id}"


def assessment_rows(
    criteria: CriteriaSet,
    *,
    assessment_id: str,
    cycle: Mapping[str, str],
    unit: Mapping[str, str],
    values: Mapping[str, str],
    at: datetime,
    by: str,
    official: bool = True,
    submitted: bool = True,
    evidence: Mapping[str, str] | None = None,
    note: str = "",
    threshold: float | None = None,
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """An assessment row and its criterion-result rows, results computed as a real save does.

    `cycle` and `unit` are cells of the cycles and units tabs (as the demo builds them); the
    assessment is on time when `at` is before the cycle's assessment cut-off.
    """
    result = compute(criteria, values, threshold)
    cutoff = assessment_cutoff(Cycle.from_cells(dict(cycle)))
    cells = {
        "id": assessment_id,
        "cycle_id": cycle["id"],
        "unit_id": unit["id"],
        "upper_unit_id": unit.get("parent_id", ""),
        "assessor": to_cell(Assessor.UPPER if official else Assessor.SELF),
        "assessor_unit_id": unit.get("parent_id", "") if official else unit["id"],
        "state": to_cell(AssessmentState.SUBMITTED if submitted else AssessmentState.DRAFT),
        "criteria_set": criteria.ref,
        "criteria_fingerprint": criteria.fingerprint,
        **result_cells(result),
        "points_threshold": decimal_cell(threshold),
        "note": note,
        "on_time": to_cell(deadlines.is_on_time(at, cutoff)) if submitted else "",
        "submitted_at": iso(at) if submitted else "",
        "submitted_by": by if submitted else "",
        "reopened_at": "",
        "reopened_by": "",
        "reopen_reason": "",
        "version": "1",
        "updated_at": iso(at),
    }
    items = [
        {
            "id": item_id(assessment_id, cid),
            "assessment_id": assessment_id,
            "unit_id": unit["id"],
            "cycle_id": cycle["id"],
            "criterion_id": cid,
            "value": values.get(cid, ""),
            "evidence": (evidence or {}).get(cid, ""),
            "version": "1",
            "updated_at": iso(at),
        }
        for cid in criteria.criteria
        if values.get(cid, "") or (evidence or {}).get(cid, "")
    ]
    return cells, items
