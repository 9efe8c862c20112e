"""One app server's store side, as a separate process: `python -m tests.support.app_process URL`.

It builds its runtime with the app's own composition root (`build_runtime`, engine postgresql, a
frozen clock) and then obeys one JSON command per line on stdin, answering one JSON line each:
the tests drive two of these against one database, as two app servers behind a load balancer.
A command may carry `at` (a wall-clock instant): the process waits until then, so two processes
send their write at the same moment.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from services.bootstrap import build_runtime
from services.core.access import Actor, Role
from services.core.errors import DomainError
from services.core.settings import Settings
from services.people import units
from services.registration import cycles, plans
from services.storage import StoreError

PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": "2026-11-20",
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}
PROVINCE = Actor("tinh-doan@example.vn", "Cán bộ Tỉnh đoàn", Role.PROVINCE, "")


def main(url: str, now: str, ttl: str = "3600") -> None:
    settings = Settings(
        engine="postgresql", database_url=url, login=True, now=now, refresh_seconds=float(ttl)
    )
    rt = build_runtime(settings)
    print(json.dumps({"ready": True, "upgraded": rt.store.inner.upgraded}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if "at" in command:
            time.sleep(max(0.0, command["at"] - time.time()))
        try:
            answer = {"ok": True, **(run(rt, command) or {})}
        except (DomainError, StoreError) as exc:
            answer = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(answer, ensure_ascii=False), flush=True)


def run(rt: Any, command: dict[str, Any]) -> dict[str, Any] | None:
    wb = rt.workbook()
    what = command["do"]
    if what == "register":  # the unit's secretary sends its plan for the current cycle
        unit_id = command["unit_id"]
        secretary = Actor(f"bt-{unit_id}@example.vn", f"Bí thư {unit_id}", Role.SECRETARY, unit_id)
        cycle = cycles.current_cycle(wb, rt.clock.now())
        receipt = plans.register_plan(rt, secretary, cycle.id, unit_id, PLAN, command["key"])
        return {"receipt": str(receipt)}
    if what == "assign_officer":  # from the unit as this server's screen loaded it
        loaded = command.get("loaded")
        unit = (
            wb.units[command["unit_id"]]
            if loaded is None
            else type(wb.units[command["unit_id"]]).from_cells(loaded)
        )
        units.assign_officer(rt, PROVINCE, unit, command["officer"], command["key"])
        return None
    if what == "load_unit":
        return {"cells": dict(wb.units[command["unit_id"]].cells)}
    if what == "registrations":  # the current cycle's, as this server's cached snapshot has them
        cycle = cycles.current_cycle(wb, rt.clock.now())
        return {
            "units": sorted(r.unit_id for r in wb.registrations.values() if r.cycle_id == cycle.id),
            "tabs_read": rt.store.tabs_read,
        }
    if what == "free_units":  # grassroots units with no registration in the current cycle
        cycle = cycles.current_cycle(wb, rt.clock.now())
        taken = {r.unit_id for r in wb.registrations.values() if r.cycle_id == cycle.id}
        free = [
            u.id
            for u in wb.units.values()
            if u.kind.is_grassroots and u.active and u.id not in taken
        ]
        return {"units": sorted(free), "cycle_id": cycle.id}
    raise ValueError(f"unknown command {what}")


if __name__ == "__main__":
    main(*sys.argv[1:])
