"""Nhật ký: who may read which audit entries, the filters, and paging from the newest end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from schemas.cells import VN_TZ
from services.core.access import Actor, Role
from services.core.errors import AccessDenied, InvalidInput, NotFound
from services.core.records import audit
from services.data import audit_log
from services.people import units
from services.registration import plans
from services.storage import Append
from tests.support.builders import (
    COMPANY_1,
    OFFICER_BLOC,
    OPEN,
    POLICE_1,
    POLICE_UNION,
    officer_of,
    plan,
    secretary_of,
    unit_form,
)
from tests.support.world import NOW, unit_id


def shown(page: audit_log.AuditPage) -> list[str]:
    """(record id) of each entry on a page, in the order shown."""
    return [line.entry.record_id for line in page.lines]


@pytest.fixture
def written(rt, people, new_cycle) -> dict[str, str]:
    """Real writes through the services: a plan under the demo Đoàn Khối, one under Công an tỉnh, a new cycle."""
    khoai_chau = plans.register_plan(
        rt, secretary_of(rt, COMPANY_1), OPEN, unit_id(rt, COMPANY_1), plan(), "kc-1"
    )
    tien_lu = plans.register_plan(
        rt, secretary_of(rt, POLICE_1), OPEN, unit_id(rt, POLICE_1), plan(), "tl-1"
    )
    return {"khoai_chau": khoai_chau.reference, "tien_lu": tien_lu.reference, "cycle": new_cycle()}


# ---- who sees what ------------------------------------------------------------------------------

SCOPE = [  # who, records they see (newest first) — None: refused
    ("province", ["cycle", "tien_lu", "khoai_chau", ""]),  # "" is the demo seeding row
    ("officer of Khoái Châu", ["khoai_chau"]),
    ("officer of Tiên Lữ", ["tien_lu"]),
    ("secretary", None),
    ("viewer", None),
]


def person(rt, people, who: str) -> Actor:
    return {
        "province": people[Role.PROVINCE],
        "officer of Khoái Châu": officer_of(rt, OFFICER_BLOC),
        "officer of Tiên Lữ": officer_of(rt, POLICE_UNION),
        "secretary": people[Role.SECRETARY],
        "viewer": people[Role.VIEWER],
    }[who]


@pytest.mark.parametrize(("who", "sees"), SCOPE, ids=[w for w, _ in SCOPE])
def test_each_role_sees_only_the_entries_of_its_units(rt, people, written, who, sees):
    me = person(rt, people, who)
    if sees is None:
        with pytest.raises(AccessDenied, match="Nhật ký chỉ dành cho"):
            audit_log.entries(rt, me)
        return
    assert shown(audit_log.entries(rt, me)) == [written.get(key, key) for key in sees]


def test_the_demo_officer_is_the_khoai_chau_officer_and_sees_no_cycle_entries(rt, people, written):
    page = audit_log.entries(rt, people[Role.UPPER])
    assert shown(page) == [written["khoai_chau"]]
    assert {line.unit_name for line in page.lines} == {COMPANY_1}


def test_the_unit_choices_are_the_persons_subtree_own_unit_first(rt, people):
    choices = audit_log.unit_choices(rt, officer_of(rt, OFFICER_BLOC))
    names = [u.name for u in choices]
    assert names[0] == OFFICER_BLOC and COMPANY_1 in names and POLICE_1 not in names
    with pytest.raises(AccessDenied):
        audit_log.unit_choices(rt, people[Role.SECRETARY])


# ---- filters ------------------------------------------------------------------------------------


def test_the_unit_filter_keeps_that_units_subtree(rt, people, written):
    province = people[Role.PROVINCE]
    assert shown(audit_log.entries(rt, province, unit_id=unit_id(rt, POLICE_UNION))) == [
        written["tien_lu"]
    ]
    assert shown(audit_log.entries(rt, province, unit_id=unit_id(rt, COMPANY_1))) == [
        written["khoai_chau"]
    ]


def test_an_officer_cannot_filter_by_a_unit_outside_its_subtree(rt, written):
    with pytest.raises(AccessDenied, match=POLICE_UNION):
        audit_log.entries(rt, officer_of(rt, OFFICER_BLOC), unit_id=unit_id(rt, POLICE_UNION))
    with pytest.raises(NotFound):
        audit_log.entries(rt, officer_of(rt, OFFICER_BLOC), unit_id="DV-KHONG-CO")


@pytest.mark.parametrize("query", ["bi thu doan co so cong ty mau 1", "CÔNG TY MẪU 1", "ty  bí"])
def test_the_person_filter_ignores_case_and_diacritics(rt, people, written, query):
    page = audit_log.entries(rt, people[Role.PROVINCE], person=query)
    assert shown(page) == [written["khoai_chau"]]


def test_the_date_range_uses_vietnam_days_and_includes_both_ends(rt, people, clock):
    province = people[Role.PROVINCE]
    # 00:30 on 27/11 in Vietnam is still 26/11 in UTC: it belongs to the 27th.
    for key, at in {
        "K-26": datetime(2026, 11, 26, 9, 0, tzinfo=VN_TZ),
        "K-27": datetime(2026, 11, 27, 0, 30, tzinfo=VN_TZ),
        "K-28": datetime(2026, 11, 28, 23, 59, tzinfo=VN_TZ),
    }.items():
        rt.store.apply([audit(province, at, "Sửa chu kỳ", "cycles", key, {}, {"x": "1"}, key)])
    days = {
        (date(2026, 11, 27), None): ["K-28", "K-27"],
        (None, date(2026, 11, 26)): ["K-26", ""],
        (date(2026, 11, 27), date(2026, 11, 27)): ["K-27"],
        (date(2026, 12, 1), None): [],
    }
    for (since, until), expected in days.items():
        page = audit_log.entries(rt, province, since=since, until=until)
        assert shown(page) == expected, (since, until)


def test_a_range_ending_before_it_starts_is_refused(rt, people):
    with pytest.raises(InvalidInput, match="Từ ngày"):
        audit_log.entries(
            rt, people[Role.PROVINCE], since=date(2026, 11, 27), until=date(2026, 11, 26)
        )


# ---- paging from the newest end -----------------------------------------------------------------


def fill(rt, count: int, every_tenth_in: str | None = None) -> None:
    """`count` audit rows (record ids R-1 … R-count, oldest first), written in a few batches."""
    province = Actor("tinh@mau.example", "Cán bộ Tỉnh", Role.PROVINCE, "")
    other, tenth = unit_id(rt, POLICE_1), unit_id(rt, every_tenth_in or POLICE_1)
    ops = [
        audit(
            province,
            NOW + timedelta(minutes=n),
            "Sửa đơn vị",
            "units",
            f"R-{n}",
            {"unit_id": tenth if n % 10 == 0 else other, "name": "cũ"},
            {"unit_id": tenth if n % 10 == 0 else other, "name": f"mới {n}"},
            f"fill-{n:04d}",
        )
        for n in range(1, count + 1)
    ]
    for start in range(0, len(ops), 100):
        rt.store.apply(ops[start : start + 100])


def test_pages_go_newest_first_across_chunk_boundaries_and_cover_the_log_once(rt, people):
    fill(rt, 260)
    province = people[Role.PROVINCE]
    seen, page_number = [], 0
    while True:
        page = audit_log.entries(rt, province, page=page_number, page_size=50, chunk=64)
        seen += shown(page)
        assert page.has_previous == (page_number > 0)
        if not page.has_next:
            break
        page_number += 1
    assert page_number == 5  # 261 entries (with the demo row) in pages of 50
    assert seen == [f"R-{n}" for n in range(260, 0, -1)] + [""]


def test_the_first_page_reads_only_the_newest_chunk_of_a_long_log(rt, people):
    fill(rt, 260)
    page = audit_log.entries(rt, people[Role.PROVINCE], page_size=50, chunk=100)
    assert shown(page)[:2] == ["R-260", "R-259"] and page.has_next
    assert page.rows_read == 100


def test_a_selective_filter_reads_on_until_its_page_is_full(rt, people):
    fill(rt, 260, every_tenth_in=COMPANY_1)
    officer = officer_of(rt, OFFICER_BLOC)
    first = audit_log.entries(rt, officer, page_size=20, chunk=64)
    second = audit_log.entries(rt, officer, page=1, page_size=20, chunk=64)
    assert shown(first) == [f"R-{n}" for n in range(260, 60, -10)] and first.has_next
    assert shown(second) == [f"R-{n}" for n in range(60, 0, -10)] and not second.has_next
    assert first.rows_read < 261 <= second.rows_read


def test_a_page_past_the_end_is_empty(rt, people):
    page = audit_log.entries(rt, people[Role.PROVINCE], page=7)
    assert page.lines == [] and not page.has_next and page.has_previous


# ---- what changed, in words ---------------------------------------------------------------------


def test_changes_are_named_by_the_tabs_vietnamese_headers(rt, people):
    province = people[Role.PROVINCE]
    loaded = rt.workbook().units[unit_id(rt, POLICE_1)]
    renamed = f"{POLICE_1} Mới"
    units.edit_unit(rt, province, loaded, unit_form(loaded, name=renamed), "e1")
    line = audit_log.entries(rt, province).lines[0]
    assert (line.entry.action, line.tab_title, line.unit_name) == (
        "Sửa đơn vị",
        "Đơn vị",
        renamed,
    )
    assert audit_log.FieldChange("Tên đơn vị", POLICE_1, renamed) in line.changes
    assert f"Tên đơn vị: {POLICE_1} → {renamed}" in line.changes_text
    assert "Phiên bản: 1 → 2" in line.changes_text


def test_the_demo_seeding_row_says_how_many_rows_it_wrote_in_vietnamese(rt, people):
    seeded = audit_log.entries(rt, people[Role.PROVINCE]).lines[-1]
    assert seeded.tab_title == "Toàn bộ dữ liệu"
    assert seeded.changes_text.startswith("Số dòng đã ghi: (trống) → ")
    assert "rows" not in seeded.changes_text


def test_a_new_record_shows_its_cells_as_changed_from_empty(rt, people, written):
    line = audit_log.entries(rt, people[Role.PROVINCE], unit_id=unit_id(rt, COMPANY_1)).lines[0]
    assert line.tab_title == "Đăng ký"
    assert "Số kế hoạch: (trống) → 01-KH/ĐTN" in line.changes_text


def test_a_row_broken_by_hand_is_reported_to_the_province_and_never_crashes(rt, people):
    broken = {"id": "NK-TAY", "at": "hôm qua", "actor": "x", "unit_id": unit_id(rt, COMPANY_1)}
    odd = audit(people[Role.PROVINCE], NOW, "Sửa đơn vị", "units", "R-1", {}, {}, "odd").cells | {
        "before": "không phải JSON",
        "unit_id": unit_id(rt, COMPANY_1),
    }
    rt.store.apply([Append("audit_log", broken), Append("audit_log", odd)])
    province = audit_log.entries(rt, people[Role.PROVINCE])
    assert province.unreadable == [3]  # the demo row is sheet row 2
    assert province.lines[0].changes == (
        audit_log.FieldChange("Trước → sau", "không phải JSON", "{}"),
    )
    assert audit_log.entries(rt, officer_of(rt, OFFICER_BLOC)).unreadable == []
