"""Scope of the year-end and data screens: assessing, recognising, commending, data health, export.

Same rule as test_scope.py: each refused call raises AccessDenied and leaves every tab (the audit
log included) exactly as it was.
"""

from __future__ import annotations

import pytest

from services import demo
from services.core.access import scope
from services.core.errors import AccessDenied
from services.data import health, transfer
from services.year_end import assessments, commendation, decisions, province_check
from tests.support.builders import COMPANY_1, COMPANY_2, OFFICER_BLOC, POLICE_1, POLICE_UNION
from tests.support.scope import PAST, Attempt, everything
from tests.support.scope import world as world  # noqa: F401 - the fixture, by its name

EMPTY_FORM = {"values": {}, "evidence": {}, "note": ""}


def _term(w):
    return next(t for t in commendation.terms(w.rt) if t.start <= 2026 <= t.end)


REFUSED: list[tuple[str, str, Attempt]] = [
    # ---- assessing a unit outside one's scope -----------------------------------------------
    *[
        (
            who,
            "save a draft assessment of Công ty Mẫu 1",
            lambda w, a: assessments.save_draft(w.rt, a, PAST, w.id(COMPANY_1), EMPTY_FORM, "k1"),
        )
        for who in ("viewer", "other_upper")
    ],
    (
        "secretary",
        "save a draft assessment of its neighbour Công ty Mẫu 2",
        lambda w, a: assessments.save_draft(w.rt, a, PAST, w.id(COMPANY_2), EMPTY_FORM, "k1"),
    ),
    (
        "upper",
        "save a draft assessment of Công an Mẫu 1 (Công an tỉnh)",
        lambda w, a: assessments.save_draft(w.rt, a, PAST, w.id(POLICE_1), EMPTY_FORM, "k1"),
    ),
    *[
        (
            who,
            "open Công ty Mẫu 2's assessment",
            lambda w, a: assessments.open_assessment(w.rt, a, PAST, w.id(COMPANY_2)),
        )
        for who in ("secretary", "other_upper")
    ],
    # ---- recognising -------------------------------------------------------------------------
    *[
        (
            who,
            "record a decision for Đoàn Khối DN Mẫu 2",
            lambda w, a: decisions.record_decision(
                w.rt,
                a,
                PAST,
                w.id(OFFICER_BLOC),
                {"number": "99-QĐ/HĐ", "signed_on": "01/11/2026", "signer": "Mẫu", "unit_ids": []},
                "k1",
            ),
        )
        for who in ("secretary", "viewer", "other_upper")
    ],
    (
        "upper",
        "record a decision for Công an tỉnh",
        lambda w, a: decisions.record_decision(
            w.rt,
            a,
            PAST,
            w.id(POLICE_UNION),
            {"number": "99-QĐ/HĐ", "signed_on": "01/11/2026", "signer": "Mẫu", "unit_ids": []},
            "k1",
        ),
    ),
    (
        "secretary",
        "see the province check",
        lambda w, a: province_check.province_check(w.rt, a, PAST),
    ),
    *[
        (who, "read the data-health report", lambda w, a: health.report(w.rt, a))
        for who in ("upper", "secretary", "viewer")
    ],
    *[
        (who, "export the whole store", lambda w, a: transfer.export_xlsx(w.rt.store, a))
        for who in ("upper", "secretary", "viewer")
    ],
]


@pytest.mark.parametrize(
    ("who", "what", "attempt"),
    [pytest.param(who, what, fn, id=f"{who}: {what}") for who, what, fn in REFUSED],
)
def test_an_out_of_scope_year_end_attempt_is_refused_and_changes_nothing(world, who, what, attempt):
    actor = world.people[who]
    before = everything(world.rt)
    with pytest.raises(AccessDenied):
        attempt(world, actor)
    assert everything(world.rt) == before


@pytest.mark.parametrize("who", ["upper", "secretary", "viewer", "other_upper"])
def test_commendation_candidates_are_only_units_in_scope(world, who):
    demo.seed_year_end(world.rt)  # assessments and decisions of the past cycles
    actor = world.people[who]
    mine = scope(world.rt.workbook(), actor)
    every = commendation.candidates(
        world.rt, world.people["province"], _term(world), commendation.Moment.MID
    )
    assert every.candidates, "the demo's past cycles recognise units"
    seen = commendation.candidates(world.rt, actor, _term(world), commendation.Moment.MID)
    assert {c.unit.id for c in seen.candidates} == {
        c.unit.id for c in every.candidates if c.unit.id in mine
    }


@pytest.mark.parametrize("who", ["upper", "viewer", "other_upper"])
def test_the_province_check_shows_only_rows_in_scope(world, who):
    actor = world.people[who]
    mine = scope(world.rt.workbook(), actor)
    rows = province_check.province_check(world.rt, actor, PAST)
    assert rows, "the officer's or viewer's own upper unit has a row"
    assert all(row.unit_id in mine for row in rows)
