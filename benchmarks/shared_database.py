"""Registrations through one app process and through two, on one PostgreSQL, beside baselines.

    PYTHONPATH=. .venv/bin/python benchmarks/shared_database.py [--units U] [--writes W]
                                                                [--submissions N] [--threads T]

A throw-away PostgreSQL server (tests/postgres.py, durable settings: fsync on) holds the
U-unit benchmark province, copied in from SQLite by the copy command (its time is reported too).
Two workloads, T threads per process, all starting at one instant:

* store: W saves (a registration and its audit row, one transaction, unique cycle + unit checked)
  straight through the SQL engine — what the database itself sustains;
* service: N secretaries of different units send their registration through the real service
  (`plans.register_plan` on `CachedStore` + the SQL engine) — what an app server sustains today.

Each through: postgresql ×2 (two processes: two app servers on one database), postgresql ×1 (one
process, all of it), and the baselines: sqlite ×1 (today's embedded store) and, for the service,
naive ×2 (two processes whose cache cannot tell which tab changed, so after every write it reads
every screen tab again: the cache before per-tab counters).

Each row: saves per second (wall time from the common start to the last answer), latency
p50/p95/max, errors, the cold start (open + first snapshot) per process. The machine is shared:
read the ratios within one run, not absolute figures across runs. The LAST line is one JSON
object. Benchmarks measure; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import _province


@dataclass
class Start:
    """The common start: every process says it is warm, then all of them begin at one instant
    (set by the parent once the last one is ready, so no process waits longer than it must)."""

    ready: Any  # a multiprocessing Queue: one item per warm process
    go: Any  # a multiprocessing Event: `at` is set
    at: Any  # a multiprocessing Value("d"): the instant, time.time()

    def wait(self) -> None:
        self.ready.put(None)
        self.go.wait(timeout=1800)
        time.sleep(max(0.0, self.at.value - time.time()))


def worker(url: str, units: list[str], threads: int, per_tab: bool, start: Start, out) -> None:
    """One app server: open the store, read a snapshot, then send its share at the start."""
    from schemas.criteria import load_catalogue
    from services.core.access import Actor, Role
    from services.core.clock import FixedClock
    from services.core.runtime import Runtime
    from services.registration import cycles, plans
    from services.storage.cache import CachedStore
    from services.storage.sql import SqlStore

    began = time.perf_counter()
    inner = SqlStore(url) if url.startswith("postgresql") else SqlStore.at_path(url)
    engine: Any = inner if per_tab else WholeTabs(inner)
    rt = Runtime(CachedStore(engine, check_every=1.0), FixedClock(_province.NOW), load_catalogue())
    cycle = cycles.current_cycle(rt.workbook(), rt.clock.now())
    cold = time.perf_counter() - began
    form = {
        "plan_number": "01-KH/ĐTN",
        "plan_date": "01/10/2026",
        "targets": {"ND1": "Quản lý đoàn viên", "ND2": "Công trình", "ND3": "Tham mưu"},
    }
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(units)

    def send() -> None:
        while True:
            with lock:
                if not queue:
                    return
                unit_id = queue.pop()
            actor = Actor(f"ND-{unit_id}", f"Bí thư {unit_id}", Role.SECRETARY, unit_id)
            t0 = time.perf_counter()
            try:
                plans.register_plan(rt, actor, cycle.id, unit_id, form, f"{unit_id}-bench" * 2)
            except Exception as exc:  # a benchmark counts failures instead of stopping
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    start.wait()
    pool = [threading.Thread(target=send) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(
        {
            "latencies": latencies,
            "errors": errors,
            "cold": cold,
            "ended": time.time(),
            "tabs_read": rt.store.tabs_read,
        }
    )
    inner.engine.dispose()


def store_worker(url: str, ids: list[str], threads: int, _per_tab, start: Start, out) -> None:
    """Saves straight through the engine: each a registration and its audit row, one write."""
    from services.core import records
    from services.core.access import Actor, Role
    from services.storage.sql import SqlStore

    began = time.perf_counter()
    store = SqlStore(url) if url.startswith("postgresql") else SqlStore.at_path(url)
    cold = time.perf_counter() - began
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(ids)

    def send() -> None:
        while True:
            with lock:
                if not queue:
                    return
                n = queue.pop()
            actor = Actor(f"ND-{n}", f"Bí thư {n}", Role.SECRETARY, n)
            cells = {"id": f"DK-{n}", "cycle_id": "CK-BENCH", "unit_id": n, "state": "Đã gửi"}
            ops = records.create(
                actor,
                _province.NOW,
                "Gửi đăng ký",
                cells,
                "registrations",
                f"{n}-key" * 2,
                unique=("cycle_id", "unit_id"),
            )
            t0 = time.perf_counter()
            try:
                store.apply(ops)
            except Exception as exc:  # a benchmark counts failures instead of stopping
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    start.wait()
    pool = [threading.Thread(target=send) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(
        {
            "latencies": latencies,
            "errors": errors,
            "cold": cold,
            "ended": time.time(),
            "tabs_read": 0,
        }
    )
    store.engine.dispose()


class WholeTabs:
    """The SQL engine without its per-tab counters and without reporting its writes: the cache
    re-reads every tab after a write. (Every member of the `Store` protocol, as the cache expects.)"""

    coalesces = False

    def __init__(self, inner):
        self.inner = inner

    def ensure_tabs(self):
        return self.inner.ensure_tabs()

    def layout(self):
        return None

    def on_commit(self, listener):
        pass  # a SQL engine's writes read nothing back

    def on_written(self, listener):
        pass  # the point of this wrapper: the cache re-reads after every write

    def rereads(self, changed):
        return set(changed)

    def read(self, tabs):
        return self.inner.read(tabs)

    def apply(self, operations):
        return self.inner.apply(operations)

    def read_tail(self, tab, limit, before=None):
        return self.inner.read_tail(tab, limit, before)

    def change_token(self):
        return self.inner.change_token()

    def tab_versions(self):
        return None  # the point of this wrapper: no per-tab counters

    def unreadable(self):
        return self.inner.unreadable()


def run(target, url: str, units: list[str], processes: int, threads: int, per_tab: bool) -> dict:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = Start(ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0))
    shares = [units[i::processes] for i in range(processes)]
    procs = [
        ctx.Process(target=target, args=(url, share, threads, per_tab, start, out))
        for share in shares
    ]
    for p in procs:
        p.start()
    for _ in procs:
        start.ready.get(timeout=600)  # every process open and warm
    start.at.value = time.time() + 0.2
    start.go.set()
    results = [out.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    wall = max(r["ended"] for r in results) - start.at.value
    return {
        "processes": processes,
        "threads_each": threads,
        "submissions": len(units),
        "stored": len(latencies),
        "errors": sorted({e for r in results for e in r["errors"]}),
        "per_second": round(len(latencies) / wall, 1) if wall > 0 else None,
        "p50_s": pct(latencies, 0.5),
        "p95_s": pct(latencies, 0.95),
        "max_s": round(latencies[-1], 3) if latencies else None,
        "cold_start_s": [round(r["cold"], 2) for r in results],
        "tabs_read_per_save": round(
            sum(r["tabs_read"] for r in results) / max(1, len(latencies)), 2
        ),
    }


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--quick", action="store_true", help="1,000 units, 300 writes, 20 submissions (make bench)"
    )
    args = parser.parse_args()
    if args.quick:
        args.units, args.writes, args.submissions = 1000, 300, 20

    from schemas.criteria import load_catalogue
    from services.core.clock import FixedClock
    from services.core.runtime import Runtime
    from services.data import copy_store
    from services.registration import cycles
    from services.storage.cache import CachedStore
    from services.storage.sql import SqlStore
    from tests.support import postgres

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server on the way out
    folder = Path(tempfile.mkdtemp(prefix="3cd-bench-"))
    province = _province.sample_province(folder / "province.sqlite", units=args.units)
    server = postgres.start(fast=False)
    try:
        template = server.fresh_database("province")
        began = time.perf_counter()
        copied = copy_store.copy_store(
            SqlStore.at_path(province.path), SqlStore(template), _province.NOW, say=lambda _: None
        )
        copy_seconds = time.perf_counter() - began
        server.execute('ALTER DATABASE "province" WITH ALLOW_CONNECTIONS false')
        rt = Runtime(
            CachedStore(SqlStore.at_path(province.path)),
            FixedClock(_province.NOW),
            load_catalogue(),
        )
        wb = rt.workbook()
        cycle = cycles.current_cycle(wb, rt.clock.now())
        taken = {r.unit_id for r in wb.registrations.values() if r.cycle_id == cycle.id}
        free = [
            u.id
            for u in wb.units.values()
            if u.kind.is_grassroots and u.active and u.id not in taken
        ][: args.submissions]
        rt.store.inner.engine.dispose()

        def database(name: str) -> str:
            server.execute(
                f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE province'
            )
            return server.url(name)

        rows: dict[str, dict] = {}
        ids = [f"DV-B{n:05d}" for n in range(args.writes)]
        for name, target, make, processes, per_tab, items in [
            ("store pg x2", store_worker, lambda: database("s2"), 2, True, ids),
            ("store pg x1", store_worker, lambda: database("s1"), 1, True, ids),
            (
                "store sqlite x1",
                store_worker,
                lambda: str(copy_sqlite(province.path, folder)),
                1,
                True,
                ids,
            ),
            ("service pg x2", worker, lambda: database("two"), 2, True, free),
            ("service pg x1", worker, lambda: database("one"), 1, True, free),
            ("service naive x2", worker, lambda: database("naive"), 2, False, free),
            (
                "service sqlite x1",
                worker,
                lambda: str(copy_sqlite(province.path, folder)),
                1,
                True,
                free,
            ),
        ]:
            rows[name] = run(target, make(), items, processes, args.threads, per_tab)
            print(f"{name:18} " + "  ".join(f"{k}={v}" for k, v in rows[name].items()), flush=True)
    finally:
        server.stop()

    ratio = lambda a, b: round(a / b, 2) if a and b else None  # noqa: E731
    speed = {name: row["per_second"] for name, row in rows.items()}
    print()
    print(
        f"province: {province.units} units; copy SQLite → PostgreSQL {copy_seconds:.1f} s "
        f"({copied.written} rows, read back equal)"
    )
    print(
        f"database (store): two processes ×{ratio(speed['store pg x2'], speed['store pg x1'])} "
        f"of one; PostgreSQL ×{ratio(speed['store pg x2'], speed['store sqlite x1'])} of SQLite"
    )
    print(
        f"app (service): two processes ×{ratio(speed['service pg x2'], speed['service pg x1'])} "
        f"of one; per-tab refresh ×{ratio(speed['service pg x2'], speed['service naive x2'])} "
        "of the naive whole re-read"
    )
    summary = {
        "benchmark": "shared_database",
        "units": province.units,
        "copy_seconds": round(copy_seconds, 1),
        "copied_rows": copied.written,
        "rows": rows,
        "store_two_vs_one": ratio(speed["store pg x2"], speed["store pg x1"]),
        "store_pg_vs_sqlite": ratio(speed["store pg x2"], speed["store sqlite x1"]),
        "service_two_vs_one": ratio(speed["service pg x2"], speed["service pg x1"]),
        "service_per_tab_vs_naive": ratio(speed["service pg x2"], speed["service naive x2"]),
    }
    print(json.dumps(summary, ensure_ascii=False))


def copy_sqlite(path: Path, folder: Path) -> Path:
    """A fresh copy of the province file for one run (SQLite: the file is the database)."""
    import shutil

    target = folder / f"run-{time.monotonic_ns()}.sqlite"
    shutil.copy(path, target)
    return target


if __name__ == "__main__":
    main()
