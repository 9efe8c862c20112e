"""Scale benchmark: every screen's server-side render on a 5,000-unit province, against a naive baseline.

Copies the sample province (benchmarks/_province.py; `--quick`: 2,000 units) into a temporary
SQLite store, then
  1. times the store: cold read of the screen tabs, cold parse, warm `rt.workbook()`, and the
     dashboard (`registration_board`) cold and warm;
  2. renders every screen through streamlit.testing.v1.AppTest as province staff and as an upper
     officer: cold (first run after clearing st.cache_resource), warm (median of WARM_RUNS runs),
     and the naive baseline (median of WARM_RUNS runs with nothing shared between renders: each
     render re-reads every tab, re-parses and recomputes the dashboard, once);
  3. profiles the slowest warm screen and Workbook.parse with cProfile: where the time goes.
Prints a table, and as the last line one JSON object with every figure (seconds; also written to
benchmarks/out/screens.json). Not a test. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import os
import platform
import pstats
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks._province import NOW, YEARS, sample_province
from schemas.criteria import load_catalogue
from schemas.tabs import SCREEN_TABS
from schemas.vntext import sort_key
from services.core.clock import FixedClock
from services.core.runtime import Runtime
from services.core.settings import ENV
from services.core.workbook import Workbook
from services.demo.province import DEMO_PEOPLE, demo_actors
from services.registration import dashboard, plans
from services.storage.cache import CachedStore, Snapshot
from services.storage.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SCREENS = {
    name: f"pages/{name}.py" for name in ("tong_hop", "dang_ky", "don_vi", "bao_cao", "chu_ky")
}
PEOPLE = {"province": 0, "upper": 1}  # sign-in picker order (services.demo.province.DEMO_PEOPLE)
PEOPLE_SECRETARY = 2
WARM_RUNS = 5
GOAL_S = 0.5
QUICK_UNITS = 2_000  # --quick: a smaller province, so that `make bench` stays under 10 minutes
MERGED_SHARE = 0.2  # --merged: a fifth of the units went through a merger
OPEN_CYCLE = f"CK-{YEARS[-1]}"


def timed(fn: Callable[[], Any], collect: bool = True) -> tuple[float, Any]:
    if collect:
        gc.collect()  # garbage left by earlier measurements is not collected inside this one
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def repeat(runs: int, fn: Callable[[], Any]) -> list[float]:
    gc.collect()
    return [timed(fn, collect=False)[0] for _ in range(runs)]


def median_of(runs: int, fn: Callable[[], Any]) -> float:
    return statistics.median(repeat(runs, fn))


def r4(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class PerRenderStore(CachedStore):
    """The naive baseline: a cache with ttl=0 held for one render only, so nothing is shared.

    Every render reads every screen tab once, parses them again and recomputes the dashboard
    (a fresh Snapshot has an empty memo) — what an app without a process-wide cache does.
    """

    def __init__(self, inner: SqlStore):
        super().__init__(inner, ttl=0)
        self.render = 0
        self._held: tuple[int, Snapshot] | None = None

    def snapshot(self) -> Snapshot:
        if self._held is None or self._held[0] != self.render:
            self._snapshot = None  # naive: a new snapshot (and an empty memo) even for equal data
            self._held = (self.render, super().snapshot())
        return self._held[1]


# ---- the store ------------------------------------------------------------------------------


def store_figures(path: Path) -> dict[str, float]:
    """Read, parse and dashboard costs measured outside Streamlit."""
    figures: dict[str, float] = {}
    clear_caches()
    fresh = SqlStore.at_path(path)
    figures["cold_read_s"], tabs_rows = timed(lambda: fresh.read(SCREEN_TABS))
    figures["read_median_s"] = median_of(3, lambda: fresh.read(SCREEN_TABS))
    figures["cold_parse_s"], _ = timed(lambda: Workbook.parse(tabs_rows))
    figures["parse_median_s"] = median_of(3, lambda: Workbook.parse(tabs_rows))
    fresh.engine.dispose()

    rt = Runtime(CachedStore(SqlStore.at_path(path)), FixedClock(NOW), load_catalogue())
    figures["workbook_first_call_s"], _ = timed(rt.workbook)
    figures["workbook_warm_median_s"] = median_of(20, rt.workbook)
    actors = demo_actors(rt)
    for role, index in PEOPLE.items():
        actor = actors[index]
        board = lambda a=actor: dashboard.registration_board(rt, a, OPEN_CYCLE)  # noqa: E731
        figures[f"board_{role}_cold_s"], _ = timed(board)
        figures[f"board_{role}_warm_median_s"] = median_of(20, board)
    secretary = actors[PEOPLE_SECRETARY]
    plan = {
        "plan_number": "01-KH",
        "plan_date": NOW.date(),
        "targets": {"ND1": "a", "ND2": "b", "ND3": "c"},
    }
    plans.register_plan(rt, secretary, OPEN_CYCLE, secretary.unit_id, plan, "bench-write")
    figures["workbook_after_one_write_s"], _ = timed(rt.workbook)  # reuses unchanged rows
    figures["naive_render_data_s"] = (
        figures["read_median_s"] + figures["parse_median_s"] + figures["board_province_cold_s"]
    )
    rt.store.inner.engine.dispose()
    figures["snapshot_tabs_mb"], figures["snapshot_workbook_mb"] = snapshot_memory(path)
    return figures


def snapshot_memory(path: Path) -> tuple[float, float]:
    """Memory one cached snapshot holds: the rows as read, and the parsed workbook (MB)."""
    store = SqlStore.at_path(path)
    gc.collect()
    tracemalloc.start()
    try:
        tabs_rows = store.read(SCREEN_TABS)
        read = tracemalloc.get_traced_memory()[0]
        workbook = Workbook.parse(tabs_rows)
        parsed = tracemalloc.get_traced_memory()[0] - read
    finally:
        tracemalloc.stop()
    del workbook, tabs_rows
    store.engine.dispose()
    return read / 1e6, parsed / 1e6


# ---- the screens ----------------------------------------------------------------------------


def open_app(path: Path, person: str) -> AppTest:
    """The real app.py on the benchmark store, signed in as `person` through the demo picker."""
    clear_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    # demo = true only enables the sign-in picker here: seeding happens into an EMPTY store only.
    at.secrets["store"] = {"engine": "sqlite", "sqlite_path": str(path), "demo": True}
    at.secrets["clock"] = {"now": NOW.isoformat()}
    at.run()
    # As in tests/app/conftest.py: leave the default page before choosing (an AppTest quirk).
    at.switch_page("pages/don_vi.py").run()
    at.sidebar.selectbox(key="demo_person").select_index(PEOPLE[person]).run()
    assert at.session_state["actor"].id == DEMO_PEOPLE[PEOPLE[person]].email, "wrong person"
    return at


# Streamlit warns when its caches are used outside a script run, as this harness does on purpose.
QUIET = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def quiet() -> None:
    """Drop those two warnings (a filter: Streamlit resets its loggers' levels on import)."""
    for name in QUIET:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ErrorsOnly) for f in logger.filters):
            logger.addFilter(_ErrorsOnly())


class _ErrorsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


def clear_caches() -> None:
    """What a server restart clears: the shared runtime (store, read cache), cached data, memos."""
    quiet()
    st.cache_resource.clear()
    st.cache_data.clear()
    getattr(sort_key, "cache_clear", lambda: None)()  # a process-wide memo of name sort keys


def errors_of(at: AppTest) -> list[str]:
    return [str(e.value)[:300] for e in at.exception]


def current_runtime() -> Runtime:
    """The runtime the app's scripts share (st.cache_resource is process-wide)."""
    from pages import _ui

    quiet()
    return _ui.runtime()


def time_screen(at: AppTest, page: str) -> dict[str, Any]:
    """Cold, warm and baseline renders of one screen in an already signed-in session."""
    try:
        at.switch_page(page).run()
    except ValueError:
        return {"shown": False}
    result: dict[str, Any] = {"shown": True, "errors": errors_of(at)}

    clear_caches()
    result["cold_s"], _ = timed(at.run)
    rt = current_runtime()
    result["errors"] += errors_of(at)

    reads = rt.store.reads
    warm = repeat(WARM_RUNS, at.run)
    result["warm_median_s"], result["warm_max_s"] = statistics.median(warm), max(warm)
    result["warm_store_reads"] = rt.store.reads - reads
    result["errors"] += errors_of(at)
    result["table_rows"] = sum(len(frame.value) for frame in at.dataframe)

    shared = rt.store
    naive = rt.store = PerRenderStore(shared.inner)
    try:

        def render() -> None:
            naive.render += 1
            rt._last = None  # naive: no records reused from an earlier parse either
            at.run()

        result["baseline_median_s"] = median_of(WARM_RUNS, render)
        result["baseline_store_reads"] = naive.reads
    finally:
        rt.store = shared
    result["errors"] += errors_of(at)
    result["errors"] = sorted(set(result["errors"]))
    return result


def apptest_floor() -> float:
    """What AppTest itself costs for a one-line script: part of every figure below."""
    at = AppTest.from_string("import streamlit as st\nst.write('x')")
    at.run()
    return median_of(WARM_RUNS * 2, at.run)


def profile_screen(path: Path, person: str, page: str) -> str:
    """cProfile of one warm render of a screen (the script thread only)."""
    from streamlit.testing.v1 import local_script_runner

    runner = local_script_runner.LocalScriptRunner
    if not hasattr(runner, "_run_script_thread"):
        return "  (profiling unavailable: this Streamlit version runs scripts differently)"
    at = open_app(path, person)
    at.switch_page(page).run()
    at.run()
    profiler = cProfile.Profile()
    original = runner._run_script_thread

    def profiled(self):
        profiler.enable()
        try:
            original(self)
        finally:
            profiler.disable()

    runner._run_script_thread = profiled
    try:
        at.run()
    finally:
        runner._run_script_thread = original
    return profile_table(profiler)


def profile_parse(path: Path) -> str:
    """cProfile of Workbook.parse: the cost of a cold start and of the first render after a write."""
    store = SqlStore.at_path(path)
    tabs_rows = store.read(SCREEN_TABS)
    store.engine.dispose()
    profiler = cProfile.Profile()
    profiler.runcall(Workbook.parse, tabs_rows)
    return profile_table(profiler, ours=8, everything=8)


def profile_table(profiler: cProfile.Profile, ours: int = 16, everything: int = 8) -> str:
    """Our functions by cumulative time, then the heaviest functions of all by own time."""
    stats = pstats.Stats(
        profiler
    ).stats  # (file, line, name) -> (calls, ncalls, tottime, cumtime, _)
    total = max(ct for _, _, _, ct, _ in stats.values())
    rows = [
        (ct, tt, nc, _where(file, line, name))
        for (file, line, name), (_, nc, tt, ct, _) in stats.items()
    ]
    ours_rows = sorted((r for r in rows if _is_ours(r[3])), reverse=True)[:ours]
    all_rows = sorted(rows, key=lambda r: r[1], reverse=True)[:everything]
    lines = [
        f"  profiled run: {total:.3f} s (profiling slows it)",
        f"  {'cumtime':>8} {'own':>7} {'calls':>7}  our code (pages/, services/, schemas/)",
    ]
    lines += [f"  {ct:8.3f} {tt:7.3f} {nc:7d}  {where}" for ct, tt, nc, where in ours_rows]
    lines.append(f"  {'cumtime':>8} {'own':>7} {'calls':>7}  everything, by own time")
    lines += [f"  {ct:8.3f} {tt:7.3f} {nc:7d}  {where}" for ct, tt, nc, where in all_rows]
    return "\n".join(lines)


def _where(file: str, line: int, name: str) -> str:
    """A readable location without machine paths: relative to the repo or to site-packages."""
    for marker in (str(ROOT) + os.sep, "site-packages" + os.sep):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    else:
        file = Path(file).name if file.startswith(os.sep) else file
    return f"{file}:{line}({name})" if line else name


def _is_ours(where: str) -> bool:
    return where.startswith(("pages/", "services/", "schemas/", "app.py"))


# ---- report ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    global WARM_RUNS, SCREENS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 units, 3 warm runs; Tổng hợp, Đăng ký and Đơn vị only",
    )
    parser.add_argument(
        "--merged",
        action="store_true",
        help=f"the province after a restructuring: {MERGED_SHARE:.0%} of its units merged in pairs "
        "on 1/7/2025 (cycles before and after expect different units)",
    )
    args = parser.parse_args(argv)
    merged_share = MERGED_SHARE if args.merged else 0.0
    if args.quick:
        WARM_RUNS = 3
        SCREENS = {k: v for k, v in SCREENS.items() if k in ("tong_hop", "dang_ky", "don_vi")}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="3cd-bench-") as tmp:
        path = Path(tmp) / "province.sqlite"
        # The app's settings come from the environment first: point it at this store, never at
        # a developer's real data (an empty default store would get the demo seeded into it).
        for var in ENV.values():
            os.environ.pop(var, None)
        os.environ.update(
            {ENV["sqlite_path"]: str(path), ENV["demo"]: "true", ENV["now"]: NOW.isoformat()}
        )
        province = sample_province(
            path, units=QUICK_UNITS if args.quick else 5_000, merged_share=merged_share
        )
        if merged_share:
            print(f"Restructured: {merged_share:.0%} of the units merged in pairs on 01/07/2025")
        print(
            f"Sample province: {province.units} units ({province.upper_units} upper, "
            f"{province.grassroots} grassroots), {province.cycles} cycles, "
            f"{province.registrations} registrations, {province.upper_reports} roll-ups, "
            f"{province.extensions} extensions; ready in {province.seconds:.1f} s "
            "(built, or copied from an earlier build)"
        )
        print(
            f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"Streamlit {st.__version__}; now = {NOW:%d/%m/%Y %H:%M}, open cycle {OPEN_CYCLE}",
            flush=True,
        )

        store = store_figures(path)
        floor = apptest_floor()
        screens: dict[str, dict[str, Any]] = {name: {} for name in SCREENS}
        for person in PEOPLE:
            at = open_app(path, person)
            for name, page in SCREENS.items():
                screens[name][person] = time_screen(at, page)
        shown = [
            (n, p, r["warm_median_s"])
            for n, by in screens.items()
            for p, r in by.items()
            if r.get("shown")
        ]
        slowest = max(shown, key=lambda t: t[2])
        profiles = {
            "screen": profile_screen(path, slowest[1], SCREENS[slowest[0]]),
            "parse": profile_parse(path),
        }
        clear_caches()
        for var in ENV.values():
            os.environ.pop(var, None)

    total = time.perf_counter() - started
    report(province, store, floor, screens, slowest, profiles, total, merged_share)


def report(province, store, floor, screens, slowest, profiles, total_s, merged_share=0.0) -> None:
    print("\nStore, outside Streamlit (seconds)")
    lines = [
        ("cold read of all screen tabs (SqlStore.read, new engine)", store["cold_read_s"]),
        ("  read, median of 3", store["read_median_s"]),
        ("cold parse (Workbook.parse)", store["cold_parse_s"]),
        ("  parse again, median of 3 (name sort keys memoized)", store["parse_median_s"]),
        ("rt.workbook() first call: read + parse", store["workbook_first_call_s"]),
        ("rt.workbook() warm, through the cache (median of 20)", store["workbook_warm_median_s"]),
        (
            "rt.workbook() after one write: read + parse of changed rows",
            store["workbook_after_one_write_s"],
        ),
        ("registration_board, province staff: cold", store["board_province_cold_s"]),
        (
            "registration_board, province staff: warm (median of 20)",
            store["board_province_warm_median_s"],
        ),
        ("registration_board, upper officer: cold", store["board_upper_cold_s"]),
        (
            "registration_board, upper officer: warm (median of 20)",
            store["board_upper_warm_median_s"],
        ),
        ("naive data cost of one render: read + parse + board", store["naive_render_data_s"]),
    ]
    for label, value in lines:
        print(f"  {label:<60} {value:8.4f}")
    print(
        f"  memory held by one snapshot: rows as read {store['snapshot_tabs_mb']:.0f} MB, "
        f"parsed workbook {store['snapshot_workbook_mb']:.0f} MB"
    )

    print(
        f"\nScreens: server-side render of app.py + the screen through AppTest, seconds\n"
        f"(AppTest's own cost for a one-line script: {floor:.4f} s; 'rows' = rows in the "
        f"screen's tables)"
    )
    print(
        f"  {'screen':<9} {'role':<9} {'rows':>5} {'cold':>8} {'warm med':>9} {'warm max':>9} "
        f"{'baseline':>9} {'speed-up':>9}  goal < {GOAL_S} s warm"
    )
    over, odd = [], []
    for name, by in screens.items():
        for person, r in by.items():
            if not r.get("shown"):
                print(f"  {name:<9} {person:<9} {'':>5} (not shown to this role)")
                continue
            ok = r["warm_median_s"] < GOAL_S
            if not ok:
                over.append(f"{name} ({person})")
            if r["warm_store_reads"] or r["baseline_store_reads"] != WARM_RUNS:
                odd.append(
                    f"{name} ({person}): warm reads {r['warm_store_reads']}, "
                    f"baseline reads {r['baseline_store_reads']}/{WARM_RUNS}"
                )
            speed = r["baseline_median_s"] / r["warm_median_s"]
            print(
                f"  {name:<9} {person:<9} {r['table_rows']:>5} {r['cold_s']:8.4f} "
                f"{r['warm_median_s']:9.4f} {r['warm_max_s']:9.4f} {r['baseline_median_s']:9.4f} "
                f"{speed:8.1f}x  {'ok' if ok else 'OVER'}"
            )
            for error in r["errors"]:
                print(f"      ! exception on this screen: {error}")
    print(
        f"  cold = first run after clearing st.cache_resource (opens the store, reads, parses); "
        f"warm = median of {WARM_RUNS};\n  baseline = median of {WARM_RUNS} renders with nothing "
        f"shared: each re-reads every tab once, re-parses, recomputes the dashboard."
    )
    print(
        "  Warm renders read the store 0 times and baseline renders once each, as intended."
        if not odd
        else "  Unexpected store reads: " + "; ".join(odd)
    )
    print(
        "  Every screen is under the goal when warm."
        if not over
        else f"  OVER the {GOAL_S} s goal when warm: {', '.join(over)}"
    )

    print(
        f"\nProfile of the slowest warm screen: {slowest[0]} as {slowest[1]} "
        f"({slowest[2]:.4f} s warm)"
    )
    print(profiles["screen"])
    print(
        "\nProfile of Workbook.parse (paid on a cold start and once per data version after a write)"
    )
    print(profiles["parse"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nPeak memory of this benchmark process (harness and tracemalloc included) {peak_mb:.0f} MB; whole run {total_s:.0f} s."
    )

    figures = {
        "units": province.units,
        "merged_share": merged_share,
        "cycles": province.cycles,
        "registrations": province.registrations,
        "upper_reports": province.upper_reports,
        "extensions": province.extensions,
        "cpus": os.cpu_count(),
        "warm_runs": WARM_RUNS,
        "apptest_floor_s": r4(floor),
        "screens": {
            name: {
                person: (
                    {
                        k: r4(r[k])
                        for k in ("cold_s", "warm_median_s", "warm_max_s", "baseline_median_s")
                    }
                    | {"table_rows": r["table_rows"], "exceptions": len(r["errors"])}
                )
                if r.get("shown")
                else None
                for person, r in by.items()
            }
            for name, by in screens.items()
        },
        "store": {k: (round(v, 1) if k.endswith("_mb") else r4(v)) for k, v in store.items()}
        | {"generate_s": r4(province.seconds)},
        "slowest": {"screen": slowest[0], "role": slowest[1]},
        "peak_rss_mb": round(peak_mb),
        "total_s": round(total_s, 1),
    }
    line = json.dumps(figures, ensure_ascii=False)
    OUT.mkdir(parents=True, exist_ok=True)
    name = "screens-merged.json" if merged_share else "screens.json"
    (OUT / name).write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
