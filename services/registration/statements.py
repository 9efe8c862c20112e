"""What a unit said about each criterion when it registered, as the screens show it.

The rules and the stored form are in schemas.standing; the registration service checks and stores
them (services.registration.plans). Here: the rows the plan's reader sees, one per criterion of the
set, with its source, the unit's standing and its roadmap.
"""

from __future__ import annotations

from schemas.criteria import CriteriaSet
from schemas.models import Cycle, Registration
from schemas.standing import Standing
from services.core.runtime import Runtime

CHOICES = tuple(s.value for s in Standing)
NOT_STATED = "(chưa nêu)"


def criteria_for(rt: Runtime, cycle: Cycle, unit_id: str) -> CriteriaSet | None:
    """The set a unit is held to in a cycle: its kind's own set if the cycle has one."""
    unit = rt.workbook().units.get(unit_id)
    return rt.criteria.get(cycle.criteria_for(unit.kind) if unit else cycle.criteria_set)


def statement_rows(criteria: CriteriaSet | None, reg: Registration) -> list[dict[str, str]]:
    """One row per criterion of the set (and any the unit stated that the set no longer has)."""
    stated = reg.standings
    rows = []
    for content in criteria.contents if criteria else []:
        for criterion in content.criteria:
            item = stated.get(criterion.id)
            rows.append(
                {
                    "Tiêu chí": f"{criterion.id}. {criterion.title}",
                    "Nguồn": criteria.source_words(criterion) if criteria else "",
                    "Tình hình": item.standing.value if item else NOT_STATED,
                    "Lộ trình": item.roadmap if item else "",
                }
            )
    known = set(criteria.criteria) if criteria else set()
    for criterion_id, item in stated.items():
        if criterion_id not in known:
            rows.append(
                {
                    "Tiêu chí": criterion_id,
                    "Nguồn": "",
                    "Tình hình": item.standing.value,
                    "Lộ trình": item.roadmap,
                }
            )
    return rows
