"""The demo province: real names under their real upper units, samples visibly samples, seeded once."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from schemas.cells import VN_TZ
from schemas.criteria import load_catalogue
from schemas.models import AssessmentState, Assessor, RegistrationState, UnitKind
from services import demo
from services.core.access import Role
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.demo import restructure
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from services.year_end import assessments, decisions
from services.year_end.assessment_index import is_registered
from tests.support.builders import committed_writes
from tests.support.world import NOW

MERGER = restructure.MERGER_DAY

# programme.md §6: the sourced commune-level names under their district-level union, and the one
# grassroots unit sourced directly under the province: 53 names in all.
SOURCED = {
    "Thành đoàn Hưng Yên": [
        "An Tảo",
        "Trung Nghĩa",
        "Hiến Nam",
        "Liên Phương",
        "Lê Lợi",
        "Minh Khai",
        "Phú Cường",
        "Hùng Cường",
        "Bảo Khê",
        "Lam Sơn",
        "Hồng Châu",
        "Quảng Châu",
        "Hoàng Hanh",
    ],
    "Thị đoàn Mỹ Hào": [
        "Bạch Sam",
        "Bần Yên Nhân",
        "Dị Sử",
        "Minh Đức",
        "Nhân Hoà",
        "Phan Đình Phùng",
        "Phùng Chí Kiên",
        "Cẩm Xá",
        "Dương Quang",
        "Hoà Phong",
        "Hưng Long",
        "Ngọc Lâm",
        "Xuân Dục",
    ],
    "Huyện đoàn Tiên Lữ": [
        "Hưng Đạo",
        "Nhật Tân",
        "An Viên",
        "Vương",
        "Thiện Phiến",
        "Hải Thắng",
        "Thụy Lôi",
        "Lệ Xá",
    ],
    "Huyện đoàn Phù Cừ": ["Nhật Quang", "Minh Tân", "Trần Cao", "Tống Phan", "Đoàn Đào", "Tam Đa"],
    "Huyện đoàn Kim Động": ["Phạm Ngũ Lão", "Chính Nghĩa", "Song Mai", "Đức Hợp"],
    "Huyện đoàn Khoái Châu": ["Hồng Tiến", "Thuần Hưng"],
    "Huyện đoàn Văn Lâm": ["Lạc Hồng", "Việt Hưng"],
    "Huyện đoàn Văn Giang": ["Phụng Công"],
    "Huyện đoàn Yên Mỹ": ["Thanh Long"],
    "Huyện đoàn Ân Thi": ["Quang Vinh", "Hoàng Hoa Thám"],
}
SOURCED_DIRECTLY_UNDER_PROVINCE = ["Đoàn trường ĐH Sư phạm Kỹ thuật Hưng Yên"]
PLACE_PREFIXES = ("Đoàn xã ", "Đoàn phường ", "Đoàn thị trấn ")


def place(name: str) -> str:
    return next((name.removeprefix(p) for p in PLACE_PREFIXES if name.startswith(p)), name)


@pytest.fixture(scope="module")
def demo_rt(tmp_path_factory) -> Runtime:
    """The demo as the app seeds it on first start (year end included), once for this module."""
    store = CachedStore(SqlStore.at_path(tmp_path_factory.mktemp("demo") / "3cd.sqlite"))
    runtime = Runtime(store, FixedClock(NOW), load_catalogue())
    demo.seed_if_empty(runtime, year_end=True)
    return runtime


@pytest.fixture(scope="module")
def wb(demo_rt):
    """The seeded demo, parsed once for the read-only tests of this module."""
    return demo_rt.workbook()


def parent_name(wb, unit) -> str:
    return wb.unit_name(unit.parent_id or "")


def test_the_sourced_list_has_53_names():
    assert sum(len(v) for v in SOURCED.values()) + len(SOURCED_DIRECTLY_UNDER_PROVINCE) == 53


def test_the_demo_has_at_least_60_grassroots_units_over_time_and_35_today(wb):
    assert len(wb.grassroots(wb.units, active_only=False)) >= 60
    assert len(wb.grassroots(wb.units)) >= 35


def test_the_province_has_the_ten_district_level_unions_and_at_least_two_blocs(wb):
    root = next(u for u in wb.units.values() if not u.parent_id)
    below = [wb.units[c] for c in wb.children[root.id]]
    districts = {u.name for u in below if u.kind is UnitKind.CAP_HUYEN}
    blocs = [u for u in below if u.kind is UnitKind.TRUC_THUOC]
    assert root.name == "Tỉnh đoàn Hưng Yên" and root.kind is UnitKind.TINH_DOAN
    assert districts == set(SOURCED)
    assert len(blocs) >= 2


@pytest.mark.parametrize("upper", sorted(SOURCED))
def test_every_sourced_name_sits_under_its_real_upper_unit(wb, upper):
    under = {
        place(u.name)
        for u in wb.units.values()
        if u.kind.is_grassroots and parent_name(wb, u) == upper
    }
    assert set(SOURCED[upper]) <= under


@pytest.mark.parametrize(
    ("name", "upper", "kind"),
    [
        ("Đoàn xã Thuần Hưng", "Huyện đoàn Khoái Châu", UnitKind.XA),
        ("Đoàn thị trấn Vương", "Huyện đoàn Tiên Lữ", UnitKind.THI_TRAN),
        ("Đoàn phường Bạch Sam", "Thị đoàn Mỹ Hào", UnitKind.PHUONG),
        ("Đoàn xã Hoà Phong", "Thị đoàn Mỹ Hào", UnitKind.XA),
        ("Đoàn xã Phụng Công", "Huyện đoàn Văn Giang", UnitKind.XA),
        ("Đoàn trường ĐH Sư phạm Kỹ thuật Hưng Yên", "Tỉnh đoàn Hưng Yên", UnitKind.TRUONG_DH_CD),
    ],
)
def test_a_few_sourced_units_by_full_name(wb, name, upper, kind):
    found = [u for u in wb.units.values() if u.name == name and parent_name(wb, u) == upper]
    assert len(found) == 1
    assert parent_name(wb, found[0]) == upper and found[0].kind is kind


def old_tree(wb) -> list:
    """The grassroots units that ended on 1/7/2025 (the old district tree)."""
    return [u for u in wb.grassroots(wb.units, active_only=False) if u.valid_until == MERGER]


def test_no_sourced_name_appears_twice_or_under_another_district(wb):
    places = [place(u.name) for u in old_tree(wb)]
    for names in SOURCED.values():
        for name in names:
            assert places.count(name) == 1, name


def test_every_grassroots_unit_that_is_not_sourced_is_visibly_a_sample(wb):
    sourced = {n for names in SOURCED.values() for n in names}
    sourced |= {name for _, name, _ in restructure.NEW_COMMUNES}
    sourced |= {name for _, name in restructure.FORMER_THAI_BINH}
    others = [
        u.name
        for u in wb.grassroots(wb.units, active_only=False)
        if place(u.name) not in sourced and u.name not in SOURCED_DIRECTLY_UNDER_PROVINCE
    ]
    assert others, "the demo should include sample units beyond the sourced ones"
    assert [n for n in others if "Mẫu" not in n] == []


def test_contact_details_are_visibly_invented(wb):
    for unit in wb.units.values():
        assert unit.email.endswith("@mau.example") and "mẫu" in unit.secretary


def test_the_open_cycle_closes_after_now_and_about_half_its_units_registered(wb):
    cycle = wb.cycles["CK-2027"]
    grassroots = wb.grassroots(wb.units)
    registered = [u for u in grassroots if wb.registration(cycle.id, u.id)]
    assert cycle.register_cutoff > NOW
    assert cycle.register_cutoff.isoformat() == "2026-12-16T00:00:00+07:00"
    assert 0.3 <= len(registered) / len(grassroots) <= 0.7
    assert all(wb.registration(cycle.id, u.id).submitted_at < NOW for u in registered)


def test_the_open_cycle_has_sent_accepted_and_returned_registrations(wb):
    states = {r.state for r in wb.registrations_of("CK-2027")}
    assert states == set(RegistrationState)


@pytest.mark.parametrize("cycle_id", ["CK-2025", "CK-2026"])
def test_past_cycles_have_some_late_registrations_judged_against_their_cutoff(wb, cycle_id):
    cycle = wb.cycles[cycle_id]
    regs = wb.registrations_of(cycle_id)
    late = [r for r in regs if not r.on_time]
    assert late and len(late) < len(regs)
    assert all(r.on_time is (r.submitted_at < cycle.register_cutoff) for r in regs)


def test_past_cycles_use_the_default_cutoffs(wb):
    assert wb.cycles["CK-2026"].register_cutoff.isoformat() == "2025-10-10T00:00:00+07:00"
    assert wb.cycles["CK-2026"].report_cutoff.isoformat() == "2025-10-15T00:00:00+07:00"


def test_the_demo_people_are_the_four_roles_on_their_units(rt, people):
    wb = rt.workbook()
    assert set(people) == set(Role)
    assert wb.unit_name(people[Role.UPPER].unit_id) == "Đoàn Khối Doanh nghiệp Mẫu 2"
    assert wb.units[people[Role.UPPER].unit_id].kind is UnitKind.DOAN_KHOI
    assert wb.unit_name(people[Role.SECRETARY].unit_id) == "Đoàn cơ sở Công ty Mẫu 1"
    assert wb.registration("CK-2027", people[Role.SECRETARY].unit_id) is None
    waiting = next(u for u in wb.units.values() if u.name == "Đoàn cơ sở Công ty Mẫu 2")
    assert wb.registration("CK-2027", waiting.id).state is RegistrationState.SENT


def test_the_demo_is_seeded_only_once(rt):
    tabs = ["units", "cycles", "registrations", "extensions", "upper_reports", "audit_log"]
    before = rt.store.read(tabs)
    token = rt.store.inner.change_token()
    assert demo.seed_if_empty(rt) is False
    assert rt.store.read(tabs) == before
    assert rt.store.inner.change_token() == token


def test_an_empty_store_is_seeded_in_one_write(empty_rt):
    with committed_writes(empty_rt) as writes:
        assert demo.seed_if_empty(empty_rt) is True
    assert writes == [1]


def test_the_demo_has_no_data_problems(wb):
    assert wb.problems == []
    assert wb.broken_registrations == set()


def test_seeding_the_demo_leaves_one_audit_row_saying_so(empty_rt):
    demo.seed_if_empty(empty_rt)
    [entry] = empty_rt.store.read(["audit_log"])["audit_log"]
    assert (entry.cells["actor"], entry.cells["action"]) == ("Hệ thống", "Nạp dữ liệu mẫu")


# ---- the year end: assessments and decisions --------------------------------------------------

FINISHED, RUNNING, OPEN = "CK-2025", "CK-2026", "CK-2027"  # at NOW (25/11/2026)


def name_of(wb, unit_id: str) -> str:
    return wb.unit_name(unit_id)


def official(wb, cycle_id: str) -> list:
    return [a for a in wb.assessments.values() if a.cycle_id == cycle_id and a.official]


def test_the_year_end_data_has_nothing_to_check(demo_rt, wb):
    assert assessments.assessment_problems(wb, demo_rt.criteria) == []
    assert wb.broken_assessments == set() and wb.broken_decisions == set()


def test_most_registered_units_of_the_finished_cycle_are_assessed_and_most_pass(demo_rt, wb):
    outcomes = assessments.outcomes_of(wb, demo_rt.criteria, FINISHED)
    cycle = wb.cycles[FINISHED]
    counted = {u.id for u in wb.expected(wb.units, cycle) if is_registered(wb, FINISHED, u.id)}
    assert set(outcomes) <= counted  # the merger year: merged communes through their predecessors
    assert len(outcomes) >= 0.85 * len(counted)
    passed = [o for o in outcomes.values() if o.passed]
    assert 0.6 * len(outcomes) <= len(passed) < len(outcomes)


def test_the_dialogue_and_the_hardship_list_are_among_the_criteria_failing_most(demo_rt, wb):
    failed = Counter(
        cid
        for cycle_id in (FINISHED, RUNNING)
        for o in assessments.outcomes_of(wb, demo_rt.criteria, cycle_id).values()
        for cid in o.failed_criteria
    )
    top = [cid for cid, _ in failed.most_common(3)]
    assert "3.3" in top and "1.6" in top


def test_every_assessment_keeps_the_upper_unit_of_its_time(wb):
    """Before the merger year the one the unit registered with; from 2025, the one it had at the
    year end (a unit registered in October 2024 under a district union is assessed under the
    Tỉnh đoàn or a Đoàn Khối)."""
    for a in wb.assessments.values():
        assert is_registered(wb, a.cycle_id, a.unit_id), a.id
        reg = wb.registration(a.cycle_id, a.unit_id)
        if wb.cycles[a.cycle_id].year < MERGER.year:
            assert a.upper_unit_id == reg.upper_unit_id, a.id
        else:
            assert a.upper_unit_id == wb.units[a.unit_id].parent_id, a.id


def test_every_unit_on_a_decision_passed_and_was_recognised_by_its_upper_unit_of_the_time(
    demo_rt, wb
):
    assert wb.decision_units
    for row in wb.decision_units.values():
        decision = wb.decisions[row.decision_id]
        outcome = assessments.outcomes_of(wb, demo_rt.criteria, row.cycle_id)[row.unit_id]
        assert outcome.passed and outcome.assessment_id == row.assessment_id
        assert row.cycle_id == decision.cycle_id
        assessed = wb.assessments[row.assessment_id]
        assert row.upper_unit_id == assessed.upper_unit_id
        assert decision.unit_id == row.upper_unit_id


def test_every_passed_unit_of_the_finished_cycle_is_recognised(demo_rt, wb):
    outcomes = assessments.outcomes_of(wb, demo_rt.criteria, FINISHED)
    passed = {uid for uid, o in outcomes.items() if o.passed}
    assert set(decisions.recognised(wb, FINISHED)) == passed


def test_decisions_are_signed_in_december_of_the_cycle_year_or_before_now(wb):
    for d in wb.decisions.values():
        year = wb.cycles[d.cycle_id].year
        if d.cycle_id == FINISHED:
            assert (d.signed_on.year, d.signed_on.month) == (year, 12)
        else:
            assert date(year, 11, 1) <= d.signed_on < NOW.date()
        assert "Mẫu" in d.signer and "/" in d.number


def test_the_running_cycle_is_partly_done_and_leaves_the_demo_officer_work(demo_rt, wb, people):
    running = assessments.outcomes_of(wb, demo_rt.criteria, RUNNING)
    registered = [
        r for r in wb.registrations_of(RUNNING) if r.state is not RegistrationState.RETURNED
    ]
    assert 0.3 * len(registered) <= len(running) < len(registered)
    khoai_chau = wb.subtree(unit_id_of(wb, "Đoàn Khối Doanh nghiệp Mẫu 2"))
    assert not [
        a for a in wb.assessments.values() if a.cycle_id == RUNNING and a.unit_id in khoai_chau
    ]
    drafts = [a for a in official(wb, RUNNING) if a.state is AssessmentState.DRAFT]
    assert 1 <= len(drafts) <= 3
    issuers = {name_of(wb, d.unit_id) for d in wb.decisions.values() if d.cycle_id == RUNNING}
    assert issuers and "Đoàn Khối Cơ quan Mẫu 1" not in issuers


def test_the_open_cycle_has_no_assessment_or_decision(wb):
    assert not [a for a in wb.assessments.values() if a.cycle_id == OPEN]
    assert not [d for d in wb.decisions.values() if d.cycle_id == OPEN]


def test_a_few_self_assessments_sit_beside_official_ones_and_do_not_count(demo_rt, wb):
    own = [a for a in wb.assessments.values() if a.assessor is Assessor.SELF]
    assert 1 <= len(own) <= 4
    for a in own:
        outcome = assessments.outcomes_of(wb, demo_rt.criteria, a.cycle_id).get(a.unit_id)
        assert outcome is None or outcome.assessment_id != a.id


def test_the_demo_secretarys_unit_was_recognised_in_the_finished_cycle(wb):
    unit = unit_id_of(wb, "Đoàn cơ sở Công ty Mẫu 1")
    assert unit in decisions.recognised(wb, FINISHED)


def test_the_year_end_is_the_same_every_time_it_is_seeded(demo_rt):
    first = demo.demo_operations(NOW, demo_rt, year_end=True)
    again = demo.demo_operations(NOW, demo_rt, year_end=True)
    assert [(op.tab, op.cells) for op in first] == [(op.tab, op.cells) for op in again]


def test_the_year_end_leaves_the_rest_of_the_demo_as_it_was(demo_rt):
    plain = demo.demo_operations(NOW, demo_rt)
    full = demo.demo_operations(NOW, demo_rt, year_end=True)
    year_end_tabs = {"assessments", "assessment_items", "decisions", "decision_units"}
    kept = [(op.tab, op.cells) for op in full if op.tab not in year_end_tabs]
    assert kept[:-1] == [(op.tab, op.cells) for op in plain][:-1]  # all but the audit row


def test_a_demo_seeded_without_its_year_end_gets_it_once(rt):
    assert demo.seed_year_end(rt) is True
    first = rt.workbook()
    assert first.assessments and first.decisions
    audit = [r.cells for r in rt.store.read(["audit_log"])["audit_log"]]
    assert [a["action"] for a in audit] == ["Nạp dữ liệu mẫu", "Nạp dữ liệu mẫu cuối năm"]
    token = rt.store.inner.change_token()
    assert demo.seed_year_end(rt) is False
    assert rt.store.inner.change_token() == token


def test_a_store_seeded_before_its_season_has_no_year_end(empty_rt):
    early = Runtime(
        empty_rt.store, FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)), empty_rt.criteria
    )
    demo.seed_if_empty(early, year_end=True)
    wb = early.workbook()
    years = {wb.cycles[a.cycle_id].year for a in wb.assessments.values()}
    assert years == {2024, 2025}  # 2026's year end has not come yet on 2 March 2026


# ---- the 2025 restructuring --------------------------------------------------------------------


def test_a_new_commune_is_formed_on_1_july_2025_from_its_sourced_old_communes(wb):
    new = next(u for u in wb.units.values() if u.name == "Đoàn xã Chí Minh")
    old = wb.units[unit_id_of(wb, "Đoàn xã Thuần Hưng")]
    assert new.predecessor_ids == (old.id,) and new.valid_from == MERGER
    assert old.valid_until == MERGER and not old.active
    assert parent_name(wb, new) == "Tỉnh đoàn Hưng Yên"  # 2 levels since 1/7/2025


def test_the_district_unions_end_on_1_july_2025_and_report_only_before(wb):
    district = wb.units[unit_id_of(wb, "Huyện đoàn Khoái Châu")]
    assert district.valid_until == MERGER
    assert wb.upper_report("CK-2024", district.id) is not None
    assert wb.upper_report("CK-2026", district.id) is None
    khoi = wb.units[unit_id_of(wb, "Đoàn Khối Doanh nghiệp Mẫu 2")]
    assert wb.upper_report("CK-2026", khoi.id) is not None


def test_the_restructuring_is_listed_as_unit_changes(wb):
    summaries = [c.summary for c in wb.unit_changes.values()]
    assert any(s.startswith("Hợp nhất Đoàn xã Thuần Hưng vào Đoàn xã Chí Minh") for s in summaries)
    assert any(s.startswith("Giải thể Huyện đoàn Khoái Châu") for s in summaries)


def test_former_thai_binh_units_appear_from_1_july_2025_without_predecessors(wb):
    unit = wb.units[unit_id_of(wb, "Đoàn phường Trần Lãm")]
    assert unit.valid_from == MERGER and unit.predecessor_ids == ()


def unit_id_of(wb, name: str) -> str:
    return next(u.id for u in wb.units.values() if u.name == name)
