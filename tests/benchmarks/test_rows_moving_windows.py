"""The rows-moving rush counts the saves that had a person's edit inside their read→write window,
and among them those that update a row in place (the only ones a moved row can misdirect)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from benchmarks._rows_moving import Windows
from services.storage import Adopt, Append, Update

FIELDS = {"id": "DK-1", "unit_id": "DV-1"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def submission(*operations: Any) -> SimpleNamespace:
    return SimpleNamespace(operations=list(operations))


def engine(clock: Clock, edits: list[float], windows: Windows) -> Any:
    """A stand-in for the engine's batches: each reads 1 s after it starts and has its reply 1 s
    later; the person edits once per batch, at the next of `edits` (seconds after its start),
    recorded the way the benchmark's person does."""
    store = SimpleNamespace(_coalescer=SimpleNamespace())

    def commit(submissions: list[Any]) -> None:
        start = clock.now
        clock.now = start + 1.0
        store._states()
        windows.edits.append(start + edits.pop(0))
        clock.now = start + 2.0
        store._send()
        clock.now = start + 3.0

    store._commit = commit
    store._states = lambda: None
    store._send = lambda: None
    return store


def test_saves_and_in_place_saves_with_an_edit_inside_their_window_are_counted_apart():
    clock, windows = Clock(), Windows()
    store = engine(clock, [1.5, 2.5], windows)  # inside the first window, after the second
    windows.watch(store, clock)
    update = Update("registrations", "DK-1", FIELDS, {"state": "Đã gửi"})
    adopt = Adopt("registrations", 5, {"unit_id": "DV-9"}, "DK-9")
    append = Append("registrations", FIELDS)
    store._coalescer._commit([submission(update), submission(append), submission(adopt, append)])
    store._coalescer._commit([submission(update), submission(append)])
    assert [(n, in_place) for *_, n, in_place in windows.spans] == [(3, 2), (2, 1)]
    assert windows.saves_with_edit() == 3  # the first batch's three saves
    assert windows.in_place_saves_with_edit() == 2  # of which the update and the adoption
