"""A throw-away PostgreSQL server for tests and benchmarks: a real cluster in a temporary folder.

Made with the distribution's own `initdb` and `pg_ctl` (Debian's `postgresql` package, which
`make test` installs), listening on a free loopback port and on a socket in the folder, with trust
sign-in for local connections only. PostgreSQL refuses to run as root: when we are root (CI is),
the server runs as the `postgres` system user the package creates. Anything that keeps it from
starting raises `PostgresUnavailable` with the reason and the server's log.

Under pytest-xdist one server serves the whole run: the first worker that needs it starts it
(under a file lock), every worker gets its own database, and the controller stops it at the end.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "postgres"  # created by Debian's postgresql package; PostgreSQL will not run as root
RUN_VAR = "TCD_TEST_POSTGRES_RUN"  # set by the controller: which shared server this run uses
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",
    "shared_buffers": "32MB",
}
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}  # tests only


class PostgresUnavailable(RuntimeError):
    """The throw-away server could not be made or started; the message says why."""


def bin_dir() -> Path:
    """The newest installed server's programs (Debian keeps them out of PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).parent
        raise PostgresUnavailable(
            "No PostgreSQL server programs (initdb) found: run `make test`, which installs "
            "Debian's postgresql package, or `apt-get install -y postgresql` as root."
        )
    return found[-1].parent


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix and owner ids that run the server unprivileged (root only)."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"Running as root, and PostgreSQL refuses to run as root, but there is no "
            f"'{SYSTEM_USER}' system user to run it as: install Debian's postgresql package."
        ) from None
    return ["runuser", "-u", SYSTEM_USER, "--"], user.pw_uid, user.pw_gid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """One running cluster: its folder, port, and how to reach a database on it."""

    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SYSTEM_USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements outside a transaction (CREATE DATABASE cannot run inside one)."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SYSTEM_USER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def fresh_database(self, name: str) -> str:
        """An empty database of this name (dropped first if it exists); its URL."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        return self.url(name)

    def empty_schema(self, database: str) -> None:
        """Every table of the database gone: the next store starts from nothing."""
        self.execute(
            "DROP SCHEMA public CASCADE",
            "CREATE SCHEMA public AUTHORIZATION postgres",
            database=database,
        )

    def truncate_all(self, database: str) -> None:
        """Every row of every table gone, row numbering restarted; the tables stay (fast)."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SYSTEM_USER} dbname={database}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            names = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            script = "".join(f'DELETE FROM "{n}";' for (n,) in names.fetchall())
            sequences = conn.execute("SELECT sequencename FROM pg_sequences")
            script += "".join(f'ALTER SEQUENCE "{n}" RESTART;' for (n,) in sequences.fetchall())
            if script:
                conn.execute(script.encode())

    def alive(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        prefix, _, _ = _as_server_user()
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *prefix,
                    str(bin_dir() / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
        _kill_leftover(self.data)
        shutil.rmtree(self.folder, ignore_errors=True)


def start(folder: Path | None = None, fast: bool = True) -> PostgresServer:
    """Make and start a cluster in `folder` (a new temporary one by default)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="3cd-pg-"))
    folder.mkdir(parents=True, exist_ok=True)
    prefix, uid, gid = _as_server_user()
    if uid is not None:
        os.chown(folder, uid, gid)
    programs = bin_dir()
    server = PostgresServer(folder, free_port())
    log = folder / "server.log"

    def run(args: list[str], what: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}\n{tail}"
            )

    run(
        [
            str(programs / "initdb"),
            "-D",
            str(server.data),
            "-U",
            SYSTEM_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        "initdb",
    )
    options = {**SETTINGS, **(FAST if fast else {}), "port": str(server.port)}
    options["unix_socket_directories"] = str(folder)
    flags = " ".join(f"-c {k}={v}" for k, v in options.items())
    run(
        [
            str(programs / "pg_ctl"),
            "-D",
            str(server.data),
            "-l",
            str(log),
            "-o",
            flags,
            "-w",
            "-t",
            "60",
            "start",
        ],
        "pg_ctl start",
    )
    if not server.alive():
        raise PostgresUnavailable(f"the server did not open port {server.port}")
    return server


def _kill_leftover(data: Path) -> None:
    """A server whose pg_ctl stop failed: end its postmaster by the pid it wrote."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)
        time.sleep(0.5)


# ---- one server for a whole pytest run ------------------------------------------------------------


def _shared_folder(run: str) -> Path:
    return Path(tempfile.gettempdir()) / f"3cd-pg-{run}"


def shared(run: str) -> PostgresServer:
    """The run's server, started by whichever process asks first (the others wait and reuse)."""
    folder = _shared_folder(run)
    lock_path = folder.with_suffix(".lock")
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        port_file = folder.with_suffix(".port")
        if port_file.exists():
            server = PostgresServer(folder, int(port_file.read_text()))
            if server.alive():
                return server
            raise PostgresUnavailable(f"the test server on port {server.port} has stopped")
        server = start(folder)
        port_file.write_text(str(server.port))
        return server


def stop_shared(run: str) -> None:
    """End of the run (controller): stop the server if any process started one."""
    folder = _shared_folder(run)
    port_file = folder.with_suffix(".port")
    if port_file.exists():
        PostgresServer(folder, int(port_file.read_text())).stop()
    for leftover in (port_file, folder.with_suffix(".lock")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
