"""A cycle maps unit kinds to criteria sets (one default, optional per kind); a set whose period
does not cover the cycle's year is saved with a warning."""

from __future__ import annotations

from dataclasses import replace

from schemas.models import UnitKind
from services.registration import cycles
from services.year_end import assessments
from tests.support.province import Province

OLD_SET, CURRENT_SET = "3cd-2018-2022@1", "3cd-2023-2027@2"  # the default: the newest version


def test_a_cycle_stores_a_set_per_unit_kind(empty_rt):
    p = Province(empty_rt)
    draft = replace(cycles.draft_for(empty_rt, 2026), kind_criteria=(("Trường ĐH/CĐ", OLD_SET),))
    cycle = cycles.save_cycle(empty_rt, p.actor("P"), draft, "cycle-1")
    assert cycle.criteria_for(UnitKind.TRUONG_DH_CD) == OLD_SET
    assert cycle.criteria_for(UnitKind.XA) == CURRENT_SET
    assert cycles.draft_of(cycle).kind_criteria == (("Trường ĐH/CĐ", OLD_SET),)


def test_the_assessment_form_uses_the_set_of_the_units_kind(empty_rt):
    p = Province(empty_rt)
    draft = replace(cycles.draft_for(empty_rt, 2026), kind_criteria=(("Trường ĐH/CĐ", OLD_SET),))
    cycle = cycles.save_cycle(empty_rt, p.actor("P"), draft, "cycle-1")
    school = assessments.open_assessment(empty_rt, p.actor("P"), cycle.id, p.id("p1"))
    commune = assessments.open_assessment(empty_rt, p.actor("P"), cycle.id, p.id("a1"))
    assert school.criteria.ref == OLD_SET and commune.criteria.ref == CURRENT_SET


def test_an_unknown_kind_or_set_is_refused(empty_rt):
    p = Province(empty_rt)
    draft = replace(cycles.draft_for(empty_rt, 2026), kind_criteria=(("Hợp tác xã", "khong-co"),))
    try:
        cycles.save_cycle(empty_rt, p.actor("P"), draft, "cycle-2")
    except cycles.InvalidInput as exc:
        assert any("loại 'Hợp tác xã' không hợp lệ" in m for m in exc.messages)
        assert any("không có bộ 'khong-co'" in m for m in exc.messages)
    else:
        raise AssertionError("an unknown kind and set were saved")


def test_a_set_whose_period_does_not_cover_the_year_warns(empty_rt):
    draft = replace(cycles.draft_for(empty_rt, 2029), criteria_set=CURRENT_SET)
    (warning,) = cycles.period_warnings(empty_rt, draft)
    assert "giai đoạn 2023–2027, không gồm năm 2029" in warning
    assert cycles.period_warnings(empty_rt, cycles.draft_for(empty_rt, 2026)) == []
