"""The demo's 2025 restructuring: the old district tree until 30/6/2025, the merged communes and
the Đoàn Khối from 1/7/2025 (programme.md "the 2025 restructuring"; after-2025-and-documents.md).

New communes of the old Hưng Yên part are the sourced ones whose predecessors include a sourced
demo commune, each with those predecessors (only the ones the demo has). A few former Thái Bình
units appear from 1/7/2025 without predecessors. The Đoàn Khối names are not sourced for Hưng
Yên, so they are visibly samples; the old bloc's units move under them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from schemas import tabs
from schemas.cells import iso, to_cell
from schemas.models import RegistrationState, UnitChangeKind, UnitKind

K = UnitKind
MERGER_DAY = date(2025, 7, 1)  # Nghị quyết 1666/NQ-UBTVQH15: the new communes from 1/7/2025

# New commune (kind, name) -> the demo's old communes merged into it (place names, as in
# province.SOURCED). Source: after-2025-and-documents.md, "Hưng Yên after 1 July 2025".
NEW_COMMUNES: list[tuple[UnitKind, str, list[str]]] = [
    (
        K.PHUONG,
        "Phố Hiến",
        ["An Tảo", "Lê Lợi", "Hiến Nam", "Minh Khai", "Trung Nghĩa", "Liên Phương"],
    ),
    (K.PHUONG, "Sơn Nam", ["Lam Sơn", "Phú Cường", "Hùng Cường", "Bảo Khê"]),
    (K.PHUONG, "Hồng Châu", ["Hồng Châu", "Quảng Châu", "Hoàng Hanh"]),
    (K.PHUONG, "Mỹ Hào", ["Bần Yên Nhân", "Nhân Hoà", "Phan Đình Phùng", "Cẩm Xá"]),
    (K.PHUONG, "Đường Hào", ["Dị Sử", "Phùng Chí Kiên", "Xuân Dục", "Hưng Long", "Ngọc Lâm"]),
    (K.PHUONG, "Thượng Hồng", ["Bạch Sam", "Minh Đức", "Dương Quang", "Hoà Phong"]),
    (K.XA, "Hoàng Hoa Thám", ["Vương", "Hưng Đạo", "Nhật Tân", "An Viên"]),
    (K.XA, "Tiên Lữ", ["Thiện Phiến", "Hải Thắng", "Thụy Lôi"]),
    (K.XA, "Tiên Hoa", ["Lệ Xá"]),
    (K.XA, "Quang Hưng", ["Trần Cao", "Minh Tân", "Tống Phan"]),
    (K.XA, "Đoàn Đào", ["Đoàn Đào"]),
    (K.XA, "Tiên Tiến", ["Nhật Quang"]),
    (K.XA, "Tống Trân", ["Tam Đa"]),
    (K.XA, "Lương Bằng", ["Phạm Ngũ Lão", "Chính Nghĩa"]),
    (K.XA, "Hiệp Cường", ["Song Mai"]),
    (K.XA, "Đức Hợp", ["Đức Hợp"]),
    (K.XA, "Chí Minh", ["Thuần Hưng"]),
    (K.XA, "Như Quỳnh", ["Lạc Hồng"]),
    (K.XA, "Đại Đồng", ["Việt Hưng"]),
    (K.XA, "Phụng Công", ["Phụng Công"]),
    (K.XA, "Việt Yên", ["Thanh Long"]),
    (K.XA, "Ân Thi", ["Quang Vinh", "Hoàng Hoa Thám"]),
]
# Former Thái Bình units (sourced names), from 1/7/2025, predecessors not in the demo.
FORMER_THAI_BINH: list[tuple[UnitKind, str]] = [
    (K.PHUONG, "Thái Bình"),
    (K.PHUONG, "Trần Lãm"),
    (K.PHUONG, "Trần Hưng Đạo"),
    (K.PHUONG, "Trà Lý"),
    (K.PHUONG, "Vũ Phúc"),
    (K.XA, "Thái Thụy"),
    (K.XA, "Tiền Hải"),
]
# The blocs directly under the province since 1/7/2025 (names not sourced: visibly samples).
KHOI_CO_QUAN = "Đoàn Khối Cơ quan Mẫu 1"
KHOI_DOANH_NGHIEP = "Đoàn Khối Doanh nghiệp Mẫu 2"
NEW_BLOCS = [KHOI_CO_QUAN, KHOI_DOANH_NGHIEP]
OLD_BLOC = "Đoàn Khối Cơ quan – Doanh nghiệp tỉnh"
# Where the old bloc's sample units went, by kind.
BLOC_OF_KIND = {K.CO_QUAN: KHOI_CO_QUAN, K.DOANH_NGHIEP: KHOI_DOANH_NGHIEP}


def parent_on(unit: dict[str, str], day: date) -> str:
    """The unit's upper unit on a day: its old one (kept in `_old_parent`) before the merger."""
    return unit.get("_old_parent", unit["parent_id"]) if day < MERGER_DAY else unit["parent_id"]


def exists_on(unit: Mapping[str, str], day: date) -> bool:
    start = date.fromisoformat(unit["valid_from"]) if unit.get("valid_from") else None
    end = date.fromisoformat(unit["valid_until"]) if unit.get("valid_until") else None
    return (start is None or start <= day) and (end is None or day < end)


def at_time(units: list[dict[str, str]], day: date) -> list[dict[str, str]]:
    """The units existing on a day, each with the upper unit it had then."""
    return [{**u, "parent_id": parent_on(u, day)} for u in units if exists_on(u, day)]


def stored(unit: dict[str, str]) -> dict[str, str]:
    """A unit row as stored (without the demo's working keys)."""
    return {k: v for k, v in unit.items() if not k.startswith("_")}


def assessed_registrations(
    cycle: Mapping[str, str],
    units: Sequence[Mapping[str, str]],
    registrations: Sequence[Mapping[str, str]],
) -> list[Mapping[str, str]]:
    """Who is assessed in a cycle's year end, and by whom: before the merger year, the registered
    units under the upper unit they registered with; from the merger year, the units existing at
    the year end under their upper unit then, a merged commune registered through its
    predecessors (all of them, the default rule)."""
    year = int(cycle["year"])
    if year < MERGER_DAY.year:
        return list(registrations)
    end = date(year, 12, 31)
    own = {r["unit_id"]: r for r in registrations}
    found: list[Mapping[str, str]] = []
    for unit in units:
        if not UnitKind(unit["kind"]).is_grassroots or not exists_on(unit, end):
            continue
        reg = own.get(unit["id"])
        earlier = [p for p in unit.get("predecessors", "").split(";") if p]
        if reg is None and earlier and all(p in own for p in earlier):
            states = {own[p]["state"] for p in earlier}
            returned = RegistrationState.RETURNED.value
            reg = {**own[earlier[0]], "state": returned if returned in states else "Đã tiếp nhận"}
        if reg is not None:
            found.append({**reg, "unit_id": unit["id"], "upper_unit_id": unit["parent_id"]})
    return found


def change_rows(units: list[dict[str, str]], now: datetime) -> list[dict[str, str]]:
    """The restructuring as the unit-changes tab records it: one merger per new commune with
    predecessors, one abolition per old upper unit (decision numbers visibly samples)."""
    by_id = {u["id"]: u for u in units}
    rows: list[dict[str, str]] = []
    for unit in units:
        earlier = [p for p in unit.get("predecessors", "").split(";") if p]
        if earlier:
            names = ", ".join(by_id[p]["name"] for p in earlier)
            ended = {
                p: {"valid_until": ["", MERGER_DAY.isoformat()], "active": ["Có", "Không"]}
                for p in earlier
            }
            rows.append(
                _change(
                    len(rows) + 1,
                    UnitChangeKind.MERGE,
                    f"Hợp nhất {names} vào {unit['name']}",
                    [unit["id"]],
                    ended,
                    now,
                )
            )
    for unit in units:
        if not UnitKind(unit["kind"]).is_grassroots and unit.get("valid_until"):
            moved = [
                u for u in units if u.get("_old_parent") == unit["id"] and not u.get("valid_until")
            ]
            plan = {u["id"]: {"parent_id": [unit["id"], u["parent_id"]]} for u in moved}
            plan[unit["id"]] = {
                "valid_until": ["", MERGER_DAY.isoformat()],
                "active": ["Có", "Không"],
            }
            rows.append(
                _change(
                    len(rows) + 1, UnitChangeKind.ABOLISH, f"Giải thể {unit['name']}", [], plan, now
                )
            )
    return rows


def _change(
    n: int, kind: UnitChangeKind, what: str, created: list[str], units: dict, now: datetime
) -> dict[str, str]:
    number = f"{n:02d}-QĐ/TĐTN (mẫu)"
    return {
        "id": f"TD-MAU-{n:03d}",
        "kind": to_cell(kind),
        "effective_on": to_cell(MERGER_DAY),
        "decision_number": number,
        "summary": f"{what} từ {MERGER_DAY:%d/%m/%Y} (QĐ số {number})",
        "plan": json.dumps({"created": created, "units": units, "users": {}}, ensure_ascii=False),
        "applied_by": "Hệ thống",
        "applied_at": iso(now),
        "version": "1",
        "updated_at": iso(now),
    }


TAB = tabs.UNIT_CHANGES.name
