"""The demo province: Hưng Yên through the 2025 restructuring, seeded into an empty embedded store.

Until 30/6/2025 the old district tree: the sourced grassroots names under their real upper units.
From 1/7/2025 (services/demo/restructure.py) the 2-level tree: the sourced new communes directly
under the Tỉnh đoàn, each formed from its old communes, a few former Thái Bình units, and Đoàn
Khối units beside a 3-level branch (Đoàn Thanh niên Công an tỉnh). Every further unit is visibly a
sample ("… Mẫu 1"), and member counts, secretaries, phones and e-mails are visibly invented.
Cycles run from the year before the merger to the one after the current year, which is open for
a few more weeks, so a newcomer always finds a registration round open; the past cycles carry
assessments and recognition decisions as far as their year end has come (services/demo/year_end.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.criteria import CriteriaSet, first_set_for_year, set_for_year
from schemas.models import LatePolicy, RegistrationState, Role, UnitKind
from schemas.standing import CriterionStanding, Standing, standings_cell
from services.core.access import Actor
from services.core.runtime import Runtime
from services.demo import mark, restructure
from services.demo import year_end as demo_year_end
from services.registration import deadlines
from services.storage import Append

PROVINCE = "Tỉnh đoàn Hưng Yên"
K = UnitKind

# upper unit -> [(kind, place name)], from programme.md section 6
SOURCED: dict[str, list[tuple[UnitKind, str]]] = {
    "Thành đoàn Hưng Yên": [
        (K.PHUONG, "An Tảo"),
        (K.XA, "Trung Nghĩa"),
        (K.PHUONG, "Hiến Nam"),
        (K.XA, "Liên Phương"),
        (K.PHUONG, "Lê Lợi"),
        (K.PHUONG, "Minh Khai"),
        (K.XA, "Phú Cường"),
        (K.XA, "Hùng Cường"),
        (K.XA, "Bảo Khê"),
        (K.PHUONG, "Lam Sơn"),
        (K.PHUONG, "Hồng Châu"),
        (K.XA, "Quảng Châu"),
        (K.XA, "Hoàng Hanh"),
    ],
    "Thị đoàn Mỹ Hào": [
        (K.PHUONG, "Bạch Sam"),
        (K.PHUONG, "Bần Yên Nhân"),
        (K.PHUONG, "Dị Sử"),
        (K.PHUONG, "Minh Đức"),
        (K.PHUONG, "Nhân Hoà"),
        (K.PHUONG, "Phan Đình Phùng"),
        (K.PHUONG, "Phùng Chí Kiên"),
        (K.XA, "Cẩm Xá"),
        (K.XA, "Dương Quang"),
        (K.XA, "Hoà Phong"),
        (K.XA, "Hưng Long"),
        (K.XA, "Ngọc Lâm"),
        (K.XA, "Xuân Dục"),
    ],
    "Huyện đoàn Tiên Lữ": [
        (K.XA, "Hưng Đạo"),
        (K.XA, "Nhật Tân"),
        (K.XA, "An Viên"),
        (K.THI_TRAN, "Vương"),
        (K.XA, "Thiện Phiến"),
        (K.XA, "Hải Thắng"),
        (K.XA, "Thụy Lôi"),
        (K.XA, "Lệ Xá"),
    ],
    "Huyện đoàn Phù Cừ": [
        (K.XA, "Nhật Quang"),
        (K.XA, "Minh Tân"),
        (K.XA, "Trần Cao"),
        (K.XA, "Tống Phan"),
        (K.XA, "Đoàn Đào"),
        (K.XA, "Tam Đa"),
    ],
    "Huyện đoàn Kim Động": [
        (K.XA, "Phạm Ngũ Lão"),
        (K.XA, "Chính Nghĩa"),
        (K.XA, "Song Mai"),
        (K.XA, "Đức Hợp"),
    ],
    "Huyện đoàn Khoái Châu": [(K.XA, "Hồng Tiến"), (K.XA, "Thuần Hưng")],
    "Huyện đoàn Văn Lâm": [(K.XA, "Lạc Hồng"), (K.XA, "Việt Hưng")],
    "Huyện đoàn Văn Giang": [(K.XA, "Phụng Công")],
    "Huyện đoàn Yên Mỹ": [(K.XA, "Thanh Long")],
    "Huyện đoàn Ân Thi": [(K.XA, "Quang Vinh"), (K.XA, "Hoàng Hoa Thám")],
}
BLOCS = ["Đoàn Khối Cơ quan – Doanh nghiệp tỉnh", "Đoàn Thanh niên Công an tỉnh"]
UNDER_PROVINCE = [(K.TRUONG_DH_CD, "Đoàn trường ĐH Sư phạm Kỹ thuật Hưng Yên")]
# Visibly sample units (names not sourced), to reach a realistic mix of kinds.
SAMPLES: list[tuple[str, UnitKind, str]] = (
    [
        ("Đoàn Khối Cơ quan – Doanh nghiệp tỉnh", K.DOANH_NGHIEP, f"Đoàn cơ sở Công ty Mẫu {i}")
        for i in range(1, 6)
    ]
    + [
        ("Đoàn Khối Cơ quan – Doanh nghiệp tỉnh", K.CO_QUAN, f"Đoàn cơ sở Cơ quan Mẫu {i}")
        for i in range(1, 3)
    ]
    + [
        ("Đoàn Thanh niên Công an tỉnh", K.LUC_LUONG_VU_TRANG, f"Đoàn cơ sở Công an Mẫu {i}")
        for i in range(1, 3)
    ]
    + [
        ("Huyện đoàn Văn Giang", K.TRUONG_THPT, "Đoàn trường THPT Mẫu 1"),
        ("Huyện đoàn Yên Mỹ", K.TRUONG_THPT, "Đoàn trường THPT Mẫu 2"),
        ("Huyện đoàn Ân Thi", K.TRUONG_THPT, "Đoàn trường THPT Mẫu 3"),
    ]
)
PREFIX = {K.XA: "Đoàn xã", K.PHUONG: "Đoàn phường", K.THI_TRAN: "Đoàn thị trấn"}


@dataclass(frozen=True)
class DemoPerson:
    """A sign-in choice of the demo: one per role, tied to a unit by name."""

    email: str
    name: str
    role: Role
    unit_name: str


DEMO_PEOPLE = (
    DemoPerson("tinhdoan@mau.example", "Cán bộ Tỉnh đoàn (mẫu)", Role.PROVINCE, PROVINCE),
    DemoPerson(
        "doankhoi@mau.example",
        f"Cán bộ {restructure.KHOI_DOANH_NGHIEP} (mẫu)",
        Role.UPPER,
        restructure.KHOI_DOANH_NGHIEP,
    ),
    DemoPerson(
        "congtymau1@mau.example",
        "Bí thư Đoàn cơ sở Công ty Mẫu 1 (mẫu)",
        Role.SECRETARY,
        "Đoàn cơ sở Công ty Mẫu 1",
    ),
    DemoPerson(
        "xem@mau.example",
        f"Người xem {restructure.KHOI_CO_QUAN} (mẫu)",
        Role.VIEWER,
        restructure.KHOI_CO_QUAN,
    ),
)


def demo_actors(rt: Runtime) -> list[Actor]:
    """The demo people as their rows in the users tab say now (rows missing there are skipped)."""
    wb = rt.workbook()
    found = [wb.user_by_email(p.email) for p in DEMO_PEOPLE]
    return [Actor(u.email, u.name, u.role, u.unit_id, demo=True) for u in found if u is not None]


def user_rows(unit_ids: dict[str, str], now: datetime) -> list[dict[str, str]]:
    """Users-tab rows for the demo people, given unit ids by unit name (names not found skipped)."""
    return [
        {
            "id": f"ND-{n:04d}",
            "email": p.email,
            "name": p.name,
            "role": to_cell(p.role),
            "unit_id": unit_ids[p.unit_name],
            "active": "Có",
            "version": "1",
            "updated_at": iso(now),
        }
        for n, p in enumerate(DEMO_PEOPLE, start=1)
        if p.unit_name in unit_ids
    ]


def seed_if_empty(rt: Runtime, year_end: bool = False) -> bool:
    """Seed the demo into an empty store, in one write; a store with any row in any tab is left
    alone (its audit row is the demo mark, `services.demo.mark`).

    With `year_end`, the past cycles also get their assessments and recognition decisions
    (`year_end_operations`).
    """
    # The screen tabs through the shared snapshot (which the first screen then uses: no second
    # read of a big store at start-up), the audit log only when they are empty.
    if any(rt.store.snapshot().tabs.values()) or any(rt.store.read([tabs.AUDIT_LOG.name]).values()):
        return False
    rt.store.apply(demo_operations(rt.clock.now(), rt, year_end))
    return True


def demo_operations(now: datetime, rt: Runtime, year_end: bool = False) -> list[Append]:
    """Every row of the demo, as appends, ending with one audit row saying it was seeded; with
    `year_end`, the past cycles' assessments and decisions too."""
    rng = random.Random(2018)
    ops: list[Append] = []
    units = _units(now, rng)
    ops += [Append(tabs.UNITS.name, restructure.stored(u)) for u in units]
    current = [u for u in units if not u.get("valid_until")]
    ops += [
        Append(tabs.USERS.name, u) for u in user_rows({u["name"]: u["id"] for u in current}, now)
    ]
    ops += [Append(restructure.TAB, row) for row in restructure.change_rows(units, now)]
    open_last_day = (now + timedelta(days=20)).date()
    open_year = open_last_day.year + 1
    for year in range(min(restructure.MERGER_DAY.year - 1, open_year - 2), open_year):
        cycle = cycle_row(rt.criteria, year, None, now)
        ops.append(Append(tabs.CYCLES.name, cycle))
        then = at_registration(cycle, units)
        grassroots = [u for u in then if UnitKind(u["kind"]).is_grassroots]
        ops += _past_round(cycle, grassroots, then, rng)
    cycle = cycle_row(rt.criteria, open_year, open_last_day, now, newest_set=True)
    ops.append(Append(tabs.CYCLES.name, cycle))
    then = restructure.at_time(units, now.date())
    ops += _open_round(cycle, [u for u in then if UnitKind(u["kind"]).is_grassroots], now, rng)
    if year_end:
        ops += year_end_operations(now, rt, ops)
    ops.append(mark.seeding_audit(now, "NK-DEMO", "Nạp dữ liệu mẫu", len(ops)))
    return ops


def at_registration(cycle: dict[str, str], units: list[dict[str, str]]) -> list[dict[str, str]]:
    """The units registering for a cycle (October of N-1), with the upper units they had then."""
    return restructure.at_time(units, datetime.fromisoformat(cycle["register_cutoff"]).date())


def seed_year_end(rt: Runtime) -> bool:
    """Add the past cycles' assessments and decisions to a seeded demo that has none, in one
    write; a store that has any assessment or decision is left alone."""
    wb = rt.workbook()
    if wb.assessments or wb.decisions or not wb.units:
        return False
    rows = rt.store.read([tabs.UNITS.name, tabs.CYCLES.name, tabs.REGISTRATIONS.name])
    base = [Append(tab, dict(row.cells)) for tab, found in rows.items() for row in found]
    now = rt.clock.now()
    ops = year_end_operations(now, rt, base)
    if not ops:
        return False
    audit = mark.seeding_audit(now, "NK-DEMO-CUOI-NAM", "Nạp dữ liệu mẫu cuối năm", len(ops))
    rt.store.apply([*ops, audit])
    return True


def year_end_operations(now: datetime, rt: Runtime, base: list[Append]) -> list[Append]:
    """Assessments, criterion results and decisions of every past cycle among the demo's rows
    (`base`), as far as each cycle's year end has come by `now` (services/demo/year_end.py)."""
    units = [op.cells for op in base if op.tab == tabs.UNITS.name]
    registrations = [op.cells for op in base if op.tab == tabs.REGISTRATIONS.name]
    ops: list[Append] = []
    for op in base:
        if op.tab != tabs.CYCLES.name:
            continue
        cycle = op.cells
        ops += demo_year_end.year_end(
            rt.criteria,
            cycle,
            units,
            restructure.assessed_registrations(
                cycle, units, [r for r in registrations if r["cycle_id"] == cycle["id"]]
            ),
            now,
            # its own random stream, so the rest of the demo is the same with or without it
            random.Random(f"3cd-demo-year-end-{cycle['year']}"),
        )
    return ops


def _units(now: datetime, rng: random.Random) -> list[dict[str, str]]:
    """Every unit of the demo, old and new, with its period; `_old_parent` keeps the upper unit a
    unit that moved on 1/7/2025 had before (a working key, not stored)."""
    rows: list[dict[str, str]] = []

    def add(name: str, kind: UnitKind, parent: str | None, officer: str = "", **period: str) -> str:
        n = len(rows) + 1
        grassroots = kind.is_grassroots
        members = rng.randrange(80, 600, 10) if grassroots else None
        rows.append(
            {
                "id": f"DV-{n:04d}",
                "name": name,
                "kind": to_cell(kind),
                "parent_id": parent or "",
                "members": to_cell(members),
                "chi_doan": to_cell(max(2, members // rng.randint(25, 45)) if members else None),
                "secretary": f"Bí thư mẫu {n:02d}",
                "phone": f"0900000{n:03d}",
                "email": f"bithu{n:03d}@mau.example",
                "officer": officer,
                "active": "Không" if period.get("valid_until") else "Có",
                "valid_from": period.get("valid_from", ""),
                "valid_until": period.get("valid_until", ""),
                "predecessors": period.get("predecessors", ""),
                "version": "1",
                "updated_at": iso(now),
            }
        )
        return rows[-1]["id"]

    ended = {"valid_until": restructure.MERGER_DAY.isoformat()}
    root = add(PROVINCE, K.TINH_DOAN, None)
    uppers, old_communes = {}, {}
    for index, upper in enumerate(SOURCED):
        uppers[upper] = add(upper, K.CAP_HUYEN, root, **ended)
        for kind, place in SOURCED[upper]:
            officer = f"Cán bộ theo dõi mẫu {index + 1}"
            old_communes[place] = add(
                f"{PREFIX[kind]} {place}", kind, uppers[upper], officer, **ended
            )
    uppers[restructure.OLD_BLOC] = add(restructure.OLD_BLOC, K.TRUC_THUOC, root, **ended)
    for bloc in BLOCS[1:]:
        uppers[bloc] = add(bloc, K.TRUC_THUOC, root)
    for kind, name in UNDER_PROVINCE:
        add(name, kind, root, "Cán bộ Tỉnh đoàn mẫu")
    _add_new_tree(add, root, uppers, old_communes)
    for upper, kind, name in SAMPLES:
        new_upper = _new_upper(uppers, root, upper, kind)
        add(name, kind, new_upper, "Cán bộ theo dõi mẫu 12")
        if new_upper != uppers[upper]:
            rows[-1]["_old_parent"] = uppers[upper]
    return rows


def _add_new_tree(add, root: str, uppers: dict[str, str], old: dict[str, str]) -> None:
    """The units formed on 1/7/2025: the new communes (with their predecessors), the former
    Thái Bình units and the Đoàn Khối."""
    since = {"valid_from": restructure.MERGER_DAY.isoformat()}
    officer = "Cán bộ Tỉnh đoàn mẫu"
    for kind, name, places in restructure.NEW_COMMUNES:
        earlier = ";".join(old[p] for p in places)
        add(f"{PREFIX[kind]} {name}", kind, root, officer, predecessors=earlier, **since)
    for kind, name in restructure.FORMER_THAI_BINH:
        add(f"{PREFIX[kind]} {name}", kind, root, officer, **since)
    for bloc in restructure.NEW_BLOCS:
        uppers[bloc] = add(bloc, K.DOAN_KHOI, root, **since)


def _new_upper(uppers: dict[str, str], root: str, upper: str, kind: UnitKind) -> str:
    """Where a sample unit is since 1/7/2025: the old bloc's units under the Đoàn Khối of their
    kind, a district's schools directly under the province, the others where they were."""
    if upper == restructure.OLD_BLOC:
        return uppers[restructure.BLOC_OF_KIND[kind]]
    if upper in SOURCED:
        return root
    return uppers[upper]


def cycle_row(
    catalogue: dict[str, CriteriaSet],
    year: int,
    last_day: date | None,
    now: datetime,
    newest_set: bool = False,
) -> dict[str, str]:
    """A cycles-tab row for year N: default cut-offs, or registration until `last_day` (report
    5 days later); the criteria set covering N — its newest version for the open cycle, the first
    one for past cycles, which were set up before a later version was published (a cycle keeps
    the version it names; docs/assessment.md)."""
    register, report = deadlines.default_cutoffs(year)
    if last_day is not None:
        register = deadlines.cutoff_after(last_day)
        report = deadlines.cutoff_after(last_day + timedelta(days=5))
    criteria = (
        set_for_year(catalogue, year) if newest_set else first_set_for_year(catalogue, year)
    ) or next(iter(catalogue.values()))
    return {
        "id": f"CK-{year}",
        "year": str(year),
        "name": f"Năm {year}",
        "criteria_set": criteria.ref,
        "register_cutoff": iso(register),
        "report_cutoff": iso(report),
        "late_policy": to_cell(LatePolicy.FLAG),
        "version": "1",
        "updated_at": iso(now),
    }


def registration_row(
    cycle: dict[str, str],
    unit: dict[str, str],
    at: datetime,
    state: RegistrationState,
    on_time: bool,
    received_on: date | None = None,
) -> dict[str, str]:
    """A registrations-tab row for a sample plan (entered by the upper unit when `received_on`)."""
    year = cycle["year"]
    reviewed = state is not RegistrationState.SENT
    return {
        "id": f"DK-{year}-{unit['id'][3:]}",
        "cycle_id": cycle["id"],
        "unit_id": unit["id"],
        "upper_unit_id": unit["parent_id"],
        "state": to_cell(state),
        "plan_number": f"{unit['id'][3:]}-KH/ĐTN",
        "plan_date": to_cell((received_on or at.date()) - timedelta(days=3)),
        "target_nd1": "Cập nhật danh sách đoàn viên hằng quý; nắm tình hình thanh niên qua các chi đoàn",
        "target_nd2": f"Xây dựng và thực hiện chương trình công tác năm {year}; ít nhất 1 công trình thanh niên",
        "target_nd3": "Tham mưu cấp ủy tổ chức đối thoại với thanh niên ít nhất 1 lần trong năm",
        "submitted_at": iso(at),
        "received_on": to_cell(received_on),
        "on_time": to_cell(on_time),
        "last_sent_at": iso(at),
        "sent_by": (
            "Cán bộ theo dõi (mẫu)" if received_on else f"{unit['secretary']} <{unit['email']}>"
        ),
        "return_reason": (
            "Bổ sung lộ trình thực hiện nội dung 3" if state is RegistrationState.RETURNED else ""
        ),
        "reviewed_by": "Cán bộ theo dõi (mẫu)" if reviewed else "",
        "reviewed_at": iso(at + timedelta(days=2)) if reviewed else "",
        "version": "1",
        "updated_at": iso(at),
    }


def _past_round(
    cycle: dict[str, str],
    grassroots: list[dict[str, str]],
    units: list[dict[str, str]],
    rng: random.Random,
) -> list[Append]:
    """A finished round: most units registered (some late, a few returned), every roll-up sent."""
    cutoff = datetime.fromisoformat(cycle["register_cutoff"])
    ops = []
    for unit in grassroots:
        roll = rng.random()
        if roll < 0.08:
            continue  # never registered
        late = roll > 0.85
        at = cutoff + (
            timedelta(hours=rng.randint(2, 240))
            if late
            else -timedelta(hours=rng.randint(3, 24 * 30))
        )
        state = RegistrationState.RETURNED if roll < 0.12 else RegistrationState.ACCEPTED
        ops.append(
            Append(tabs.REGISTRATIONS.name, registration_row(cycle, unit, at, state, not late))
        )
    report_cutoff = datetime.fromisoformat(cycle["report_cutoff"])
    for unit in units:
        if UnitKind(unit["kind"]) in (K.CAP_HUYEN, K.TRUC_THUOC, K.DOAN_KHOI) and any(
            u["parent_id"] == unit["id"] for u in grassroots
        ):
            at = report_cutoff - timedelta(hours=rng.randint(-30, 90))
            ops.append(
                Append(
                    tabs.UPPER_REPORTS.name,
                    {
                        "id": f"BC-{cycle['year']}-{unit['id'][3:]}",
                        "cycle_id": cycle["id"],
                        "unit_id": unit["id"],
                        "parent_unit_id": unit["parent_id"],
                        "sent_at": iso(at),
                        "on_time": to_cell(at < report_cutoff),
                        "last_sent_at": iso(at),
                        "total_units": "",
                        "registered_on_time": "",
                        "registered_late": "",
                        "returned": "",
                        "not_registered": "",
                        "accepted": "",
                        "needs_check": "0",
                        "note": "",
                        "sent_by": f"Cán bộ {unit['name']} (mẫu)",
                        "version": "1",
                        "updated_at": iso(at),
                    },
                )
            )
    return _fill_report_counts(ops, grassroots, units)


def _fill_report_counts(
    ops: list[Append], grassroots: list[dict[str, str]], units: list[dict[str, str]]
) -> list[Append]:
    """Put each past roll-up's frozen figures in, counted from the round's own registrations."""
    regs = {op.cells["unit_id"]: op.cells for op in ops if op.tab == tabs.REGISTRATIONS.name}
    filled = []
    for op in ops:
        if op.tab != tabs.UPPER_REPORTS.name:
            filled.append(op)
            continue
        mine = [u for u in grassroots if u["parent_id"] == op.cells["unit_id"]]
        states = [regs.get(u["id"]) for u in mine]
        returned = sum(1 for r in states if r and r["state"] == RegistrationState.RETURNED.value)
        counted = [r for r in states if r and r["state"] != RegistrationState.RETURNED.value]
        filled.append(
            Append(
                op.tab,
                {
                    **op.cells,
                    "total_units": str(len(mine)),
                    "registered_on_time": str(sum(1 for r in counted if r["on_time"] == "Có")),
                    "registered_late": str(sum(1 for r in counted if r["on_time"] == "Không")),
                    "returned": str(returned),
                    "not_registered": str(sum(1 for r in states if r is None)),
                    "accepted": str(
                        sum(1 for r in counted if r["state"] == RegistrationState.ACCEPTED.value)
                    ),
                },
            )
        )
    return filled


def _open_round(
    cycle: dict[str, str], grassroots: list[dict[str, str]], now: datetime, rng: random.Random
) -> list[Append]:
    """The round open now: about half the units registered over the last two weeks."""
    ops = []
    keep_open = {"Đoàn cơ sở Công ty Mẫu 1"}  # the demo secretary's unit: left to register
    waiting = {"Đoàn cơ sở Công ty Mẫu 2"}  # sent, waiting for the demo Đoàn Khối officer
    for unit in grassroots:
        if unit["name"] in keep_open or (rng.random() < 0.5 and unit["name"] not in waiting):
            continue
        at = now - timedelta(hours=rng.randint(1, 24 * 14))
        roll = 0.5 if unit["name"] in waiting else rng.random()
        state = (
            RegistrationState.ACCEPTED
            if roll < 0.4
            else RegistrationState.RETURNED
            if roll > 0.9
            else RegistrationState.SENT
        )
        received = at.date() if roll < 0.1 else None  # a paper plan entered by the upper unit
        row = registration_row(cycle, unit, at, state, True, received)
        if unit["name"] in waiting:  # what the demo officer reads when reviewing it
            row |= SAMPLE_STATEMENTS
        ops.append(Append(tabs.REGISTRATIONS.name, row))
    return ops


# The per-criterion statements and signed-plan link of the plan waiting for the demo officer
# (schemas.standing); the address is visibly a sample.
SAMPLE_STATEMENTS = {
    "plan_link": "https://example.com/ke-hoach-3cd-mau.pdf",
    "criteria_standing": standings_cell(
        {
            "1.1": CriterionStanding(Standing.MET),
            "1.4": CriterionStanding(Standing.MET),
            "2.4": CriterionStanding(
                Standing.IN_PROGRESS, "Quý II/2027 khởi công công trình thanh niên (mẫu)"
            ),
            "3.3": CriterionStanding(
                Standing.NOT_MET, "Tháng 3/2027 tham mưu buổi đối thoại đầu tiên với thanh niên"
            ),
        }
    ),
}


def settle(rt: Runtime) -> None:
    """At start-up of the embedded store: with [auth], end demo mode for good; with the demo
    allowed, seed an empty store (the seeding is the mark)."""
    if rt.settings.login:
        mark.end_demo(rt, "khởi động với đăng nhập [auth]")
    elif rt.settings.demo:
        seed_if_empty(rt, year_end=True)
