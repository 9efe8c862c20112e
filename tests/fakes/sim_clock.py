"""Simulated time shared by many threads: the clock moves only when every thread it runs waits.

    clock = SimClock(start)
    threads = [clock.start(submit, n) for n in range(100)]   # each a real thread
    clock.join(threads)

A thread started by the clock runs for real; when it calls `sleep(s)` (or waits on an `event()`),
it stops counting as running. When no thread is running, the clock jumps to the earliest wake-up
and wakes whoever is due. So backoff, pacing, API latency and quota windows take simulated seconds
and no real ones, and concurrent threads overlap in simulated time as they would in real time.

It is also a `Clock` (`now()`), the fake Sheets API's clock (its latency and timeouts become
sleeps of the calling thread) and a `coalesce.Waits` (monotonic, sleep, event). Rule: a thread
that blocks on anything but this clock's sleeps and events must not hold up the others for
simulated time (plain locks held across a sleep would stall the clock).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from schemas.cells import VN_TZ


class _Waiter:
    __slots__ = ("woken", "wake")

    def __init__(self) -> None:
        self.woken = False
        self.wake = threading.Event()


class SimClock:
    """A virtual clock driving real threads (see the module docstring)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware datetime")
        self.start_at = start
        self._t = 0.0
        self._lock = threading.Lock()
        self._running = 0
        self._blocked = 0  # threads waiting on an event (not on time)
        self._timers: list[tuple[float, int, _Waiter]] = []
        self._seq = itertools.count()
        self._idle = threading.Condition(self._lock)
        self._ours = threading.local()
        self.errors: list[BaseException] = []
        self.stalled = False

    # ---- a Clock
    def now(self) -> datetime:
        return (self.start_at + timedelta(seconds=self._t)).astimezone(VN_TZ)

    def monotonic(self) -> float:
        return self._t

    def advance(self, **delta: float) -> None:
        """Time passing for the calling thread: a sleep (the fake calls this for its latency)."""
        self.sleep(timedelta(**delta).total_seconds())

    # ---- threads
    def start(self, target: Callable[..., Any], *args: Any) -> threading.Thread:
        """Run `target(*args)` in a new thread that this clock waits for."""
        with self._lock:
            self._running += 1

        def run() -> None:
            self._ours.member = True
            try:
                target(*args)
            except BaseException as error:  # noqa: BLE001 - reported by join()
                self.errors.append(error)
            finally:
                with self._lock:
                    self._running -= 1
                    self._step()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def run(self, target: Callable[..., Any], *args: Any) -> Any:
        """`target(*args)` in a clock thread, waited for: for set-up steps that call the API."""
        result: list[Any] = []
        self.join([self.start(lambda: result.append(target(*args)))])
        return result[0] if result else None

    def join(self, threads: Iterable[threading.Thread], timeout: float = 120.0) -> None:
        """Wait (real time) until these threads end; raise the first error any clock thread hit."""
        waited = 0.0
        for thread in threads:
            while thread.is_alive() and not self.stalled and waited < timeout:
                thread.join(0.05)
                waited += 0.05
            if thread.is_alive():
                raise RuntimeError(f"stalled at {self.now():%H:%M:%S}: {self._blocked} blocked")
        if self.errors:
            error = self.errors[0]
            self.errors.clear()
            raise error

    def sleep(self, seconds: float) -> None:
        if not getattr(self._ours, "member", False):
            if seconds > 0:  # a thread the clock does not run (a test's own): just move time
                with self._lock:
                    self._t += seconds
            return
        waiter = _Waiter()
        with self._lock:
            heapq.heappush(self._timers, (self._t + max(seconds, 0.0), next(self._seq), waiter))
            self._running -= 1
            self._step()
        waiter.wake.wait()

    def event(self) -> SimEvent:
        return SimEvent(self)

    # ---- the scheduler (lock held)
    def _fire(self, waiter: _Waiter) -> None:
        if not waiter.woken:
            waiter.woken = True
            self._running += 1
            waiter.wake.set()

    def _step(self) -> None:
        while self._running == 0 and self._timers:
            while self._timers and self._timers[0][2].woken:
                heapq.heappop(self._timers)  # an event waiter already woken by set()
            if not self._timers:
                break
            self._t = max(self._t, self._timers[0][0])
            while self._timers and self._timers[0][0] <= self._t:
                self._fire(heapq.heappop(self._timers)[2])
        if self._running == 0 and not self._timers and self._blocked:
            self.stalled = True  # everyone waits on an event nobody will set: a bug


class SimEvent:
    """A threading.Event whose waiters count as not running on their SimClock."""

    def __init__(self, clock: SimClock):
        self._clock = clock
        self._flag = False
        self._waiters: list[_Waiter] = []

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        clock = self._clock
        with clock._lock:
            self._flag = True
            for waiter in self._waiters:
                if not waiter.woken:
                    clock._blocked -= 1
                clock._fire(waiter)
            self._waiters.clear()

    def wait(self, timeout: float | None = None) -> bool:
        clock = self._clock
        if timeout is not None:
            raise NotImplementedError("SimEvent.wait takes no timeout")
        if not getattr(clock._ours, "member", False):
            raise RuntimeError("only a thread started by the SimClock may wait on its events")
        waiter = _Waiter()
        with clock._lock:
            if self._flag:
                return True
            self._waiters.append(waiter)
            clock._running -= 1
            clock._blocked += 1
            clock._step()
        waiter.wake.wait()
        return True
