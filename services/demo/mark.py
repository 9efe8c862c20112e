"""The demo mark: how a store says it was made by the demo seeder and holds nothing a person made.

The mark lives in the audit log, which every engine holds and nobody rewrites: the seeder's own
audit row (actor "Hệ thống", request key `SEED_KEY`). A store is a demo store while it has that row
and every other audit row was written through the demo picker (tagged `records.DEMO_TAG`). Any
other write — an import, a copy, an adoption of a hand-made row, a write by a signed-in person, a
start with [auth] — leaves an untagged audit row, so the store stops being a demo store for good.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from schemas import tabs
from schemas.cells import iso
from services.core.records import DEMO_TAG
from services.storage import Append, Store
from services.storage.cache import CachedStore

if TYPE_CHECKING:
    from services.core.runtime import Runtime

SYSTEM = "Hệ thống"
SEED_KEY = "demo"  # the request key of the seeder's audit rows
ENDED = "Kết thúc chế độ dùng thử"


def seeding_audit(now: datetime, audit_id: str, action: str, rows: int) -> Append:
    """The audit row a demo seeding write ends with: the mark (the system wrote `rows` rows)."""
    return Append(
        tabs.AUDIT_LOG.name,
        {
            "id": audit_id,
            "at": iso(now),
            "actor": SYSTEM,
            "action": action,
            "tab": "*",
            "record_id": "",
            "before": "{}",
            "after": f'{{"rows": "{rows}"}}',
            "request_key": SEED_KEY,
        },
    )


def _seeded(cells: Mapping[str, str]) -> bool:
    return cells.get("actor") == SYSTEM and cells.get("request_key") == SEED_KEY


def is_demo_store(store: Store | CachedStore) -> bool:
    """True when the demo seeder made this store and every later write came through the picker."""
    rows = [r.cells for r in store.read([tabs.AUDIT_LOG.name])[tabs.AUDIT_LOG.name]]
    rows = [c for c in rows if any(str(v).strip() for v in c.values())]
    if not any(_seeded(c) for c in rows):
        return False
    return all(_seeded(c) or str(c.get("actor", "")).endswith(DEMO_TAG) for c in rows)


def end_demo(rt: Runtime, reason: str) -> bool:
    """End demo mode on this store for good (one untagged audit row saying why); False if the
    store was not a demo store."""
    if not is_demo_store(rt.store):
        return False
    now = rt.clock.now()
    rt.store.apply(
        [
            Append(
                tabs.AUDIT_LOG.name,
                {
                    "id": f"NK-HET-DUNG-THU-{now.strftime('%Y%m%d%H%M%S')}",
                    "at": iso(now),
                    "actor": SYSTEM,
                    "action": ENDED,
                    "tab": "*",
                    "record_id": "",
                    "before": "{}",
                    "after": json.dumps({"Lý do": reason}, ensure_ascii=False),
                    "request_key": "ket-thuc-dung-thu",
                },
            )
        ]
    )
    return True
