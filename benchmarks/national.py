"""National size: one store with 50,000 units — cold start, the render after an in-app write,
memory, and a warm province screen — with the old way measured beside the new in the same run.

  1. builds the sample province at national size (benchmarks/_province.py, fixed seed) in a
     temporary SQLite store, or copies one built earlier (`--province FILE`);
  2. the store, in this process: a cold read of every screen tab, a cold parse, and what the
     snapshot holds (objects the garbage collector tracks, and the process's RSS growth);
  3. the first render after an in-app write, as the app's shared runtime serves it: a secretary's
     registration (then an officer's entry on behalf) and, right after, the parsed workbook and
     province staff's Tổng hợp board — with the write **patched into the cached snapshot** (now)
     and with the cache **dropped and the changed tabs read again** (before), alternately;
  4. a real `streamlit run` server on this store (benchmarks/load.py's Server): from start to
     the first drawn Tổng hợp (the cold start a person waits for after a restart), and warm
     reruns of Tổng hợp and Đơn vị for province staff over the websocket.

`--quick` (used by `make bench`) does it at 10,000 units. The last line is one JSON object (also
benchmarks/out/national-<mode>.json). Nothing here fails: figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python benchmarks/national.py`

from benchmarks._province import NOW, build_province  # noqa: E402
from benchmarks._wire import Session  # noqa: E402
from benchmarks.load import Server, pin_cores, sign_in  # noqa: E402
from schemas.tabs import SCREEN_TABS  # noqa: E402
from services.bootstrap import load_settings, open_runtime  # noqa: E402
from services.core.access import Actor, Role  # noqa: E402
from services.core.workbook import Workbook  # noqa: E402
from services.registration import dashboard, plans  # noqa: E402
from services.storage.sql import SqlStore  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": date(2026, 9, 20),
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}
WRITES = 3  # writes per way (patched, re-read), alternately


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(call) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def store_figures(path: Path) -> dict[str, Any]:
    """Cold read and parse, and what one snapshot holds."""
    gc.collect()
    objects, rss = len(gc.get_objects()), rss_mb()
    store = SqlStore.at_path(path)
    read_s, tabs = timed(lambda: store.read(SCREEN_TABS))
    store.engine.dispose()
    parse_s, wb = timed(functools.partial(Workbook.parse, tabs))
    gc.collect()
    figures = {
        "rows": sum(len(rows) for rows in tabs.values()),
        "read_s": round(read_s, 3),
        "parse_s": round(parse_s, 3),
        "snapshot_objects": len(gc.get_objects()) - objects,
        "snapshot_rss_mb": round(rss_mb() - rss, 1),
        "units": len(wb.units),
        "registrations": len(wb.registrations),
    }
    del tabs, wb
    gc.collect()
    return figures


def open_rt(path: Path):
    secrets = {
        "store": {"engine": "sqlite", "sqlite_path": str(path), "demo": True},
        "clock": {"now": NOW.isoformat()},
    }
    return open_runtime(load_settings(secrets, {}))


def after_writes(path: Path) -> dict[str, Any]:
    """The first render's data after each write, patched (now) and re-read (before), alternately."""
    rt = open_rt(path)
    wb = rt.workbook()
    cycle = wb.cycles_newest_first()[0]
    staff = next(u for u in wb.users.values() if u.role is Role.PROVINCE)
    # a demo person (as the picker makes them): the store stays a demo store for the server part
    province = Actor(staff.email, staff.name, staff.role, staff.unit_id, demo=True)
    dashboard.registration_board(rt, province, cycle.id)
    missing = [
        u.id for u in wb.grassroots(set(wb.units)) if wb.registration(cycle.id, u.id) is None
    ][: 2 * WRITES]
    ways: dict[str, list[dict[str, float]]] = {"patched": [], "re_read": []}
    for n, unit_id in enumerate(missing):
        way = "patched" if n % 2 == 0 else "re_read"
        rt.store.patch_writes = way == "patched"
        reads = rt.store.tabs_read
        write_s, _ = timed(
            lambda unit_id=unit_id, n=n: plans.register_plan(
                rt, province, cycle.id, unit_id, PLAN, f"bench-{n}", received_on=NOW.date()
            )
        )
        workbook_s, _ = timed(rt.workbook)
        board_s, board = timed(lambda: dashboard.registration_board(rt, province, cycle.id))
        ways[way].append(
            {
                "write_s": write_s,
                "workbook_s": workbook_s,
                "board_s": board_s,
                "first_render_data_s": workbook_s + board_s,
                "tabs_read": rt.store.tabs_read - reads,
            }
        )
    return {
        way: {key: round(statistics.median(r[key] for r in runs), 3) for key in runs[0]}
        | {"writes": len(runs)}
        for way, runs in ways.items()
        if runs
    }


async def server_figures(path: Path, core: int | None) -> dict[str, Any]:
    """A real server: start to first Tổng hợp, then warm Tổng hợp and Đơn vị for province staff."""
    server = Server("app.py", path, core)
    try:
        started = time.perf_counter()
        server.wait_healthy(timeout=300)
        session = Session(server.url)
        await sign_in(session, 0, 600)
        first = await session.run("tong-hop", timeout=600)
        cold = time.perf_counter() - started
        figures: dict[str, Any] = {
            "cold_start_to_first_dashboard_s": round(cold, 2),
            "first_ok": first.ok,
            "server_rss_after_first_mb": round(server.rss_mb(), 1),
        }
        for page in ("tong-hop", "don-vi"):
            await session.run(page, timeout=600)
            runs = [await session.run(page, timeout=600) for _ in range(5)]
            cpu = server.cpu_s()
            again = [await session.run(page, timeout=600) for _ in range(3)]
            figures[page] = {
                "warm_median_s": round(statistics.median(r.seconds for r in runs), 3),
                "warm_max_s": round(max(r.seconds for r in runs), 3),
                "server_cpu_ms_per_run": round(1000 * (server.cpu_s() - cpu) / len(again), 1),
                "ok": all(r.ok for r in runs + again),
                "kb": round(runs[-1].bytes / 1024, 1),
            }
        await session.close()
        return figures
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 units instead of 50,000")
    parser.add_argument("--units", type=int, help="units in the sample province")
    parser.add_argument("--province", type=Path, help="a sample province built earlier (copied)")
    parser.add_argument("--no-server", action="store_true", help="skip the real server's part")
    args = parser.parse_args(argv)
    units = args.units or (10_000 if args.quick else 50_000)
    started = time.perf_counter()
    server_core, _ = pin_cores()
    report: dict[str, Any] = {"benchmark": "national", "mode": "quick" if args.quick else "full"}
    with tempfile.TemporaryDirectory(prefix="3cd-national-") as tmp:
        path = Path(tmp) / "national.sqlite"
        if args.province:
            shutil.copyfile(args.province, path)
        else:
            build_province(
                path, units=units, uppers=units // 125, blocs=units // 625, under_root=units // 555
            )
        report["store"] = store_figures(path)
        print(f"store: {report['store']}", flush=True)
        report["after_a_write"] = after_writes(path)
        print(f"after a write: {report['after_a_write']}", flush=True)
        if not args.no_server:
            report["server"] = asyncio.run(server_figures(path, server_core))
            print(f"server: {report['server']}", flush=True)
    report["load_average"] = round(os.getloadavg()[0], 1)
    report["total_s"] = round(time.perf_counter() - started, 1)
    line = json.dumps(report, ensure_ascii=False)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"national-{report['mode']}.json").write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
