"""The process-wide read cache every session shares.

One refresh reads every screen tab in a single request; concurrent readers wait for that one
refresh instead of starting their own (single flight). The app's own writes invalidate it at once,
and a cheap change token, checked at most every `check_every` seconds, notices writes made by other
processes or by hand; `ttl` bounds how stale a snapshot can ever be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.tabs import SCREEN_TABS
from services.storage import Operation, Row, Store, Tail


@dataclass(frozen=True)
class Snapshot:
    """Every screen tab as read at one moment; `version` grows with each new read."""

    version: int
    tabs: dict[str, list[Row]]
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
    """Wraps an engine: cached snapshot reads, write-through invalidation, data-version signal."""

    def __init__(
        self,
        inner: Store,
        ttl: float = 60.0,
        check_every: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.inner = inner
        self.ttl = ttl
        self.check_every = check_every
        self._monotonic = monotonic
        self._lock = threading.Lock()  # one refresh at a time (single flight)
        self._write_lock = threading.RLock()  # check-then-write is serialised within the process
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0
        self._checked_at = 0.0
        self._token: str | None = None
        self._version = 0
        self.reads = 0  # engine reads done, for tests and benchmarks

    def snapshot(self) -> Snapshot:
        """The current snapshot, refreshed when stale; never more than one refresh at once."""
        with self._lock:
            if self._stale():
                self._refresh()
            assert self._snapshot is not None
            return self._snapshot

    def _stale(self) -> bool:
        now = self._monotonic()
        if self._snapshot is None or now - self._read_at >= self.ttl:
            return True
        if now - self._checked_at >= self.check_every:
            self._checked_at = now
            return self.inner.change_token() != self._token
        return False

    def _refresh(self) -> None:
        token = self.inner.change_token()
        tabs = self.inner.read(SCREEN_TABS)
        self.reads += 1
        if self._snapshot is None or tabs != self._snapshot.tabs:
            # Only new data makes a new version: open dashboards redraw only when it changed.
            self._version += 1
            self._snapshot = Snapshot(self._version, tabs)
        self._token = token
        self._read_at = self._checked_at = self._monotonic()

    def data_version(self) -> int:
        """Cheap: what dashboards poll to know whether to redraw."""
        return self.snapshot().version

    def apply(self, operations: Sequence[Operation]) -> None:
        """Write through to the engine, then drop the cached copy so the writer sees the write."""
        with self._write_lock:
            try:
                self.inner.apply(operations)
            finally:
                with self._lock:
                    self._snapshot = None

    def read(self, tabs: Sequence[str]) -> dict[str, list[Row]]:
        """Uncached read of tabs outside the snapshot (the audit log)."""
        return self.inner.read(tabs)

    def read_tail(self, tab: str, limit: int, before: int | None = None) -> Tail:
        """Uncached: one window from the end of a tab too long for the snapshot (the audit log)."""
        return self.inner.read_tail(tab, limit, before)

    def serialised(self) -> threading.RLock:
        """Hold while checking and then writing, so two submissions in this process cannot race."""
        return self._write_lock
