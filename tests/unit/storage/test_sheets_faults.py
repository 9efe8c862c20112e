"""The Sheets engine when Google fails: bounded retries, and a write stored exactly once.

Everything runs in simulated time: the fake Sheets API and the retry policy share one FixedClock,
so backoff waits, timeouts and quota windows move the clock, never the wall clock.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import gspread
import pytest

from schemas.tabs import TABS
from services.core.clock import VN_TZ, FixedClock
from services.core.messages import NOT_STORED, describe
from services.storage import Append, StoreError, StoreUnavailable, Update
from services.storage.coalesce import ClockWaits
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy, classify
from tests.fakes import FakeSheets, Quota

UNITS = TABS["units"].title
START = datetime(2026, 1, 1, 8, 0, tzinfo=VN_TZ)


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {"id": f"DV-{n}", "name": f"Đoàn xã Mẫu {n}", "phone": "0912345678", "version": "1"}
    return {f: {**cells, **given}.get(f, "") for f in TABS["units"].fields}


def audit(n: int, record_id: str) -> dict[str, str]:
    return {f: "" for f in TABS["audit_log"].fields} | {"id": f"NK-{n}", "record_id": record_id}


class RealTime:
    """Processor time since `restart` (setting up the tabs on the fake is not what is measured).

    A wait that really slept would not show here, so the clock is checked too: the waits are on
    the simulated clock by construction (RetryPolicy.simulated, ClockWaits). CPU time, not wall
    time, so that a busy machine cannot fail the check.
    """

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self.began = time.process_time()

    def elapsed(self) -> float:
        return time.process_time() - self.began


@pytest.fixture(autouse=True)
def real_time():
    """Every test here runs in simulated time: well under a second of processor time."""
    timer = RealTime()
    yield timer
    assert timer.elapsed() < 1.0


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(clock, sleeps) -> RetryPolicy:
    """Five attempts, waits that advance the shared clock (and are recorded)."""

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds=seconds)

    return RetryPolicy(max_attempts=5, rng=RetryPolicy.simulated(clock, seed=7).rng, sleep=sleep)


@pytest.fixture
def fake(clock) -> FakeSheets:
    return FakeSheets(clock)


@pytest.fixture
def key(fake) -> str:
    return fake.create_spreadsheet("3CĐ")


@pytest.fixture
def store(fake, key, policy, clock, real_time) -> SheetsStore:
    client = gspread.Client(auth=None, session=fake.session())
    store = SheetsStore.open(client, key, retry=policy, waits=ClockWaits(clock))
    store.ensure_tabs()
    fake.calls.clear()
    real_time.restart()
    return store


def copies(fake: FakeSheets, key: str, tab: str, record_id: str) -> int:
    """How many rows of the sheet itself carry this id (column A is "Mã")."""
    return sum(1 for row in fake.person(key).values(tab)[1:] if row and row[0] == record_id)


def outcomes(fake: FakeSheets, kind: str) -> list[str]:
    return [c.outcome for c in fake.calls if c.kind == kind]


# ---- the policy ---------------------------------------------------------------------------------


def test_waits_are_full_jitter_under_an_exponential_ceiling_and_the_cap():
    policy = RetryPolicy(base=1.0, cap=32.0, rng=RetryPolicy.simulated(None, seed=1).rng)
    for failures in range(1, 12):
        ceiling = min(32.0, 2.0 ** (failures - 1))
        waits = [policy.delay(failures) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2  # spread over the whole range, not a fixed wait


def test_the_same_seed_gives_the_same_waits(clock):
    one, two = RetryPolicy.simulated(clock, seed=3), RetryPolicy.simulated(clock, seed=3)
    assert [one.delay(n) for n in range(1, 6)] == [two.delay(n) for n in range(1, 6)]


def test_simulated_waits_move_the_clock(clock):
    policy = RetryPolicy.simulated(clock, seed=0)
    policy.sleep(12.5)
    assert clock.now() - START == timedelta(seconds=12.5)


def test_what_is_retried():
    import requests

    assert classify(requests.exceptions.ReadTimeout()) == "ambiguous"
    assert classify(requests.exceptions.ConnectTimeout()) == "ambiguous"
    assert classify(requests.exceptions.ConnectionError()) == "ambiguous"
    assert classify(ValueError()) is None


# ---- reads --------------------------------------------------------------------------------------


def test_a_read_is_retried_after_503_and_the_clock_moves_not_the_wall(fake, store, clock, sleeps):
    store.apply([Append("units", unit(1))])
    fake.calls.clear()
    before = clock.now()
    fake.fail_next(2, status=503, kind="read")
    rows = store.read(["units"])["units"]
    assert [r.cells["id"] for r in rows] == ["DV-1"]
    assert outcomes(fake, "read") == ["failure", "failure", "ok"]
    assert len(sleeps) == 2 and clock.now() - before == timedelta(seconds=sum(sleeps))


def test_a_tail_window_and_the_metadata_fetch_are_retried(fake, key, policy, clock, real_time):
    fake.fail_next(1, status=500, kind="read")
    client = gspread.Client(auth=None, session=fake.session())
    store = SheetsStore.open(client, key, retry=policy, waits=ClockWaits(clock))
    fake.timeout_next(1, kind="read")
    assert store.ensure_tabs() == [t.name for t in TABS.values()]
    real_time.restart()
    store.apply([Append("audit_log", audit(n, "DV-1")) for n in range(1, 4)])
    fake.fail_next(1, status=429, kind="read")
    tail = store.read_tail("audit_log", 10, 5)
    assert [r.cells["id"] for r in tail.rows] == ["NK-1", "NK-2", "NK-3"]
    assert clock.now() > START


def test_a_read_that_keeps_failing_gives_up_after_max_attempts(fake, store, sleeps):
    fake.fail_next(100, status=503, kind="read")
    with pytest.raises(StoreUnavailable) as raised:
        store.read(["units"])
    assert describe(raised.value).startswith("Google Sheets đang quá tải")
    assert fake.counts("read") == 5 and len(sleeps) == 4


# ---- writes: definite failures ----------------------------------------------------------------


def test_a_write_answered_503_is_retried_and_stored_once(fake, key, store, clock, sleeps):
    fake.fail_next(1, status=503, kind="write")
    store.apply([Append("units", unit(1)), Append("audit_log", audit(1, "DV-1"))])
    assert outcomes(fake, "write") == ["failure", "ok"]
    assert copies(fake, key, UNITS, "DV-1") == 1
    assert copies(fake, key, TABS["audit_log"].title, "NK-1") == 1
    assert len(sleeps) == 1 and clock.now() - START == timedelta(seconds=sleeps[0])


def test_a_write_that_keeps_failing_stores_nothing_and_says_so(fake, key, store, sleeps):
    fake.fail_next(100, status=503, kind="write")
    with pytest.raises(StoreUnavailable) as raised:
        store.apply([Append("units", unit(1)), Append("audit_log", audit(1, "DV-1"))])
    assert describe(raised.value) == NOT_STORED
    assert "chưa được lưu" in describe(raised.value)
    assert fake.counts("write") == 5  # the cap: max_attempts batchUpdates, no more
    assert len(sleeps) == 4
    assert copies(fake, key, UNITS, "DV-1") == 0
    assert copies(fake, key, TABS["audit_log"].title, "NK-1") == 0


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_refusal_is_not_retried(fake, key, store, status, sleeps, clock):
    fake.fail_next(1, status=status, kind="write")
    with pytest.raises(StoreError) as raised:
        store.apply([Append("units", unit(1))])
    assert f"({status})" in describe(raised.value)
    assert "chưa được lưu" in describe(raised.value)  # a refusal never reads as "maybe stored"
    assert fake.counts("write") == 1 and sleeps == [] and clock.now() == START
    assert copies(fake, key, UNITS, "DV-1") == 0


def test_a_refused_read_is_not_retried(fake, store, sleeps):
    fake.fail_next(1, status=400, kind="read")
    with pytest.raises(StoreError) as raised:
        store.read(["units"])
    assert "(400)" in describe(raised.value)
    batch_gets = [c for c in fake.calls if c.kind == "read" and "values:batchGet" in c.path]
    assert len(batch_gets) == 1 and sleeps == []  # only a metadata look-up for a renamed tab


def test_a_retried_write_checks_again_and_sees_what_a_person_did_meanwhile(fake, key, store):
    from services.storage import Conflict

    store.apply([Append("units", unit(1))])
    loaded = dict(store.read(["units"])["units"][0].cells)
    fake.calls.clear()
    fake.fail_next(1, status=503, kind="write")
    person = fake.person(key)
    real_sleep = store.retry.sleep

    def sleep_while_a_person_types(seconds: float) -> None:
        person.type(UNITS, "B2", "Tên do người sửa")
        real_sleep(seconds)

    store.retry.sleep = sleep_while_a_person_types
    with pytest.raises(Conflict):
        store.apply([Update("units", "DV-1", loaded, {"name": "Tên của tôi", "version": "2"})])
    assert outcomes(fake, "write") == ["failure"]  # the retry re-checked and wrote nothing
    assert person.values(UNITS)[1][1] == "Tên do người sửa"


# ---- writes: ambiguous failures (timeouts) ------------------------------------------------------


def test_a_timeout_before_anything_was_applied_is_looked_up_then_retried(fake, key, store, clock):
    fake.timeout_next(1, applied=False, kind="write")
    store.apply([Append("units", unit(1)), Append("audit_log", audit(1, "DV-1"))])
    assert outcomes(fake, "write") == ["timeout", "ok"]
    # plan read, look-up read (nothing there), plan read of the retry
    assert outcomes(fake, "read") == ["ok", "ok", "ok"]
    assert copies(fake, key, UNITS, "DV-1") == 1
    assert clock.now() - START >= timedelta(seconds=60)  # the fake waited out the read timeout


def test_a_write_applied_whose_reply_was_lost_is_stored_exactly_once(fake, key, store):
    fake.timeout_next(1, applied=True, kind="write")
    store.apply([Append("units", unit(1)), Append("audit_log", audit(1, "DV-1"))])
    assert outcomes(fake, "write") == ["lost-reply"]  # no second batchUpdate
    assert outcomes(fake, "read") == ["ok", "ok"]  # the plan read and the look-up
    assert copies(fake, key, UNITS, "DV-1") == 1
    assert copies(fake, key, TABS["audit_log"].title, "NK-1") == 1
    token = store.change_token()
    store.apply([Append("units", unit(1))])  # the user submits again: still one row
    assert copies(fake, key, UNITS, "DV-1") == 1 and store.change_token() == token


def test_an_update_applied_whose_reply_was_lost_is_not_written_twice(fake, key, store):
    store.apply([Append("units", unit(1))])
    fake.calls.clear()
    fake.timeout_next(1, applied=True, kind="write")
    store.apply([Update("units", "DV-1", unit(1), {"name": "Tên mới", "version": "2"})])
    assert outcomes(fake, "write") == ["lost-reply"]
    rows = store.read(["units"])["units"]
    assert [(r.cells["name"], r.cells["version"]) for r in rows] == [("Tên mới", "2")]


def test_timeouts_every_time_give_up_after_max_attempts_with_nothing_stored(fake, key, store):
    fake.timeout_next(100, applied=False, kind="write")
    with pytest.raises(StoreUnavailable) as raised:
        store.apply([Append("units", unit(1))])
    assert "chưa được lưu" in describe(raised.value)
    assert fake.counts("write") == 5
    assert copies(fake, key, UNITS, "DV-1") == 0


# ---- quota ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_burst_over_the_write_quota_waits_for_the_window_and_stores_everything_once(
    seed, real_time
):
    """Without the engine's pacing (another program may spend the same quota), the retries alone
    wait for the window: a 429 is retried until a whole minute has been waited."""
    clock = FixedClock(START)
    fake = FakeSheets(clock, quota=Quota(1000, 3, 1000, 1000))
    key = fake.create_spreadsheet("3CĐ")
    policy = RetryPolicy.simulated(clock, seed=seed)  # the default attempts
    client = gspread.Client(auth=None, session=fake.session())
    store = SheetsStore.open(client, key, retry=policy, waits=ClockWaits(clock), pace=False)
    store.ensure_tabs()  # one write at START
    real_time.restart()
    for n in range(1, 7):  # six submissions, twice the 3 writes a minute allowed
        store.apply([Append("units", unit(n)), Append("audit_log", audit(n, f"DV-{n}"))])
    for n in range(1, 7):
        assert copies(fake, key, UNITS, f"DV-{n}") == 1
        assert copies(fake, key, TABS["audit_log"].title, f"NK-{n}") == 1
    assert fake.counts("write", "quota") > 0
    accepted = [c.at for c in fake.calls if c.kind == "write" and c.outcome == "ok"]
    assert len(accepted) == 7  # ensure_tabs + one batchUpdate per submission, none repeated
    # Never more than 3 accepted writes in any 60 s: backoff waited for the window to free.
    for i, at in enumerate(accepted):
        assert sum(1 for other in accepted[i:] if other - at < timedelta(seconds=60)) <= 3
    assert clock.now() - START >= timedelta(seconds=120)


def test_a_quota_refusal_is_retried_until_a_whole_minute_was_waited():
    """Five attempts would wait at most 1+2+4+8 = 15 s, less than Google's one-minute quota window
    (https://developers.google.com/sheets/api/limits): on 429 the policy goes on until 60 s."""
    policy = RetryPolicy(rng=RetryPolicy.simulated(None, seed=0).rng, sleep=lambda s: None)
    quota = gspread.exceptions.APIError.__new__(gspread.exceptions.APIError)
    quota.code, quota.response = 429, type("R", (), {"status_code": 429})()
    unavailable = gspread.exceptions.APIError.__new__(gspread.exceptions.APIError)
    unavailable.code, unavailable.response = 503, type("R", (), {"status_code": 503})()
    assert policy.gives_up(5, unavailable, waited=10.0)
    assert not policy.gives_up(5, quota, waited=10.0)
    assert not policy.gives_up(11, quota, waited=59.9)
    assert policy.gives_up(6, quota, waited=60.0)
    assert policy.gives_up(12, quota, waited=1.0)  # bounded all the same


def test_a_quota_that_never_frees_is_refused_clearly_after_the_bounded_retries(real_time):
    clock = FixedClock(START)
    fake = FakeSheets(clock)
    key = fake.create_spreadsheet("3CĐ")
    policy = RetryPolicy.simulated(clock, seed=0)
    client = gspread.Client(auth=None, session=fake.session())
    store = SheetsStore.open(client, key, retry=policy, waits=ClockWaits(clock), pace=False)
    store.ensure_tabs()
    real_time.restart()
    fake.fail_next(1000, status=429, kind="write")
    with pytest.raises(StoreUnavailable) as raised:
        store.apply([Append("units", unit(2))])
    assert "chưa được lưu" in describe(raised.value)
    assert copies(fake, key, UNITS, "DV-2") == 0
    refused = fake.counts("write", "failure")
    assert policy.max_attempts < refused <= policy.max_quota_attempts
    assert clock.now() - START >= timedelta(seconds=60)
