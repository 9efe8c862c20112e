"""Building writes: new ids, the audit row that goes with every write, and record updates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from schemas import tabs
from schemas.cells import iso
from schemas.models import Record
from services.core.access import Actor
from services.storage import Adopt, Append, Update

PREFIX = {
    "units": "DV",
    "cycles": "CK",
    "registrations": "DK",
    "users": "ND",
    "extensions": "GH",
    "upper_reports": "BC",
    "assessments": "DG",
    "assessment_items": "KQ",
    "decisions": "QD",
    "decision_units": "CN",
    "unit_changes": "TD",
    "settings": "CD",
    "terms": "NKY",
    "audit_log": "NK",
    "upper_report_units": "BD",
    "document_texts": "VB",
    "reminders": "NN",
    "reminder_schedules": "LN",
}


DEMO_TAG = " · dùng thử"  # ends the actor of an audit row written through the demo picker
KEY_USED = "Biểu mẫu này đã được dùng cho một bản ghi khác; hãy tải lại trang rồi gửi lại."


def new_request_key() -> str:
    """An idempotency key: the form keeps it, so a retried submission is stored once."""
    return uuid.uuid4().hex


def record_id(tab: str, request_key: str) -> str:
    """The id of the record a submission creates, derived from its idempotency key."""
    return f"{PREFIX[tab]}-{request_key[:12].upper()}"


def audit(
    actor: Actor,
    at: datetime,
    action: str,
    tab: str,
    rec_id: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
    request_key: str,
) -> Append:
    """The audit row of one write: who, when, what, and the changed cells before → after."""
    changed = sorted(f for f in set(before) | set(after) if before.get(f, "") != after.get(f, ""))
    return Append(
        tabs.AUDIT_LOG.name,
        {
            "id": f"NK-{request_key[:12].upper()}-{tab[:2].upper()}",
            "at": iso(at),
            "actor": actor.label + DEMO_TAG if actor.demo else actor.label,
            "action": action,
            "tab": tab,
            "record_id": rec_id,
            "unit_id": after.get("unit_id")
            or before.get("unit_id")
            or (rec_id if tab == tabs.UNITS.name else ""),
            "before": json.dumps({f: before.get(f, "") for f in changed}, ensure_ascii=False),
            "after": json.dumps({f: after.get(f, "") for f in changed}, ensure_ascii=False),
            "request_key": request_key,
        },
    )


def create(
    actor: Actor,
    at: datetime,
    action: str,
    cells: dict[str, str],
    tab: str,
    request_key: str,
    unique: tuple[str, ...] = (),
    also: Sequence[Append | Update] = (),
) -> list[Append | Update]:
    """Append a new record and its audit row.

    `also`: writes built by `create`/`change` for records stored together with this one (a
    decision's list of units), applied in the same all-or-nothing write, each with its audit row.
    """
    return [
        Append(tab, cells, unique),
        audit(actor, at, action, tab, cells["id"], {}, cells, request_key),
        *also,
    ]


def change(
    actor: Actor,
    at: datetime,
    action: str,
    loaded: Record,
    new_cells: Mapping[str, str],
    request_key: str,
    also: Sequence[Append | Update] = (),
) -> list[Update | Append]:
    """Update only the cells that differ from what the form loaded, and audit them.

    The store compares every loaded cell with the row as it is now: if anyone changed it in the
    meantime the write is refused as a Conflict showing both values. `also`: as for `create`.
    """
    before = loaded.cells
    changes = {f: v for f, v in new_cells.items() if before.get(f, "") != v}
    if not changes:
        return list(also)
    if "version" in before:
        changes["version"] = str(int(before.get("version") or 0) + 1)
    if "updated_at" in before:
        changes["updated_at"] = iso(at)
    tab = loaded.TAB.name
    return [
        Update(tab, loaded.id, before, changes),
        audit(actor, at, action, tab, loaded.id, before, {**before, **changes}, request_key),
        *also,
    ]


def batch(groups: Sequence[Sequence[Append | Update]]) -> list[Append | Update]:
    """Several records' writes, each built by `create` or `change` (so each with its audit row),
    in one all-or-nothing write: a chunk of an imported list. A group without its audit row is
    refused, so nothing reaches the store unaudited."""
    for group in groups:
        if group and not any(
            isinstance(op, Append) and op.tab == tabs.AUDIT_LOG.name for op in group
        ):
            raise ValueError("each record's writes must carry their audit row (records.create)")
    return [op for group in groups for op in group]


ADOPTED = "Cấp mã cho hàng thêm tay"


def adopt(
    actor: Actor,
    at: datetime,
    tab: str,
    row: int,
    cells: Mapping[str, str],
    request_key: str,
) -> list[Adopt | Append]:
    """Give a row a person added by hand (no id) its id and version 1, and audit it.

    `cells` are the row as the screen read it: the store writes only if it still holds them.
    A person made that row, so its audit row is never a demo write (it ends demo mode).
    """
    actor = replace(actor, demo=False)
    rec_id = record_id(tab, request_key)
    op = Adopt(tab, row, dict(cells), rec_id)
    after = {**cells, **op.changes(tabs.TABS[tab].fields)}
    return [op, audit(actor, at, ADOPTED, tab, rec_id, dict(cells), after, request_key)]


IMPORTED = "Nhập dữ liệu"
IMPORT_AUDIT = "NK-NHAP-"  # ids of the audit rows an import writes, one per chunk of rows


def imported(
    actor: Actor,
    at: datetime,
    tab: str,
    rows: Sequence[Mapping[str, str]],
    import_key: str,
    first_row: int,
    source: str,
) -> list[Append]:
    """Append rows exactly as an import file holds them (ids kept), and one audit row for them.

    The audit row's id comes from the file's content key and the first row's number in the file,
    so every chunk of an import has its own, and a chunk written again after a failure is new.
    """
    first, last = rows[0].get("id", ""), rows[-1].get("id", "")
    summary = {"Số dòng": str(len(rows)), "Từ mã": first, "Đến mã": last, "Nguồn": source}
    return [
        *(Append(tab, dict(cells)) for cells in rows),
        Append(
            tabs.AUDIT_LOG.name,
            {
                "id": f"{IMPORT_AUDIT}{import_key[:12].upper()}-{tab}-{first_row}",
                "at": iso(at),
                "actor": actor.label,
                "action": IMPORTED,
                "tab": tab,
                "record_id": "",
                "unit_id": "",
                "before": "{}",
                "after": json.dumps(summary, ensure_ascii=False),
                "request_key": import_key,
            },
        ),
    ]
