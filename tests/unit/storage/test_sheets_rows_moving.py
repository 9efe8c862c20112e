"""People sort, insert, delete and filter rows while the app saves: no write lands in another record.

Each edit is scheduled inside a save (`FakeSheets.before_next_write`): after the engine's fresh read,
before Google applies its batchUpdate — the window no Sheets request can close. What the sheet
holds afterwards is compared with what each record should hold, record by record.
"""

from __future__ import annotations

import json
import random
import threading
from datetime import datetime

import gspread
import pytest

from schemas.tabs import TABS
from services.core.clock import VN_TZ
from services.core.messages import describe
from services.storage import Adopt, Append, Conflict, RecordMissing, StoreError, Update
from services.storage.repairs import LEFT, REPLACED, RESTORED, UNREPAIRED, WITHDRAWN
from services.storage.sheets import SheetsStore
from services.storage.sheets_retry import RetryPolicy
from tests.fakes import FakeSheets, SimClock

UNITS = TABS["units"].title
AUDIT = TABS["audit_log"].title
NAMES = [
    "Đoàn xã An",
    "Đoàn xã Bình",
    "Đoàn xã Cường",
    "Đoàn xã Dũng",
    "Đoàn xã Giang",
    "Đoàn xã Hà",
]


def unit(n: int, **given: str) -> dict[str, str]:
    cells = {"id": f"DV-{n}", "name": NAMES[n - 1], "kind": "Xã", "members": str(10 * n)}
    return {f: {**cells, "version": "1", **given}.get(f, "") for f in TABS["units"].fields}


def audit(key: str, record: str) -> Append:
    cells = {"id": f"NK-{key}", "action": "Sửa đơn vị", "tab": "units", "record_id": record}
    return Append("audit_log", {f: cells.get(f, "") for f in TABS["audit_log"].fields})


@pytest.fixture
def fake() -> FakeSheets:
    return FakeSheets()


@pytest.fixture
def key(fake) -> str:
    return fake.create_spreadsheet("3CĐ")


@pytest.fixture
def store(fake, key) -> SheetsStore:
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)
    store.ensure_tabs()
    store.apply([Append("units", unit(n)) for n in range(1, 6)])
    return store


def records(fake: FakeSheets, key: str) -> dict[str, dict[str, str]]:
    """Every unit in the sheet by id, read the way a person sees it (independent of the engine)."""
    rows = fake.person(key).values(UNITS)
    header = rows[0]
    fields = dict(zip(TABS["units"].headers, TABS["units"].fields, strict=True))
    out = {}
    for values in rows[1:]:
        cells = {fields[h]: (values[i] if i < len(values) else "") for i, h in enumerate(header)}
        if any(cells.values()):
            out[cells.get("id", "")] = {f: cells.get(f, "") for f in TABS["units"].fields}
    return out


def actions(fake: FakeSheets, key: str) -> list[str]:
    rows = fake.person(key).values(AUDIT)
    column = rows[0].index(TABS["audit_log"].header("action"))
    return [r[column] for r in rows[1:] if len(r) > column]


def rename(n: int, name: str) -> Update:
    return Update("units", f"DV-{n}", unit(n), {"name": name, "version": "2"})


def expected(**changed: dict[str, str]) -> dict[str, dict[str, str]]:
    out = {f"DV-{n}": unit(n) for n in range(1, 6)}
    for record_id, cells in changed.items():
        out[record_id.replace("_", "-")] = {**out[record_id.replace("_", "-")], **cells}
    return out


def sort_by_name(fake, key):
    return lambda: fake.person(key).sort(UNITS, TABS["units"].header("name"), descending=True)


# ---- the record lands in its own row, whatever happened in the window ---------------------------


def test_a_sort_inside_the_window_changes_only_the_intended_record(fake, key, store):
    fake.before_next_write(sort_by_name(fake, key))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert records(fake, key) == expected(DV_2={"name": "Đoàn xã Bình Mới", "version": "2"})
    assert store.repairs == 1
    assert actions(fake, key) == ["Sửa đơn vị", RESTORED, REPLACED]


def test_without_the_check_the_same_sort_writes_into_another_record(fake, key):
    """The failure the check exists for, shown on the fake: the write addressed by row number."""
    store = SheetsStore.open(gspread.Client(auth=None, session=fake.session()), key)
    store.ensure_tabs()
    store.apply([Append("units", unit(n)) for n in range(1, 6)])
    store._settle = lambda states, after: after  # type: ignore[method-assign]  # no check
    fake.before_next_write(sort_by_name(fake, key))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert records(fake, key) != expected(DV_2={"name": "Đoàn xã Bình Mới", "version": "2"})
    assert records(fake, key)["DV-2"] == unit(2)  # the intended record did not change


def test_a_row_inserted_at_the_top_inside_the_window(fake, key, store):
    fake.before_next_write(lambda: fake.person(key).insert_rows(UNITS, 2))
    store.apply([rename(3, "Đoàn xã Cường Mới"), rename(4, "Đoàn xã Dũng Mới")])
    assert records(fake, key) == expected(
        DV_3={"name": "Đoàn xã Cường Mới", "version": "2"},
        DV_4={"name": "Đoàn xã Dũng Mới", "version": "2"},
    )
    assert store.repairs == 1


def test_a_row_deleted_above_inside_the_window(fake, key, store):
    fake.before_next_write(lambda: fake.person(key).delete_row(UNITS, 2))  # DV-1's row
    store.apply([rename(4, "Đoàn xã Dũng Mới")])
    want = expected(DV_4={"name": "Đoàn xã Dũng Mới", "version": "2"})
    del want["DV-1"]
    assert records(fake, key) == want


def test_the_intended_row_deleted_inside_the_window_is_record_missing_and_nothing_else_changes(
    fake, key, store
):
    fake.before_next_write(lambda: fake.person(key).delete_row(UNITS, 3))  # DV-2's own row
    with pytest.raises(RecordMissing):
        store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    want = expected()
    del want["DV-2"]
    assert records(fake, key) == want
    assert actions(fake, key) == ["Sửa đơn vị", RESTORED, WITHDRAWN]


def test_a_person_typing_into_the_intended_row_while_sorting_makes_a_conflict_and_no_change(
    fake, key, store
):
    def edit() -> None:
        fake.person(key).type(UNITS, "E3", "99")  # DV-2's members
        sort_by_name(fake, key)()

    fake.before_next_write(edit)
    with pytest.raises(Conflict) as refused:
        store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert "đã bị người khác sửa" in describe(refused.value)
    assert records(fake, key) == expected(DV_2={"members": "99"})


def test_a_filter_hiding_rows_inside_the_window_needs_no_repair(fake, key, store):
    hide = lambda: fake.person(key).filter(UNITS, TABS["units"].header("members"), ["10"])  # noqa: E731
    fake.before_next_write(hide)
    store.apply([rename(3, "Đoàn xã Cường Mới")])
    assert records(fake, key) == expected(DV_3={"name": "Đoàn xã Cường Mới", "version": "2"})
    assert store.repairs == 0
    assert fake.book(key).sheet(UNITS).extra["basicFilter"]["hidden"] == [3, 4, 5, 6]


def test_an_adoption_while_a_row_is_inserted_above_gives_the_id_to_the_hand_made_row_only(
    fake, key, store
):
    hand = unit(6, id="", version="", name="Đoàn xã Tay")
    store.apply([Append("units", hand)])
    number = next(r.number for r in store.read(["units"])["units"] if r.cells["id"] == "")
    fake.before_next_write(lambda: fake.person(key).insert_rows(UNITS, 2))
    store.apply([Adopt("units", number, hand, "DV-9")])
    assert records(fake, key) == {
        **expected(),
        "DV-9": {**hand, "id": "DV-9", "version": "1"},
    }


def test_a_person_changing_a_restored_cell_before_the_repair_lands_keeps_their_value(
    fake, key, store
):
    person = fake.person(key)
    fake.before_next_write(sort_by_name(fake, key))

    def sort_back_and_type() -> None:  # inside the repair's own window
        person.sort(UNITS, TABS["units"].header("name"))
        row = next(i for i, r in enumerate(person.values(UNITS), 1) if r[0] == "DV-4")
        person.type(UNITS, f"B{row}", "Tên do người sửa")

    fake.before_next_write(sort_back_and_type)
    store.apply([rename(2, "Đoàn xã Bình Mới")])
    assert records(fake, key) == expected(
        DV_2={"name": "Đoàn xã Bình Mới", "version": "2"}, DV_4={"name": "Tên do người sửa"}
    )
    assert [(x.record, x.field, x.now) for x in store.leftovers] == [
        ("DV-4", "name", "Tên do người sửa")
    ]
    assert LEFT in actions(fake, key)


def test_the_repair_audit_rows_say_which_cells_were_put_back(fake, key, store):
    fake.before_next_write(sort_by_name(fake, key))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    rows = fake.person(key).values(AUDIT)
    header = rows[0]
    restored = dict(zip(header, rows[2], strict=False))
    assert restored[TABS["audit_log"].header("action")] == RESTORED
    victim = restored[TABS["audit_log"].header("record_id")]
    assert victim not in ("", "DV-2")
    after = json.loads(restored[TABS["audit_log"].header("after")])
    assert after == {"name": unit(int(victim[3:]))["name"], "version": "1"}


def test_a_write_still_astray_after_every_repair_round_is_never_reported_as_saved(fake, key, store):
    for _ in range(4):  # before the write and before each of the three repairs
        fake.before_next_write(lambda: fake.person(key).insert_rows(UNITS, 2))
    with pytest.raises(StoreError) as refused:
        store.apply([rename(2, "Đoàn xã Bình Mới")])
    assert refused.value.code == "misdirected"
    assert "chưa được lưu đúng chỗ" in describe(refused.value)


# ---- a rush: many secretaries resubmitting while a person keeps sorting ------------------------


def test_thirty_secretaries_resubmitting_while_a_person_sorts_every_two_seconds():
    """30 records, each resent 4 times over about 40 s by its own thread, while a person sorts the
    tab every 2 s by another column, with 0.2–0.6 s of API latency. Every record ends holding
    exactly its last accepted save; no record holds anything another save meant for it."""
    clock = SimClock(datetime(2026, 10, 9, 8, 0, tzinfo=VN_TZ))
    fake = FakeSheets(clock, latency=(0.2, 0.6), seed=7)
    key = fake.create_spreadsheet("3CĐ")
    client = gspread.Client(auth=None, session=fake.session())
    retry = RetryPolicy.simulated(clock, seed=7)
    store = clock.run(lambda: SheetsStore.open(client, key, retry=retry, waits=clock))
    clock.run(store.ensure_tabs)
    count = 30
    start = [Append("units", rush_unit(n)) for n in range(count)]
    clock.run(store.apply, start)
    ledger = {f"DV-R{n}": rush_unit(n) for n in range(count)}
    lock = threading.Lock()
    sorts: list[float] = []
    done: list[int] = []

    def secretary(n: int) -> None:
        """Resends its unit's form 5 times; the form shows what it saved last (its own record)."""
        rng, record = random.Random(n), f"DV-R{n}"
        try:
            for send in range(5):
                clock.sleep(rng.uniform(1, 9))
                loaded = ledger[record]
                changes = {"phone": f"09{n:02d}{send:02d}{rng.randrange(10**6):06d}"}
                changes["version"] = str(int(loaded["version"]) + 1)
                store.apply([Update("units", record, loaded, changes), audit_of(n, send)])
                with lock:
                    ledger[record] = {**loaded, **changes}
        finally:
            done.append(n)

    def sorter() -> None:
        person = fake.person(key)
        headers = [TABS["units"].header(f) for f in ("name", "phone", "members", "id")]
        turn = 0
        while len(done) < count:
            clock.sleep(2.0)
            with fake._lock:  # one edit in the browser, between two API requests
                person.sort(UNITS, headers[turn % 4], descending=turn % 3 == 0)
                sorts.append(clock.monotonic())
            turn += 1

    windows = watch_windows(store, clock)
    threads = [clock.start(secretary, n) for n in range(count)] + [clock.start(sorter)]
    clock.join(threads, timeout=300)
    assert not clock.errors
    assert records_of(fake, key) == ledger
    inside = sum(1 for at in sorts if any(a < at < b for a, b in windows))
    assert inside >= 3  # sorts did land inside saves' read→write windows: the run proves something


def watch_windows(store: SheetsStore, clock: SimClock) -> list[tuple[float, float]]:
    """Each batch's read→write window (simulated seconds): from its fresh read to its write's
    reply. Batches run one at a time, so one pending start is enough."""
    windows: list[tuple[float, float]] = []
    opened: list[float] = []
    states, send = store._states, store._send

    def read(*a, **k):
        out = states(*a, **k)
        opened[:] = [clock.monotonic()]
        return out

    def write(*a, **k):
        out = send(*a, **k)
        if opened:
            windows.append((opened[0], clock.monotonic()))
        return out

    store._states, store._send = read, write  # type: ignore[method-assign]
    return windows


def rush_unit(n: int) -> dict[str, str]:
    cells = {
        "id": f"DV-R{n}",
        "name": f"Đoàn xã {chr(0x41 + n % 26)}{n:02d}",
        "members": str(100 + (n * 37) % 50),
        "phone": f"0900{n:06d}",
        "version": "1",
    }
    return {f: cells.get(f, "") for f in TABS["units"].fields}


def audit_of(n: int, send: int) -> Append:
    cells = {"id": f"NK-R{n}-{send}", "action": "Sửa", "tab": "units", "record_id": f"DV-R{n}"}
    return Append("audit_log", {f: cells.get(f, "") for f in TABS["audit_log"].fields})


def records_of(fake: FakeSheets, key: str) -> dict[str, dict[str, str]]:
    return {k: v for k, v in records(fake, key).items() if k.startswith("DV-R")}


# ---- the repair write itself fails: sent again through the engine's retry ----------------------


def retrying(fake: FakeSheets, key: str, sleep=lambda seconds: None) -> SheetsStore:
    """A store like `store`, whose retry waits are instant (or a person's edit: `sleep`)."""
    policy = RetryPolicy(max_attempts=5, rng=random.Random(3), sleep=sleep)
    client = gspread.Client(auth=None, session=fake.session())
    store = SheetsStore.open(client, key, retry=policy, pace=False)
    store.ensure_tabs()
    store.apply([Append("units", unit(n)) for n in range(1, 6)])
    return store


def audit_rows(fake: FakeSheets, key: str) -> list[dict[str, str]]:
    rows = fake.person(key).values(AUDIT)
    fields = dict(zip(TABS["audit_log"].headers, TABS["audit_log"].fields, strict=True))
    return [{fields[h]: v for h, v in zip(rows[0], r, strict=False)} for r in rows[1:]]


def sort_then(fake: FakeSheets, key: str, *faults) -> None:
    """Inside the save's window: a person sorts, and Google will answer the next write(s) so."""
    fake.before_next_write(sort_by_name(fake, key), *faults)


def test_a_repair_refused_once_by_google_is_sent_again_and_the_save_lands(fake, key):
    store = retrying(fake, key)
    sort_then(fake, key, lambda: fake.fail_next(1, status=503, kind="write"))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert records(fake, key) == expected(DV_2={"name": "Đoàn xã Bình Mới", "version": "2"})
    assert actions(fake, key) == ["Sửa đơn vị", RESTORED, REPLACED]
    assert [c.outcome for c in fake.calls if c.kind == "write"][-3:] == ["ok", "failure", "ok"]


@pytest.mark.parametrize("applied", [False, True], ids=["timed-out-before", "reply-lost"])
def test_a_repair_that_timed_out_is_looked_up_first_and_stored_exactly_once(fake, key, applied):
    store = retrying(fake, key)
    sort_then(fake, key, lambda: fake.timeout_next(1, applied=applied, kind="write"))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert records(fake, key) == expected(DV_2={"name": "Đoàn xã Bình Mới", "version": "2"})
    assert actions(fake, key) == ["Sửa đơn vị", RESTORED, REPLACED]  # never twice


def test_rows_sorted_again_while_the_repair_waits_to_be_resent_are_repaired_where_they_are(
    fake, key
):
    """The resend is planned on a fresh read: the same repair sent blindly after a person sorted
    back during the wait would write into yet other records."""
    person = fake.person(key)
    moves = [lambda: person.sort(UNITS, TABS["units"].header("name"))]  # sorted back by name
    store = retrying(fake, key, sleep=lambda seconds: moves and moves.pop()())
    sort_then(fake, key, lambda: fake.fail_next(1, status=503, kind="write"))
    store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert not moves  # the person did sort during the wait
    assert records(fake, key) == expected(DV_2={"name": "Đoàn xã Bình Mới", "version": "2"})
    assert actions(fake, key) == ["Sửa đơn vị", RESTORED, REPLACED]


def test_a_repair_google_keeps_refusing_is_audited_as_cells_to_fix_by_hand_and_never_saved(
    fake, key
):
    store = retrying(fake, key)
    sort_then(fake, key, lambda: fake.fail_next(5, status=503, kind="write"))  # every attempt
    with pytest.raises(StoreError) as refused:
        store.apply([rename(2, "Đoàn xã Bình Mới"), audit("A", "DV-2")])
    assert refused.value.code == "misdirected"
    now = records(fake, key)
    (victim,) = [r for r, cells in now.items() if cells != expected()[r]]  # the stray write's
    assert victim != "DV-2" and now[victim]["name"] == "Đoàn xã Bình Mới"
    rows = audit_rows(fake, key)
    assert [r["action"] for r in rows] == ["Sửa đơn vị", UNREPAIRED]
    left = rows[1]
    assert left["record_id"] == victim and left["tab"] == "units"
    assert json.loads(left["before"]) == {"name": "Đoàn xã Bình Mới", "version": "2"}  # held now
    assert json.loads(left["after"]) == {"name": unit(int(victim[3:]))["name"], "version": "1"}
    assert [(x.record, x.field) for x in store.leftovers] == [(victim, "name"), (victim, "version")]
