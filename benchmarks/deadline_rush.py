"""The October deadline rush on Google Sheets: our engine against the naive way, in simulated time.

    PYTHONPATH=. .venv/bin/python benchmarks/deadline_rush.py [--submissions N] [--minutes T]
                                                             [--dashboards M] [--seed S]

N unit secretaries send their registration (the record and its audit row) at random moments in
the last T minutes before the cut-off while M people keep the Tổng hợp dashboard open (each
redraws every 15 s, like pages/tong_hop.py). Everything talks to the in-process fake Sheets API
with Google's quotas (60 reads and 60 writes per minute per user, 300 per project) and a latency
of 200–600 ms per call, on one simulated clock (tests/fakes/sim_clock.py) that every thread shares:
hours of traffic run in a couple of real minutes, and nobody sleeps for real.

* ours: the real services — `plans.register_plan` and `dashboard.registration_board` —
  on `CachedStore` + `SheetsStore` (coalesced writes, pacing, retries, the shared read cache).
* naive: what the popular Streamlit GSheets connection does: every dashboard render reads the
  whole tab; every submission reads the tab, appends its row, clears the worksheet and writes it
  all back (the same again for the audit tab); no retries, so any error reaches the user.

Then the same rush again with rows moving (`benchmarks/_rows_moving.py`): a person keeps the Đăng ký
tab open and about every second (`--edit-every`, jittered) sorts it, inserts a blank row or deletes one, while a third of the
secretaries resend their plan a little later (an update of their row in place) and past
registrations fill the tab. Run twice: `rows_moving` is our engine, `rows_moving_unchecked` the same
engine with the after-write check switched off (addressing updates by the row number read a moment
earlier, as before). Each gets `misdirected_writes` (cells of a record changed by a save meant for
another one, from an independent ledger of what every reported save intended) and
`saves_with_edit_in_window` (saves whose batch had a person's edit between its read and its write),
with `in_place_saves_with_edit_in_window`: those of them that update a row in place (a resend), the
only ones a moved row can misdirect.

It prints the runs side by side, then, as its LAST line, one JSON object with every figure.
Benchmarks measure; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from benchmarks import _province, _rows_moving
from schemas import tabs
from schemas.cells import VN_TZ
from schemas.criteria import load_catalogue
from schemas.models import RegistrationState, Role, UnitKind
from services import demo
from services.core import records
from services.core.access import Actor
from services.core.runtime import Runtime
from services.registration import dashboard, plans
from services.storage import Append, StoreError
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from tests.fakes import FakeSheets, Quota, SimClock

YEAR = 2027  # the cycle "Năm 2027": registration until 09/10/2026
CUTOFF = datetime(2026, 10, 10, 0, 0, tzinfo=VN_TZ)
REFRESH_S = 15  # pages/tong_hop.py redraws (if the data changed) every 15 s
LATENCY = (0.2, 0.6)
UNITS = 1_150  # a province of this size has at least 1,000 active grassroots units
UPPERS, UPPER_VIEWED = 14, 1  # upper units; dashboards open at the province and at one of them


@dataclass
class Outcome:
    """What one run saw."""

    accepted: list[str] = field(default_factory=list)  # record ids the user was told are stored
    errors: Counter[str] = field(default_factory=Counter)  # what users were shown instead
    submit_s: list[float] = field(default_factory=list)
    render_s: list[float] = field(default_factory=list)
    render_cpu_s: list[float] = field(default_factory=list)
    render_errors: int = 0
    cpu_s: float = 0.0
    fake_cpu_s: float = 0.0
    real_s: float = 0.0
    sim_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# ---- the province in a spreadsheet -------------------------------------------------------------


def province_rows() -> tuple[list[Append], list[dict[str, str]], dict[str, str]]:
    """Units and the open cycle, as appends; the grassroots units that will register; the cycle."""
    rng = random.Random(_province.SEED)
    units = _province._units(rng, UNITS, UPPERS, 2, 3)
    now = CUTOFF - timedelta(days=60)
    cycle = demo.cycle_row(load_catalogue(), YEAR, None, now)
    ops = [Append(tabs.UNITS.name, u) for u in units] + [Append(tabs.CYCLES.name, cycle)]
    grassroots = [u for u in units if UnitKind(u["kind"]).is_grassroots and u["active"] == "Có"]
    return ops, grassroots, cycle


def new_sheet(fake: FakeSheets, clock: SimClock, ops: list[Append]) -> str:
    """A spreadsheet with the app's tabs and the province in it; set-up calls are not counted."""
    key = fake.create_spreadsheet("3CĐ")
    client = fake.client("setup")
    store = clock.run(lambda: SheetsStore.open(client, key, waits=clock, pace=False))
    clock.run(store.ensure_tabs)
    clock.run(store.apply, ops)
    return key


def reset_counters(fake: FakeSheets) -> None:
    fake.calls.clear()
    fake._windows.clear()


# ---- the people ----------------------------------------------------------------------------------


def plan_form(n: int) -> dict[str, Any]:
    return {
        "plan_number": f"{n:02d}-KH/ĐTN",
        "plan_date": "01/10/2026",
        "targets": {
            "ND1": "Cập nhật danh sách đoàn viên hằng quý",
            "ND2": "Ít nhất 1 công trình thanh niên trong năm",
            "ND3": "Tham mưu tổ chức đối thoại với thanh niên",
        },
    }


def secretary(unit: dict[str, str]) -> Actor:
    return Actor(f"ND-{unit['id']}", f"Bí thư {unit['name']}", Role.SECRETARY, unit["id"])


def viewers(units: list[dict[str, str]], count: int) -> list[Actor]:
    """Half province staff, half officers of one upper unit (two boards per data version)."""
    root = units[0]["id"]
    uppers = [u["id"] for u in units if u["parent_id"] == root][:UPPER_VIEWED]
    out = []
    for n in range(count):
        if n % 2 == 0:
            out.append(Actor(f"ND-T{n}", f"Cán bộ Tỉnh đoàn {n}", Role.PROVINCE, root))
        else:
            upper = uppers[n // 2 % len(uppers)]
            out.append(Actor(f"ND-H{n}", f"Cán bộ {n}", Role.UPPER, upper))
    return out


def arrivals(rng: random.Random, count: int, seconds: float) -> list[float]:
    """When each secretary presses Gửi: uniformly at random over the window."""
    return sorted(rng.uniform(0, seconds) for _ in range(count))


def short(error: BaseException) -> str:
    text = str(error)
    if "Quota exceeded" in text or "429" in text:
        return "quota (429)"
    return f"{type(error).__name__}: {text[:80]}"


# ---- our engine -------------------------------------------------------------------------------------


def run_ours(
    args, ops, grassroots, cycle, moving: bool = False, checked: bool = True
) -> tuple[Outcome, FakeSheets, str]:
    """Our engine; with `moving`, a person moves rows and a third of the secretaries resend;
    `checked=False` switches the after-write check off (the figure it is measured against)."""
    clock = SimClock(CUTOFF - timedelta(minutes=args.minutes + 1))
    fake = FakeSheets(clock, quota=Quota(), latency=LATENCY, seed=args.seed)
    key = new_sheet(fake, clock, ops)
    retry = RetryPolicy(rng=random.Random(args.seed), sleep=clock.sleep)
    client = fake.client()
    store = clock.run(lambda: SheetsStore.open(client, key, retry=retry, waits=clock))
    if not checked:
        store._settle = lambda states, after: after  # type: ignore[method-assign]
    cache = CachedStore(store, ttl=60.0, monotonic=clock.monotonic, event=clock.event)
    rt = Runtime(cache, clock, load_catalogue())
    reset_counters(fake)
    out = Outcome()
    rng = random.Random(args.seed)
    window = args.minutes * 60.0
    people = grassroots[: args.submissions]
    ledger, windows = _rows_moving.Ledger(), _rows_moving.Windows()
    ledger.start(ops)
    ledger.watch(cache)
    windows.watch(store, clock)
    left = [len(people)]

    def submit(at: float, n: int, unit: dict[str, str]) -> None:
        clock.sleep(at)
        sends = 2 if moving and n % 3 == 0 else 1
        for send in range(sends):
            if send:
                clock.sleep(rng.uniform(20, 90))  # resent a little later: edits the same row
            began = clock.monotonic()
            try:
                receipt = plans.register_plan(
                    rt,
                    secretary(unit),
                    cycle["id"],
                    unit["id"],
                    plan_form(n + send),
                    f"rush{n:06d}-{send}",
                )
            except Exception as error:  # noqa: BLE001 - what the page would show
                with out.lock:
                    out.errors[short(error)] += 1
                continue
            with out.lock:
                out.accepted.append(receipt.reference)
                out.submit_s.append(clock.monotonic() - began)
        with out.lock:
            left[0] -= 1

    times = arrivals(rng, len(people), window)
    jobs = [(submit, (at, n, u)) for n, (at, u) in enumerate(zip(times, people, strict=True))]
    jobs += [
        (
            watcher(clock, out, window + 60, board(rt, a, cycle["id"]), StoreError),
            (rng.uniform(0, REFRESH_S),),
        )
        for a in viewers(grassroots_all(ops), args.dashboards)
    ]
    if moving:
        done = lambda: left[0] == 0  # noqa: E731
        person = _rows_moving.person(fake, key, clock, done, windows, args.seed, args.edit_every)
        jobs.append((person, ()))

    def extra() -> dict[str, Any]:
        values = fake.person(key).values(tabs.REGISTRATIONS.title)
        return {
            "misdirected_writes": ledger.misdirected(values),
            "saves_with_edit_in_window": windows.saves_with_edit(),
            "in_place_saves_with_edit_in_window": windows.in_place_saves_with_edit(),
            "saves": sum(n for _, _, n, _ in windows.spans),
            "in_place_saves": sum(n for _, _, _, n in windows.spans),
            "person_edits": len(windows.edits),
            "repaired_saves": store.repairs,
            "batches": store._coalescer.batches,
            "largest_batch": store._coalescer.largest,
            "cache_refresh_reads": cache.reads,
            "snapshots_from_writes": cache.adopted,
        }

    return measure(clock, fake, out, jobs, extra=extra), fake, key


def board(rt: Runtime, actor: Actor, cycle_id: str) -> Callable[[], None]:
    """One person's open *Tổng hợp*: redrawn only when the data changed (as the live component does)."""
    drawn: list[int | None] = [None]

    def render() -> None:
        version = rt.store.data_version()
        if version != drawn[0]:
            dashboard.registration_board(rt, actor, cycle_id)
            drawn[0] = version

    return render


def watcher(
    clock: SimClock,
    out: Outcome,
    until: float,
    render: Callable[[], None],
    shown_as_error: type[BaseException],
) -> Callable[[float], None]:
    """A dashboard left open: `render` every REFRESH_S seconds until `until`, each render timed;
    a failure the page would show counts as a render error."""

    def watch(offset: float) -> None:
        clock.sleep(offset)
        while clock.monotonic() < until:
            began, cpu = clock.monotonic(), time.thread_time()
            try:
                render()
            except shown_as_error:
                with out.lock:
                    out.render_errors += 1
            with out.lock:
                out.render_s.append(clock.monotonic() - began)
                out.render_cpu_s.append(time.thread_time() - cpu)
            clock.sleep(REFRESH_S)

    return watch


def grassroots_all(ops: list[Append]) -> list[dict[str, str]]:
    return [dict(op.cells) for op in ops if op.tab == tabs.UNITS.name]


def past_registrations(ops: list[Append], grassroots: list[dict[str, str]]) -> list[Append]:
    """Last year's accepted registrations of every grassroots unit: records a stray write can hit."""
    now = CUTOFF - timedelta(days=400)
    past = demo.cycle_row(load_catalogue(), YEAR - 1, None, now)
    rows = [
        demo.registration_row(past, u, now, RegistrationState.ACCEPTED, True) for u in grassroots
    ]
    return [
        *ops,
        Append(tabs.CYCLES.name, past),
        *(Append(tabs.REGISTRATIONS.name, r) for r in rows),
    ]


# ---- the naive baseline -------------------------------------------------------------------------


def run_naive(args, ops, grassroots, cycle) -> tuple[Outcome, FakeSheets, str]:
    """Whole-tab reads on every render; read + clear + rewrite on every submit; no retries."""
    clock = SimClock(CUTOFF - timedelta(minutes=args.minutes + 1))
    fake = FakeSheets(clock, quota=Quota(), latency=LATENCY, seed=args.seed)
    key = new_sheet(fake, clock, ops)
    client = fake.client()
    client.set_timeout((10.0, 60.0))
    book = clock.run(client.open_by_key, key)
    sheets = {
        name: clock.run(book.worksheet, tabs.TABS[name].title)
        for name in (tabs.REGISTRATIONS.name, tabs.AUDIT_LOG.name)
    }
    reset_counters(fake)
    out = Outcome()
    rng = random.Random(args.seed)
    window = args.minutes * 60.0
    people = grassroots[: args.submissions]
    fields = {name: tabs.TABS[name].fields for name in sheets}

    def rewrite(name: str, cells: dict[str, str]) -> None:
        ws = sheets[name]
        rows = ws.get_all_values()  # read the whole worksheet
        rows.append([cells.get(f, "") for f in fields[name]])
        ws.clear()  # clear it ...
        ws.update(values=rows, range_name="A1")  # ... and write everything back

    def submit(at: float, n: int, unit: dict[str, str]) -> None:
        clock.sleep(at)
        began = clock.monotonic()
        request_key = f"rush{n:06d}"
        now = clock.now()
        cells = naive_registration(cycle, unit, request_key, now)
        actor = secretary(unit)
        audit_row = records.audit(
            actor, now, "Gửi đăng ký", "registrations", cells["id"], {}, cells, request_key
        )
        try:
            rewrite(tabs.REGISTRATIONS.name, cells)
            rewrite(tabs.AUDIT_LOG.name, dict(audit_row.cells))
        except Exception as error:  # noqa: BLE001 - no retries: the user sees it
            with out.lock:
                out.errors[short(error)] += 1
            return
        with out.lock:
            out.accepted.append(cells["id"])
            out.submit_s.append(clock.monotonic() - began)

    def render() -> None:  # every render reads the whole tab
        rows = sheets[tabs.REGISTRATIONS.name].get_all_values()
        Counter(r[fields[tabs.REGISTRATIONS.name].index("state")] for r in rows[1:] if r)

    times = arrivals(rng, len(people), window)
    jobs = [(submit, (at, n, u)) for n, (at, u) in enumerate(zip(times, people, strict=True))]
    jobs += [
        (watcher(clock, out, window + 60, render, Exception), (rng.uniform(0, REFRESH_S),))
        for _ in viewers(grassroots_all(ops), args.dashboards)
    ]
    return measure(clock, fake, out, jobs), fake, key


def naive_registration(
    cycle: dict[str, str], unit: dict[str, str], request_key: str, now: datetime
) -> dict[str, str]:
    """The same row register_plan writes (what the naive app would store)."""
    from schemas.cells import iso

    return {
        "id": records.record_id(tabs.REGISTRATIONS.name, request_key),
        "cycle_id": cycle["id"],
        "unit_id": unit["id"],
        "upper_unit_id": unit["parent_id"],
        "plan_number": "01-KH/ĐTN",
        "plan_date": "01/10/2026",
        "state": "Đã gửi",
        "submitted_at": iso(now),
        "last_sent_at": iso(now),
        "on_time": "Có",
        "version": "1",
        "updated_at": iso(now),
    }


# ---- measuring -------------------------------------------------------------------------------------


def measure(clock: SimClock, fake: FakeSheets, out: Outcome, jobs, extra=None) -> Outcome:
    """Run every job in its own clock thread; CPU time of the process and of the fake's work."""
    spent = [0.0]
    handle = fake.handle

    def timed_handle(*a, **k):  # the fake's own processor time, to subtract from the server's
        cpu = time.thread_time()
        try:
            return handle(*a, **k)
        finally:
            with out.lock:
                spent[0] += time.thread_time() - cpu

    fake.handle = timed_handle  # type: ignore[method-assign]
    real, cpu, start = time.perf_counter(), time.process_time(), clock.monotonic()
    clock.join([clock.start(fn, *a) for fn, a in jobs], timeout=600)
    out.real_s = time.perf_counter() - real
    out.cpu_s = time.process_time() - cpu
    out.fake_cpu_s = spent[0]
    out.sim_s = clock.monotonic() - start
    fake.handle = handle  # type: ignore[method-assign]
    if extra:
        out.extra = extra()
    return out


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(out: Outcome, fake: FakeSheets, key: str, submissions: int) -> dict[str, Any]:
    """The JSON fields for one run, from what users were told and what the sheet holds."""
    person = fake.person(key)
    stored_ids = Counter(
        row[0] for row in person.values(tabs.REGISTRATIONS.title)[1:] if row and row[0]
    )
    audit_ids = Counter(row[0] for row in person.values(tabs.AUDIT_LOG.title)[1:] if row and row[0])
    accepted = set(out.accepted)
    lost = sum(1 for rid in accepted if stored_ids[rid] == 0)
    duplicated = sum(1 for rid in stored_ids if stored_ids[rid] > 1)
    dup_audit = sum(1 for rid in audit_ids if audit_ids[rid] > 1)
    minutes = fake.per_minute()
    sent = Counter()
    for c in fake.calls:
        if c.kind in ("read", "write"):
            sent[(c.at.replace(second=0, microsecond=0), c.kind)] += 1
    r4 = lambda v: None if v is None else round(v, 4)  # noqa: E731
    quota_errors = sum(n for e, n in out.errors.items() if e.startswith("quota"))
    return {
        "submissions": submissions,
        "accepted": len(accepted),
        "stored": sum(1 for rid in accepted if stored_ids[rid] >= 1),
        "lost": lost,
        "duplicated": duplicated + dup_audit,
        "user_visible_errors": sum(out.errors.values()),
        "user_visible_quota_errors": quota_errors,
        "errors_shown": dict(out.errors.most_common(4)),
        "api_reads_per_min_max": max((n for (m, k), n in sent.items() if k == "read"), default=0),
        "api_writes_per_min_max": max((n for (m, k), n in sent.items() if k == "write"), default=0),
        "api_reads_ok_per_min_max": max((b["read"] for b in minutes.values()), default=0),
        "api_writes_ok_per_min_max": max((b["write"] for b in minutes.values()), default=0),
        "api_429s": fake.counts(outcome="quota"),
        "api_calls": fake.counts("read") + fake.counts("write"),
        "submit_p50_s": r4(pct(out.submit_s, 0.50)),
        "submit_p95_s": r4(pct(out.submit_s, 0.95)),
        "submit_max_s": r4(max(out.submit_s, default=None)),
        "dashboard_renders": len(out.render_s),
        "dashboard_render_p95_s": r4(pct(out.render_s, 0.95)),
        "dashboard_render_cpu_p95_s": r4(pct(out.render_cpu_s, 0.95)),
        "dashboard_errors": out.render_errors,
        "server_cpu_s": r4(out.cpu_s - out.fake_cpu_s),
        "fake_api_cpu_s": r4(out.fake_cpu_s),
        "simulated_s": r4(out.sim_s),
        "real_s": r4(out.real_s),
        **out.extra,
    }


ROWS = [
    ("submissions", "submissions"),
    ("accepted (user told: stored)", "accepted"),
    ("stored", "stored"),
    ("lost (told stored, not in sheet)", "lost"),
    ("misdirected cells (another record's save)", "misdirected_writes"),
    ("saves with a person's edit in their window", "saves_with_edit_in_window"),
    ("  of which write a row in place (update)", "in_place_saves_with_edit_in_window"),
    ("duplicated rows", "duplicated"),
    ("user-visible errors", "user_visible_errors"),
    ("  of which quota (429)", "user_visible_quota_errors"),
    ("API reads sent, max per minute", "api_reads_per_min_max"),
    ("API writes sent, max per minute", "api_writes_per_min_max"),
    ("API 429 answers", "api_429s"),
    ("API calls in all", "api_calls"),
    ("submit p50 (s, simulated)", "submit_p50_s"),
    ("submit p95 (s, simulated)", "submit_p95_s"),
    ("submit max (s, simulated)", "submit_max_s"),
    ("dashboard renders", "dashboard_renders"),
    ("dashboard render p95 (s, simulated)", "dashboard_render_p95_s"),
    ("dashboard render CPU p95 (s)", "dashboard_render_cpu_p95_s"),
    ("dashboard errors shown", "dashboard_errors"),
    ("server CPU (s, fake API excluded)", "server_cpu_s"),
    ("fake API CPU (s)", "fake_api_cpu_s"),
    ("real time of the run (s)", "real_s"),
]


def report(args, runs: dict[str, dict[str, Any]]) -> None:
    print(
        f"Deadline rush: {args.submissions} registrations in {args.minutes} simulated minutes, "
        f"{args.dashboards} dashboards open (redraw every {REFRESH_S} s), latency "
        f"{LATENCY[0]}–{LATENCY[1]} s, quota 60/min/user; rows moving: a person edits the tab "
        f"every {args.edit_every:g} s (jittered), a third of the secretaries resend\n"
    )
    print(f"{'':44}" + "".join(f"{name[:22]:>24}" for name in runs))
    for label, key in ROWS:
        print(f"{label:44}" + "".join(f"{fmt(run.get(key)):>24}" for run in runs.values()))
    if "ours" in runs and "naive" in runs:
        ours, naive = runs["ours"], runs["naive"]
        print(
            f"\nours: {ours.get('batches')} write batches (largest {ours.get('largest_batch')}), "
            f"{ours.get('cache_refresh_reads')} cache refresh reads, "
            f"{ours.get('snapshots_from_writes')} snapshots taken from write batches"
        )
        print(f"naive errors shown: {naive.get('errors_shown')}")


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "—" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--quick", action="store_true", help="100 submissions in 1.5 minutes, 30 dashboards"
    )
    parser.add_argument("--no-moving", action="store_true", help="skip the rows-moving runs")
    parser.add_argument(
        "--moving-only", action="store_true", help="only the two rows-moving runs (ours, unchecked)"
    )
    parser.add_argument(
        "--edit-every",
        type=float,
        default=_rows_moving.EDIT_EVERY_S,
        help="mean seconds between the person's edits in the rows-moving runs",
    )
    args = parser.parse_args()
    if args.quick:
        args.submissions, args.minutes, args.dashboards = 100, 1.5, 30
    threading.stack_size(512 * 1024)  # a thousand simulated people, each a real thread
    sys.setswitchinterval(0.001)
    ops, grassroots, cycle = province_rows()
    if len(grassroots) < args.submissions:
        raise SystemExit(f"only {len(grassroots)} grassroots units to register")
    runs: dict[str, dict[str, Any]] = {}
    if not args.moving_only:
        runs["ours"] = figures(*run_ours(args, ops, grassroots, cycle), args.submissions)
        runs["naive"] = figures(*run_naive(args, ops, grassroots, cycle), args.submissions)
    if not args.no_moving:
        busy = past_registrations(ops, grassroots)
        for name, checked in (("rows_moving", True), ("rows_moving_unchecked", False)):
            run = run_ours(args, busy, grassroots, cycle, moving=True, checked=checked)
            runs[name] = figures(*run, args.submissions)
    report(args, runs)
    if args.moving_only:
        print(json.dumps(runs, ensure_ascii=False))
        return
    ours = runs.pop("ours")
    print(json.dumps({**ours, "baseline": runs.pop("naive"), **runs}, ensure_ascii=False))


if __name__ == "__main__":
    main()
