"""Load benchmark: many browser sessions against a real `streamlit run` server, and the baselines.

For the app and each baseline (benchmarks/baselines/), in one run:
  1. copies the 5,000-unit sample province (benchmarks/_province.py, built once and kept) into a
     temporary SQLite store;
  2. starts `streamlit run` on a free port of 127.0.0.1, pinned to one core, and warms it up with
     one session (its first render is the cold start);
  3. for each number of sessions N: opens N websocket sessions (benchmarks/_wire.py speaks
     Streamlit's protocol as a browser does), signs each in through the demo person picker
     (round robin over the four demo people), then
     - burst: all N open Tổng hợp at the same instant (the morning of the deadline);
     - active: each session reruns Tổng hợp after a think time drawn from 0..THINK_MAX s, and its
       auto-refresh fires every 15 s, as a browser's timer does: the app's live component GETs
       the data version (and reruns the page only when it changed), a baseline's fragment reruns;
     - idle: nobody clicks; only the auto-refresh runs;
     and measures rerun p50/p95/max, renders per second, the server's CPU (share of one core) and
     memory (RSS) per session;
  4. checks memory for a leak: the table is the warm-up; the largest N the variant held runs once
     more (shorter phases), and the RSS after it is compared with the RSS before it (see
     `leak_check`; `--memwatch FILE` splits the server's memory into Python objects, the C heap in
     use and the C heap kept free, every 2 s, through benchmarks/_memwatch.py); then stops it.
The load generator runs in this process, pinned to the other core; its own CPU is reported and a
level where it was busy more than GENERATOR_LIMIT of its core is marked invalid (the generator,
not the server, would be the bottleneck). A variant that cannot hold N sessions (rerun p95 over
SATURATED_P95 s or runs lost) is not run at larger N.

Bounded: only servers it starts on 127.0.0.1, every phase has a deadline, every run a timeout.
`--quick` (used by `make bench`) runs N = 10, 30 with shorter phases on a 2,000-unit province;
without it the full table N = 1, 10, 50, 100, 200 at 5,000 units. The last line is one JSON
object: `by_sessions` (the app, N -> figures) and `baselines` (name -> the same). Also written
to benchmarks/out/load-<mode>.json. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python benchmarks/load.py`

from benchmarks._province import NOW, sample_province  # noqa: E402
from benchmarks._wire import Run, Session  # noqa: E402
from services.storage.sql import SqlStore  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PICKER = "Người dùng"  # the demo sign-in picker's label (pages/_ui.sign_in)
PEOPLE = 4  # services.demo.DEMO_PEOPLE: province staff, upper officer, secretary, viewer
GENERATOR_LIMIT = 0.9
CHECK = "version check"  # the live component's timer among a tab's fragment timers
SATURATED_P95 = 5.0  # rerun p95 five times the 1 s goal: larger N would only show worse
SEED = 15
# Streamlit keeps a closed session for server.disconnectedSessionTTL (120 s by default) in case
# its browser reconnects. The generator's sessions never do: they are let go after 5 s, so that
# each level, and the memory read after it, does not carry the sessions of the level before.
CLOSED_SESSION_TTL_S = 5


@dataclass(frozen=True)
class Plan:
    """How long each phase lasts, for how many sessions."""

    sessions: tuple[int, ...]
    active_s: float
    idle_s: float
    think_max_s: float = 20.0
    run_timeout_s: float = 60.0
    burst_timeout_s: float = 120.0
    units: int = 5_000  # the sample province's size


# Quick (`make bench`): a smaller province and short phases, so that every benchmark together
# stays under 10 minutes; the figures to quote come from the full table (`make bench-load`).
QUICK = Plan(
    sessions=(10, 30), active_s=6, idle_s=8, run_timeout_s=30, burst_timeout_s=60, units=2_000
)
FULL = Plan(sessions=(1, 10, 50, 100, 200), active_s=45, idle_s=31)


@dataclass(frozen=True)
class Variant:
    """One server to measure: the app, or a baseline drawing the same Tổng hợp."""

    name: str
    script: str
    page: str | None  # url path of Tổng hợp; None = the script's only page
    describe: str


VARIANTS = (
    Variant(
        "app", "app.py", "tong-hop", "3CĐ as shipped (shared snapshot, board once per version)"
    ),
    Variant(
        "cache_data",
        "benchmarks/baselines/cache_data_app.py",
        None,
        "st.cache_data(ttl=60) loader of the tabs; board computed per render",
    ),
    Variant(
        "sql",
        "benchmarks/baselines/sql_app.py",
        None,
        "queries only the rows the screen needs from SQL per render",
    ),
)


# ---- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run` on 127.0.0.1, pinned to `core`; its CPU and memory read from /proc."""

    def __init__(
        self,
        script: str,
        store: Path,
        core: int | None,
        options: tuple[str, ...] = (),
        wrap: tuple[str, ...] = (),
        settings: dict[str, str] | None = None,
    ):
        """`settings`: the TCD_ variables to start with (default: the demo on the SQLite `store`);
        `wrap`: a helper script and its arguments the server runs under (`_sampler.py OUT`)."""
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TCD_")}
        env |= settings or {
            "TCD_SQLITE_PATH": str(store),
            "TCD_DEMO": "true",
            "TCD_NOW": NOW.isoformat(),
        }
        env["PYTHONPATH"] = str(ROOT)
        command = [
            sys.executable,
            *wrap,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--server.headless=true",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
            f"--server.disconnectedSessionTTL={CLOSED_SESSION_TTL_S}",
            *(f"--{option}" for option in options),
        ]
        pin = (lambda: os.sched_setaffinity(0, {core})) if core is not None else None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=pin
        )
        self.url = f"ws://127.0.0.1:{self.port}/_stcore/stream"

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.tail()}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout} s: {self.tail()}")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ---- measuring --------------------------------------------------------------------------------


@dataclass
class Meter:
    """Server CPU and generator CPU over a stretch of wall time."""

    server: Server
    wall: float = field(default_factory=time.perf_counter)
    own: float = field(default_factory=time.process_time)
    cpu: float = 0.0

    def __post_init__(self) -> None:
        self.cpu = self.server.cpu_s()

    def read(self) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        cpu = self.server.cpu_s() - self.cpu
        return {
            "seconds": round(wall, 1),
            "server_cpu_s": round(cpu, 2),
            "server_cpu_core": round(cpu / wall, 3),
            "generator_cpu_core": round((time.process_time() - self.own) / wall, 3),
        }


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def summary(runs: list[Run], seconds: float) -> dict[str, Any]:
    pages = [r.seconds for r in runs if r.kind == "page" and r.ok]
    fragments = [r.seconds for r in runs if r.kind == "fragment" and r.ok]
    checks = [r.seconds for r in runs if r.kind == "check" and r.ok]
    return {
        "reruns": len(pages),
        "rerun_p50_s": pct(pages, 0.5),
        "rerun_p95_s": pct(pages, 0.95),
        "rerun_max_s": round(max(pages), 3) if pages else None,
        "renders_per_s": round(len(pages) / seconds, 2),
        "fragment_runs": len(fragments),
        "fragment_p50_s": pct(fragments, 0.5),
        "fragment_p95_s": pct(fragments, 0.95),
        "version_checks": len(checks),
        "version_check_p95_s": pct(checks, 0.95),
        "failed": sum(1 for r in runs if not r.ok),
        "kb_per_rerun": round(
            statistics.mean([r.bytes for r in runs if r.kind == "page" and r.ok] or [0]) / 1024, 1
        ),
    }


def cpu_per_run_and_tick(runs: list[Run], cpu_s: float) -> dict[str, float]:
    """The server's CPU in a phase per script run (pages and fragments; the app's version checks
    are not script runs, but their CPU stays in), and per auto-refresh tick (a fragment run or a
    version check: what an idle dashboard costs). Neither depends on how busy the machine is."""
    ok = [r for r in runs if r.ok]
    script_runs = sum(1 for r in ok if r.kind != "check")
    ticks = sum(1 for r in ok if r.kind != "page")
    return {
        "server_cpu_ms_per_run": round(1000 * cpu_s / max(1, script_runs), 1),
        "server_cpu_ms_per_tick": round(1000 * cpu_s / max(1, ticks), 1),
    }


async def sign_in(session: Session, person: int, timeout: float) -> None:
    """Open the app (the home page), then choose the demo person in the sidebar picker."""
    await session.open()
    first = await session.run(timeout=timeout)
    if not first.ok or PICKER not in session.selectboxes:
        raise RuntimeError("the demo sign-in picker did not appear")
    session.choose(PICKER, person)
    if not (await session.run(timeout=timeout)).ok:
        raise RuntimeError("signing in failed")


async def follow(
    session: Session, page: str | None, until: float, think_max: float, timeout: float, rng
) -> list[Run]:
    """A person on Tổng hợp: clicks after a think time (0 = never); the refresh timer fires (an
    auto-refresh fragment, or the live component's version check and the rerun it asks for)."""
    runs: list[Run] = []
    loop = asyncio.get_running_loop()
    now = loop.time()
    next_click = now + rng.uniform(0, think_max) if think_max else float("inf")
    ticks = {t: now + rng.uniform(0, every) for t, every in timers(session).items()}
    while True:
        timer, tick = min(ticks.items(), key=lambda kv: kv[1], default=("", float("inf")))
        at = min(next_click, tick)
        if at >= until:
            return runs
        await asyncio.sleep(max(0.0, at - loop.time()))
        if at == next_click:
            runs.append(await session.run(page, timeout=timeout))
            next_click = loop.time() + rng.uniform(0, think_max)
            # a full rerun redraws the fragment (or the component) and restarts its timer
            ticks = {t: loop.time() + every for t, every in timers(session).items()}
            continue
        if timer == CHECK:
            check, changed = await session.check(timeout)
            runs.append(check)
            if changed:
                runs.append(await session.run(page, timeout=timeout))
        else:
            runs.append(await session.run(fragment=timer, timeout=timeout))
        ticks[timer] = loop.time() + timers(session).get(timer, 15.0)


def timers(session: Session) -> dict[str, float]:
    """What fires by itself in the tab: its auto-refresh fragments and the live component."""
    every = dict(session.fragments)
    if session.watch is not None:
        every[CHECK] = float(session.watch["every"])
    return every


async def level(
    server: Any, variant: Variant, n: int, plan: Plan, people: Any = None
) -> dict[str, Any]:
    """N sessions: sign in, burst, active, idle; figures for each phase.

    `server` has `url`, `cpu_s()` and `rss_mb()` (a Server, or several behind a balancer);
    `people(i)` makes the i-th session and signs it in (default: the demo picker on `server`).
    """
    rng = random.Random(SEED * 1000 + n)
    rss_before = server.rss_mb()
    meter = Meter(server)
    gate = asyncio.Semaphore(10)  # sign-ins are not what is measured: do not pile them up

    async def picker(i: int) -> Session:
        session = Session(server.url)
        await sign_in(session, i % PEOPLE, plan.burst_timeout_s)
        return session

    async def signed(i: int) -> Session:
        async with gate:
            return await (people or picker)(i)

    sessions = list(await asyncio.gather(*(signed(i) for i in range(n))))
    sign_in_phase = meter.read()
    try:
        meter = Meter(server)
        burst = await asyncio.gather(
            *(s.run(variant.page, timeout=plan.burst_timeout_s) for s in sessions)
        )
        drawn = [r.seconds for r in burst if r.ok]
        figures: dict[str, Any] = {
            "burst": {
                "all_drawn_s": round(max(drawn), 3) if len(drawn) == n else None,
                "drawn_within_5s": sum(1 for s in drawn if s < 5),
                "p50_s": pct(drawn, 0.5),
                "p95_s": pct(drawn, 0.95),
                "failed": n - len(drawn),
            }
            | meter.read()
        }
        figures["burst"]["server_cpu_ms_per_run"] = round(
            1000 * figures["burst"]["server_cpu_s"] / max(1, len(drawn)), 1
        )
        rss_open = server.rss_mb()
        figures["memory_per_session_mb"] = round((rss_open - rss_before) / n, 2)
        figures["exceptions_on_page"] = sum(s.exceptions for s in sessions)

        loop = asyncio.get_running_loop()
        for phase, seconds, think in (
            ("active", plan.active_s, plan.think_max_s),
            ("idle", plan.idle_s, 0.0),
        ):
            meter = Meter(server)
            until = loop.time() + seconds
            done = await asyncio.gather(
                *(follow(s, variant.page, until, think, plan.run_timeout_s, rng) for s in sessions)
            )
            await asyncio.sleep(max(0.0, until - loop.time()))  # the whole window, always
            taken = meter.read()
            runs = [r for rs in done for r in rs]
            figures[phase] = summary(runs, taken["seconds"]) | taken
            figures[phase] |= cpu_per_run_and_tick(runs, taken["server_cpu_s"])
        figures["server_rss_mb"] = round(server.rss_mb(), 1)
        figures["load_average"] = round(os.getloadavg()[0], 1)  # other work on the machine
        figures["sign_in"] = sign_in_phase
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    busiest = max(figures[p]["generator_cpu_core"] for p in ("burst", "active", "idle"))
    figures["valid"] = busiest <= GENERATOR_LIMIT
    return figures


async def leak_check(
    server: Server, variant: Variant, n: int, plan: Plan, rss_start: float
) -> dict[str, Any]:
    """Memory after warm-up: the table is the warm-up (every cache filled, the largest number of
    sessions the variant held opened and closed); then that level once more, with a third of the
    active and idle time. A leak shows as growth over the repeat; the working set of N sessions
    and the caches filled once do not. RSS is read 2 s after the sessions close, both times."""
    await asyncio.sleep(2)
    warm = round(server.rss_mb(), 1)
    figures: dict[str, Any] = {"rss_after_warm_up_mb": warm}
    if n:
        short = replace(plan, active_s=plan.active_s / 3, idle_s=plan.idle_s / 3)
        again = await level(server, variant, n, short)
        figures["repeat"] = {
            "sessions": n,
            "burst_all_drawn_s": again["burst"]["all_drawn_s"],
            "rerun_p95_s": again["active"]["rerun_p95_s"],
            "failed": again["burst"]["failed"] + again["active"]["failed"],
        }
        await asyncio.sleep(2)
    end = round(server.rss_mb(), 1)
    figures |= {
        "rss_end_mb": end,
        "rss_growth_after_warm_up": round(end / warm - 1, 3),
        "rss_growth_from_start": round(end / rss_start - 1, 3),
    }
    print(
        f"  RSS at the start {rss_start:.0f} MB, after warm-up (the table) {warm:.0f} MB, "
        f"after {n} sessions once more {end:.0f} MB: "
        f"{figures['rss_growth_after_warm_up']:+.1%} after warm-up",
        flush=True,
    )
    return figures


def saturated(figures: dict[str, Any]) -> bool:
    active = figures["active"]
    return (
        figures["burst"]["failed"] > 0
        or active["failed"] > 0
        or (active["rerun_p95_s"] or 0) > SATURATED_P95
    )


async def measure(
    variant: Variant,
    store: Path,
    plan: Plan,
    core: int | None,
    options: tuple[str, ...] = (),
    wrap: tuple[str, ...] = (),
) -> dict[str, Any]:
    server = Server(variant.script, store, core, options, wrap)
    try:
        started = time.perf_counter()
        server.wait_healthy()
        up_s = time.perf_counter() - started
        warm = Session(server.url)
        await sign_in(warm, 0, plan.burst_timeout_s)
        first = await warm.run(variant.page, timeout=plan.burst_timeout_s)
        cold_s = time.perf_counter() - started
        await warm.close()
        await asyncio.sleep(1)
        result: dict[str, Any] = {
            "describe": variant.describe,
            "server_up_s": round(up_s, 2),
            "cold_start_to_first_dashboard_s": round(cold_s, 2),
            "first_dashboard_ok": first.ok,
            "rss_start_mb": round(server.rss_mb(), 1),
            "by_sessions": {},
        }
        print(f"\n== {variant.name}: {variant.describe}", flush=True)
        print(
            f"  server up {up_s:.1f} s; first dashboard (cold start) after {cold_s:.1f} s; "
            f"RSS {result['rss_start_mb']:.0f} MB",
            flush=True,
        )
        held = 0
        for n in plan.sessions:
            figures = await level(server, variant, n, plan)
            result["by_sessions"][str(n)] = figures
            print_level(n, figures)
            if saturated(figures):
                result["saturated_at"] = n
                print(f"  {variant.name} cannot hold {n} sessions: larger N not run", flush=True)
                break
            held = n
        result |= await leak_check(server, variant, held, plan, result["rss_start_mb"])
        return result
    finally:
        server.stop()


def print_level(n: int, f: dict[str, Any]) -> None:
    b, a, i = f["burst"], f["active"], f["idle"]
    flag = "" if f["valid"] else "   INVALID: the generator saturated its core"
    # a baseline's fragment run, or the app's version check (pages/_live)
    refresh_p95 = a["fragment_p95_s"] if a["fragment_runs"] else a["version_check_p95_s"]
    print(
        f"  N={n:<4} burst all drawn {fmt(b['all_drawn_s'])} s (p95 {fmt(b['p95_s'])}, "
        f"{b['drawn_within_5s']}/{n} within 5 s) | active: rerun p50/p95/max "
        f"{fmt(a['rerun_p50_s'])}/{fmt(a['rerun_p95_s'])}/{fmt(a['rerun_max_s'])} s, "
        f"{a['renders_per_s']} renders/s, auto-refresh p95 {fmt(refresh_p95)} s, "
        f"server {a['server_cpu_core']:.0%} of a core, {a['server_cpu_ms_per_run']} ms CPU/run, "
        f"failed {a['failed']} | idle: server {i['server_cpu_core']:.0%} of a core, "
        f"{i['server_cpu_ms_per_tick']} ms CPU/tick | {f['memory_per_session_mb']} MB/session | "
        f"load avg {f['load_average']} | "
        f"generator {max(b['generator_cpu_core'], a['generator_cpu_core']):.0%}{flag}",
        flush=True,
    )


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def wrapper(profile: Path | None, memwatch: Path | None, variant: Variant) -> tuple[str, ...]:
    """The helper a server runs under, with its output file for this variant (or none)."""
    for helper, out in (("_sampler.py", profile), ("_memwatch.py", memwatch)):
        if out is not None:
            named = out.with_name(f"{out.stem}-{variant.name}.txt")
            return (str(ROOT / "benchmarks" / helper), str(named))
    return ()


def pin_cores() -> tuple[int | None, int | None]:
    """The server gets one core, this generator another (None: only one core to use)."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None, None
    os.sched_setaffinity(0, {cores[1]})
    return cores[0], cores[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="N = 10, 30; shorter phases; 2,000 units"
    )
    parser.add_argument("--only", nargs="*", help="variants to run (app, cache_data, sql)")
    parser.add_argument("--sessions", type=int, nargs="*", help="override the list of N")
    parser.add_argument("--province", type=Path, help="a sample province built earlier (copied)")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help="a Streamlit option for every server, e.g. runner.postScriptGC=true",
    )
    watch = parser.add_mutually_exclusive_group()
    watch.add_argument(
        "--profile",
        type=Path,
        help="sample the servers' stacks (benchmarks/_sampler.py) into FILE-<variant>.txt",
    )
    watch.add_argument(
        "--memwatch",
        type=Path,
        help="the servers' memory every 2 s (benchmarks/_memwatch.py) into FILE-<variant>.txt",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.sessions:
        plan = replace(plan, sessions=tuple(args.sessions))
    started = time.perf_counter()
    server_core, own_core = pin_cores()
    variants = [v for v in VARIANTS if not args.only or v.name in args.only]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="3cd-load-") as tmp:
        store = Path(tmp) / "province.sqlite"
        if args.province:
            shutil.copyfile(args.province, store)
            units = sum(1 for _ in SqlStore.at_path(store).read(["units"])["units"])
            province = SimpleNamespace(units=units, registrations="(reused)")
        else:
            province = sample_province(store, units=plan.units)
        print(
            f"Sample province: {province.units} units, {province.registrations} registrations; "
            f"{os.cpu_count()} CPUs (server on core {server_core}, generator on core {own_core}), "
            f"Python {platform.python_version()}; mode {'quick' if args.quick else 'full'}: "
            f"N = {', '.join(map(str, plan.sessions))}, active {plan.active_s:g} s, "
            f"idle {plan.idle_s:g} s, think time 0..{plan.think_max_s:g} s",
            flush=True,
        )
        for variant in variants:
            results[variant.name] = asyncio.run(
                measure(
                    variant,
                    store,
                    plan,
                    server_core,
                    tuple(args.option),
                    wrapper(args.profile, args.memwatch, variant),
                )
            )
    app = results.pop("app", {})
    report = {
        "benchmark": "load",
        "mode": "quick" if args.quick else "full",
        "units": province.units,
        "cpus": os.cpu_count(),
        "streamlit_options": args.option,
        "server_core": server_core,
        "generator_core": own_core,
        "plan": {
            "sessions": list(plan.sessions),
            "active_s": plan.active_s,
            "idle_s": plan.idle_s,
            "think_max_s": plan.think_max_s,
        },
        "app": {k: v for k, v in app.items() if k != "by_sessions"},
        "by_sessions": app.get("by_sessions", {}),
        "baselines": results,
        "total_s": round(time.perf_counter() - started, 1),
    }
    line = json.dumps(report, ensure_ascii=False)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"load-{report['mode']}.json").write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
