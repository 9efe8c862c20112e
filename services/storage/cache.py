"""The process-wide read cache every session shares.

One refresh reads every screen tab in a single request; concurrent readers wait for that one
refresh instead of starting their own (single flight), and while a snapshot exists they are served
it during the refresh rather than kept waiting. The app's own writes are seen at once: an engine
that coalesces writes (Google Sheets) hands over the state each batch read and wrote, so a write
costs no extra read; other engines' writes drop the cached copy. A cheap change token, checked at
most every `check_every` seconds, notices writes made by other processes (where the engine can
tell); `ttl` bounds how stale a snapshot can ever be, also for hand edits in a Google Sheet.
An engine that counts writes per tab (`tab_versions`, the SQL engines) is re-read only in the tabs
whose counter moved, after its own writes and other servers' alike; a full read once per `ttl`.
An engine scoped to a unit's subtree says which more tabs a change brings along (`rereads`): a
change of the units re-reads every scoped tab, and is never patched into the copy.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.tabs import SCREEN_TABS
from services.storage import Operation, Row, Store, StoreUnavailable, Tail, Unreadable

Token = dict[str, int] | str  # an engine's per-tab write counters, or its change token


@dataclass(frozen=True)
class Snapshot:
    """Every screen tab as read at one moment; `version` grows with each new read."""

    version: int
    tabs: dict[str, list[Row]]
    # screen tabs whose rows are not records as the sheet is now (`Store.unreadable`): the
    # screens that need one say so instead of counting its rows
    unreadable: dict[str, Unreadable] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)
    _computing: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute something from this snapshot once for every session (charts, parsed records).

        Sessions asking at the same moment wait for the one computation instead of each starting
        their own.
        """
        if key in self.memo:
            return self.memo[key]
        with self._computing:
            if key not in self.memo:
                self.memo[key] = compute()
            return self.memo[key]


class CachedStore:
    """Wraps an engine: cached snapshot reads, the writer sees its write, data-version signal."""

    def __init__(
        self,
        inner: Store,
        ttl: float = 60.0,
        check_every: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        event: Callable[[], Any] = threading.Event,
    ):
        self.inner = inner
        self.ttl = ttl
        self.check_every = check_every
        self._monotonic = monotonic
        self._event = event  # what readers wait on during a refresh (simulated in benchmarks)
        self._lock = threading.Lock()  # guards the fields below; never held while reading
        self._write_lock = threading.RLock()  # check-then-write is serialised within the process
        self._coalesced = inner.coalesces
        self._snapshot: Snapshot | None = None
        self._flight: Any = None  # the refresh in progress, if any: an event set when it ends
        self._generation = 0  # grows with every write seen: an older refresh must not win
        self._read_at = 0.0
        self._checked_at = 0.0
        self._token: Token | None = None
        self._version = 0
        self._base: tuple[dict[str, list[Row]], Token] | None = (
            None  # last tabs read and their token
        )
        self._full_at = 0.0
        self.reads = 0  # engine reads done, for tests and benchmarks
        self.tabs_read = 0  # tabs those reads fetched (a partial refresh fetches fewer)
        self.adopted = 0  # snapshots taken from the engine's own write batches
        self.patched = 0  # snapshots made by patching the rows a write reported (SQL engines)
        self.patch_writes = True  # False: drop and re-read after a write (benchmarks compare)
        self._local = threading.local()
        inner.on_commit(self._adopt)
        inner.on_written(self._patch)

    def snapshot(self) -> Snapshot:
        """The current snapshot, refreshed when stale; never more than one refresh at once."""
        while True:
            with self._lock:
                if self._snapshot is not None and not self._stale():
                    return self._snapshot
                if self._flight is None:
                    flight = self._flight = self._event()
                    leader, generation = True, self._generation
                elif self._snapshot is not None:
                    return self._snapshot  # someone is refreshing: serve the copy meanwhile
                else:
                    flight, leader = self._flight, False
            if not leader:
                flight.wait()
            else:
                try:
                    self._refresh(generation)
                finally:
                    with self._lock:
                        self._flight = None
                    flight.set()
            # The refresh just made (or waited for) is served even when already stale (ttl = 0):
            # asking `_stale()` again would re-read forever. Only a write that dropped it meanwhile
            # (or a failed read) sends us round again.
            with self._lock:
                if self._snapshot is not None:
                    return self._snapshot

    def _stale(self) -> bool:
        now = self._monotonic()
        if self._snapshot is None or now - self._read_at >= self.ttl:
            return True
        if now - self._checked_at >= self.check_every:
            self._checked_at = now
            return self._current_token() != self._token
        return False

    def _current_token(self) -> Token:
        """Per-tab write counters where the engine keeps them (partial re-reads), else its token."""
        versions = self.inner.tab_versions()
        return versions if versions is not None else self.inner.change_token()

    def _refresh(self, generation: int) -> None:
        token = self._current_token()  # before the read: a write after it shows next check
        with self._lock:
            base = self._base
        changed = self._changed_tabs(token, base)
        wanted = list(SCREEN_TABS) if changed is None else changed
        fresh = self.inner.read(wanted) if wanted else {}
        if changed is None or base is None:
            tabs = fresh
        else:
            tabs = {t: fresh.get(t, base[0][t]) for t in SCREEN_TABS}
        with self._lock:
            self.reads += 1
            self.tabs_read += len(wanted)
            if generation == self._generation:  # no write landed meanwhile: this read is current
                if changed is None:
                    self._full_at = self._monotonic()
                self._install(tabs, token)

    def _changed_tabs(self, token: Token, base: tuple[Any, Token] | None) -> list[str] | None:
        """The screen tabs whose counters moved since `base`; None when every tab must be read
        (first read, an engine without per-tab counters, or a full read due by the TTL)."""
        if base is None or self._monotonic() - self._full_at >= self.ttl:
            return None
        earlier = base[1]
        if not isinstance(token, dict) or not isinstance(earlier, dict):
            return None
        # (a scoped engine adds the tabs whose rows a change can move in or out of its scope)
        wanted = self.inner.rereads(t for t in SCREEN_TABS if token.get(t) != earlier.get(t))
        return [t for t in SCREEN_TABS if t in wanted]

    def _install(self, tabs: dict[str, list[Row]], token: Token) -> None:
        """Make `tabs` the snapshot (lock held). Only new data makes a new version: open
        dashboards redraw only when something changed."""
        unreadable = {k: v for k, v in self.inner.unreadable().items() if k in SCREEN_TABS}
        old = self._snapshot
        if old is None or tabs != old.tabs or unreadable != old.unreadable:
            self._version += 1
            self._snapshot = Snapshot(self._version, tabs, unreadable)
        self._token = token
        self._base = (tabs, token)
        self._read_at = self._checked_at = self._monotonic()

    def _adopt(self, tabs: dict[str, list[Row]], token: str) -> None:
        """The engine just read (and wrote) these screen tabs in a write batch: take them as the
        snapshot, so neither the writer nor the dashboards need another read."""
        with self._lock:
            self._generation += 1
            self.adopted += 1
            self._install(tabs, token)

    def data_version(self) -> int:
        """Cheap: what dashboards poll to know whether to redraw."""
        return self.snapshot().version

    def apply(self, operations: Sequence[Operation]) -> None:
        """Write through to the engine; the writer then sees the write.

        A coalescing engine groups concurrent callers itself (serialising them here would defeat
        it) and hands the written state back through `on_commit`. Otherwise the cached copy is
        dropped after the write, also after a failed one.
        """
        if self._coalesced:
            try:
                self.inner.apply(operations)
            except StoreUnavailable:
                self._drop()  # whether (all of) it landed is unknown: read again next time
                raise
            return
        with self._write_lock:
            self._local.patched = False
            try:
                self.inner.apply(operations)
            finally:
                if not self._local.patched:
                    self._drop()

    def _patch(self, written: dict[str, list[Row]], counters: dict[str, int]) -> None:
        """The engine committed a write of these rows, leaving these tab counters: when the
        counters show that nobody else wrote those tabs since our copy was read, the write is
        patched into the copy (a new data version at once, nothing read again); otherwise the
        copy is dropped and read again as before."""
        with self._lock:
            self._generation += 1  # an older refresh in flight must not win over this
            base = self._base
            earlier = base[1] if base is not None else None
            if (
                self._snapshot is None
                or not self.patch_writes
                or base is None
                or not isinstance(earlier, dict)
                or any(earlier.get(tab) != n - 1 for tab, n in counters.items())
                or not self.inner.rereads(counters) <= set(counters)  # rows in/out of scope
            ):
                self._snapshot = None
                self._local.patched = False
                return
            tabs = dict(base[0])
            for tab, rows in written.items():
                if tab in tabs:
                    tabs[tab] = _merged(tabs[tab], rows)
            token = {**earlier, **counters}
            self._version += 1
            self.patched += 1
            self._snapshot = Snapshot(self._version, tabs)
            self._token, self._base = token, (tabs, token)
            self._local.patched = True

    def _drop(self) -> None:
        with self._lock:
            self._generation += 1
            self._snapshot = None

    def read(self, tabs: Sequence[str]) -> dict[str, list[Row]]:
        """Uncached read of tabs outside the snapshot (the audit log)."""
        return self.inner.read(tabs)

    def read_tail(self, tab: str, limit: int, before: int | None = None) -> Tail:
        """Uncached: one window from the end of a tab too long for the snapshot (the audit log)."""
        return self.inner.read_tail(tab, limit, before)

    def serialised(self) -> contextlib.AbstractContextManager[Any]:
        """Hold while checking and then writing, so two submissions in this process cannot race.

        On a coalescing engine this is a no-op: the engine checks every operation against a fresh
        read plus the earlier submissions of its batch, one batch at a time, which is exact; a
        lock held here around a whole service call would stop submissions from being grouped.
        """
        return _NOT_NEEDED if self._coalesced else self._write_lock


_NOT_NEEDED = contextlib.nullcontext()


def _merged(rows: list[Row], written: list[Row]) -> list[Row]:
    """A new list: `rows` (in row order) with each written row replacing the row of its number,
    or inserted at its place. The unchanged rows are the same objects."""
    out = list(rows)
    for row in written:
        at = bisect.bisect_left(out, row.number, key=lambda r: r.number)
        if at < len(out) and out[at].number == row.number:
            out[at] = row
        else:
            out.insert(at, row)
    return out
