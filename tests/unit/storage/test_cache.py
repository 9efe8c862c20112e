"""The shared read cache: one engine read for many readers, fresh after writes, derived once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence

import pytest

from schemas.tabs import SCREEN_TABS
from services.core import records
from services.core.access import Role
from services.storage import Append, DuplicateRecord, Row, Update
from services.storage.cache import CachedStore
from services.storage.sql import SqlStore


class CountingStore:
    """Wraps an engine, counting whole reads; a read can be made slow to widen any race."""

    def __init__(self, inner: SqlStore, delay: float = 0.0):
        self.inner = inner
        self.delay = delay
        self.reads = 0
        self._lock = threading.Lock()

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        with self._lock:
            self.reads += 1
        time.sleep(self.delay)
        return self.inner.read(tabs)

    def apply(self, operations: Sequence) -> None:
        self.inner.apply(operations)

    def change_token(self) -> str:
        return self.inner.change_token()

    def tab_versions(self) -> None:
        return None  # like Sheets: every refresh reads every tab

    coalesces = False

    def ensure_tabs(self) -> list[str]:
        return self.inner.ensure_tabs()

    def layout(self) -> None:
        return None

    def unreadable(self) -> dict:
        return self.inner.unreadable()

    def on_commit(self, listener) -> None:
        self.inner.on_commit(listener)

    def on_written(self, listener) -> None:
        pass  # like Sheets: the cache never patches, it reads

    def rereads(self, changed) -> set[str]:
        return set(changed)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path):
    return tmp_path / "cache.sqlite"


@pytest.fixture
def tick() -> FakeMonotonic:
    return FakeMonotonic()


def unit(n: int, name: str = "Đoàn xã Mẫu") -> Append:
    return Append("units", {"id": f"DV-{n}", "name": f"{name} {n}", "kind": "Xã"})


def names(cache: CachedStore) -> list[str]:
    return [row.cells["name"] for row in cache.snapshot().tabs["units"]]


def test_many_sessions_asking_at_once_cause_one_engine_read(path):
    engine = CountingStore(SqlStore.at_path(path), delay=0.05)
    cache = CachedStore(engine)
    start = threading.Barrier(16)
    seen = []

    def session() -> None:
        start.wait()
        seen.append(cache.snapshot())

    threads = [threading.Thread(target=session) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert engine.reads == 1
    assert len(seen) == 16 and len({id(s) for s in seen}) == 1


def test_readers_reuse_the_snapshot_until_something_changes(path, tick):
    engine = CountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    first = cache.snapshot()
    for step in range(20):
        tick.now += 1  # twenty seconds of polling dashboards, token checked every 5
        assert cache.snapshot() is first, step
    assert engine.reads == 1


class EndlessRefresh(Exception):
    """The cache read the engine again and again inside one call."""


def test_a_cache_with_no_ttl_reads_once_per_call_instead_of_refreshing_forever(path):
    engine = CountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=0)
    original = engine.read

    def read(tabs: Iterable[str]) -> dict[str, list[Row]]:
        if engine.reads >= 3:
            raise EndlessRefresh
        return original(tabs)

    engine.read = read
    cache.apply([unit(1)])
    assert names(cache) == ["Đoàn xã Mẫu 1"]
    assert engine.reads == 1  # always stale, yet the read just made is the one served


def test_sessions_waiting_on_a_refresh_are_served_its_result_even_with_no_ttl(path):
    engine = CountingStore(SqlStore.at_path(path), delay=0.5)
    cache = CachedStore(engine, ttl=0)
    start = threading.Barrier(8)
    seen = []

    def session() -> None:
        start.wait()
        seen.append(cache.snapshot())

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(seen) == 8
    assert engine.reads == 1  # the seven others waited for the leader's read and took it


def test_an_app_write_is_seen_by_the_writer_at_once(path, tick):
    cache = CachedStore(SqlStore.at_path(path), check_every=5, monotonic=tick)
    assert names(cache) == []
    cache.apply([unit(1)])
    assert names(cache) == [
        "Đoàn xã Mẫu 1"
    ]  # the clock has not moved: only invalidation explains it


def test_a_failed_app_write_still_drops_the_cached_copy(path, tick):
    from services.storage import RecordMissing, Update

    engine = CountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, check_every=5, monotonic=tick)
    cache.snapshot()
    with pytest.raises(RecordMissing):
        cache.apply([Update("units", "DV-404", {}, {"name": "x"})])
    cache.snapshot()
    assert engine.reads == 2


def test_a_write_by_another_process_is_noticed_within_check_every(path, tick):
    cache = CachedStore(SqlStore.at_path(path), ttl=600, check_every=5, monotonic=tick)
    other_process = SqlStore.at_path(path)  # another store object on the same SQLite file
    assert names(cache) == []
    other_process.apply([unit(1)])
    tick.now += 4
    assert names(cache) == []  # not yet checked: the cached copy is still served
    tick.now += 1
    assert names(cache) == ["Đoàn xã Mẫu 1"]


class TabCountingStore(CountingStore):
    """Also records which tabs each read asked for, and passes on the engine's tab counters."""

    def __init__(self, inner: SqlStore):
        super().__init__(inner)
        self.asked: list[list[str]] = []

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        self.asked.append(list(tabs))
        return super().read(self.asked[-1])

    def tab_versions(self) -> dict[str, int]:
        return self.inner.tab_versions()


def test_after_another_process_writes_only_the_tabs_it_wrote_are_read_again(path, tick):
    engine = TabCountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=600, check_every=1, monotonic=tick)
    cache.snapshot()
    other_process = SqlStore.at_path(path)
    other_process.apply([unit(1)])
    tick.now += 1
    assert names(cache) == ["Đoàn xã Mẫu 1"]
    assert engine.asked[-1] == ["units"]
    assert engine.asked[0] == list(SCREEN_TABS)  # the first read took every screen tab


def test_after_its_own_write_the_cache_reads_only_the_written_tabs_and_keeps_the_rest(path, tick):
    engine = TabCountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=600, check_every=5, monotonic=tick)
    cache.apply([unit(1), Append("cycles", {"id": "CK-1", "year": "2030"})])
    before = cache.snapshot()
    cache.apply([unit(2)])
    after = cache.snapshot()
    assert engine.asked[-1] == ["units"]
    assert names(cache) == ["Đoàn xã Mẫu 1", "Đoàn xã Mẫu 2"]
    assert after.tabs["cycles"] is before.tabs["cycles"]


def test_once_per_ttl_every_tab_is_read_again_even_with_no_counter_moved(path, tick):
    engine = TabCountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    cache.snapshot()
    tick.now += 60
    cache.snapshot()
    assert [len(tabs) for tabs in engine.asked] == [len(engine.asked[0])] * 2


def test_a_snapshot_older_than_ttl_is_read_again_and_same_data_keeps_its_version(path, tick):
    engine = CountingStore(SqlStore.at_path(path))
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    first = cache.snapshot()
    tick.now += 60
    second = cache.snapshot()
    assert engine.reads == 2
    assert second is first  # nothing changed: open dashboards need not redraw


def test_the_data_version_grows_with_each_new_snapshot(path, tick):
    cache = CachedStore(SqlStore.at_path(path), monotonic=tick)
    before = cache.data_version()
    assert cache.data_version() == before
    cache.apply([unit(1)])
    assert cache.data_version() > before


def test_derived_data_is_computed_once_per_version(path, tick):
    cache = CachedStore(SqlStore.at_path(path), monotonic=tick)
    calls = []

    def chart() -> int:
        calls.append(1)
        return len(cache.snapshot().tabs["units"])

    assert [cache.snapshot().derived("chart", chart) for _ in range(5)] == [0] * 5
    assert len(calls) == 1
    cache.apply([unit(1)])
    assert [cache.snapshot().derived("chart", chart) for _ in range(5)] == [1] * 5
    assert len(calls) == 2


def test_derived_data_asked_for_by_many_sessions_at_once_is_computed_once(path):
    snapshot = CachedStore(SqlStore.at_path(path)).snapshot()
    calls = []
    start = threading.Barrier(8)

    def slow_chart() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "chart"

    def session() -> None:
        start.wait()
        assert snapshot.derived("chart", slow_chart) == "chart"

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1


def test_the_parsed_workbook_is_shared_until_the_data_changes(rt, people):
    from services.core.access import Role
    from services.registration import plans
    from tests.support.builders import OPEN, plan

    first = rt.workbook()
    assert rt.workbook() is first
    me = people[Role.SECRETARY]
    plans.register_plan(rt, me, OPEN, me.unit_id, plan(), "k1")
    after = rt.workbook()
    assert after is not first and after.registration(OPEN, me.unit_id) is not None


def test_a_refresh_that_finds_new_data_makes_a_new_data_version(path, tick):
    engine = SqlStore.at_path(path)
    engine.apply([unit(1)])
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    before = cache.snapshot().version
    SqlStore.at_path(path).apply([unit(2)])  # another process writes
    tick.now += 61
    assert cache.data_version() > before
    assert names(cache) == ["Đoàn xã Mẫu 1", "Đoàn xã Mẫu 2"]


def test_after_a_write_unchanged_rows_keep_their_parsed_records_and_changed_rows_are_new(
    rt, people
):
    before = rt.workbook()
    changed = next(u for u in before.units.values() if u.name == "Đoàn cơ sở Công ty Mẫu 1")
    unchanged = next(u for u in before.units.values() if u.name == "Đoàn cơ sở Công ty Mẫu 2")
    edit = records.change(
        people[Role.PROVINCE], rt.clock.now(), "Sửa", changed, {"secretary": "Mới"}, "k"
    )
    rt.store.apply(edit)
    after = rt.workbook()
    assert after is not before
    assert after.units[unchanged.id] is unchanged  # reused, not validated again
    assert after.units[changed.id].secretary == "Mới"


def test_a_write_is_patched_into_the_snapshot_without_reading_again(path, tick):
    engine = SqlStore.at_path(path)
    engine.apply([unit(1), unit(2)])
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    before = cache.snapshot()
    reads = cache.reads
    cache.apply([unit(3)])
    cache.apply([Update("units", "DV-1", {"name": "Đoàn xã Mẫu 1"}, {"name": "Đổi tên"})])
    after = cache.snapshot()
    assert cache.reads == reads and cache.patched == 2
    assert after.version == before.version + 2
    # exactly what a fresh read of the engine returns: numbers, order and cells
    assert after.tabs == engine.read(SCREEN_TABS)
    unchanged = before.tabs["units"][1]
    assert after.tabs["units"][1] is unchanged  # the unchanged row is the same object
    tick.now += 6  # the next token check finds nothing new: no read, no new version
    assert cache.snapshot() is after and cache.reads == reads


def test_a_write_after_another_servers_write_is_read_again_not_patched(path, tick):
    engine = SqlStore.at_path(path)
    engine.apply([unit(1)])
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    cache.snapshot()
    SqlStore.at_path(path).apply([unit(2)])  # another server, not seen yet
    cache.apply([unit(3)])
    assert cache.patched == 0
    assert names(cache) == ["Đoàn xã Mẫu 1", "Đoàn xã Mẫu 2", "Đoàn xã Mẫu 3"]


def test_a_refused_write_patches_nothing(path, tick):
    engine = SqlStore.at_path(path)
    engine.apply([unit(1)])
    cache = CachedStore(engine, ttl=60, check_every=5, monotonic=tick)
    before = cache.snapshot()
    clash = Append("units", {"id": "DV-9", "name": "Đoàn xã Mẫu 1", "kind": "Xã"}, ("name",))
    with pytest.raises(DuplicateRecord):
        cache.apply([clash])
    assert cache.patched == 0
    assert cache.snapshot().tabs == before.tabs
