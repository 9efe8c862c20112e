"""Small builders the service tests share: a plan form, people of any unit, the audit log."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from schemas.models import Unit
from services.core.access import Actor, Role
from services.core.runtime import Runtime
from tests.support.world import unit_id

OPEN = "CK-2027"  # the demo's open cycle (cut-off 16/12/2026 00:00)
OFFICER_BLOC = "Đoàn Khối Doanh nghiệp Mẫu 2"  # the demo upper-unit officer's unit
COMPANY_1 = "Đoàn cơ sở Công ty Mẫu 1"  # not registered in the open cycle
COMPANY_2 = "Đoàn cơ sở Công ty Mẫu 2"  # registered in the open cycle, state Đã gửi
POLICE_UNION = "Đoàn Thanh niên Công an tỉnh"  # another upper unit (a 3-level branch)
POLICE_1 = "Đoàn cơ sở Công an Mẫu 1"  # a unit of POLICE_UNION


def plan(plan_date: str = "20/11/2026", **changes: Any) -> dict[str, Any]:
    """The registration form as a person fills it in: number, date, one target per content."""
    data: dict[str, Any] = {
        "plan_number": "01-KH/ĐTN",
        "plan_date": plan_date,
        "targets": {
            "ND1": "Cập nhật danh sách đoàn viên hằng quý",
            "ND2": "Ít nhất 1 công trình thanh niên trong năm",
            "ND3": "Tham mưu tổ chức đối thoại với thanh niên",
        },
    }
    data.update(changes)
    return data


def secretary_of(rt: Runtime, name: str) -> Actor:
    uid = unit_id(rt, name)
    return Actor(f"bithu-{uid.lower()}@mau.example", f"Bí thư {name}", Role.SECRETARY, uid)


def officer_of(rt: Runtime, name: str) -> Actor:
    uid = unit_id(rt, name)
    return Actor(f"canbo-{uid.lower()}@mau.example", f"Cán bộ {name}", Role.UPPER, uid)


def audit_rows(rt: Runtime) -> list[dict[str, str]]:
    """Every audit row as stored (the audit log is read outside the cached snapshot)."""
    return [dict(row.cells) for row in rt.store.read(["audit_log"])["audit_log"]]


def changed(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """An audit row's before and after cells."""
    return json.loads(row["before"]), json.loads(row["after"])


def rows_of(rt: Runtime, tab: str, **match: str) -> list[dict[str, str]]:
    """Stored rows of a tab whose cells equal `match` (read straight from the engine)."""
    rows = rt.store.read([tab])[tab]
    return [dict(r.cells) for r in rows if all(r.cells.get(f) == v for f, v in match.items())]


def unit_form(unit: Unit, **changes: Any) -> dict[str, Any]:
    """The unit edit form filled in from a stored unit, with some fields changed."""
    data: dict[str, Any] = {
        "name": unit.name,
        "kind": unit.kind.value,
        "parent_id": unit.parent_id or "",
        "members": unit.members,
        "chi_doan": unit.chi_doan,
        "secretary": unit.secretary,
        "phone": unit.phone,
        "email": unit.email,
        "officer": unit.officer,
        "active": unit.active,
    }
    data.update(changes)
    return data


@contextlib.contextmanager
def committed_writes(rt: Runtime) -> Iterator[list[int]]:
    """Counts the transactions the SQL engine commits inside the block: [n] after it."""
    count = [0]

    def committed(_conn) -> None:
        count[0] += 1

    sa.event.listen(rt.store.inner.engine, "commit", committed)
    try:
        yield count
    finally:
        sa.event.remove(rt.store.inner.engine, "commit", committed)
