"""Concurrent submissions on the Sheets engine: grouped into few batchUpdates, each stored once.

Many real threads submit at once, in simulated time: a `SimClock` drives them, the fake Sheets API
answers with latency on that clock, and the engine paces and retries on it too. Nothing sleeps
for real, so a rush of minutes runs in well under a second or two.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import gspread
import pytest

from schemas.tabs import TABS
from services.core.clock import VN_TZ
from services.core.messages import describe
from services.storage import Append, Conflict, DuplicateRecord, StoreError, StoreUnavailable, Update
from services.storage.cache import CachedStore
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from tests.fakes import FakeSheets, Quota, SimClock

UNITS = TABS["units"].title
AUDIT = TABS["audit_log"].title
START = datetime(2026, 10, 9, 8, 0, tzinfo=VN_TZ)


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {"id": f"DV-{n}", "name": f"Đoàn xã Mẫu {n}", "phone": "0912345678", "version": "1"}
    return {f: {**cells, **given}.get(f, "") for f in TABS["units"].fields}


def audit(n: int, record_id: str) -> dict[str, str]:
    return {f: "" for f in TABS["audit_log"].fields} | {"id": f"NK-{n}", "record_id": record_id}


def submission(n: int) -> list[Append]:
    """A record and its audit row, as records.create builds them."""
    return [Append("units", unit(n), unique=("name",)), Append("audit_log", audit(n, f"DV-{n}"))]


class Rig:
    """One spreadsheet on the fake, one app instance (engine + cache), all on a SimClock."""

    def __init__(self, quota: Quota | None = None, latency=(0.2, 0.6), pace: bool = True):
        self.clock = SimClock(START)
        self.fake = FakeSheets(self.clock, quota=quota, latency=latency)
        self.key = self.fake.create_spreadsheet("3CĐ")
        self.store, self.cache = self.instance(pace=pace)
        self.clock.run(self.store.ensure_tabs)
        self.fake.calls.clear()

    def instance(self, pace: bool = True, seed: int = 0) -> tuple[SheetsStore, CachedStore]:
        """A further app instance (another server) on the same spreadsheet."""
        retry = RetryPolicy.simulated(self.clock, seed=seed)
        client = gspread.Client(auth=None, session=self.fake.session())
        store = self.clock.run(
            lambda: SheetsStore.open(client, self.key, retry=retry, waits=self.clock, pace=pace)
        )
        cache = CachedStore(store, monotonic=self.clock.monotonic, event=self.clock.event)
        return store, cache

    def rush(self, jobs, spread: float = 0.0) -> dict[int, BaseException | None]:
        """Run every job in its own thread, started `spread` simulated seconds apart; outcome per
        job: None when it returned, else what it raised in its own thread."""
        outcomes: dict[int, BaseException | None] = {}
        # Every thread is started before any of them runs: a thread waiting on this plain event
        # still counts as running, so simulated time cannot move until all have arrived.
        gate = threading.Event()

        def run(n: int, job) -> None:
            gate.wait()
            self.clock.sleep(n * spread)
            try:
                job()
                outcomes[n] = None
            except Exception as error:  # noqa: BLE001 - the outcome under test
                outcomes[n] = error

        threads = [self.clock.start(run, n, job) for n, job in enumerate(jobs)]
        gate.set()
        self.clock.join(threads)
        return outcomes

    def copies(self, tab: str, record_id: str) -> int:
        return sum(
            1 for row in self.fake.person(self.key).values(tab)[1:] if row[:1] == [record_id]
        )

    def writes(self) -> list:
        return [c for c in self.fake.calls if c.kind == "write" and c.outcome == "ok"]


@pytest.fixture(autouse=True)
def quick():
    """Simulated time: no test here sleeps for real through minutes of backoff and quota windows
    (CPU time is checked, not wall time, which a busy machine stretches)."""
    began = time.process_time()
    yield
    assert time.process_time() - began < 20.0


def stored_once_each(rig: Rig, numbers) -> None:
    """Each record and its audit row is in the sheet exactly once (column A holds the id)."""
    person = rig.fake.person(rig.key)
    ids = Counter(row[0] for tab in (UNITS, AUDIT) for row in person.values(tab)[1:] if row)
    for n in numbers:
        assert (ids[f"DV-{n}"], ids[f"NK-{n}"]) == (1, 1), n


# ---- grouping -----------------------------------------------------------------------------------


def test_forty_submissions_at_once_go_in_a_few_batch_updates_each_record_with_its_audit_row():
    rig = Rig()
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(40)])
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(40))
    writes = rig.writes()
    assert 1 < len(writes) <= 3  # the first alone, then everyone who queued meanwhile
    for call in writes:
        assert call.path.endswith(":batchUpdate")
        appends = [r["appendCells"] for r in call.body["requests"] if "appendCells" in r]
        counts = Counter(len(a["rows"]) for a in appends)
        assert len(appends) == 2 and len(counts) == 1  # as many audit rows as records
    assert rig.fake.counts("read") == len(writes)  # one fresh read per batch, no cache refresh


def test_a_conflict_fails_only_its_own_submission_and_is_raised_in_its_own_thread():
    rig = Rig()
    rig.clock.run(rig.cache.apply, submission(0))
    loaded = unit(0)
    jobs = [lambda n=n: rig.cache.apply(submission(n)) for n in range(1, 6)]
    jobs.insert(2, lambda: rig.cache.apply([Update("units", "DV-0", loaded, {"name": "Mới A"})]))
    jobs.insert(4, lambda: rig.cache.apply([Update("units", "DV-0", loaded, {"name": "Mới B"})]))
    outcomes = rig.rush(jobs, spread=0.001)  # in this order
    assert outcomes[2] is None
    assert isinstance(outcomes[4], Conflict)  # saw A's name where the form loaded the old one
    assert outcomes[4].changes[0].current == "Mới A"
    assert [n for n, o in outcomes.items() if o is not None] == [4]
    stored_once_each(rig, range(1, 6))
    assert rig.fake.person(rig.key).values(UNITS)[1][1] == "Mới A"


def test_two_submissions_for_the_same_unique_key_in_one_batch_keep_the_first_only():
    rig = Rig()
    twin = [Append("units", unit(99, name="Đoàn xã Mẫu 1"), unique=("name",))]
    jobs = [lambda: rig.cache.apply(submission(1)), lambda: rig.cache.apply(twin)]
    jobs += [lambda n=n: rig.cache.apply(submission(n)) for n in range(2, 8)]
    outcomes = rig.rush(jobs, spread=0.01)
    assert isinstance(outcomes[1], DuplicateRecord)
    assert all(outcomes[n] is None for n in outcomes if n != 1)
    assert rig.copies(UNITS, "DV-99") == 0
    stored_once_each(rig, range(1, 8))


def test_the_same_submission_twice_in_one_batch_is_stored_once():
    rig = Rig()
    outcomes = rig.rush([lambda: rig.cache.apply(submission(7)) for _ in range(5)])
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, [7])


def test_an_update_of_a_record_a_batch_mate_just_appended_is_written_with_it():
    rig = Rig()
    jobs = [
        lambda: rig.cache.apply(submission(1)),
        lambda: rig.cache.apply(submission(2)),
        lambda: rig.cache.apply(
            [Update("units", "DV-2", unit(2), {"name": "Đổi", "version": "2"})]
        ),
    ]
    outcomes = rig.rush(jobs, spread=0.001)
    assert set(outcomes.values()) == {None}
    rows = rig.fake.person(rig.key).values(UNITS)
    assert [r[1] for r in rows[1:]] == ["Đoàn xã Mẫu 1", "Đổi"]


# ---- the cache takes the batch's state ----------------------------------------------------------


def test_the_writer_sees_its_write_at_once_without_another_read():
    rig = Rig()
    rig.clock.run(rig.cache.snapshot)
    reads = rig.fake.counts("read")
    rig.clock.run(rig.cache.apply, submission(1))
    snapshot = rig.clock.run(rig.cache.snapshot)
    assert [r.cells["id"] for r in snapshot.tabs["units"]] == ["DV-1"]
    assert rig.fake.counts("read") == reads + 1  # the batch's own fresh read, nothing more
    assert rig.cache.reads == 1


# ---- pacing: a sustained rush stays under quota ---------------------------------------------------


def test_a_long_rush_with_dashboards_open_stays_under_60_reads_and_60_writes_a_minute():
    rig = Rig(quota=Quota())  # Google's numbers: 60 per user, 300 per project
    submitters = [lambda n=n: rig.cache.apply(submission(n)) for n in range(200)]

    def dashboard() -> None:
        for _ in range(10):  # two and a half minutes, redrawn every 15 s
            rig.cache.snapshot()
            rig.clock.sleep(15)

    outcomes = rig.rush([*submitters, *[dashboard] * 10], spread=0.6)
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(200))
    assert rig.store._coalescer.batches < 150  # pacing made batches, not one write each
    assert rig.fake.counts(outcome="quota") == 0
    calls = [c for c in rig.fake.calls if c.kind in ("read", "write")]
    for i, call in enumerate(calls):
        window = [c for c in calls[i:] if c.at - call.at < timedelta(seconds=60)]
        assert sum(c.kind == "read" for c in window) <= 58
        assert sum(c.kind == "write" for c in window) <= 58


# ---- two app instances on one spreadsheet ----------------------------------------------------------


def test_across_two_instances_a_stale_update_is_refused_as_a_conflict_and_nothing_is_lost():
    rig = Rig()
    other_store, other_cache = rig.instance(seed=1)
    rig.clock.run(rig.cache.apply, submission(1))
    # Both servers show the same row; the second has it cached from before the first one's edit.
    loaded = next(
        r.cells
        for r in rig.clock.run(other_cache.snapshot).tabs["units"]
        if r.cells["id"] == "DV-1"
    )
    rig.clock.run(
        rig.cache.apply, [Update("units", "DV-1", loaded, {"name": "Sửa ở máy 1", "version": "2"})]
    )
    stale = rig.clock.run(other_cache.snapshot).tabs["units"][0].cells
    assert stale["name"] == "Đoàn xã Mẫu 1"  # its cache has not noticed yet (no change signal)
    with pytest.raises(Conflict) as raised:
        rig.clock.run(
            other_cache.apply,
            [Update("units", "DV-1", stale, {"name": "Sửa ở máy 2", "version": "2"})],
        )
    assert {(c.field, c.loaded, c.current) for c in raised.value.changes} == {
        ("name", "Đoàn xã Mẫu 1", "Sửa ở máy 1"),
        ("version", "1", "2"),
    }
    assert rig.fake.person(rig.key).values(UNITS)[1][1] == "Sửa ở máy 1"
    # The refused write's fresh read refreshed the second server's cache: it now shows the edit.
    assert rig.clock.run(other_cache.snapshot).tabs["units"][0].cells["name"] == "Sửa ở máy 1"


def test_two_instances_appending_at_once_never_overwrite_each_other():
    rig = Rig()
    _, other = rig.instance(seed=1)
    jobs = [lambda n=n: (rig.cache if n % 2 else other).apply(submission(n)) for n in range(30)]
    outcomes = rig.rush(jobs, spread=0.05)
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(30))


# ---- faults during a coalesced batch -----------------------------------------------------------


def test_a_lost_reply_for_a_whole_batch_stores_every_submission_exactly_once():
    rig = Rig()
    rig.fake.timeout_next(1, applied=True, kind="write")
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(12)])
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(12))
    assert [c.outcome for c in rig.fake.calls if c.kind == "write"][0] == "lost-reply"


def test_timeouts_before_anything_landed_are_looked_up_then_sent_again():
    rig = Rig()
    rig.fake.timeout_next(2, applied=False, kind="write")
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(12)])
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(12))


@pytest.mark.parametrize("status", [500, 503, 429])
def test_failures_answered_by_google_are_retried_with_a_fresh_read(status):
    rig = Rig()
    rig.fake.fail_next(3, status=status, kind="write")
    rig.fake.fail_next(2, status=status, kind="read")
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(25)], 0.02)
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(25))


def test_a_quota_burst_from_elsewhere_is_waited_out_and_no_user_sees_it():
    """Another program on the same account used up this minute's writes: every submission waits
    for the window (truncated exponential backoff past 60 s) instead of failing."""
    rig = Rig(quota=Quota())
    for _ in range(60):  # sixty writes someone else just made with the same account
        with contextlib.suppress(Exception):
            rig.fake._charge("service-account", "write")
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(20)], 0.1)
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(20))
    assert rig.fake.counts("write", "quota") > 0
    assert rig.clock.monotonic() >= 60


def test_writes_that_keep_failing_refuse_every_submission_of_the_batch_in_vietnamese():
    rig = Rig()
    rig.fake.fail_next(1000, status=503, kind="write")
    outcomes = rig.rush([lambda n=n: rig.cache.apply(submission(n)) for n in range(6)])
    assert all(isinstance(o, StoreUnavailable) for o in outcomes.values())
    assert all("chưa được lưu" in describe(o) for o in outcomes.values())
    assert all(rig.copies(UNITS, f"DV-{n}") == 0 for n in range(6))


def test_a_person_inserting_rows_while_the_app_appends_keeps_their_rows_and_ours():
    rig = Rig()
    rig.clock.run(rig.cache.apply, submission(0))

    def person() -> None:
        for step in range(8):
            rig.clock.sleep(0.7)
            with rig.fake._lock:  # a person's edit happens between two requests
                p = rig.fake.person(rig.key)
                p.insert_row(UNITS, 2, [f"NGUOI-{step}", f"Dòng người nhập {step}"])
                p.leave_blank_rows(UNITS, 2)

    jobs = [lambda n=n: rig.cache.apply(submission(n)) for n in range(1, 31)]
    outcomes = rig.rush([person, *jobs], spread=0.2)
    assert set(outcomes.values()) == {None}
    stored_once_each(rig, range(31))
    rows = rig.fake.person(rig.key).values(UNITS)
    assert sorted(r[0] for r in rows if r[:1] and r[0].startswith("NGUOI")) == [
        f"NGUOI-{s}" for s in range(8)
    ]
    assert all(r[1] == f"Dòng người nhập {r[0][6:]}" for r in rows if r[:1] and r[0][:5] == "NGUOI")


def test_the_pacer_lets_a_burst_through_then_spaces_requests_under_the_quota():
    from services.core.clock import FixedClock
    from services.storage.coalesce import ClockWaits, Pacer

    clock = FixedClock(START)
    waits = ClockWaits(clock)
    pacer = Pacer(waits, per_minute=46, burst=12)
    sent = []
    for _ in range(200):
        pacer.take()
        sent.append(waits.monotonic())
    assert sent[:12] == [0.0] * 12  # a quiet spell allows a burst
    assert sent[12] == pytest.approx(60 / 46)
    busiest = max(sum(1 for t in sent if start <= t < start + 60) for start in sent)
    assert 55 <= busiest <= 58  # under Google's 60, and not needlessly slow


def test_a_submission_over_the_cell_limit_fails_alone_and_its_batch_mates_are_stored():
    rig = Rig()
    too_long = [Append("units", unit(99, chi_doan="x" * 50_001))]
    jobs = [lambda n=n: rig.cache.apply(submission(n)) for n in range(5)]
    outcomes = rig.rush([*jobs[:2], lambda: rig.cache.apply(too_long), *jobs[2:]])
    refused = outcomes.pop(2)
    assert isinstance(refused, StoreError) and refused.code == "cell_too_long"
    assert not isinstance(refused, StoreUnavailable)  # never "maybe stored"
    assert all(o is None for o in outcomes.values())
    stored_once_each(rig, range(5))
    assert rig.copies(UNITS, "DV-99") == 0
    assert rig.store._coalescer.largest > 1  # it was in a batch with others
