"""Building writes: new ids, the audit row that goes with every write, and record updates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime

from schemas import tabs
from schemas.cells import iso
from schemas.models import Record
from services.access import Actor
from services.storage import Append, Update

PREFIX = {
    "units": "DV",
    "cycles": "CK",
    "registrations": "DK",
    "users": "ND",
    "extensions": "GH",
    "upper_reports": "BC",
    "audit_log": "NK",
}


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
            "actor": actor.label,
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
) -> list[Append]:
    """Append a new record and its audit row."""
    return [
        Append(tab, cells, unique),
        audit(actor, at, action, tab, cells["id"], {}, cells, request_key),
    ]


def change(
    actor: Actor,
    at: datetime,
    action: str,
    loaded: Record,
    new_cells: Mapping[str, str],
    request_key: str,
) -> list[Update | Append]:
    """Update only the cells that differ from what the form loaded, and audit them.

    The store compares every loaded cell with the row as it is now: if anyone changed it in the
    meantime the write is refused as a Conflict showing both values.
    """
    before = loaded.cells
    changes = {f: v for f, v in new_cells.items() if before.get(f, "") != v}
    if not changes:
        return []
    if "version" in before:
        changes["version"] = str(int(before.get("version") or 0) + 1)
    if "updated_at" in before:
        changes["updated_at"] = iso(at)
    tab = loaded.TAB.name
    return [
        Update(tab, loaded.id, before, changes),
        audit(actor, at, action, tab, loaded.id, before, {**before, **changes}, request_key),
    ]
