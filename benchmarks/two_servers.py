"""Two app servers on one PostgreSQL behind a sticky load balancer, against one server alone.

Issue 16's scaling run, with issue 15's load generator (benchmarks/load.py, benchmarks/_wire.py):
  1. a throw-away PostgreSQL server (tests/support/postgres.py, in a temporary folder, stopped at
     the end) gets the 5,000-unit sample province (`--quick`: 2,000) through the copy command's
     code (copy_store);
  2. **one** `streamlit run app.py` on that database, pinned to core 0; the generator (this
     process) talks to it directly; then
  3. **two** servers on the same database, pinned to cores 0 and 1, behind the sticky balancer of
     benchmarks/_balancer.py on 127.0.0.1 (cookie affinity, websockets passed through); the
     generator talks only to the balancer and shares core 1 with the second server;
  for each number of sessions N the same phases as load.py (burst, active, idle).
The servers run as a real deployment does: `engine = "postgresql"`, a sign-in ([auth]; the
provider is never contacted: each session carries the signed sign-in cookie Streamlit sets after
an OIDC sign-in, for one of the four demo people, as tests/e2e/test_two_servers.py does), the real
clock. Reported: rerun p50/p95 per N for one server and for two, the largest N held at p95 < 1 s,
and that per core. The last line is one JSON object (also benchmarks/out/two-servers-<mode>.json).
Bounded: loopback only, servers and database it starts itself, every phase a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `python benchmarks/two_servers.py`

from benchmarks._balancer import COOKIE, Balancer  # noqa: E402
from benchmarks._province import NOW, sample_province  # noqa: E402
from benchmarks._wire import Session  # noqa: E402
from benchmarks.load import (  # noqa: E402
    QUICK,
    Plan,
    Server,
    Variant,
    level,
    print_level,
    saturated,
)
from schemas import tabs  # noqa: E402
from services.core.access import Role  # noqa: E402
from services.storage.sql import SqlStore  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
COOKIE_SECRET = "hai-may-chu-do-tai"  # the throw-away servers' [auth] cookie_secret
APP = Variant("app", "app.py", "tong-hop", "3CĐ on PostgreSQL")
FULL = Plan(sessions=(50, 100, 200, 300), active_s=45, idle_s=31)
SHORT = replace(QUICK, sessions=(30,))  # `make bench`: one level, load.py's quick phases


def user_cookie(email: str, origin: str) -> str:
    """The signed `_streamlit_user` cookie Streamlit's st.login sets after an OIDC sign-in (it
    names the site's origin, which must be the websocket's)."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    user = {"origin": origin, "is_logged_in": True, "email": email, "name": email}
    return create_signed_value(COOKIE_SECRET, "_streamlit_user", json.dumps(user)).decode()


@dataclass
class Group:
    """One or several servers measured as one: CPU and memory summed, one address."""

    servers: list[Server]
    url: str

    def cpu_s(self) -> float:
        return sum(s.cpu_s() for s in self.servers)

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.servers)


async def affinity(port: int, cookies: str) -> str:
    """What a browser does first: load the page through the balancer and keep its cookie."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /_stcore/health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    writer.close()
    for line in head.split("\r\n"):
        if line.lower().startswith("set-cookie:") and f"{COOKIE}=" in line:
            return line.split(":", 1)[1].split(";")[0].strip()
    return ""


def demo_emails(store: SqlStore) -> tuple[str, ...]:
    """Who the sessions sign in as: the first user of each working role in the sample province's
    users tab (province staff, an upper officer, a secretary; the sample writes the demo people
    first). Read from the store, because a province built before the 2025 restructuring names
    other demo people than one built today."""
    first: dict[str, str] = {}
    for user in store.read([tabs.USERS.name])[tabs.USERS.name]:
        first.setdefault(user.cells["role"], user.cells["email"])
    roles = (Role.PROVINCE, Role.UPPER, Role.SECRETARY)
    if any(role.value not in first for role in roles):
        raise RuntimeError(f"the sample province lacks a user of each role: {first}")
    return tuple(first[role.value] for role in roles)


def people_of(port: int | None, url: str, timeout: float, emails: tuple[str, ...]):
    """Session i, signed in as demo person i (round robin) by its cookie; through the balancer
    (`port`) it first gets its affinity cookie, as a browser loading the page does."""

    origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]

    async def person(i: int) -> Session:
        from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

        xsrf = generate_xsrf_token_string()
        cookies = f"_streamlit_xsrf={xsrf}; _streamlit_user={user_cookie(emails[i % len(emails)], origin)}"
        if port is not None:
            cookies += "; " + await affinity(port, cookies)
        session = Session(url, headers={"Cookie": cookies, "Origin": origin}, xsrf=xsrf)
        await session.open()
        first = await session.run(timeout=timeout)
        if not first.ok or "tong-hop" not in session.pages:
            raise RuntimeError("a signed-in session did not get its pages")
        return session

    return person


def start_servers(url: str, secrets: Path, cores: list[int | None]) -> list[Server]:
    settings = {"TCD_STORE_ENGINE": "postgresql", "TCD_DATABASE_URL": url, "TCD_DEMO": "0"}
    return [
        Server("app.py", Path(), core, (f"secrets.files={secrets}",), settings=settings)
        for core in cores
    ]


async def run_setup(
    name: str,
    url: str,
    secrets: Path,
    cores: list[int | None],
    plan: Plan,
    emails: tuple[str, ...],
) -> dict[str, Any]:
    servers = start_servers(url, secrets, cores)
    balancer = None
    try:
        for server in servers:
            server.wait_healthy(timeout=300)
        if len(servers) == 1:
            group, port = Group(servers, servers[0].url), None
        else:
            balancer = Balancer([s.port for s in servers])
            await balancer.start()
            port = balancer.port
            group = Group(servers, f"ws://127.0.0.1:{port}/_stcore/stream")
        people = people_of(port, group.url, plan.burst_timeout_s, emails)
        warm = await people(0)  # the first render reads and parses: the cold start
        await warm.run("tong-hop", timeout=plan.burst_timeout_s)
        await warm.close()
        result: dict[str, Any] = {"servers": len(servers), "by_sessions": {}}
        result["rss_start_mb"] = round(group.rss_mb(), 1)  # after the first dashboard
        print(f"\n== {name}: {len(servers)} server(s) on cores {cores}", flush=True)
        for n in plan.sessions:
            figures = await level(group, APP, n, plan, people)
            if balancer is not None:
                figures["connections_by_server"] = dict(balancer.by_backend)
            result["by_sessions"][str(n)] = figures
            print_level(n, figures)
            if saturated(figures):
                result["saturated_at"] = n
                break
        result["rss_end_mb"] = round(group.rss_mb(), 1)
        held = [
            int(n)
            for n, f in result["by_sessions"].items()
            if (f["active"]["rerun_p95_s"] or 99) < 1 and f["active"]["failed"] == 0
        ]
        result["held_at_p95_under_1s"] = max(held, default=0)
        result["held_per_core"] = result["held_at_p95_under_1s"] / len(servers)
        return result
    finally:
        if balancer is not None:
            await balancer.stop()
        for server in servers:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="N = 30 only; shorter phases; 2,000 units"
    )
    parser.add_argument("--sessions", type=int, nargs="*", help="override the list of N")
    parser.add_argument("--province", type=Path, help="a sample province built earlier (copied)")
    args = parser.parse_args(argv)
    plan = SHORT if args.quick else FULL
    if args.sessions:
        plan = replace(plan, sessions=tuple(args.sessions))
    from services.data import copy_store
    from tests.support import postgres

    started = time.perf_counter()
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        print("two_servers.py needs two cores; nothing measured")
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the database on the way out
    report: dict[str, Any] = {"benchmark": "two_servers", "mode": "quick" if args.quick else "full"}
    with tempfile.TemporaryDirectory(prefix="3cd-two-") as tmp:
        folder = Path(tmp)
        province = folder / "province.sqlite"
        if args.province:
            shutil.copyfile(args.province, province)
        else:
            sample_province(province, units=plan.units)
        secrets = folder / "secrets.toml"
        secrets.write_text(
            '[auth]\nredirect_uri = "http://127.0.0.1:9/oauth2callback"\n'
            f'cookie_secret = "{COOKIE_SECRET}"\nclient_id = "3cd-bench"\n'
            'client_secret = "3cd-bench"\n'
            'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        database = postgres.start(fast=False)
        try:
            url = database.fresh_database("province")
            copy_store.copy_store(
                SqlStore.at_path(province), SqlStore(url), NOW, say=lambda _: None
            )
            emails = demo_emails(SqlStore.at_path(province))
            os.sched_setaffinity(0, {cores[1]})  # the generator: the second core
            report["one_server"] = asyncio.run(
                run_setup("one", url, secrets, [cores[0]], plan, emails)
            )
            report["two_servers"] = asyncio.run(
                run_setup("two", url, secrets, [cores[0], cores[1]], plan, emails)
            )
        finally:
            database.stop()
    one, two = report["one_server"], report["two_servers"]
    print(
        f"\nHeld at rerun p95 < 1 s: one server {one['held_at_p95_under_1s']} sessions; "
        f"two servers behind the balancer {two['held_at_p95_under_1s']} "
        f"({two['held_per_core']:g} per core)",
        flush=True,
    )
    report["load_average"] = round(os.getloadavg()[0], 1)
    report["total_s"] = round(time.perf_counter() - started, 1)
    line = json.dumps(report, ensure_ascii=False)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"two-servers-{report['mode']}.json").write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
