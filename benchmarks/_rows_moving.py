"""For the deadline rush: a person sorting, inserting and deleting rows while secretaries save, an
independent ledger of what each save meant to store, and the cells that ended up in the wrong record.

Helper module only: running it directly prints a note and does nothing else (`make bench` runs
every benchmarks/*.py). The fake Sheets API it drives is test support (tests/fakes) that the
benchmarks may import.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas import tabs
from services.storage import Adopt, Append, Update

# A person edits the Đăng ký tab about once a second (a sort, a row inserted or deleted), at
# jittered moments (uniform between half and one and a half times the interval), so edits fall at
# every phase of the engine's read→write cycle instead of locking onto its rhythm.
EDIT_EVERY_S = 1.0
SORT_BY = ("unit_id", "plan_number", "state", "submitted_at", "id", "upper_unit_id")


@dataclass
class Ledger:
    """What every save the engine reported stored meant each registration to hold, built from the
    operations themselves (never from the sheet): appends set a record, updates change cells."""

    records: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, ops: Sequence[Any]) -> None:
        for op in ops:
            if isinstance(op, Append) and op.tab == tabs.REGISTRATIONS.name:
                self.records[op.cells["id"]] = dict(op.cells)

    def saved(self, ops: Sequence[Any]) -> None:
        with self.lock:
            for op in ops:
                if op.tab != tabs.REGISTRATIONS.name:
                    continue
                if isinstance(op, Append) and op.cells["id"] not in self.records:
                    self.records[op.cells["id"]] = dict(op.cells)
                elif isinstance(op, Update) and op.id in self.records:
                    self.records[op.id] = {**self.records[op.id], **op.changes}

    def watch(self, store: Any) -> None:
        """Note every apply the store reports stored (the cache's apply returns = 'saved')."""
        inner = store.apply

        def apply(ops: Sequence[Any]) -> None:
            inner(ops)
            self.saved(ops)

        store.apply = apply

    def misdirected(self, values: list[list[str]]) -> int:
        """Cells of a record in the final sheet that differ from what its own saves intended —
        written there by a save meant for another record — plus every cell of a row whose id no
        save ever wrote."""
        fields = dict(zip(tabs.REGISTRATIONS.headers, tabs.REGISTRATIONS.fields, strict=True))
        header = [fields.get(h, "") for h in values[0]] if values else []
        wrong = 0
        for row in values[1:]:
            cells = {f: row[i] if i < len(row) else "" for i, f in enumerate(header) if f}
            if not any(cells.values()):
                continue
            meant = self.records.get(cells.get("id", ""))
            if meant is None:
                wrong += sum(1 for v in cells.values() if v)
                continue
            wrong += sum(1 for f, v in cells.items() if meant.get(f, "") != v)
        return wrong


@dataclass
class Windows:
    """Each write batch's read→write window (simulated s), how many saves it carried, and how many
    of those write a row in place (an update or an adoption: the writes a moved row can misdirect;
    an append lands after the last row whatever people do to rows)."""

    spans: list[tuple[float, float, int, int]] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)

    def watch(self, store: Any, clock: Any) -> None:
        commit, states, send = store._commit, store._states, store._send
        batch: list[int] = [0, 0]
        opened: list[float | None] = [None]

        def on_commit(submissions: list[Any]) -> None:
            batch[:] = [
                sum(1 for s in submissions if s.operations),
                sum(1 for s in submissions if any(in_place(op) for op in s.operations)),
            ]
            commit(submissions)

        def on_read(*a: Any, **k: Any) -> Any:
            out = states(*a, **k)
            opened[0] = clock.monotonic()
            return out

        def on_send(*a: Any, **k: Any) -> Any:
            out = send(*a, **k)
            if opened[0] is not None:
                self.spans.append((opened[0], clock.monotonic(), *batch))
                opened[0] = None
            return out

        store._coalescer._commit, store._states, store._send = on_commit, on_read, on_send

    def saves_with_edit(self) -> int:
        """Saves whose batch had a person's edit between its fresh read and its write's reply."""
        return sum(n for a, b, n, _ in self.spans if self._edited(a, b))

    def in_place_saves_with_edit(self) -> int:
        """Of those, the saves that write a row in place: the ones that could be misdirected."""
        return sum(n for a, b, _, n in self.spans if self._edited(a, b))

    def _edited(self, opened: float, closed: float) -> bool:
        return any(opened < t < closed for t in self.edits)


def in_place(op: Any) -> bool:
    """Does this operation write into an existing row (found by its number at the fresh read)?"""
    return isinstance(op, (Update, Adopt))


def person(
    fake: Any,
    key: str,
    clock: Any,
    until: Callable[[], bool],
    windows: Windows,
    seed: int,
    every: float = EDIT_EVERY_S,
) -> Callable[[], None]:
    """A person with the Đăng ký tab open: every couple of seconds sorts it by some column, inserts
    a blank row somewhere among the data, or deletes a blank row — never a record."""
    rng = random.Random(seed)
    title = tabs.REGISTRATIONS.title
    headers = [tabs.REGISTRATIONS.header(f) for f in SORT_BY]

    def edit() -> None:
        people = fake.person(key)
        sheet = fake.book(key).sheet(title)
        last = sheet.last_data_row() + 1
        choice = rng.random()
        blanks = [r + 1 for r in range(1, last) if not any(not c.empty for c in sheet.rows[r])]
        if choice < 0.25 and last > 2:
            people.insert_rows(title, rng.randint(2, last))
        elif choice < 0.5 and blanks:
            people.delete_row(title, rng.choice(blanks))
        else:
            people.sort(title, rng.choice(headers), descending=rng.random() < 0.5)

    def run() -> None:
        while not until():
            clock.sleep(rng.uniform(0.5 * every, 1.5 * every))
            with fake._lock:  # one edit in the browser, between two API requests
                edit()
                windows.edits.append(clock.monotonic())

    return run


if __name__ == "__main__":
    print("benchmarks/_rows_moving.py is a helper of benchmarks/deadline_rush.py; nothing to run.")
