"""The parsed snapshot is kept out of full garbage collections, without keeping garbage alive."""

from __future__ import annotations

import gc
import weakref

from services.core.runtime import FREEZE_VERSIONS
from services.storage import Append


class Cyclic:
    """Garbage only the cycle collector can free: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


def new_version(rt, n: int) -> None:
    rt.store.apply(
        [Append("units", {"id": f"DV-GC-{n}", "name": f"Đoàn xã Thử {n}", "kind": "Xã"})]
    )
    rt.workbook()


def test_a_full_collection_after_a_render_does_not_walk_the_parsed_workbook(rt):
    wb = rt.workbook()
    unit = next(iter(wb.units.values()))
    walked = {id(o) for o in gc.get_objects()}  # what a collection of every generation visits
    assert id(wb) not in walked and id(unit) not in walked


def test_objects_that_die_in_cycles_while_frozen_are_collected_within_a_few_versions(rt):
    rt.workbook()
    alive = Cyclic()  # alive when the next version freezes everything…
    gone = weakref.ref(alive)
    new_version(rt, 0)
    del alive  # …then garbage that only the cycle collector can free
    gc.collect()
    for n in range(1, FREEZE_VERSIONS + 2):
        if gone() is None:
            break
        new_version(rt, n)
    assert gone() is None
