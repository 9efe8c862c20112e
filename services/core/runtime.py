"""What every service receives: the shared cached store, the clock, the criteria catalogue and the
settings, with the parsed workbook memoised once per data version for every session.

Built once per process by the composition root, `services.bootstrap`.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from schemas.criteria import CriteriaSet
from services.core.clock import Clock
from services.core.settings import Settings
from services.core.workbook import Workbook
from services.storage import SpreadsheetLayout
from services.storage.cache import CachedStore

T = TypeVar("T")


@dataclass
class Runtime:
    """What every service needs: the shared cached store, the clock, the criteria catalogue."""

    store: CachedStore
    clock: Clock
    criteria: dict[str, CriteriaSet]
    settings: Settings = field(default_factory=Settings)
    # Recognises the demo mark on a store (services.demo.mark.is_demo_store, given by the
    # composition root); without it no store is a demo store.
    demo_mark: Callable[[Any], bool] | None = field(default=None, repr=False)

    _last: Workbook | None = field(default=None, repr=False)
    _layout: tuple[float, SpreadsheetLayout] | None = field(default=None, repr=False)
    _layout_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spreadsheet_layout(self) -> SpreadsheetLayout | None:
        """The Google Sheet's locale, time zone, tabs and header positions, at most
        `refresh_seconds` old (two reads per refresh); None for the embedded store."""
        with self._layout_lock:
            now = time.monotonic()
            if self._layout is None or now - self._layout[0] >= self.settings.refresh_seconds:
                layout = self.store.inner.layout()
                if layout is None:
                    return None
                self._layout = (now, layout)
            return self._layout[1]

    @property
    def sign_in(self) -> str:
        """'oidc' or 'demo' for this store now, or SettingsError (`Settings.sign_in_mode`).

        The demo mark is checked again for each data version: an import made through the demo
        picker ends demo mode at once, not at the next start.
        """
        if self.settings.login:
            return "oidc"
        mark = self.demo_mark
        demo_store = mark is not None and self.store.snapshot().derived(
            "demo-mark", lambda: mark(self.store)
        )
        return self.settings.sign_in_mode(demo_store)

    def workbook(self) -> Workbook:
        """The parsed current snapshot, parsed once per data version for every session."""
        return self.derived("workbook", lambda wb: wb)

    def derived(self, key: Any, compute: Callable[[Workbook], T]) -> T:
        """Something computed from the current workbook once per data version, for every session.

        The workbook and the memo come from the same snapshot, so a refresh in between can never
        file an old result under a new version.
        """
        snapshot = self.store.snapshot()
        wb = snapshot.derived("workbook", lambda: self._parse(snapshot.tabs))
        return wb if key == "workbook" else snapshot.derived(key, lambda: compute(wb))

    def per_minute(self, key: Any, compute: Callable[[Workbook, datetime], T]) -> T:
        """Something that shows the clock to the minute (an "at HH:MM" line, a countdown in
        minutes): computed once per data version and minute for every session, from the workbook
        and the time of the first asker in that minute. Only the latest minute is kept."""
        now = self.clock.now()
        minute = now.replace(second=0, microsecond=0)
        held = self.derived(("per minute", key), _Held)
        with held.lock:  # a hundred sessions at the turn of a minute wait for one computation
            if held.minute != minute:
                held.value, held.minute = compute(held.wb, now), minute
            return held.value

    def _parse(self, tabs_rows) -> Workbook:
        self._last = Workbook.parse(tabs_rows, previous=self._last)
        keep_out_of_full_collections()
        return self._last


class _Held:
    """One data version's latest per-minute value (Runtime.per_minute)."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.lock = threading.Lock()
        self.minute: datetime | None = None
        self.value: Any = None


FREEZE_REGROWTH = 1.25  # the frozen objects are collected again once they grew by a quarter…
FREEZE_VERSIONS = 32  # …or after this many data versions, whichever comes first
_freezing = threading.Lock()
_frozen = {"after_full": 0, "versions": 0}


def keep_out_of_full_collections() -> None:
    """Move everything alive now (the new snapshot above all) out of the garbage collector's way.

    A snapshot is ~290,000 tracked objects at 5,000 units, and Streamlit runs a full collection
    after every script run (`runner.postScriptGC`): walking the snapshot each time was most of a
    busy server's time. Frozen objects are skipped by collections, and one that is no longer
    referenced is still freed at once by reference counting; only objects that die in reference
    cycles while frozen would stay. So every FREEZE_VERSIONS data versions, or sooner when the
    frozen set grew by FREEZE_REGROWTH, everything is unfrozen and collected once before freezing
    again. Called once per data version, never per render (docs/benchmarks.md).
    """
    with _freezing:
        _frozen["versions"] += 1
        full = (
            not _frozen["after_full"]
            or _frozen["versions"] >= FREEZE_VERSIONS
            or gc.get_freeze_count() > FREEZE_REGROWTH * _frozen["after_full"]
        )
        if full:
            gc.unfreeze()
        gc.collect()  # without a full pass: only what is not frozen (this version, session garbage)
        gc.freeze()
        if full:
            _frozen["after_full"], _frozen["versions"] = gc.get_freeze_count(), 0
