"""An assessment save writes only its own criterion results, and never a locked assessment's.

Before, `assessments` trusted the items handed back to it: a secretary's self-assessment save,
given the items of the locked official assessment, rewrote the official result.
"""

from __future__ import annotations

import pytest

from services.core.access import Role
from services.core.errors import NotAllowed
from services.core.records import new_request_key
from services.year_end import assessments
from tests.support.builders import COMPANY_1
from tests.support.cycles import new_cycle  # noqa: F401 - a fixture
from tests.support.world import unit_id
from tests.support.year_end import good, round_, send, view  # noqa: F401 - round_ a fixture


def test_a_self_assessment_save_given_the_official_items_is_refused(rt, people, round_):  # noqa: F811
    cycle = round_()
    official = send(rt, people[Role.UPPER], cycle, name=COMPANY_1)
    assert official.official and official.items
    before = {
        cid: item.cells
        for cid, item in view(rt, people[Role.UPPER], cycle, COMPANY_1, official=True).items.items()
    }
    me = people[Role.SECRETARY]
    forged = good(**{"1.1": "Không đạt", "1.2": "Không đạt"})
    with pytest.raises(NotAllowed, match="không thuộc bản đánh giá"):
        assessments.save_draft(
            rt, me, cycle, unit_id(rt, COMPANY_1), forged, new_request_key(), None, official.items
        )
    after = view(rt, people[Role.UPPER], cycle, COMPANY_1, official=True)
    assert {cid: item.cells for cid, item in after.items.items()} == before
    assert after.result == official.result


def test_the_items_of_another_units_assessment_are_refused(rt, people, round_):  # noqa: F811
    cycle = round_()
    other = send(rt, people[Role.UPPER], cycle)  # Công ty Mẫu 2's official assessment
    me = people[Role.SECRETARY]
    own = assessments.save_draft(rt, me, cycle, me.unit_id, good(), new_request_key())
    with pytest.raises(NotAllowed, match="không thuộc bản đánh giá"):
        assessments.save_draft(
            rt, me, cycle, me.unit_id, good(), new_request_key(), own.assessment, other.items
        )
