"""The SQL engine: SQLAlchemy Core, one table per tab, every cell TEXT. SQLite (WAL) by default.

Each write runs in one transaction that first re-reads the rows it touches, so check-then-write is
exact even across processes (SQLite takes the write lock with BEGIN IMMEDIATE).
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
    Update,
)
from services.storage.rules import check_sizes, should_adopt, should_append, should_update

ROW = "_row"  # insertion order, shown to people as the sheet row number (header is row 1)


def _table(metadata: sa.MetaData, name: str) -> sa.Table:
    columns: list[sa.Column[Any]] = [
        sa.Column(ROW, sa.Integer, primary_key=True, autoincrement=True)
    ]
    columns += [sa.Column(f, sa.Text, nullable=False, server_default="") for f in TABS[name].fields]
    return sa.Table(name, metadata, *columns, sa.Index(f"ix_{name}_id", "id"))


class SqlStore:
    """A store in one SQL database (a SQLite file unless another URL is given)."""

    coalesces = False  # one transaction per apply; the caller serialises check-then-write

    def __init__(self, url: str):
        self.url = url
        is_sqlite = url.startswith("sqlite")
        self.engine = sa.create_engine(url, connect_args={"timeout": 30} if is_sqlite else {})
        if is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(
                self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE")
            )
        self.metadata = sa.MetaData()
        self.tables = {tab.name: _table(self.metadata, tab.name) for tab in ALL_TABS}
        self.meta = sa.Table("_meta", self.metadata, sa.Column("data_version", sa.Integer))
        self.ensure_tabs()

    def ensure_tabs(self) -> list[str]:
        """Create missing tables and add missing columns; the names of the tabs created."""
        with self._connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
        self.metadata.create_all(self.engine)
        self._add_new_columns()
        with self._connect() as conn, conn.begin():
            if conn.execute(sa.select(self.meta)).first() is None:
                conn.execute(self.meta.insert().values(data_version=0))
        return [tab.name for tab in ALL_TABS if tab.name not in present]

    def layout(self) -> SpreadsheetLayout | None:
        """None: a database has no spreadsheet layout (no tab a person can rename)."""
        return None

    def on_commit(self, listener: CommitListener) -> None:
        """Never calls back: a SQL write reads nothing the read cache could take."""

    def _add_new_columns(self) -> None:
        """A database made by an older version lacks the fields added since: add them, empty.

        Only ever adds (never drops or renames), so data written by any version stays readable.
        """
        with self._connect() as conn, conn.begin():
            inspector = sa.inspect(conn)
            for name, table in self.tables.items():
                present = {c["name"] for c in inspector.get_columns(name)}
                for column in table.columns:
                    if column.name not in present:
                        conn.exec_driver_sql(
                            f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" TEXT NOT NULL DEFAULT \'\''
                        )

    @classmethod
    def at_path(cls, path: str | Path) -> SqlStore:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}")

    def read(self, tabs: Iterable[str]) -> dict[str, list[Row]]:
        with self._connect() as conn:
            return {name: self._rows(conn, name) for name in tabs}

    def _rows(self, conn: sa.Connection, name: str) -> list[Row]:
        table = self.tables[name]
        fields = TABS[name].fields
        result = conn.execute(sa.select(table).order_by(table.c[ROW]))
        return [Row(r[0] + 1, dict(zip(fields, r[1:], strict=True))) for r in result]

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
            window = sa.select(table).where(table.c[ROW] >= start - 1, table.c[ROW] < before - 1)
            result = conn.execute(window.order_by(table.c[ROW]))
            rows = [Row(r[0] + 1, dict(zip(fields, r[1:], strict=True))) for r in result]
        return Tail(rows, start)

    def apply(self, operations: Sequence[Operation]) -> None:
        check_sizes(operations)
        with self._connect() as conn, conn.begin():
            conn.execute(self.meta.update().values(data_version=self.meta.c.data_version + 1))
            for op in operations:
                if isinstance(op, Append):
                    self._append(conn, op)
                elif isinstance(op, Adopt):
                    self._adopt(conn, op)
                else:
                    self._update(conn, op)

    def _append(self, conn: sa.Connection, op: Append) -> None:
        table = self.tables[op.tab]
        cells = {f: op.cells.get(f, "") for f in TABS[op.tab].fields}
        row = conn.execute(sa.select(table).where(table.c.id == cells["id"])).first()
        existing = dict(zip(TABS[op.tab].fields, row[1:], strict=True)) if row else None

        def unique_clash() -> bool:
            clash = sa.and_(*(table.c[f] == cells[f] for f in op.unique))
            return conn.execute(sa.select(table.c.id).where(clash)).first() is not None

        if should_append(op, cells, existing, unique_clash):
            conn.execute(table.insert().values(**cells))

    def _update(self, conn: sa.Connection, op: Update) -> None:
        table = self.tables[op.tab]
        row = conn.execute(sa.select(table).where(table.c.id == op.id)).mappings().first()
        current = {f: row[f] for f in TABS[op.tab].fields} if row else None
        if should_update(op, current) and row is not None:  # it raises when the row is gone
            conn.execute(table.update().where(table.c[ROW] == row[ROW]).values(**op.changes))

    def _adopt(self, conn: sa.Connection, op: Adopt) -> None:
        """The row is found by its sheet row number (`_row` + 1): it has no id yet."""
        table = self.tables[op.tab]
        fields = TABS[op.tab].fields
        row = conn.execute(sa.select(table).where(table.c[ROW] == op.row - 1)).mappings().first()
        current = {f: row[f] for f in fields} if row else None
        taken = lambda: conn.execute(sa.select(table.c.id).where(table.c.id == op.id)).first()  # noqa: E731
        if should_adopt(op, current, lambda: taken() is not None):
            changes = op.changes(fields)
            conn.execute(table.update().where(table.c[ROW] == op.row - 1).values(**changes))

    def change_token(self) -> str:
        """Bumped by every committed write, from this process or another."""
        with self._connect() as conn:
            return str(conn.execute(sa.select(self.meta.c.data_version)).scalar_one())

    def _connect(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:
            raise StoreUnavailable("database_unavailable", reason=str(exc.orig)) from exc


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" listener issue BEGIN IMMEDIATE
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
