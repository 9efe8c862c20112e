"""Bounded retries for the Google Sheets engine: jittered exponential backoff, a cap, a typed error.

What is retried, and how a failure is classed:

* `DEFINITE`: Google answered 429 (quota) or 500/502/503/504. Nothing was applied, so the same
  request may simply be sent again after a wait.
* `AMBIGUOUS`: a timeout or a connection error. For a read that is as harmless as a definite
  failure; for a write the change may have landed, so the engine looks it up before writing again.
* Anything else (400, 403, 404, …) is never retried: asking again gets the same answer.

Waits use "full jitter": after the n-th failure (n = 1, 2, …) wait a uniform random time in
[0, min(cap, base · 2^(n-1))] — Google's advice for the Sheets API is exactly this truncated
exponential backoff (https://developers.google.com/sheets/api/limits). The random source and the
`sleep` are injectable, so tests run in simulated time on the shared clock
(`RetryPolicy.simulated`). After `max_attempts` attempts the caller gets `StoreUnavailable` with a
code saying what is known (NOT_READ, NOT_STORED) — except on 429: the quota is counted per minute, so a quota refusal is retried
until at least one whole `quota_window` (60 s) has been waited, bounded by `max_quota_attempts`. A
user in a deadline rush then waits a little longer instead of seeing an error. gspread's
`BackOffHTTPClient` is not used: it retries forever.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gspread
import requests

from services.storage import StoreUnavailable

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFINITE = "definite"
AMBIGUOUS = "ambiguous"

# StoreUnavailable codes (worded in services.core.messages)
NOT_STORED = "not_stored"  # Google refused or did not answer: the write is known not to be stored
NOT_READ = "not_read"  # Google refused or did not answer a read


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a gspread APIError (also when Google's reply was not JSON)."""
    if not isinstance(error, gspread.exceptions.APIError):
        return None
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else error.code


def classify(error: BaseException) -> str | None:
    """DEFINITE (nothing applied, retry), AMBIGUOUS (may have applied, retry after a look-up for
    writes) or None (never retry)."""
    if isinstance(error, gspread.exceptions.APIError):
        return DEFINITE if status_of(error) in RETRY_STATUSES else None
    if isinstance(error, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return AMBIGUOUS
    return None


@dataclass
class RetryPolicy:
    """How often and how long to retry a request to Google Sheets."""

    max_attempts: int = 5
    base: float = 1.0  # seconds
    cap: float = 32.0  # seconds: no single wait is longer
    quota_window: float = 60.0  # seconds: Google counts quota per minute
    max_quota_attempts: int = 12  # the bound on 429s, however short the waits drew
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], Any] = time.sleep

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must not be negative")

    @classmethod
    def simulated(cls, clock: Any, seed: int = 0, **given: Any) -> RetryPolicy:
        """A policy whose waits advance `clock` (a FixedClock) instead of sleeping: for tests."""
        return cls(rng=random.Random(seed), sleep=lambda s: clock.advance(seconds=s), **given)

    def delay(self, failures: int) -> float:
        """The wait after the `failures`-th failed attempt (1-based): full jitter under the cap."""
        ceiling = min(self.cap, self.base * 2 ** min(failures - 1, 62))
        return self.rng.uniform(0.0, ceiling)

    def wait(self, failures: int) -> float:
        """Sleep the wait after the `failures`-th failure; returns how long that was."""
        seconds = self.delay(failures)
        self.sleep(seconds)
        return seconds

    def gives_up(self, attempt: int, error: BaseException, waited: float) -> bool:
        """After `attempt` failed attempts and `waited` seconds of backoff: stop now?

        A 429 goes on until a whole quota window was waited (the quota frees by then), at most
        `max_quota_attempts` times; any other retried failure stops after `max_attempts`.
        """
        if status_of(error) == 429:
            if attempt >= max(self.max_quota_attempts, self.max_attempts):
                return True
            return attempt >= self.max_attempts and waited >= self.quota_window
        return attempt >= self.max_attempts

    def run(self, action: Callable[[], T], code: str = NOT_READ) -> T:
        """`action()`, retried on DEFINITE and AMBIGUOUS failures; for requests that change nothing
        (or that may safely be repeated). Errors that are never retried pass through unchanged."""
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                return action()
            except Exception as error:
                if classify(error) is None:
                    raise
                if self.gives_up(attempt, error, waited):
                    raise StoreUnavailable(code) from error
                waited += self.wait(attempt)
