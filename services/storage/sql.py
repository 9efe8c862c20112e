"""The SQL engine: SQLAlchemy Core, one table per tab, every cell TEXT. SQLite (WAL) by default,
PostgreSQL for several app servers on one database; what differs is named in `sql_dialects`.

Each write runs in one transaction that first re-reads the rows it touches, so check-then-write is
exact even across processes (SQLite takes the write lock with BEGIN IMMEDIATE; PostgreSQL locks the
keys and rows the write checks). Every write bumps a counter per tab it touched, in the same
transaction: the change token, and what lets a cache re-read only the tabs that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schemas.tabs import ALL_TABS, TABS
from services.storage import (
    FIRST_ROW,
    Adopt,
    Append,
    CommitListener,
    Operation,
    Row,
    SpreadsheetLayout,
    StoreUnavailable,
    Tail,
    Unreadable,
    Update,
    WrittenListener,
)
from services.storage.rules import check_sizes, should_adopt, should_append, should_update
from services.storage.sql_dialects import Pool, dialect_for, normalise_url
from services.storage.sql_scope import Scope, indexes, rereads

ROW = "_row"  # insertion order, shown to people as the sheet row number (header is row 1)
VERSIONS = "_tab_versions"  # one counter per tab, bumped by each write to that tab
ATTEMPTS = 5  # a write that lost a race (deadlock, same id inserted at once) is tried again


def _table(metadata: sa.MetaData, name: str) -> sa.Table:
    columns: list[sa.Column[Any]] = [
        sa.Column(ROW, sa.Integer, primary_key=True, autoincrement=True)
    ]
    columns += [sa.Column(f, sa.Text, nullable=False, server_default="") for f in TABS[name].fields]
    return sa.Table(name, metadata, *columns, sa.Index(f"ix_{name}_id", "id"), *indexes(name))


class SqlStore:
    """A store in one SQL database: a SQLite file, or a PostgreSQL database (`postgresql://…`).

    With `scope` (a unit id) it reads only that unit's part of the database: its subtree, the
    chain of its ancestors, and the rows that belong to them (`services/storage/sql_scope.py`).
    """

    coalesces = False  # one transaction per apply; the database serialises check-then-write

    def __init__(self, url: str, pool: Pool | None = None, scope: str = ""):
        self.url = normalise_url(url)
        self.dialect = dialect_for(self.url)
        self.engine = self.dialect.create_engine(self.url, pool or Pool())
        self.metadata = sa.MetaData()
        self.tables = {tab.name: _table(self.metadata, tab.name) for tab in ALL_TABS}
        self.versions = sa.Table(
            VERSIONS,
            self.metadata,
            sa.Column("tab", sa.Text, primary_key=True),
            sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        )
        self.upgraded = self._upgrade()
        self._written: list[WrittenListener] = []
        self.scope = Scope(scope, self.tables) if scope else None

    def holds_scope_unit(self) -> bool:
        """True when the store is not scoped, or its scope's unit is in the store."""
        if self.scope is None:
            return True
        with self._connect() as conn:
            return self.scope.holds_unit(conn)

    def rereads(self, changed: Iterable[str]) -> set[str]:
        """The tabs to read again when these tabs' counters moved: those tabs, and for a scoped
        store whatever a change of them can bring into or take out of the scope."""
        return rereads(changed) if self.scope is not None else set(changed)

    def ensure_tabs(self) -> list[str]:
        """Create missing tables and add missing columns; the names of the tabs created."""
        done = self._upgrade()
        return [name for name in self.tables if f"table {name}" in done]

    def layout(self) -> SpreadsheetLayout | None:
        """None: a database has no spreadsheet layout (no tab a person can rename)."""
        return None

    def on_commit(self, listener: CommitListener) -> None:
        """Never calls back: a SQL write reads nothing the read cache could take."""

    def on_written(self, listener: WrittenListener) -> None:
        """Have `listener` told, after each committed write, the rows it wrote (as they now are,
        with their row numbers) and each written tab's counter after the write, so a read cache
        can patch its copy instead of reading the tabs again (services/storage/cache.py)."""
        self._written.append(listener)

    def _upgrade(self) -> list[str]:
        """Create what is missing: tables, the fields added since an older version, indexes, the
        tab counters. One transaction under the schema lock, so servers starting together upgrade
        once: the first does the work, the others wait and find nothing left. Returns what it did.

        Only ever adds (never drops or renames), so data written by any version stays readable.
        """
        with self._connect() as conn, conn.begin():
            self.dialect.lock_schema(conn)
            inspector = sa.inspect(conn)
            existing = set(inspector.get_table_names())
            missing = [t for t in self.metadata.sorted_tables if t.name not in existing]
            self.metadata.create_all(conn, tables=missing)
            done = [f"table {t.name}" for t in missing]
            older = [name for name in self.tables if name in existing]
            columns = inspector.get_multi_columns(filter_names=older) if older else {}
            for (_, name), described in columns.items():
                table = self.tables[name]
                present = {c["name"] for c in described}
                for column in table.columns:
                    if column.name not in present:
                        conn.exec_driver_sql(
                            f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" TEXT NOT NULL DEFAULT \'\''
                        )
                        done.append(f"column {name}.{column.name}")
            done += self._add_indexes(conn, older)
            done += self.dialect.ensure_indexes(conn, self.tables)
            counted = {r[0] for r in conn.execute(sa.select(self.versions.c.tab))}
            new = [{"tab": name} for name in self.tables if name not in counted]
            if new:
                conn.execute(self.versions.insert(), new)
                done.append(f"{len(new)} tab counters")
            return done

    def _add_indexes(self, conn: sa.Connection, older: list[str]) -> list[str]:
        """The indexes added since a table was made (the scoped reads' lookups)."""
        present = sa.inspect(conn).get_multi_indexes(filter_names=older) if older else {}
        have = {(name, index["name"]) for (_, name), found in present.items() for index in found}
        done = []
        for name in older:
            for index in self.tables[name].indexes:
                if (name, index.name) not in have:
                    index.create(conn)
                    done.append(f"index {index.name}")
        return done

    @classmethod
    def at_path(cls, path: str | Path, scope: str = "") -> SqlStore:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}", scope=scope)

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        with self._connect() as conn:
            conn = conn.execution_options(**self.dialect.read_options)
            return {name: self._rows(conn, name) for name in tabs}

    def _rows(self, conn: sa.Connection, name: str) -> list[Row]:
        table = self.tables[name]
        fields = TABS[name].fields
        result = conn.execute(self._select(name).order_by(table.c[ROW]))
        return [Row(r[0] + 1, dict(zip(fields, r[1:], strict=True))) for r in result]

    def _select(self, name: str) -> sa.Select[Any]:
        """Every row of a tab, or in a scoped store the rows that belong to the scope."""
        table = self.tables[name]
        where = self.scope.where(name) if self.scope is not None else None
        return sa.select(table) if where is None else sa.select(table).where(where)

    def read_tail(self, tab: str, limit: int, before: int | None = None) -> Tail:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        table = self.tables[tab]
        fields = TABS[tab].fields
        with self._connect() as conn:
            if before is None:
                last = conn.execute(sa.select(sa.func.max(table.c[ROW]))).scalar_one()
                before = (last or 0) + 2  # one past the last sheet row (row number = _row + 1)
            start = max(FIRST_ROW, before - limit)
            window = self._select(tab).where(table.c[ROW] >= start - 1, table.c[ROW] < before - 1)
            result = conn.execute(window.order_by(table.c[ROW]))
            rows = [Row(r[0] + 1, dict(zip(fields, r[1:], strict=True))) for r in result]
        return Tail(rows, start)

    def apply(self, operations: Sequence[Operation]) -> None:
        check_sizes(operations)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._connect() as conn, conn.begin():
                    written, counters = self._write(conn, operations)
                for listener in self._written:
                    listener(written, counters)
                return
            except sa.exc.DBAPIError as exc:
                if attempt < ATTEMPTS and self.dialect.retryable(exc):
                    continue
                if isinstance(exc, sa.exc.OperationalError):
                    raise StoreUnavailable("database_write_failed", reason=str(exc.orig)) from exc
                raise

    def _write(
        self, conn: sa.Connection, operations: Sequence[Operation]
    ) -> tuple[dict[str, list[Row]], dict[str, int]]:
        """The operations in one transaction: the rows written, and the touched tabs' counters."""
        self.dialect.lock_keys(conn, _checked_keys(operations))
        written: dict[str, list[Row]] = {}
        for op in operations:
            if isinstance(op, Append):
                row = self._append(conn, op)
            elif isinstance(op, Adopt):
                row = self._adopt(conn, op)
            else:
                row = self._update(conn, op)
            if row is not None:
                written.setdefault(op.tab, []).append(row)
        # Last, in one order: the counter rows stay locked only until the commit.
        counters = {}
        for name in sorted({op.tab for op in operations}):
            counter = self.versions.c.version
            bump = self.versions.update().where(self.versions.c.tab == name)
            counters[name] = conn.execute(
                bump.values(version=counter + 1).returning(counter)
            ).scalar_one()
        return written, counters

    def _append(self, conn: sa.Connection, op: Append) -> Row | None:
        table = self.tables[op.tab]
        cells = {f: op.cells.get(f, "") for f in TABS[op.tab].fields}
        row = conn.execute(sa.select(table).where(table.c.id == cells["id"])).first()
        existing = dict(zip(TABS[op.tab].fields, row[1:], strict=True)) if row else None

        def unique_clash() -> bool:
            clash = sa.and_(*(table.c[f] == cells[f] for f in op.unique))
            return conn.execute(sa.select(table.c.id).where(clash)).first() is not None

        if not should_append(op, cells, existing, unique_clash):
            return None  # the same row is already there (a retried submission)
        inserted = conn.execute(table.insert().values(**cells)).inserted_primary_key or (0,)
        return Row(inserted[0] + 1, cells)

    def _update(self, conn: sa.Connection, op: Update) -> Row | None:
        table = self.tables[op.tab]
        mine = sa.select(table).where(table.c.id == op.id).with_for_update()
        row = conn.execute(mine).mappings().first()
        current = {f: row[f] for f in TABS[op.tab].fields} if row else None
        if not should_update(op, current) or row is None or current is None:  # raises if gone
            return None
        conn.execute(table.update().where(table.c[ROW] == row[ROW]).values(**op.changes))
        return Row(row[ROW] + 1, current | {f: op.changes[f] for f in op.changes if f in current})

    def _adopt(self, conn: sa.Connection, op: Adopt) -> Row | None:
        """The row is found by its sheet row number (`_row` + 1): it has no id yet."""
        table = self.tables[op.tab]
        fields = TABS[op.tab].fields
        at_row = sa.select(table).where(table.c[ROW] == op.row - 1).with_for_update()
        row = conn.execute(at_row).mappings().first()
        current = {f: row[f] for f in fields} if row else None
        taken = lambda: conn.execute(sa.select(table.c.id).where(table.c.id == op.id)).first()  # noqa: E731
        if not should_adopt(op, current, lambda: taken() is not None) or current is None:
            return None
        changes = op.changes(fields)
        conn.execute(table.update().where(table.c[ROW] == op.row - 1).values(**changes))
        return Row(op.row, current | changes)

    def unreadable(self) -> dict[str, Unreadable]:
        """Always {}: a table has no header a person could move, rename or delete."""
        return {}

    def change_token(self) -> str:
        """Bumped by every committed write, from this process or another."""
        return ";".join(f"{tab}={n}" for tab, n in sorted(self.tab_versions().items()))

    def tab_versions(self) -> dict[str, int]:
        """Each tab's write counter: one small query, so a cache can ask every second."""
        with self._connect() as conn:
            return dict(conn.execute(sa.select(self.versions.c.tab, self.versions.c.version)).all())

    def _connect(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:
            raise StoreUnavailable("database_unavailable", reason=str(exc.orig)) from exc


def _checked_keys(operations: Sequence[Operation]) -> list[tuple[str, str]]:
    """What the write checks before it inserts, as (table, key): each new id, each set of unique
    fields. Locked for the transaction (PostgreSQL), two servers cannot both find a key free and
    both take it."""
    keys = []
    for op in operations:
        if isinstance(op, Append):
            if op.cells.get("id"):
                keys.append((op.tab, f"id={op.cells['id']}"))
            if op.unique:
                keys.append((op.tab, "\x1f".join(f"{f}={op.cells.get(f, '')}" for f in op.unique)))
        elif isinstance(op, Adopt):
            keys.append((op.tab, f"id={op.id}"))
    return keys
