"""The demo province: real names under their real upper units, samples visibly samples, seeded once."""

from __future__ import annotations

import pytest

from schemas.criteria import load_catalogue
from schemas.models import RegistrationState, UnitKind
from services import demo
from services.access import Role
from services.clock import FixedClock
from services.runtime import Runtime
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore
from tests.conftest import NOW

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
def wb(tmp_path_factory):
    """The seeded demo, parsed once for the read-only tests of this module."""
    store = CachedStore(SqlStore.at_path(tmp_path_factory.mktemp("demo") / "3cd.sqlite"))
    runtime = Runtime(store, FixedClock(NOW), load_catalogue())
    demo.seed_if_empty(runtime)
    return runtime.workbook()


def parent_name(wb, unit) -> str:
    return wb.unit_name(unit.parent_id or "")


def test_the_sourced_list_has_53_names():
    assert sum(len(v) for v in SOURCED.values()) + len(SOURCED_DIRECTLY_UNDER_PROVINCE) == 53


def test_the_demo_has_at_least_60_grassroots_units(wb):
    assert len(wb.grassroots(wb.units)) >= 60


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
    found = [u for u in wb.units.values() if u.name == name]
    assert len(found) == 1
    assert parent_name(wb, found[0]) == upper and found[0].kind is kind


def test_no_sourced_name_appears_twice_or_under_another_district(wb):
    places = [place(u.name) for u in wb.grassroots(wb.units)]
    for names in SOURCED.values():
        for name in names:
            assert places.count(name) == 1, name


def test_every_grassroots_unit_that_is_not_sourced_is_visibly_a_sample(wb):
    sourced = {n for names in SOURCED.values() for n in names}
    others = [
        u.name
        for u in wb.grassroots(wb.units)
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
    assert wb.unit_name(people[Role.UPPER].unit_id) == "Huyện đoàn Khoái Châu"
    assert wb.unit_name(people[Role.SECRETARY].unit_id) == "Đoàn xã Thuần Hưng"
    assert wb.registration("CK-2027", people[Role.SECRETARY].unit_id) is None
    hong_tien = next(u for u in wb.units.values() if u.name == "Đoàn xã Hồng Tiến")
    assert wb.registration("CK-2027", hong_tien.id).state is RegistrationState.SENT


def test_the_demo_is_seeded_only_once(rt):
    tabs = ["units", "cycles", "registrations", "extensions", "upper_reports", "audit_log"]
    before = rt.store.read(tabs)
    token = rt.store.inner.change_token()
    assert demo.seed_if_empty(rt) is False
    assert rt.store.read(tabs) == before
    assert rt.store.inner.change_token() == token


def test_an_empty_store_is_seeded_in_one_write(empty_rt):
    token = empty_rt.store.inner.change_token()
    assert demo.seed_if_empty(empty_rt) is True
    assert int(empty_rt.store.inner.change_token()) == int(token) + 1


def test_the_demo_has_no_data_problems(wb):
    assert wb.problems == []
    assert wb.broken_registrations == set()


def test_seeding_the_demo_leaves_one_audit_row_saying_so(empty_rt):
    demo.seed_if_empty(empty_rt)
    [entry] = empty_rt.store.read(["audit_log"])["audit_log"]
    assert (entry.cells["actor"], entry.cells["action"]) == ("Hệ thống", "Nạp dữ liệu mẫu")
