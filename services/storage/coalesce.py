"""Group commit for the Google Sheets engine: submissions that arrive together are written together.

Google allows 60 write (and 60 read) requests a minute per user, and a service account is one user
shared by every visitor. So concurrent `apply` calls are not sent one by one: the first caller
becomes the *leader*, later callers queue behind it (*followers*). The leader takes everything
queued, hands the whole batch to one commit function (one fresh read, every submission checked on
its own, one `spreadsheets:batchUpdate`), tells each follower its own outcome, and hands leadership
to the oldest submission still queued. A `Pacer` spaces the requests so the quota is never reached:
while the leader waits for its turn, more submissions queue, so the busier it gets the bigger the
batches become — the request rate stays flat.

Time is injectable (`Waits`): real time in the app, the fake's clock in tests and benchmarks, so
pacing and queueing run in simulated time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Event(Protocol):
    def set(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class Waits(Protocol):
    """Where the write path gets its time: a monotonic reading, a sleep, and events to wait on."""

    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def event(self) -> Event: ...


class RealWaits:
    """Real time: what the app uses."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def event(self) -> Event:
        return threading.Event()


class ClockWaits(RealWaits):
    """Time read from a single-threaded test clock (`FixedClock`): a wait moves the clock."""

    def __init__(self, clock: Any):
        self.clock = clock
        self._start = clock.now()

    def monotonic(self) -> float:
        return (self.clock.now() - self._start).total_seconds()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.clock.advance(seconds=seconds)


class Pacer:
    """Spaces requests of one kind so that no 60 s window ever holds more than `per_minute + burst`.

    The generic cell rate algorithm (a token bucket kept as one number): requests go out at most
    every `60 / per_minute` seconds on average, and up to `burst` may go at once after a quiet spell.
    `take()` waits (outside any lock) until the caller's turn. With the defaults, 46 + 12 = 58
    requests fit in any minute: under Google's 60 per user, counting the cache's refresh reads and
    the look-ups after a timeout, which go through the same pacer.
    """

    def __init__(self, waits: Waits, per_minute: float = 46.0, burst: int = 12):
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be positive and burst at least 1")
        self.waits = waits
        self.interval = 60.0 / per_minute
        self.tolerance = (burst - 1) * self.interval
        self._due: float | None = None  # theoretical arrival time of the next request
        self._lock = threading.Lock()

    def charge(self) -> None:
        """Count a request sent at once, without waiting for its turn (a repair that must not
        wait): later requests wait for it instead."""
        with self._lock:
            now = self.waits.monotonic()
            self._due = (now if self._due is None else max(now, self._due)) + self.interval

    def take(self) -> float:
        """Wait for this request's turn; returns how long it waited."""
        with self._lock:
            now = self.waits.monotonic()
            due = now if self._due is None else max(now, self._due)
            go = max(now, due - self.tolerance)
            self._due = due + self.interval
        wait = go - now
        if wait > 0:
            self.waits.sleep(wait)
        return wait


@dataclass
class Submission:
    """One caller's operations, and how its own part of a batch ended."""

    operations: Sequence[Any]
    done: Event
    error: BaseException | None = None
    finished: bool = False
    lead: bool = False  # woken to lead the next batch rather than with an outcome
    meta: dict[str, Any] = field(default_factory=dict)


class Coalescer:
    """Leader/follower group commit: at most one batch in flight, every caller gets its own outcome.

    `commit(batch)` must set `error` on each submission that failed (a Conflict raised in its own
    thread, not its batch-mates'); an exception escaping `commit` fails the whole batch.
    """

    def __init__(
        self,
        commit: Callable[[list[Submission]], None],
        waits: Waits,
        min_interval: float = 0.0,
        max_batch: int = 200,
    ):
        self._commit = commit
        self.waits = waits
        self.min_interval = min_interval
        self.max_batch = max_batch
        self._queue: list[Submission] = []
        self._leading = False
        self._next_at = 0.0
        self._lock = threading.Lock()
        self.batches = 0  # batches committed, for tests and benchmarks
        self.largest = 0

    def submit(self, operations: Sequence[Any]) -> None:
        """Queue these operations; return when they are stored, or raise why they were not."""
        mine = Submission(operations, self.waits.event())
        with self._lock:
            self._queue.append(mine)
            lead = not self._leading
            self._leading = True
        if not lead:
            mine.done.wait()
        if not mine.finished:  # first in line, or handed the lead by the previous leader
            self._lead()
        if mine.error is not None:
            raise mine.error

    def _lead(self) -> None:
        """Commit one batch (which holds this thread's own submission), then pass the lead on."""
        wait = self._next_at - self.waits.monotonic()
        if wait > 0:
            self.waits.sleep(wait)  # pacing: later arrivals join this batch meanwhile
        with self._lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        self._next_at = self.waits.monotonic() + self.min_interval
        try:
            self._commit(batch)
        except BaseException as error:  # noqa: BLE001 - handed to every caller of the batch
            for submission in batch:
                if submission.error is None:
                    submission.error = error
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        with self._lock:
            successor = self._queue[0] if self._queue else None
            if successor is None:
                self._leading = False
            else:
                successor.lead = True
        for submission in batch:
            submission.finished = True
            submission.done.set()
        if successor is not None:
            successor.done.set()
