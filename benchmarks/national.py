"""National size: one store with 50,000 units — cold start, the render after an in-app write,
memory, and a warm province screen — for a server holding everything (unscoped, the way before)
and a server scoped to one province's subtree (`[store] scope`, the design change), in one run.

  1. builds the national sample (benchmarks/_province.py, fixed seed): 34 provinces side by side,
     each a Tỉnh đoàn with its upper and grassroots units (~1,470 units; `--provinces 1`: one
     province of national size, as before), in a temporary SQLite store — or copies one built
     earlier (`--province FILE`). The scope is the first province (the demo people's);
  2. the store, each way in a fresh child process: a cold read of every screen tab, a cold parse,
     and what the snapshot holds (objects the garbage collector tracks, the process's RSS growth);
  3. the first render after an in-app write, as the app's shared runtime serves it: an officer's
     entry on behalf of a unit and, right after, the parsed workbook and province staff's Tổng
     hợp board — with the write **patched into the cached snapshot** and with the cache
     **dropped and the changed tabs read again**, alternately; each way in a fresh child process;
  4. a real `streamlit run` server on this store (benchmarks/load.py's Server), each way: from
     start to the first drawn Tổng hợp (the cold start a person waits for after a restart), and
     warm reruns of Tổng hợp and Đơn vị for province staff over the websocket; and the same on
     the app's 109-unit demo store, the floor no data design removes (Streamlit, the imports).

`--cold-starts N` adds N more cold starts of each way, taken in turn (a cold start is the figure a
busy machine moves most). `--quick` (used by `make bench`) does it at 5,000 units in 5 provinces. The last line is one JSON
object (also benchmarks/out/national-<mode>.json). Nothing here fails: figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import multiprocessing
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

from benchmarks._province import NOW, ROOT_NAME, sample_province  # noqa: E402
from benchmarks._wire import Session  # noqa: E402
from benchmarks.load import Server, pin_cores, sign_in  # noqa: E402
from schemas import tabs  # noqa: E402
from schemas.tabs import SCREEN_TABS  # noqa: E402
from services.bootstrap import load_settings, open_runtime  # noqa: E402
from services.core.access import Actor, Role  # noqa: E402
from services.core.workbook import Workbook  # noqa: E402
from services.demo import seed_if_empty  # noqa: E402
from services.registration import dashboard, plans  # noqa: E402
from services.storage.sql import SqlStore  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PLAN = {
    "plan_number": "07-KH/ĐTN",
    "plan_date": date(2026, 9, 20),
    "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Kế hoạch công tác", "ND3": "Tham mưu cấp ủy"},
}
WRITES = 3  # writes per way (patched, re-read), alternately
WAYS = ("unscoped", "scoped", "demo")  # demo: the 109-unit demo store, the floor of a cold start


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(call) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def in_child(call, *args) -> Any:
    """`call(*args)` in a fresh child process, so one way's memory never counts in the other's."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(call, args)


def scope_of(path: Path) -> str:
    """The first province's id (the demo people's), when the store holds several provinces."""
    store = SqlStore.at_path(path)
    units = [r.cells for r in store.read([tabs.UNITS.name])[tabs.UNITS.name]]
    store.engine.dispose()
    roots = [u for u in units if not u["parent_id"]]
    return next(u["id"] for u in roots if u["name"] == ROOT_NAME) if len(roots) > 1 else ""


def store_figures(path: Path, scope: str) -> dict[str, Any]:
    """Cold read and parse, and what one snapshot holds."""
    gc.collect()
    objects, rss = len(gc.get_objects()), rss_mb()
    store = SqlStore.at_path(path, scope=scope)
    read_s, tabs_rows = timed(lambda: store.read(SCREEN_TABS))
    store.engine.dispose()
    parse_s, wb = timed(functools.partial(Workbook.parse, tabs_rows))
    gc.collect()
    figures = {
        "rows": sum(len(rows) for rows in tabs_rows.values()),
        "read_s": round(read_s, 3),
        "parse_s": round(parse_s, 3),
        "snapshot_objects": len(gc.get_objects()) - objects,
        "snapshot_rss_mb": round(rss_mb() - rss, 1),
        "units": len(wb.units),
        "registrations": len(wb.registrations),
    }
    del tabs_rows, wb
    gc.collect()
    return figures


def open_rt(path: Path, scope: str = ""):
    secrets = {
        "store": {"engine": "sqlite", "sqlite_path": str(path), "demo": True, "scope": scope},
        "clock": {"now": NOW.isoformat()},
    }
    return open_runtime(load_settings(secrets, {}))


def after_writes(path: Path, scope: str) -> dict[str, Any]:
    """The first render's data after each write, patched and re-read, alternately."""
    rt = open_rt(path, scope)
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
                rt,
                province,
                cycle.id,
                unit_id,
                PLAN,
                f"bench-{'s' if scope else 'u'}{n}",
                received_on=NOW.date(),
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


def demo_store(folder: str) -> Path:
    """The app's own demo store (109 units), seeded as a first start seeds it: what a cold start
    costs with almost no data — Streamlit, the imports, the first page."""
    path = Path(folder) / "demo.sqlite"
    rt = open_rt(path)
    seed_if_empty(rt, year_end=True)
    rt.store.inner.engine.dispose()
    return path


def start_server(path: Path, core: int | None, scope: str) -> Server:
    settings = {"TCD_SQLITE_PATH": str(path), "TCD_DEMO": "true", "TCD_NOW": NOW.isoformat()}
    if scope:
        settings["TCD_STORE_SCOPE"] = scope
    return Server("app.py", path, core, settings=settings)


async def first_dashboard(server: Server) -> tuple[float, Session, bool]:
    """A server just started: seconds until province staff's first Tổng hợp is drawn, the
    signed-in session, and whether that run ended well."""
    started = time.perf_counter()
    server.wait_healthy(timeout=300)
    session = Session(server.url)
    await sign_in(session, 0, 600)
    first = await session.run("tong-hop", timeout=600)
    return time.perf_counter() - started, session, first.ok


async def cold_start(path: Path, core: int | None, scope: str) -> float:
    """Seconds from starting a server to the first drawn Tổng hợp (province staff)."""
    server = start_server(path, core, scope)
    try:
        seconds, session, _ = await first_dashboard(server)
        await session.close()
        return seconds
    finally:
        server.stop()


async def cold_starts(stores: dict[str, tuple[Path, str]], core: int | None, n: int) -> dict:
    """`n` more cold starts of each way, taken in turn (so a busy moment hits every way alike):
    their median, lowest and highest."""
    seconds: dict[str, list[float]] = {way: [] for way in stores}
    for _ in range(n):
        for way, (path, scope) in stores.items():
            seconds[way].append(await cold_start(path, core, scope))
    return {
        way: {"median_s": round(statistics.median(s), 2), "min_s": round(min(s), 2)}
        | {"max_s": round(max(s), 2), "runs": len(s)}
        for way, s in seconds.items()
    }


async def server_figures(path: Path, core: int | None, scope: str) -> dict[str, Any]:
    """A real server: start to first Tổng hợp, then warm Tổng hợp and Đơn vị for province staff."""
    server = start_server(path, core, scope)
    try:
        cold, session, first_ok = await first_dashboard(server)
        figures: dict[str, Any] = {
            "cold_start_to_first_dashboard_s": round(cold, 2),
            "first_ok": first_ok,
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


def side_by_side(report: dict[str, Any]) -> None:
    """The figures a reader compares, unscoped against scoped."""
    lines = [
        ("rows read", "store", "rows"),
        ("cold read (s)", "store", "read_s"),
        ("cold parse (s)", "store", "parse_s"),
        ("snapshot RSS (MB)", "store", "snapshot_rss_mb"),
        ("snapshot objects", "store", "snapshot_objects"),
        ("after a write, patched (s)", "after_a_write", "patched.first_render_data_s"),
        ("after a write, re-read (s)", "after_a_write", "re_read.first_render_data_s"),
        ("cold start to Tổng hợp (s)", "server", "cold_start_to_first_dashboard_s"),
        ("warm Tổng hợp (s)", "server", "tong-hop.warm_median_s"),
        ("warm Đơn vị (s)", "server", "don-vi.warm_median_s"),
        ("server RSS (MB)", "server", "server_rss_after_first_mb"),
        ("more cold starts, median (s)", "cold_starts", "median_s"),
        ("more cold starts, lowest (s)", "cold_starts", "min_s"),
        ("more cold starts, highest (s)", "cold_starts", "max_s"),
    ]
    print(f"{'':32} {'unscoped':>12} {'scoped':>12} {'demo store':>12}")
    for label, part, key in lines:
        cells = []
        for way in WAYS:
            value: Any = report.get(part, {}).get(way, {})
            for step in key.split("."):
                value = value.get(step, "—") if isinstance(value, dict) else "—"
            cells.append(f"{value:>12}")
        print(f"{label:32} {' '.join(cells)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 units instead of 50,000")
    parser.add_argument("--units", type=int, help="units in the national sample")
    parser.add_argument("--provinces", type=int, help="provinces side by side (34; quick: 5)")
    parser.add_argument("--province", type=Path, help="a sample built earlier (copied)")
    parser.add_argument("--no-server", action="store_true", help="skip the real server's part")
    parser.add_argument(
        "--cold-starts", type=int, default=0, help="this many more cold starts of each way"
    )
    args = parser.parse_args(argv)
    units = args.units or (5_000 if args.quick else 50_000)
    provinces = args.provinces or (5 if args.quick else 34)
    started = time.perf_counter()
    server_core, _ = pin_cores()
    report: dict[str, Any] = {"benchmark": "national", "mode": "quick" if args.quick else "full"}
    with tempfile.TemporaryDirectory(prefix="3cd-national-") as tmp:
        path = Path(tmp) / "national.sqlite"
        if args.province:
            shutil.copyfile(args.province, path)
        else:
            sample_province(
                path,
                units=units,
                uppers=units // 125,
                blocs=units // 625,
                under_root=units // 555,
                provinces=provinces,
            )
        scope = scope_of(path)
        report["scope"] = scope or "(one province: no scoped run)"
        ways = {"unscoped": ""} | ({"scoped": scope} if scope else {})
        for part, measure in (("store", store_figures), ("after_a_write", after_writes)):
            report[part] = {way: in_child(measure, path, unit) for way, unit in ways.items()}
            print(f"{part}: {report[part]}", flush=True)
        if not args.no_server:
            report["server"] = {
                way: asyncio.run(server_figures(path, server_core, unit))
                for way, unit in ways.items()
            }
            demo = demo_store(tmp)
            report["server"]["demo"] = asyncio.run(server_figures(demo, server_core, ""))
            print(f"server: {report['server']}", flush=True)
            if args.cold_starts:
                stores = {way: (path, unit) for way, unit in ways.items()} | {"demo": (demo, "")}
                report["cold_starts"] = asyncio.run(
                    cold_starts(stores, server_core, args.cold_starts)
                )
                print(f"cold starts: {report['cold_starts']}", flush=True)
    report["load_average"] = round(os.getloadavg()[0], 1)
    report["total_s"] = round(time.perf_counter() - started, 1)
    side_by_side(report)
    line = json.dumps(report, ensure_ascii=False)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"national-{report['mode']}.json").write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
