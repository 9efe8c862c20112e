"""The demo's year end: official assessments of the registered units and the decisions recognising
the ones that passed, for each past cycle whose assessment season has begun.

Rows are built by the same code as real saves (`assessments.assessment_rows` computes the results)
so the demo goes through the same scoring. Everything is visibly invented: signers are "… Mẫu",
assessors "(mẫu)". The pattern is realistic but made up: most registered units are assessed, most
pass, and a few criteria fail more often than the rest (3.3, the yearly dialogue with youth, and
1.6, the list of young people in hardship).

Timing follows the programme: units are assessed from 1 November of the cycle year and decisions
signed in December. A cycle whose season is still running when the demo is seeded (the current
year) gets only what could have happened by then: its season is squeezed into the days before
seeding, a couple of units are left as drafts, the demo Khoái Châu officer's units are left to
assess, and one upper unit has not signed its decision yet.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from schemas import tabs
from schemas.cells import VN_TZ, iso, to_cell
from schemas.criteria import CriteriaSet, Criterion
from schemas.models import AssessmentState, RegistrationState
from services.storage import Append
from services.year_end.assessments import assessment_rows

# How often a criterion fails, by id (others: RARE). A made-up but readable pattern.
FAILS_OFTEN = {"3.3": 0.10, "1.6": 0.08, "2.4": 0.03, "1.5": 0.025}
RARE = 0.004
NOT_ASSESSED = 0.06  # registered units of a finished cycle never assessed
NOT_YET_ASSESSED = 0.35  # registered units not assessed yet in a season still running
SELF_ASSESSED = 3  # units of each finished cycle that also sent a self-assessment
# Upper units left out of a season still running: the demo officer of Khoái Châu has their
# units to assess; Ân Thi has assessed but not yet signed its decision.
LEFT_TO_ASSESS = frozenset({"Huyện đoàn Khoái Châu"})
NOT_YET_DECIDED = frozenset({"Huyện đoàn Ân Thi"})
# The demo secretary's unit passes every finished cycle it registered in, so their history shows
# a recognition.
ALWAYS_PASSES = frozenset({"Đoàn xã Thuần Hưng"})
DRAFTS = 2  # official assessments still in draft in a season still running
SIGNERS = ("Nguyễn Văn Mẫu", "Trần Thị Mẫu", "Lê Văn Mẫu")
MIN_SEASON = timedelta(days=10)  # a season shorter than this before seeding: nothing yet


@dataclass(frozen=True)
class Season:
    """When a cycle's assessments and decisions happen, cut at the day before seeding."""

    start: datetime
    assessed_until: datetime
    decide_from: datetime
    end: datetime
    running: bool  # the nominal season (to 28 December) was cut short by the seeding day

    @classmethod
    def of(cls, year: int, now: datetime) -> Season | None:
        start = datetime(year, 11, 1, 8, 0, tzinfo=VN_TZ)
        nominal_end = datetime(year, 12, 28, 17, 0, tzinfo=VN_TZ)
        end = min(nominal_end, now - timedelta(days=1))
        if end - start < MIN_SEASON:
            return None
        running = end < nominal_end
        if running:  # the days before seeding: assess in the first 70 %, decide after
            assessed_until = start + (end - start) * 0.7
            decide_from = assessed_until + timedelta(days=1)
        else:
            assessed_until = datetime(year, 12, 10, 17, 0, tzinfo=VN_TZ)
            decide_from = datetime(year, 12, 15, 8, 0, tzinfo=VN_TZ)
        return cls(start, assessed_until, decide_from, end, running)


def year_end(
    catalogue: Mapping[str, CriteriaSet],
    cycle: Mapping[str, str],
    units: list[Mapping[str, str]],
    registrations: list[Mapping[str, str]],
    now: datetime,
    rng: random.Random,
) -> list[Append]:
    """Assessment, criterion-result and decision rows for one past cycle (none before its season)."""
    season = Season.of(int(cycle["year"]), now)
    criteria = catalogue.get(cycle["criteria_set"])
    if season is None or criteria is None:
        return []
    by_id = {u["id"]: u for u in units}
    registered = [
        r for r in registrations if r["state"] != RegistrationState.RETURNED.value
    ]  # only these can be assessed
    ops: list[Append] = []
    passed: dict[str, list[tuple[Mapping[str, str], str]]] = {}  # issuer -> [(unit, assessment id)]
    left = _Left(DRAFTS if season.running else 0, 0 if season.running else SELF_ASSESSED)
    for reg in registered:
        unit = by_id[reg["unit_id"]]
        upper_name = by_id[reg["upper_unit_id"]]["name"] if reg["upper_unit_id"] else ""
        if season.running and upper_name in LEFT_TO_ASSESS:
            continue
        sure = unit["name"] in ALWAYS_PASSES and not season.running
        if rng.random() < (NOT_YET_ASSESSED if season.running else NOT_ASSESSED) and not sure:
            continue  # the upper unit has not got to it (yet)
        at = _between(season.start, season.assessed_until, rng)
        aid = f"DG-{cycle['year']}-{unit['id'][3:]}"
        cells, items = _official(criteria, cycle, reg, unit, upper_name, aid, at, sure, left, rng)
        ops += _appends(cells, items)
        if cells["state"] != AssessmentState.DRAFT.value and cells["result"] == "Đạt":
            passed.setdefault(reg["upper_unit_id"], []).append((unit, aid))
        # (the demo secretary's unit is left without one, for a newcomer to fill in)
        if left.selves > 0 and rng.random() < 0.15 and unit["name"] not in ALWAYS_PASSES:
            left.selves -= 1
            ops += _self_assessment(criteria, cycle, unit, aid, at, rng)
    for issuer_id, listed in passed.items():
        issuer = by_id[issuer_id]
        if season.running and issuer["name"] in NOT_YET_DECIDED:
            continue
        ops += _decision(cycle, issuer, listed, _between(season.decide_from, season.end, rng), rng)
    return ops


@dataclass
class _Left:
    """How many drafts and self-assessments a cycle may still get."""

    drafts: int
    selves: int


def _official(
    criteria: CriteriaSet,
    cycle: Mapping[str, str],
    reg: Mapping[str, str],
    unit: Mapping[str, str],
    upper_name: str,
    aid: str,
    at: datetime,
    sure: bool,
    left: _Left,
    rng: random.Random,
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The upper unit's assessment of one registered unit (a draft while drafts are left)."""
    values = {
        cid: _value(c, rng.random() < FAILS_OFTEN.get(cid, RARE) and not sure, rng)
        for cid, c in criteria.criteria.items()
    }
    draft = left.drafts > 0 and rng.random() < 0.2
    left.drafts -= draft
    return assessment_rows(
        criteria,
        assessment_id=aid,
        cycle=cycle,
        unit={**unit, "parent_id": reg["upper_unit_id"]},
        values=values,
        at=at,
        by=f"Cán bộ {upper_name} (mẫu)",
        submitted=not draft,
        evidence=_evidence(values, at),
    )


def _self_assessment(
    criteria: CriteriaSet,
    cycle: Mapping[str, str],
    unit: Mapping[str, str],
    aid: str,
    at: datetime,
    rng: random.Random,
) -> list[Append]:
    """The unit's own assessment, sent a few days before its upper unit's."""
    own, own_items = assessment_rows(
        criteria,
        assessment_id=f"{aid}-TD",
        cycle=cycle,
        unit=unit,
        values={cid: _value(c, False, rng) for cid, c in criteria.criteria.items()},
        at=at - timedelta(days=rng.randint(3, 10)),
        by=f"{unit['secretary']} <{unit['email']}>",
        official=False,
        note="Đơn vị tự đánh giá trước khi Đoàn cấp trên kiểm tra (mẫu).",
    )
    return _appends(own, own_items)


def _value(criterion: Criterion, fails: bool, rng: random.Random) -> str:
    """A typed value of the criterion's kind that passes it, or fails it when `fails`."""
    if criterion.kind == "dat":
        if not criterion.required and not fails:
            return rng.choice(["Đạt", ""])  # an optional criterion is often left blank
        return "Không đạt" if fails else "Đạt"
    least = int(criterion.minimum or 0)
    if criterion.kind == "count":
        return str(max(least - 1, 0)) if fails and least > 0 else str(least + rng.randint(0, 6))
    top = criterion.maximum or 0
    return f"{least - 1:g}" if fails and least >= 1 else f"{rng.uniform(least, top):.0f}"


def _evidence(values: Mapping[str, str], at: datetime) -> dict[str, str]:
    """A few evidence notes, as an assessor writes them (the dialogue minutes, the projects)."""
    notes = {}
    if values.get("3.3") not in ("", "0", "Không đạt"):
        day = (at - timedelta(days=40)).strftime("%d/%m/%Y")
        notes["3.3"] = f"Biên bản đối thoại với thanh niên ngày {day} (mẫu)"
    if values.get("2.4") not in ("", "0"):
        notes["2.4"] = f"Danh sách {values['2.4']} công trình, phần việc thanh niên (mẫu)"
    return notes


def _decision(
    cycle: Mapping[str, str],
    issuer: Mapping[str, str],
    listed: list[tuple[Mapping[str, str], str]],
    signed: datetime,
    rng: random.Random,
) -> list[Append]:
    """A decision of one upper unit recognising its passed units, and one list row per unit."""
    year = cycle["year"]
    decision_id = f"QD-{year}-{issuer['id'][3:]}"
    words = issuer["name"].split()
    initials = "".join(w[0].upper() for w in words[:2])
    recorded = signed + timedelta(hours=rng.randint(1, 20))  # entered in the app soon after
    ops = [
        Append(
            tabs.DECISIONS.name,
            {
                "id": decision_id,
                "cycle_id": cycle["id"],
                "unit_id": issuer["id"],
                "number": f"{rng.randint(10, 60)}-QĐ/{initials}",
                "signed_on": to_cell(signed.date()),
                "signer": rng.choice(SIGNERS),
                "note": f'Công nhận Đoàn cơ sở "3 chủ động" năm {year} (dữ liệu mẫu).',
                "recorded_by": f"Cán bộ {issuer['name']} (mẫu)",
                "recorded_at": iso(recorded),
                "version": "1",
                "updated_at": iso(recorded),
            },
        )
    ]
    for unit, assessment_id in listed:
        ops.append(
            Append(
                tabs.DECISION_UNITS.name,
                {
                    "id": f"CN-{year}-{unit['id'][3:]}",
                    "decision_id": decision_id,
                    "cycle_id": cycle["id"],
                    "unit_id": unit["id"],
                    "upper_unit_id": issuer["id"],
                    "assessment_id": assessment_id,
                    "removed_at": "",
                    "removed_by": "",
                    "version": "1",
                    "updated_at": iso(recorded),
                },
            )
        )
    return ops


def _appends(cells: dict[str, str], items: list[dict[str, str]]) -> list[Append]:
    return [
        Append(tabs.ASSESSMENTS.name, cells),
        *(Append(tabs.ASSESSMENT_ITEMS.name, i) for i in items),
    ]


def _between(start: datetime, end: datetime, rng: random.Random) -> datetime:
    """A working-hours instant between two instants (Vietnam time), to the minute."""
    day = start + (end - start) * rng.random()
    local = day.astimezone(VN_TZ)
    at = datetime.combine(local.date(), time(rng.randint(8, 16), rng.randint(0, 59)), VN_TZ)
    return min(max(at, start), end)
