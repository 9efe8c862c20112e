"""Where SQLite and PostgreSQL differ, named once: `sql.py` is the same code for both otherwise.

SQLite is one file with one writer at a time (BEGIN IMMEDIATE), so a check-then-write is exact
without more. PostgreSQL has many writers at once, from several app servers: there a write takes
transaction-scoped advisory locks on the keys it checks (an id, a set of unique fields) and row
locks (SELECT … FOR UPDATE) on the rows it changes, schema upgrades run under one advisory lock,
ids are backed by a unique index, and whole-store reads see one consistent snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

# pg_advisory_xact_lock key of the schema upgrade; any constant no other lock uses ("3CĐ schema").
SCHEMA_LOCK = 0x3CD5C4E4A
# SQLSTATEs after which a whole transaction is simply tried again: serialization failure, deadlock
# detected, and a unique violation (another server inserted the same id at the same moment: the
# retry reads its row and the shared write rules decide, stored-once or DuplicateRecord).
RETRY_SQLSTATES = frozenset({"40001", "40P01", "23505"})
# Above this many keys in one write, its tables are locked instead of each key (default server:
# 64 locks per connection on average in the shared lock table).
MAX_KEY_LOCKS = 64


@dataclass(frozen=True)
class Pool:
    """Connection pool of one app server (PostgreSQL): connections kept, extra allowed, wait."""

    size: int = 5
    max_overflow: int = 10
    timeout: float = 30.0


class SqliteDialect:
    """The embedded file: one writer at a time is the whole concurrency story."""

    name = "sqlite"
    read_options: dict[str, str] = {}

    def create_engine(self, url: str, pool: Pool) -> sa.Engine:
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine

    def lock_schema(self, conn: sa.Connection) -> None:
        """Nothing: BEGIN IMMEDIATE already holds the file's only write lock."""

    def lock_keys(self, conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> None:
        """Nothing: writers never overlap in SQLite."""

    def ensure_indexes(self, conn: sa.Connection, tables: Iterable[str]) -> list[str]:
        """Nothing beyond the tables' own indexes (an older file may hold a repeated id)."""
        return []

    def retryable(self, exc: sa.exc.DBAPIError) -> bool:
        return False


class PostgresDialect:
    """A database server shared by several app servers; the database enforces every rule."""

    name = "postgresql"
    # Every tab of one read from the same moment (a record and its audit row, never half a write).
    read_options = {"isolation_level": "REPEATABLE READ"}

    def create_engine(self, url: str, pool: Pool) -> sa.Engine:
        return sa.create_engine(
            url,
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout,
            pool_pre_ping=True,  # a server restarted overnight costs one ping, not an error page
        )

    def lock_schema(self, conn: sa.Connection) -> None:
        """Servers starting together wait here: the first upgrades, the others find it done."""
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})

    def lock_keys(self, conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> None:
        """Hold each (table, key) until commit, taken in one order everywhere so two writers
        cannot deadlock, in one round trip. A bulk write (an import, a copy: thousands of keys)
        locks its tables instead, to stay far below the server's lock table."""
        keys = sorted(set(keys))
        if len(keys) > MAX_KEY_LOCKS:
            for table in sorted({table for table, _ in keys}):
                conn.exec_driver_sql(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            return
        if keys:
            conn.execute(
                sa.text(
                    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
                    "FROM (SELECT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS sorted"
                ),
                {"keys": [f"{table}\x1f{key}" for table, key in keys]},
            )

    def ensure_indexes(self, conn: sa.Connection, tables: Iterable[str]) -> list[str]:
        """A unique index on each tab's id (rows without an id yet excepted): the backstop."""
        present = {
            row[0]
            for row in conn.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        }
        made = []
        for name in tables:
            index = f"ux_{name}_id"
            if index not in present:
                conn.exec_driver_sql(
                    f'CREATE UNIQUE INDEX "{index}" ON "{name}" (id) WHERE id <> \'\''
                )
                made.append(index)
        return made

    def retryable(self, exc: sa.exc.DBAPIError) -> bool:
        return getattr(exc.orig, "sqlstate", None) in RETRY_SQLSTATES


def dialect_for(url: str) -> SqliteDialect | PostgresDialect:
    return PostgresDialect() if url.startswith("postgresql") else SqliteDialect()


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` (as hosting providers print them) use the psycopg driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" listener issue BEGIN IMMEDIATE
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
