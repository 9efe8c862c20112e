"""Two app servers on one PostgreSQL database: the database keeps every write correct, and each
server's cache learns of the other's writes on its own."""

from __future__ import annotations

import subprocess
import sys
import time

from schemas.tabs import SCREEN_TABS
from services.storage.sql import SqlStore
from tests.support.servers import REPO_ROOT, AppProcess, at_once


def stored(url: str, table: str, **equal: str) -> list[dict[str, str]]:
    """The rows of one tab as the database has them (those whose cells equal `equal`)."""
    store = SqlStore(url)
    try:
        rows = [dict(r.cells) for r in store.read([table])[table]]
    finally:
        store.engine.dispose()
    return [r for r in rows if all(r[f] == v for f, v in equal.items())]


def free_units(server: AppProcess) -> tuple[list[str], str]:
    """Grassroots units not yet registered in the current cycle, and that cycle's id."""
    answer = server.ask(do="free_units")
    return answer["units"], answer["cycle_id"]


def test_registrations_of_different_units_sent_through_both_servers_at_once_all_land(
    two_servers, demo_database
):
    a, b = two_servers
    free, cycle_id = free_units(a)
    assert len(free) >= 6
    for round_ in range(3):
        mine, theirs = free[2 * round_], free[2 * round_ + 1]
        answers = at_once(
            [a, b],
            [
                {"do": "register", "unit_id": mine, "key": f"a{round_}" * 8},
                {"do": "register", "unit_id": theirs, "key": f"b{round_}" * 8},
            ],
        )
        assert [x["ok"] for x in answers] == [True, True], answers
    registrations = [
        r for r in stored(demo_database, "registrations", cycle_id=cycle_id) if r["unit_id"] in free
    ]
    assert sorted(r["unit_id"] for r in registrations) == sorted(free[:6])
    audited = [r["record_id"] for r in stored(demo_database, "audit_log", tab="registrations")]
    assert sorted(audited) == sorted(r["id"] for r in registrations)  # each keeps its audit row


def test_the_same_request_key_sent_to_both_servers_at_once_is_stored_once(
    two_servers, demo_database
):
    a, b = two_servers
    free, cycle_id = free_units(a)
    unit_id = free[0]
    key = "0123456789abcdef" * 2
    answers = at_once(
        [a, b],
        [{"do": "register", "unit_id": unit_id, "key": key}] * 2,
    )
    assert all(x["ok"] for x in answers), answers  # a retried click is not an error on either
    rows = stored(demo_database, "registrations", cycle_id=cycle_id, unit_id=unit_id)
    assert len(rows) == 1
    assert len(stored(demo_database, "audit_log", record_id=rows[0]["id"])) == 1


def test_two_registrations_of_one_unit_with_different_keys_at_once_store_one(
    two_servers, demo_database
):
    a, b = two_servers
    free, cycle_id = free_units(a)
    unit_id = free[0]
    answers = at_once(
        [a, b],
        [
            {"do": "register", "unit_id": unit_id, "key": "1" * 32},
            {"do": "register", "unit_id": unit_id, "key": "2" * 32},
        ],
    )
    (row,) = stored(demo_database, "registrations", cycle_id=cycle_id, unit_id=unit_id)
    # Truly at once, the database refuses the second; a server that already saw the first treats
    # its own as a resend of the same plan (nothing to write). Either way: one record, one audit
    # row, and no save reported as done that is not in the database.
    assert [x["error"] for x in answers if not x["ok"]] in ([], ["DuplicateRecord"]), answers
    audit = stored(demo_database, "audit_log", tab="registrations")
    assert [r["record_id"] for r in audit] == [row["id"]]
    assert row["id"] in {"DK-" + "1" * 12, "DK-" + "2" * 12}


def test_the_same_record_version_edited_through_both_servers_at_once_lands_once(
    two_servers, demo_database
):
    a, b = two_servers
    unit_id = a.ask(do="free_units")["units"][0]
    loaded = a.ask(do="load_unit", unit_id=unit_id)["cells"]
    assert b.ask(do="load_unit", unit_id=unit_id)["cells"] == loaded
    answers = at_once(
        [a, b],
        [
            {
                "do": "assign_officer",
                "unit_id": unit_id,
                "loaded": loaded,
                "officer": "Nguyễn Văn A",
                "key": "c" * 32,
            },
            {
                "do": "assign_officer",
                "unit_id": unit_id,
                "loaded": loaded,
                "officer": "Trần Thị B",
                "key": "d" * 32,
            },
        ],
    )
    assert sorted(x["ok"] for x in answers) == [False, True], answers
    assert next(x for x in answers if not x["ok"])["error"] == "Conflict"
    winner = "Nguyễn Văn A" if answers[0]["ok"] else "Trần Thị B"
    (row,) = [r for r in stored(demo_database, "units") if r["id"] == unit_id]
    assert row["officer"] == winner
    assert int(row["version"]) == int(loaded["version"]) + 1
    edits = [
        r
        for r in stored(demo_database, "audit_log")
        if r["record_id"] == unit_id and "officer" in r["after"]
    ]
    assert len(edits) == 1 and winner in edits[0]["after"]


def test_a_server_learns_of_the_other_servers_write_and_rereads_only_what_changed(
    two_servers, demo_database
):
    a, b = two_servers
    before = a.ask(do="registrations")
    unit_id = b.ask(do="free_units")["units"][0]
    assert unit_id not in before["units"]
    assert b.ask(do="register", unit_id=unit_id, key="e" * 32)["ok"]
    written = time.monotonic()
    while True:  # the cache ttl is an hour: only the change counter can make A read again
        now = a.ask(do="registrations")
        if unit_id in now["units"] or time.monotonic() - written > 30:
            break
        time.sleep(0.05)
    delay = time.monotonic() - written
    print(f"server A showed server B's registration after {delay:.2f} s")
    assert unit_id in now["units"]
    # Only registrations (and the audit log, which is not a screen tab) changed: one tab re-read.
    assert now["tabs_read"] - before["tabs_read"] == 1


def test_servers_starting_together_on_a_new_database_create_the_schema_once(postgres_bare_url):
    servers = [AppProcess(postgres_bare_url) for _ in range(3)]
    try:
        upgrades = [s.started["upgraded"] for s in servers]
    finally:
        for s in servers:
            s.stop()
    assert sorted(bool(u) for u in upgrades) == [False, False, True], upgrades
    assert len(next(u for u in upgrades if u)) > len(SCREEN_TABS)


def test_servers_starting_together_on_an_older_database_add_a_new_field_once(postgres_url):
    SqlStore(postgres_url).engine.dispose()
    drop = "ALTER TABLE cycles DROP COLUMN late_policy"  # as if the field were added later
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlalchemy as sa; e = sa.create_engine({postgres_url!r}); c = e.connect(); c.exec_driver_sql({drop!r}); c.commit()",
        ],
        cwd=REPO_ROOT,
        check=True,
    )
    servers = [AppProcess(postgres_url) for _ in range(2)]
    try:
        upgrades = [s.started["upgraded"] for s in servers]
    finally:
        for s in servers:
            s.stop()
    assert sorted(upgrades) == [[], ["column cycles.late_policy"]]
