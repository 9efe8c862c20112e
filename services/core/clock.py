"""Time for every rule: an injectable clock in Vietnam time, so tests and benchmarks control 'now'."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from schemas.cells import VN_TZ, iso, parse_iso

__all__ = ["VN_TZ", "Clock", "FixedClock", "SystemClock", "iso", "parse_iso"]


class Clock(Protocol):
    """Anything that tells the current instant (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The server clock, expressed in Vietnam time whatever the server's own zone is."""

    def now(self) -> datetime:
        return datetime.now(VN_TZ)


class FixedClock:
    """A clock that only moves when told to: for tests, benchmarks and training set-ups."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at.astimezone(VN_TZ)

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, **delta: float) -> None:
        self._at = self._at + timedelta(**delta)
